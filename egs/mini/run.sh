#!/usr/bin/env bash
# egs/mini/run.sh: EfficientTDNN end to end on data this recipe assembles itself, in minutes on
# 2 CPU cores. Real voices from Debian packages (espeak-ng speakers if they cannot be fetched),
# disjoint train/test speakers; 80-bin fbank + energy VAD; a weight-sharing supernet trained
# through all five progressive-shrinking stages; subnets cut at several MAC budgets with BN
# recalibration; embeddings, cosine scoring, EER and minDCF; a results table and a plot.
#
#   egs/mini/run.sh [--stage N] [--stop-stage N] [--nj 2] [--source auto|debian|espeak]
# Stages: 0 data, 1 features + VAD, 2 supernet training (5 stages), 3 subnets + BN
# recalibration, 4 embeddings + scoring (cosine, WCCN, WCCN + AS-Norm), 5 subnet search (TDNN-NAS: predictor + evolution
# at 3 MAC budgets, compared with random subnets), 6 results table + plot.
set -euo pipefail
cd "$(dirname "$0")"
. ./cmd.sh
. ./path.sh

stage=0
stop_stage=6
nj=2                 # parallel feature jobs
num_threads=2        # threads of the network computation
source=auto          # data source for stage 0
train_secs=240       # audio cap of a training speaker (test speakers: 240 s whatever this is)
# The supernet's shape for this recipe: the paper's architecture at a quarter of its widths
# (max 128 channels, cat 384), so that five training stages fit in minutes on 2 cores.
supernet_opts="--max-width=128 --max-cat-width=384"
batch_size=64
crop_frames=200      # 2 s crops for the largest stage, as the reference; 3 s after
crop_frames_elastic=200 # the reference uses 3 s here; 2 s keeps this recipe within its time budget
epochs_largest=6     # (epochs over clean + augmented copies: 432 steps; halve both with --speed-perturb true)
epochs_elastic=2     # per elastic stage (kernel, depth, width1, width2)
lr=0.004             # peak of each stage's triangular learning-rate cycle
lr_elastic=          # peak for the elastic stages (kernel .. width2); empty: $lr (0.002 and 0.001
                     # were tried: a gain with seed 666 only, docs/mini-data.md)
seed=666             # of the supernet's initial weights and of the training's data order and crops
search=true          # stage 5 (adds ~5 minutes)
augment=true         # one augmented copy of each training utterance (reverb/noise/babble/tempo)
speed_perturb=false  # 0.9x and 1.1x copies of each training utterance as new speakers (x3 classes):
                     # at equal steps 11.9 -> 11.1% EER after stage largest, but no gain after all five
                     # stages (12.0% vs 11.7%) and worse small subnets, so off by default
cohort_utts=1000     # clean training utterances in the AS-Norm cohort
asnorm_top=300       # AS-Norm: top cohort scores per side (spec section 2: 300)
exp=exp              # output folder (another one keeps exp/ intact while trying options)
train_from=largest   # first supernet stage to train (the ones before it must be in $exp/supernet)
train_opts=          # extra nnet-train-supernet options for every stage (e.g. "--aam-margin=0.3")
sandwich=            # --sandwich of the elastic stages: also train the stage's largest net
                     # ("largest,smallest": and its smallest) at every step next to the sampled
                     # one; "": the reference (docs/mini-data.md)
help_message="Usage: $0 [--stage N] [--stop-stage N] [--nj N] [--source auto|debian|espeak] [--train-secs N] [--search true|false] [--augment true|false] [--speed-perturb true|false] [--exp DIR] [--seed N] [--epochs-largest N] [--epochs-elastic N] [--lr X] [--lr-elastic X] [--train-from STAGE] [--train-opts 'OPTS'] [--sandwich ''|largest|largest,smallest]"
. utils/parse_options.sh
case "$sandwich" in ""|largest|largest,smallest) ;; *) echo "$0: bad --sandwich '$sandwich'" >&2; exit 1;; esac

mkdir -p $exp
train_set=train; { [ "$augment" = true ] || [ "$speed_perturb" = true ]; } && train_set=train_comb
t_start=$(date +%s)
log_stage() { echo "=== $(date +%T) stage $1: $2"; }

if [ $stage -le 0 ] && [ $stop_stage -ge 0 ]; then
  log_stage 0 "data (speakers from Debian packages, disjoint train/test, trials)"
  local/make_data.sh --source $source --max-secs-per-train-spk $train_secs --nj $nj data
fi

if [ $stage -le 1 ] && [ $stop_stage -ge 1 ]; then
  log_stage 1 "features: fbank (+ energy for VAD), VAD, voiced frames, compression"
  if [ "$augment" = true ]; then
    # This recipe has no MUSAN / RIRS_NOISES: coloured noises and synthetic RIRs are made
    # here, babble comes from the training speech itself. The augmented audio never hits the
    # disk: wav-augment runs inside the wav.scp pipes, seeded by the utterance id.
    python3 local/make_noises.py data/aug
    mkdir -p data/train_aug
    aug_opts="--print-args=false --aug-choices=reverb,noise,babble,tempo-up,tempo-down --noise-list=data/aug/noise.scp --rir-list=data/aug/rir.scp --babble-list=data/train/wav.scp --snr-noise=5:20"
    awk -v o="$aug_opts" '{ printf "%s-aug wav-augment %s --utt-id=%s-aug %s - |\n", $1, o, $1, $2 }' \
      data/train/wav.scp > data/train_aug/wav.scp
    awk '{ print $1 "-aug", $2 }' data/train/utt2spk > data/train_aug/utt2spk
    utils/utt2spk_to_spk2utt.pl data/train_aug/utt2spk > data/train_aug/spk2utt
  fi
  if [ "$speed_perturb" = true ]; then
    # Speed perturbation (sox speed: tempo and pitch change together) makes new voices: each
    # copy's speaker is a new class (sp0.9-<spk>), which this small speaker set gains most from.
    mkdir -p data/train_sp
    for f in 0.9 1.1; do
      awk -v f=$f '{ printf "sp%s-%s sox %s -t wav - speed %s |\n", f, $1, $2, f }' data/train/wav.scp
    done > data/train_sp/wav.scp
    for f in 0.9 1.1; do
      awk -v f=$f '{ printf "sp%s-%s sp%s-%s\n", f, $1, f, $2 }' data/train/utt2spk
    done | sort > data/train_sp/utt2spk
    sort -o data/train_sp/wav.scp data/train_sp/wav.scp
    utils/utt2spk_to_spk2utt.pl data/train_sp/utt2spk > data/train_sp/spk2utt
  fi
  if [ $train_set = train_comb ]; then
    parts="data/train"
    [ "$augment" = true ] && parts="$parts data/train_aug"
    [ "$speed_perturb" = true ] && parts="$parts data/train_sp"
    utils/combine_data.sh data/train_comb $parts > /dev/null
  fi
  for d in $train_set test; do
    dir=$exp/fbank/$d
    mkdir -p $dir/log
    utils/split_data.sh data/$d $nj
    # One pipe per job: 81-column fbank (column 0 = log energy) -> VAD decisions; then the
    # voiced frames of the 80 mel columns, compressed, with an scp and utt2num_frames.
    $train_cmd JOB=1:$nj $dir/log/fbank.JOB.log \
      compute-fbank --config=conf/fbank.conf --use-energy=true \
        scp:data/$d/split$nj/JOB/wav.scp ark:$dir/raw.JOB.ark \&\& \
      compute-vad --config=conf/vad.conf ark:$dir/raw.JOB.ark ark,scp:$dir/vad.JOB.ark,$dir/vad.JOB.scp \&\& \
      select-voiced-frames ark:$dir/raw.JOB.ark scp:$dir/vad.JOB.scp ark:- \| \
      select-feats 1-80 ark:- ark:- \| \
      copy-feats --compress=true --write-num-frames=ark,t:$dir/utt2num_frames.JOB \
        ark:- ark,scp:$PWD/$dir/feats.JOB.ark,$dir/feats.JOB.scp \&\& \
      rm $dir/raw.JOB.ark
    for n in $(seq $nj); do cat $dir/feats.$n.scp; done | sort > data/$d/feats.scp
    for n in $(seq $nj); do cat $dir/utt2num_frames.$n; done | sort > data/$d/utt2num_frames
    for n in $(seq $nj); do cat $dir/vad.$n.scp; done | sort > data/$d/vad.scp
    # Keep utterances with at least 1 s of voiced speech.
    awk '$2 >= 100' data/$d/utt2num_frames | cut -d' ' -f1 > $dir/keep
    utils/subset_data_dir.sh --utt-list $dir/keep data/$d data/${d}_voiced > /dev/null
    utils/fix_data_dir.sh data/${d}_voiced
  done
fi

if [ $stage -le 2 ] && [ $stop_stage -ge 2 ]; then
  log_stage 2 "supernet training: largest -> kernel -> depth -> width1 -> width2"
  num_spk=$(wc -l < data/${train_set}_voiced/spk2utt)
  mkdir -p $exp/supernet/log
  nnet-init-supernet $supernet_opts --num-speakers=$num_spk --seed=$seed $exp/supernet/0.mdl \
    2> $exp/supernet/log/init.log
  prev=$exp/supernet/0.mdl
  steps_per_epoch=$(( $(wc -l < data/${train_set}_voiced/utt2spk) / batch_size ))
  i=1
  skip=true; echo " largest kernel depth width1 width2 " | grep -q " $train_from " || { echo "bad --train-from $train_from"; exit 1; }
  for s in largest kernel depth width1 width2; do
    [ $s = $train_from ] && skip=false
    if [ $skip = true ]; then   # trained before (e.g. the same first stage with other later options)
      prev=$exp/supernet/$i.$s.mdl; i=$((i + 1))
      [ -f $prev ] || { echo "$prev missing (--train-from $train_from)"; exit 1; }
      continue
    fi
    if [ $s = largest ]; then frames=$crop_frames; epochs=$epochs_largest; stage_lr=$lr;
    else frames=$crop_frames_elastic; epochs=$epochs_elastic; stage_lr=${lr_elastic:-$lr}; fi
    sw_opt=""; [ $s != largest ] && [ -n "$sandwich" ] && sw_opt="--sandwich=$sandwich"
    echo "  training stage $s ($epochs epochs, ${frames}-frame crops); log: $exp/supernet/log/train.$s.log"
    # One triangle per stage (half-cycle = half the stage), so each stage ends annealed.
    $train_cmd $exp/supernet/log/train.$s.log \
      nnet-train-supernet --stage=$s --num-epochs=$epochs --crop-frames=$frames \
        --cycle-steps=$(( epochs * steps_per_epoch / 2 )) \
        --batch-size=$batch_size --lr=$stage_lr --seed=$seed --num-threads=$num_threads --num-data-threads=1 \
        --log-every=20 $sw_opt $train_opts $prev scp:data/${train_set}_voiced/feats.scp ark:data/${train_set}_voiced/utt2spk \
        $exp/supernet/$i.$s.mdl
    grep -E "epoch .* done|Epoch" $exp/supernet/log/train.$s.log | tail -n 1 || true
    prev=$exp/supernet/$i.$s.mdl
    i=$((i + 1))
  done
  ln -sfn $(basename $prev) $exp/supernet/final.mdl
fi

# Subnets to cut: name and config, from the largest to the smallest of the mini supernet.
subnets="largest:4-128-128-128-128-128-5-5-5-5-5-384
base:3-128-128-128-128-5-3-3-3-384
mobile:3-96-64-64-64-5-3-3-3-192
small:2-64-64-64-3-3-3-104
smallest:2-32-32-32-1-1-1-96"

if [ $stage -le 3 ] && [ $stop_stage -ge 3 ]; then
  log_stage 3 "cut subnets and recalibrate BN on training features"
  mkdir -p $exp/subnets/log
  for entry in $subnets; do
    name=${entry%%:*}; cfg=${entry#*:}
    nnet-sample-subnet --subnet=$cfg --recalibrate-rspecifier=scp:data/${train_set}_voiced/feats.scp \
      --recalibrate-utts=1000 --num-threads=$num_threads \
      $exp/supernet/final.mdl $exp/subnets/$name.mdl 2> $exp/subnets/log/$name.log
  done
fi

if [ $stage -le 4 ] && [ $stop_stage -ge 4 ]; then
  log_stage 4 "embeddings of held-out speakers and of the cohort, scoring (cosine, WCCN, WCCN + AS-Norm), EER and minDCF"
  mkdir -p $exp/scores/log
  # AS-Norm cohort: clean training utterances (never the held-out speakers).
  grep -v -e '-aug ' -e '^sp0\.9-' -e '^sp1\.1-' data/${train_set}_voiced/feats.scp | \
    awk -v n=$cohort_utts 'NR % 2 == 1 && c < n { print; c++ }' > $exp/scores/cohort.scp
  for entry in $subnets; do
    name=${entry%%:*}
    nnet-extract-embeddings --num-threads=$num_threads $exp/subnets/$name.mdl \
      scp:data/test_voiced/feats.scp ark,scp:$PWD/$exp/scores/emb.$name.ark,$exp/scores/emb.$name.scp \
      2> $exp/scores/log/extract.$name.log
    nnet-eval-eer --permissive --p-target=0.01,0.05 data/test/trials scp:$exp/scores/emb.$name.scp \
      > $exp/scores/eer.$name 2> $exp/scores/log/eer.$name.log
    nnet-extract-embeddings --num-threads=$num_threads $exp/subnets/$name.mdl scp:$exp/scores/cohort.scp \
      ark:$exp/scores/cohort.$name.ark 2> $exp/scores/log/extract_cohort.$name.log
    # WCCN: the within-speaker covariance of the cohort's (training speakers') embeddings,
    # shrunk by Ledoit-Wolf; cosine scoring after it down-weights the nuisance directions.
    compute-wccn ark:$exp/scores/cohort.$name.ark ark:data/${train_set}_voiced/utt2spk \
      $exp/scores/wccn.$name.mat 2> $exp/scores/log/wccn.$name.log
    nnet-eval-eer --permissive --p-target=0.01,0.05 --transform=$exp/scores/wccn.$name.mat \
      data/test/trials scp:$exp/scores/emb.$name.scp > $exp/scores/eer_wccn.$name 2> $exp/scores/log/eer_wccn.$name.log
    nnet-eval-eer --permissive --p-target=0.01,0.05 --transform=$exp/scores/wccn.$name.mat --asnorm-top=$asnorm_top \
      --cohort-rspecifier=ark:$exp/scores/cohort.$name.ark data/test/trials \
      scp:$exp/scores/emb.$name.scp > $exp/scores/eer_wccn_asnorm.$name 2> $exp/scores/log/eer_wccn_asnorm.$name.log
  done
fi

if [ $stage -le 5 ] && [ $stop_stage -ge 5 ] && [ "$search" = true ]; then
  log_stage 5 "subnet search: predictor trained on dev EERs, evolution at 3 MAC budgets"
  local/search_subnets.sh --nj $nj --train-cmd "$train_cmd" --max-width 128 --max-cat-width 384 \
    $exp/supernet/final.mdl data/${train_set}_voiced data/test_voiced $exp/nas
fi

if [ $stage -le 6 ] && [ $stop_stage -ge 6 ]; then
  log_stage 6 "results"
  {
    # EER (%) and minDCF (P_target 0.01) of three backends: cosine; cosine after WCCN; WCCN
    # then AS-Norm. The plot shows the last.
    printf "%-9s %-36s %8s %8s %7s %7s %8s %8s %8s %8s\n" subnet config MACs params \
      "EER-cos" "DCF-cos" "EER-wccn" "DCF-wccn" "EER(%)" "minDCF"
    field() { tr ' ' '\n' < $1 | sed -n "s/^$2=//p" | awk -v f=$3 '{ printf f, $1 }'; }
    for entry in $subnets; do
      name=${entry%%:*}; cfg=${entry#*:}
      read -r macs params < <(nnet-count-macs --print-args=false --frames=301 --human $cfg 2>/dev/null | awk '{print $4, $5}')
      d=$exp/scores
      printf "%-9s %-36s %8s %8s %7s %7s %8s %8s %8s %8s\n" $name $cfg $macs $params \
        $(field $d/eer.$name eer %.2f) $(field $d/eer.$name mindcf@0.01 %.3f) \
        $(field $d/eer_wccn.$name eer %.2f) $(field $d/eer_wccn.$name mindcf@0.01 %.3f) \
        $(field $d/eer_wccn_asnorm.$name eer %.2f) $(field $d/eer_wccn_asnorm.$name mindcf@0.01 %.3f)
    done
  } | tee $exp/results.txt
  utils/plot_results.py --title 'egs/mini subnets: EER (WCCN + AS-Norm) vs MACs' --eer-column 'EER(%)' $exp/results.txt $exp/eer_vs_macs.png || true
  if [ -s $exp/nas/search_summary.txt ]; then
    echo "Search (EER on the eval half of the held-out speakers; predictor trained on the dev half):"
    cat $exp/nas/predictor_report.txt $exp/nas/search_summary.txt
  fi
  echo "table: $PWD/$exp/results.txt  plot: $PWD/$exp/eer_vs_macs.png"
fi
echo "=== done in $(( $(date +%s) - t_start )) s"
