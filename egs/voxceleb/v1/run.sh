#!/usr/bin/env bash
# egs/voxceleb/v1/run.sh: EfficientTDNN on VoxCeleb, the paper's setting (../shared/spec/efficienttdnn.md):
# a weight-sharing TDNN supernet trained on VoxCeleb2 dev through the five progressive-shrinking
# stages, the Base / Mobile / Small subnets cut from it with BN recalibration, scored on the cleaned
# VoxCeleb1 lists Vox1-O / E / H with cosine and AS-Norm, EER and minDCF (P_target 0.01).
#
#   egs/voxceleb/v1/run.sh [--stage N] [--stop-stage N] [--voxceleb1-root DIR] [--voxceleb2-root DIR]
#                          [--musan-root DIR] [--rirs-root DIR] [--use-gpu yes] [options below]
# Stages (each resumable with --stage N; the training stage also skips the sub-stages already done and
# resumes an interrupted one from its checkpoint):
#   0 data: VoxCeleb2 (training, m4a decoded through ffmpeg pipes) and VoxCeleb1 (all of it, with the
#     trial lists veri_test2.txt / list_test_all2.txt / list_test_hard2.txt as Kaldi trials) from the
#     official layouts; MUSAN / RIRS_NOISES lists and augmented copies of the training data (only if
#     those corpora are there)
#   1 features: 80-bin fbank + energy VAD, voiced frames only, compressed
#   2 training list: utterances with >= --min-frames voiced frames (default 200 = 2 s, the first
#     stage's crop: Kaldi's v2 keeps >= 4 s, the reference keeps everything and wrap-pads; longer
#     crops of later stages are wrap-padded here too), speakers with >= --min-utts utterances
#     (8, as Kaldi; augmented copies not counted); the AS-Norm cohort (--cohort-size clean VoxCeleb2 utterances)
#   3 supernet training: largest -> kernel -> depth -> width1 -> width2 (batch 128, 2 s crops for the
#     largest stage and 3 s after, Adam lr 1e-3 wd 2e-5, triangular2 between 1e-8 and 1e-3 with a
#     half-cycle of 8 epochs, 64 epochs per stage, seed 666), each stage from the previous one's weights
#   4 subnets (default base, mobile, small) cut from the supernet, BN recalibrated on --recal-utts
#     training utterances
#   5 embeddings (whole utterances) of the VoxCeleb1 trial utterances and the cohort
#   6 scoring: cosine and AS-Norm (top --asnorm-top cohort scores) on each trial list: EER, minDCF
#   7 subnet search (TDNN-NAS, --search true; local/search_subnets.sh): --num-sampled random subnets of
#     the fine grid evaluated on a dev set of VoxCeleb1 dev speakers (Vox1-O untouched), the accuracy
#     predictor trained on them (rank correlations vs MACs-only), evolution under each of --budgets
#     MACs, winners and --num-random random subnets per budget evaluated on Vox1-O (cosine); the
#     winners also cut, embedded and scored like stages 4-6 on Vox1-O (cosine and AS-Norm)
#   8 results table (exp/results.txt, searched subnets as rows nas-<budget>) and plot of EER against
#     MACs (exp/eer_vs_macs.png; the search's random subnets in exp/nas/search.png)
set -euo pipefail
cd "$(dirname "$0")"
. ./cmd.sh
. ./path.sh

stage=0
stop_stage=8
nj=40                       # parallel jobs for features and embeddings
# Corpora, official layouts.
voxceleb1_root=/export/corpora/VoxCeleb1   # {dev,test}/wav/<spk>/<video>/<n>.wav
voxceleb1_trials_dir=       # where veri_test2.txt etc. are (default: the VoxCeleb1 root, or its meta/)
voxceleb2_root=/export/corpora/VoxCeleb2   # {dev,test}/aac/<spk>/<video>/<n>.m4a
voxceleb2_sets=dev          # VoxCeleb2 parts to train on (the paper: dev only; Kaldi's v2 adds test)
musan_root=/export/corpora/musan           # augmentation is off when neither of these exists
rirs_root=/export/corpora/RIRS_NOISES
aug_copies=1                # augmented copies of the training data, kept beside the clean one
# Training list and cohort.
min_frames=200
min_utts=8
cohort_size=6000
# Supernet and schedule (the reference's, spec section 3).
supernet_opts=""            # e.g. "--max-width=128 --max-cat-width=384" for a scaled supernet
batch_size=128
crop_frames=200             # 2 s crops for the largest stage
crop_frames_elastic=300     # 3 s crops for the elastic stages
lr=0.001
lr_min=0.00000001
weight_decay=0.00002
cycle_epochs=8              # triangular2 half cycle in epochs (steps = epochs x batches per epoch)
cycle_steps=0               # ... or in steps, if > 0
checkpoint_every=2000       # steps between checkpoints; an interrupted stage resumes from its last one
epochs_largest=64
epochs_elastic=64           # per elastic stage (kernel, depth, width1, width2)
dynamic_walks=1
seed=666
train_opts=""               # more nnet-train-supernet options (e.g. "--checkpoint-every=1000")
sandwich=""                 # elastic stages: also train the stage's largest ("largest,smallest": and
                            # smallest) net at every step ("": the reference; egs/mini's option)
use_gpu=no                  # no|yes|optional, passed to the network binaries
gpu_math=tf32               # GPU training's matrix products: fp32|tf32|bf16 (H200, paper-size
                            # supernet: 33.5 / 14.9 / 10.1 ms per step in stage largest, but bf16 is
                            # slower than tf32 for the elastic stages' small subnets: 7.8 vs 7.2)
num_gpus=1
num_threads=4               # CPU threads of the network computation (training, subnets)
num_data_threads=4          # feature readers of the trainer
# Subnets: names (base, mobile, small, largest, smallest) or name:config, e.g. "tiny:2-128-128-128-3-3-3-384".
subnets="base mobile small"
recal_utts=6000
embed_opts=""               # more nnet-extract-embeddings options (e.g. "--segment-frames=400")
embed_threads=1             # threads per embedding job (there are --nj of them on the CPU)
asnorm_top=300
p_target=0.01
# Subnet search (stage 7).
search=true
num_sampled=200             # subnets evaluated on dev for the predictor
num_random=10               # random subnets per budget evaluated on Vox1-O next to the searched one
budgets="204.07M,570.98M,1.45G"   # MACs at 301 frames: the paper's Small, Mobile, Base
search_space=fine           # fine (the paper's 10^13 subnets: widths 128:8:512) or coarse (training grid)
search_dev_speakers=300     # VoxCeleb1 dev speakers (not in Vox1-O) of the search's dev set ...
search_dev_utts=10          # ... with at most this many utterances each
search_opts=""              # more local/search_subnets.sh options (e.g. "--cv-repeats 1")
help_message="Usage: $0 [options]; options and defaults are listed at the top of $0, e.g.
  $0 --voxceleb1-root /data/VoxCeleb1 --voxceleb2-root /data/VoxCeleb2 --musan-root /data/musan \\
     --rirs-root /data/RIRS_NOISES --use-gpu yes --stage 0"
. utils/parse_options.sh
[ $# -eq 0 ] || { printf '%s\n' "$help_message" >&2; exit 1; }

case "$sandwich" in ""|largest|largest,smallest) ;;
  *) echo "$0: --sandwich must be '', largest or largest,smallest (got '$sandwich')" >&2; exit 1;; esac
case $search in true|false) ;; *) echo "$0: --search must be true or false (got '$search')" >&2; exit 1;; esac
case $use_gpu in
  true) use_gpu=yes;; false) use_gpu=no;;
  no|yes|optional) ;;
  *) echo "$0: --use-gpu must be no, yes or optional (got '$use_gpu')" >&2; exit 1;;
esac
# Multi-GPU training: one process per GPU through utils/launch_gpus.sh (inside one $cuda_cmd job
# asking for --gpu $num_gpus); --batch-size stays the global batch, each GPU takes its share.
train_launch=""
if [ "$num_gpus" -gt 1 ] 2>/dev/null; then
  [ $use_gpu != no ] || { echo "$0: --num-gpus $num_gpus needs --use-gpu yes" >&2; exit 1; }
  [ $((batch_size % num_gpus)) -eq 0 ] || \
    { echo "$0: --batch-size $batch_size is not divisible by --num-gpus $num_gpus" >&2; exit 1; }
  train_launch="utils/launch_gpus.sh --num-gpus $num_gpus"
elif [ "$num_gpus" != 1 ]; then
  echo "$0: --num-gpus must be a positive integer (got '$num_gpus')" >&2; exit 1
fi
if [ $use_gpu = no ]; then gpu_cmd=$train_cmd; else gpu_cmd=$cuda_cmd; fi
gpu_opt=""; [ $use_gpu = no ] || gpu_opt="--gpu $num_gpus"   # GPUs the training job asks for
case $gpu_math in fp32|tf32|bf16) ;; *) echo "$0: --gpu-math must be fp32, tf32 or bf16 (got '$gpu_math')" >&2; exit 1;; esac
math_opt=""; [ $use_gpu = no ] || math_opt="--gpu-math=$gpu_math"

exp=exp
mkdir -p $exp
t_start=$(date +%s)
log_stage() { echo "=== $(date +%T) stage $1: $2"; }
run_stage() { [ $stage -le $1 ] && [ $stop_stage -ge $1 ]; }

if run_stage 0; then
  log_stage 0 "data: VoxCeleb2 ($voxceleb2_sets) for training, VoxCeleb1 and its trial lists, augmentation lists"
  train_dirs=()
  for set in $voxceleb2_sets; do
    local/make_voxceleb2.sh $voxceleb2_root $set data/voxceleb2_$set
    train_dirs+=(data/voxceleb2_$set)
  done
  utils/combine_data.sh data/voxceleb2_train "${train_dirs[@]}" > /dev/null
  local/make_voxceleb1.sh ${voxceleb1_trials_dir:+--trials-dir "$voxceleb1_trials_dir"} \
    $voxceleb1_root data/voxceleb1
  # The training sources stage 1 computes features for: the clean data and its augmented copies.
  echo data/voxceleb2_train > data/train_sources
  rc=0
  local/make_aug_lists.sh --musan-root "$musan_root" --rirs-root "$rirs_root" --seed $seed data/aug || rc=$?
  if [ $rc -eq 0 ]; then
    for c in $(seq $aug_copies); do
      local/make_augmented_copy.sh data/voxceleb2_train data/aug/wav-augment.conf $c data/voxceleb2_train_aug$c
      echo data/voxceleb2_train_aug$c >> data/train_sources
    done
  elif [ $rc -eq 2 ]; then
    echo "$0: no MUSAN ($musan_root) or RIRS_NOISES ($rirs_root): training without augmentation"
  else
    exit $rc
  fi
fi

if run_stage 1; then
  log_stage 1 "features: fbank (+ energy for VAD), VAD, voiced frames, compression"
  # A data dir whose features were finished by an earlier run is skipped (remove its .done to redo it).
  for d in $(cat data/train_sources) data/voxceleb1; do
    dir=$exp/fbank/$(basename $d)
    if [ -f $dir/.done ] && [ $dir/.done -nt $d/wav.scp ] && [ -f $d/feats.scp ]; then
      echo "  $d: features done ($dir/.done), skipped"; continue
    fi
    local/make_fbank_vad.sh --nj $nj --cmd "$train_cmd" $d $dir
    touch $dir/.done
  done
  utils/combine_data.sh data/train_all $(cat data/train_sources) > /dev/null
fi

if run_stage 2; then
  log_stage 2 "training list (>= $min_frames voiced frames, speakers with >= $min_utts utterances), cohort"
  mkdir -p $exp/lists
  awk -v m=$min_frames '$2 >= m {print $1}' data/train_all/utt2num_frames > $exp/lists/long_utts
  # A speaker's utterances are counted once however many augmented copies they have.
  utils/filter_scp.pl $exp/lists/long_utts data/train_all/utt2spk | \
    awk -v m=$min_utts '{u[NR] = $1; s[NR] = $2; c = $1; sub(/-aug[0-9]+$/, "", c); if (!((c, $2) in seen)) n[$2]++; seen[c, $2] = 1}
                        END {for (i = 1; i <= NR; i++) if (n[s[i]] >= m) print u[i]}' \
    > $exp/lists/train_utts
  [ -s $exp/lists/train_utts ] || { echo "$0: no training utterances left after filtering" >&2; exit 1; }
  utils/subset_data_dir.sh --utt-list $exp/lists/train_utts data/train_all data/train > /dev/null
  echo "training: $(wc -l < data/train/utt2spk) of $(wc -l < data/train_all/utt2spk) utterances," \
       "$(wc -l < data/train/spk2utt) of $(wc -l < data/train_all/spk2utt) speakers"
  # Cohort for AS-Norm: clean (not augmented) training utterances, at most --cohort-size.
  grep -v -- '-aug[0-9]* ' data/train/utt2spk > $exp/lists/clean_utts || true
  n=$(wc -l < $exp/lists/clean_utts)
  [ $n -gt 0 ] || { echo "$0: no clean training utterance for the cohort" >&2; exit 1; }
  [ $n -le $cohort_size ] || n=$cohort_size
  utils/subset_data_dir.sh --utt-list $exp/lists/clean_utts data/train data/train_clean > /dev/null
  utils/subset_data_dir.sh --seed $seed data/train_clean $n data/cohort
fi

if run_stage 3; then
  log_stage 3 "supernet training: largest -> kernel -> depth -> width1 -> width2"
  dir=$exp/supernet
  mkdir -p $dir/log
  num_spk=$(wc -l < data/train/spk2utt)
  # The trainer's epoch is floor(utterances / batch size) batches.
  steps=$cycle_steps
  [ $steps -gt 0 ] || steps=$(( cycle_epochs * ($(wc -l < data/train/utt2spk) / batch_size) ))
  [ $steps -gt 0 ] || { echo "$0: fewer training utterances than --batch-size $batch_size" >&2; exit 1; }
  [ -f $dir/0.mdl ] || nnet-init-supernet $supernet_opts --num-speakers=$num_spk --seed=$seed $dir/0.mdl \
    2> $dir/log/init.log || { cat $dir/log/init.log; exit 1; }
  prev=$dir/0.mdl
  i=1
  for s in largest kernel depth width1 width2; do
    out=$dir/$i.$s.mdl
    if [ $s = largest ]; then frames=$crop_frames; epochs=$epochs_largest;
    else frames=$crop_frames_elastic; epochs=$epochs_elastic; fi
    sw_opt=""; [ $s != largest ] && [ -n "$sandwich" ] && sw_opt="--sandwich=$sandwich"
    if [ -f $out ]; then
      echo "  stage $s: $out exists, skipped"
    else
      resume=""
      [ -f $out.ckpt ] && { resume="--resume=$out.ckpt"; echo "  stage $s: resuming from $out.ckpt"; }
      echo "  stage $s: $epochs epochs, ${frames}-frame crops; log: $dir/log/train.$s.log"
      $gpu_cmd $gpu_opt $dir/log/train.$s.log \
        $train_launch ${train_launch:+--log-dir $dir/log/ranks.$s} \
        nnet-train-supernet --stage=$s --num-epochs=$epochs --crop-frames=$frames \
          --batch-size=$((batch_size / num_gpus)) --lr=$lr --lr-min=$lr_min --weight-decay=$weight_decay \
          --cycle-steps=$steps --checkpoint-every=$checkpoint_every --dynamic-walks=$dynamic_walks --seed=$seed \
          --use-gpu=$use_gpu $math_opt --num-threads=$num_threads --num-data-threads=$num_data_threads \
          $sw_opt $train_opts $resume $prev scp:data/train/feats.scp ark:data/train/utt2spk $out
      grep -E "epoch [0-9]+/[0-9]+ done" $dir/log/train.$s.log | tail -n 1 | sed 's/^.*) /  /' || true
    fi
    prev=$out
    i=$((i + 1))
  done
  ln -sfn $(basename $prev) $dir/final.mdl
fi

# "name" (a named config) or "name:config" -> name and config.
subnet_name() { echo ${1%%:*}; }
subnet_config() { case $1 in *:*) echo ${1#*:};; *) echo $1;; esac; }
# Per-subnet steps of stages 4-6 (stage 7 runs them for the searched subnets too).
# cut_subnet <name> <config>: exp/subnets/<name>.mdl, BN recalibrated on training crops.
cut_subnet() {
  mkdir -p $exp/subnets/log
  $gpu_cmd $exp/subnets/log/$1.log \
    nnet-sample-subnet --subnet=$2 --recalibrate-rspecifier=scp:data/train/feats.scp \
      --recalibrate-utts=$recal_utts --recalibrate-seed=$seed --use-gpu=$use_gpu \
      --num-threads=$num_threads $exp/supernet/final.mdl $exp/subnets/$1.mdl
}
# embed_subnet <name> <data>: whole-utterance embeddings of data/<data> -> exp/embeddings/<name>/<data>/emb.scp
if [ $use_gpu = no ]; then embed_nj=$nj; else embed_nj=$num_gpus; fi
embed_subnet() {
  local dir=$exp/embeddings/$1/$2 n=$embed_nj ns j
  ns=$(wc -l < data/$2/spk2utt); [ $n -le $ns ] || n=$ns
  mkdir -p $dir/log
  utils/split_data.sh data/$2 $n
  $gpu_cmd JOB=1:$n $dir/log/extract.JOB.log \
    nnet-extract-embeddings --use-gpu=$use_gpu --num-threads=$embed_threads $embed_opts \
      $exp/subnets/$1.mdl scp:data/$2/split$n/JOB/feats.scp \
      ark,scp:$PWD/$dir/emb.JOB.ark,$dir/emb.JOB.scp
  for j in $(seq $n); do cat $dir/emb.$j.scp; done | sort -k1,1 > $dir/emb.scp
  echo "  $1 $2: $(wc -l < $dir/emb.scp) embeddings"
}
# score_subnet <name> <trial-data> <list>...: cosine and AS-Norm -> exp/scores/<name>/<list>.{cosine,asnorm}
score_subnet() {
  local name=$1 dir=$exp/scores/$1 emb=$exp/embeddings/$1 trial_data=$2 x; shift 2
  mkdir -p $dir/log
  for x in "$@"; do
    nnet-eval-eer --permissive --use-gpu=$use_gpu --p-target=$p_target data/voxceleb1/trials_$x \
      scp:$emb/$trial_data/emb.scp > $dir/$x.cosine 2> $dir/log/$x.cosine.log \
      || { cat $dir/log/$x.cosine.log; exit 1; }
    nnet-eval-eer --permissive --use-gpu=$use_gpu --p-target=$p_target --asnorm-top=$asnorm_top \
      --cohort-rspecifier=scp:$emb/cohort/emb.scp data/voxceleb1/trials_$x \
      scp:$emb/$trial_data/emb.scp > $dir/$x.asnorm 2> $dir/log/$x.asnorm.log \
      || { cat $dir/log/$x.asnorm.log; exit 1; }
    echo "  $name Vox1-$x cosine: $(cat $dir/$x.cosine)"
    echo "  $name Vox1-$x AS-Norm: $(cat $dir/$x.asnorm)"
  done
}

if run_stage 4; then
  log_stage 4 "subnets ($subnets) with BN recalibration on $recal_utts training utterances"
  for entry in $subnets; do cut_subnet $(subnet_name $entry) $(subnet_config $entry); done
fi

if run_stage 5; then
  log_stage 5 "embeddings of the VoxCeleb1 trial utterances and the cohort"
  # Only the utterances some trial list names.
  cat data/voxceleb1/trials_* | awk '{print $1; print $2}' | sort -u > $exp/lists/trial_utts
  utils/subset_data_dir.sh --utt-list $exp/lists/trial_utts data/voxceleb1 data/voxceleb1_trials > /dev/null
  for entry in $subnets; do
    for d in voxceleb1_trials cohort; do embed_subnet $(subnet_name $entry) $d; done
  done
fi

lists=$(for x in O E H; do [ -f data/voxceleb1/trials_$x ] && echo $x; done || true)
if run_stage 6; then
  log_stage 6 "scoring: cosine and AS-Norm (top $asnorm_top) on Vox1-$(echo $lists | tr ' ' '/')"
  for entry in $subnets; do score_subnet $(subnet_name $entry) voxceleb1_trials $lists; done
fi

# The searched subnets as "nas-<budget>:config" entries (none before stage 7 or with --search false).
searched_subnets() {
  [ $search = true ] && [ -s $exp/nas/searched.txt ] && awk '{print "nas-" $1 ":" $2}' $exp/nas/searched.txt || true
}
if run_stage 7 && [ $search = true ]; then
  log_stage 7 "subnet search: predictor on Vox1 dev speakers, evolution under $budgets MACs, winners on Vox1-O"
  [ -f data/voxceleb1/trials_O ] || { echo "$0: the search is evaluated on Vox1-O: no data/voxceleb1/trials_O" >&2; exit 1; }
  # nnet-eval-subnets evaluates on the GPU only if it has --use-gpu.
  search_cmd=$train_cmd; search_nj=$nj; eval_gpu=""
  if [ $use_gpu != no ]; then
    if nnet-eval-subnets --help 2>&1 | grep -q -- --use-gpu; then
      search_cmd=$cuda_cmd; search_nj=$num_gpus; eval_gpu="--eval-opts --use-gpu=$use_gpu"
    else
      echo "  nnet-eval-subnets has no --use-gpu: subnets are evaluated on the CPU ($nj jobs)"
    fi
  fi
  local/search_subnets.sh --nj $search_nj --cmd "$search_cmd" $eval_gpu --num-sampled $num_sampled \
    --num-random $num_random --budgets $budgets --space $search_space \
    --dev-speakers $search_dev_speakers --dev-utts $search_dev_utts --recal-utts $recal_utts \
    --num-threads $num_threads --seed $seed $search_opts \
    $exp/supernet/final.mdl data/train data/voxceleb1 $exp/nas 2>&1 | sed 's/^/  /'   # pipefail: exits on failure
  # The winners as stages 4-6 do it, on Vox1-O only (Vox1-E/H share speakers with the search's dev set).
  awk '{print $1; print $2}' data/voxceleb1/trials_O | sort -u > $exp/lists/trial_utts_O
  utils/subset_data_dir.sh --utt-list $exp/lists/trial_utts_O data/voxceleb1 data/voxceleb1_O > /dev/null
  for entry in $(searched_subnets); do
    name=$(subnet_name $entry)
    cut_subnet $name $(subnet_config $entry)
    for d in voxceleb1_O cohort; do embed_subnet $name $d; done
    score_subnet $name voxceleb1_O O
  done
elif run_stage 7; then
  log_stage 7 "subnet search: off (--search false)"
fi

if run_stage 8; then
  log_stage 8 "results"
  # field <file> <key>: the value of key=value in an nnet-eval-eer line ("-" if absent).
  field() { [ -f $1 ] && tr ' ' '\n' < $1 | sed -n "s/^$2=//p" | grep . || echo -; }
  {
    printf "%-8s %-36s %9s %8s" subnet config MACs params
    for x in $lists; do printf " %7s %8s %7s %8s" EER-$x DCF-$x EERas-$x DCFas-$x; done
    printf "\n"
    for entry in $subnets $(searched_subnets); do
      name=$(subnet_name $entry); cfg=$(subnet_config $entry)
      read -r macs params < <(nnet-count-macs --print-args=false --frames=301 --human $cfg 2>/dev/null | awk '{print $4, $5}')
      [ $cfg != $name ] || cfg=$(nnet-info $exp/subnets/$name.mdl 2>/dev/null | awk '$1 == "config" {print $2}')
      printf "%-8s %-36s %9s %8s" $name ${cfg:--} $macs $params
      for x in $lists; do
        d=$exp/scores/$name/$x
        printf " %7s %8s %7s %8s" $(field $d.cosine eer) $(field $d.cosine mindcf@$p_target) \
          $(field $d.asnorm eer) $(field $d.asnorm mindcf@$p_target)
      done
      printf "\n"
    done
    echo "# EER in %, minDCF at P_target $p_target (C_miss = C_fa = 1); 'as' = AS-Norm (top $asnorm_top," \
         "cohort $(wc -l < data/cohort/utt2spk) VoxCeleb2 utterances); MACs at 301 frames (3 s)"
    [ -z "$(searched_subnets)" ] || echo "# nas-<budget>: the subnet searched under that MAC budget (stage 7), Vox1-O only"
  } | tee $exp/results.txt
  utils/plot_results.py --title "EfficientTDNN subnets, Vox1-$(echo $lists | cut -d' ' -f1), cosine" \
    $exp/results.txt $exp/eer_vs_macs.png || true
  if [ -n "$(searched_subnets)" ] && [ -s $exp/nas/search_summary.txt ]; then
    echo "Search: predictor trained on $(wc -l < $exp/nas/dev_results.txt) subnets evaluated on Vox1 dev speakers" \
         "(rank correlations vs MACs-only); Vox1-O cosine EER of the searched and random subnets per budget:"
    cat $exp/nas/predictor_report.txt $exp/nas/search_summary.txt
    local/plot_search.py $exp/results.txt $exp/nas/search_results.txt $exp/nas/search.png || true
  fi
  echo "table: $PWD/$exp/results.txt  plot: $PWD/$exp/eer_vs_macs.png"
fi
echo "=== done in $(( $(date +%s) - t_start )) s"
