#!/usr/bin/env bash
# search_subnets.sh: the TDNN-NAS stage of egs/voxceleb/v1 at full scale (spec efficienttdnn.md
# section 4; egs/mini/local/search_subnets.sh is the same logic on a held-out split of its own).
#  1. dev = --dev-speakers VoxCeleb1 dev speakers (the Vox1 speakers no Vox1-O trial names: Vox1-O
#     stays untouched by the search), at most --dev-utts utterances each, with generated trials;
#  2. --num-sampled random subnets of --space (fine: the paper's 10^13-subnet grid, or coarse: the
#     training grid) evaluated for real on dev (materialise, BN recalibration on --recal-utts
#     training utterances, whole-utterance embeddings, cosine EER) through $cmd JOB=1:$nj;
#  3. the accuracy predictor (--space encoding: 408-dim fine or 48-dim coarse one-hot + cost
#     features) trained on those (config, EER) pairs: held-out and cross-validated rank correlations
#     next to a MACs-only baseline's in <dir>/predictor_report.txt; the predictor the search uses is
#     retrained on all of them;
#  4. evolutionary search (population 50, 200 generations, mutation 0.1) under each MAC budget;
#  5. the winners and --num-random random subnets of --space per budget evaluated the same way on
#     Vox1-O: <dir>/search_results.txt (budget, searched|random, config, MACs, params, EER, minDCF),
#     <dir>/searched.txt (budget, config: the winners) and <dir>/search_summary.txt (per budget: the
#     winner's EER against the median of the random ones); the predictor's ranking of the Vox1-O
#     subnets is the last line of the report.
# Resumable: nnet-eval-subnets skips the configs already in its results files.
set -euo pipefail
nj=40
cmd=run.pl
num_sampled=200          # subnets evaluated on dev to train the predictor
num_random=10            # random subnets per budget, evaluated on Vox1-O next to the winner
budgets="204.07M,570.98M,1.45G"   # MACs at 301 frames: the paper's Small, Mobile, Base
space=fine               # fine (widths c0..c4 in 128:8:512, cat 384:8:1536) or coarse (training grid)
dev_speakers=300         # VoxCeleb1 dev speakers of the dev set (1,211 in all)
dev_utts=10              # at most this many utterances per dev speaker
dev_num_target=10000     # dev trials (Vox1-O: 37,611 trials of 4,708 utterances)
dev_num_nontarget=30000
recal_utts=6000          # BN recalibration: random training utterances (the spec: ~6,000)
cv_repeats=5             # repeats of the 4-fold cross-validation report of the predictor
predictor_opts=""        # more nnet-train-predictor options (e.g. "--ensemble=5")
num_threads=1
eval_opts=""             # more nnet-eval-subnets options (e.g. "--use-gpu=yes" where it has it)
seed=666
help_message="Usage: $0 [options] <supernet> <train-data> <voxceleb1-data> <exp-dir>
 e.g.: $0 --nj 40 --budgets 204.07M,570.98M,1.45G exp/supernet/final.mdl data/train data/voxceleb1 exp/nas
 <voxceleb1-data> holds all of VoxCeleb1 with features and trials_O (Vox1-O)."
. utils/parse_options.sh
[ $# -eq 4 ] || { echo "$help_message" >&2; exit 1; }
mdl=$1; train=$2; vox1=$3; dir=$4
case $space in fine|coarse) ;; *) echo "$0: --space must be fine or coarse (got '$space')" >&2; exit 1;; esac
for f in $mdl $train/feats.scp $vox1/feats.scp $vox1/trials_O; do
  [ -f $f ] || { echo "$0: no $f" >&2; exit 1; }
done
mkdir -p $dir/log
# The supernet's shape (e.g. 512/1536) scales the grids of the sampler, predictor and search.
read -r max_width max_cat_width < <(nnet-info $mdl 2>/dev/null | awk '$1 == "shape" {print $3, $5}')
[ -n "$max_cat_width" ] || { echo "$0: cannot read the shape of $mdl (nnet-info)" >&2; exit 1; }
shape="--max-width=$max_width --max-cat-width=$max_cat_width"
# budget -> integer MACs (nnet-sample-subnet takes integers).
to_int() { awk -v s=$1 'BEGIN { m["K"] = 1e3; m["M"] = 1e6; m["G"] = 1e9; u = toupper(substr(s, length(s)));
                                if (u in m) printf "%.0f\n", substr(s, 1, length(s) - 1) * m[u]; else print s }'; }

# 1. dev: Vox1 speakers that Vox1-O never names, a seeded random --dev-speakers of them, their first
# --dev-utts utterances; eval: the Vox1-O utterances and trials.
awk '{print $1; print $2}' $vox1/trials_O | sort -u > $dir/eval.utts
awk '{split($1, a, "-"); print a[1]}' $dir/eval.utts | sort -u > $dir/eval.spk
awk 'NR == FNR { o[$1] = 1; next } !($1 in o) { print $1 }' $dir/eval.spk $vox1/spk2utt | \
  awk -v s=$seed 'BEGIN { srand(s) } { printf "%.8f %s\n", rand(), $1 }' | sort | \
  awk -v n=$dev_speakers 'NR <= n { print $2 }' | sort > $dir/dev.spk
[ -s $dir/dev.spk ] || { echo "$0: no VoxCeleb1 speaker outside Vox1-O for the dev set" >&2; exit 1; }
utils/filter_scp.pl $dir/dev.spk $vox1/spk2utt | \
  awk -v n=$dev_utts '{ for (i = 2; i <= NF && i <= n + 1; i++) print $i }' > $dir/dev.utts
for part in dev eval; do
  utils/subset_data_dir.sh --utt-list $dir/$part.utts $vox1 $dir/$part > /dev/null
done
if [ "$(wc -l < $dir/eval/feats.scp)" -lt "$(wc -l < $dir/eval.utts)" ]; then
  echo "$0: WARNING: $(( $(wc -l < $dir/eval.utts) - $(wc -l < $dir/eval/feats.scp) )) Vox1-O utterances have no features" >&2
fi
cp $vox1/trials_O $dir/eval/trials.new
python3 utils/make_trials.py generate --num-target $dev_num_target --num-nontarget $dev_num_nontarget \
  --seed $seed $dir/dev/utt2spk $dir/dev/trials.new
# Results measured on other trials or with another supernet are stale (the evaluation resumes
# from results files).
md5sum < $mdl > $dir/model.md5.new
for part in dev eval; do
  if ! cmp -s $dir/$part/trials.new $dir/$part/trials || ! cmp -s $dir/model.md5.new $dir/model.md5; then
    rm -f $dir/${part}_results.*; mv $dir/$part/trials.new $dir/$part/trials
  else
    rm $dir/$part/trials.new
  fi
done
mv $dir/model.md5.new $dir/model.md5
echo "$0: dev: $(wc -l < $dir/dev/spk2utt) Vox1 dev speakers, $(wc -l < $dir/dev/utt2spk) utterances," \
     "$(wc -l < $dir/dev/trials) trials; eval: Vox1-O, $(wc -l < $dir/eval/trials) trials"

eval_opts="--max-recal-utts=$recal_utts --recalibrate-seed=$seed --num-threads=$num_threads $eval_opts"
# eval_subnets <configs> <part>: nnet-eval-subnets over $nj jobs -> $dir/<part>_results.txt
eval_subnets() {
  local n=$nj m; m=$(wc -l < $1); [ $n -le $m ] || n=$m
  utils/split_scp.pl $1 $(for j in $(seq $n); do echo $1.$j; done)
  $cmd JOB=1:$n $dir/log/eval_$2.JOB.log \
    nnet-eval-subnets $eval_opts $mdl $1.JOB scp:$train/feats.scp scp:$dir/$2/feats.scp \
      $dir/$2/trials $dir/$2_results.JOB
  # A config is in one job's file; earlier runs with another --nj may have left others.
  cat $dir/$2_results.[0-9]* | awk '!seen[$1]++' > $dir/$2_results.txt
}

# 2. random subnets of --space, evaluated on dev.
nnet-sample-subnet --print-args=false --list --random=$num_sampled --space=$space --seed=$seed \
  $mdl 2> $dir/log/sample.log | awk '{print $1}' > $dir/sampled.txt
eval_subnets $dir/sampled.txt dev
echo "$0: $(wc -l < $dir/dev_results.txt) subnets evaluated on dev"

# 3. the predictor: report on a held-out quarter and in 4-fold x --cv-repeats cross-validation, then
# retrained on every dev subnet.
pred_opts="$shape --encoding=$space $predictor_opts"
nnet-train-predictor $pred_opts --holdout=0.25 --cv-folds=4 --cv-repeats=$cv_repeats --train-on-all \
  $dir/dev_results.txt $dir/predictor.mdl 2> $dir/log/predictor.log > $dir/predictor_report.txt \
  || { cat $dir/log/predictor.log; exit 1; }

# 4. evolution under each budget (one stdout line per budget with --num-best=1).
nnet-search-subnet $shape --method=evolution --population=50 --generations=200 --mutation-prob=0.1 \
  --seed=$seed --objective=predictor --predictor=$dir/predictor.mdl --space=$space \
  --max-macs=$budgets --num-best=1 --front-out=$dir/front.txt > $dir/search.out 2> $dir/log/search.log \
  || { cat $dir/log/search.log; exit 1; }
echo "${budgets//,/ }" | tr ' ' '\n' | paste -d' ' - $dir/search.out | awk '{print $1, $2}' > $dir/searched.txt
[ $(wc -l < $dir/searched.txt) -eq $(echo "${budgets//,/ }" | wc -w) ] || { echo "$0: search output $dir/search.out" >&2; exit 1; }

# 5. winners and random subnets of each budget, evaluated on Vox1-O.
: > $dir/eval_configs.txt
i=0
for b in ${budgets//,/ }; do
  i=$((i + 1))
  awk -v b=$b '$1 == b {print b, "searched", $2}' $dir/searched.txt >> $dir/eval_configs.txt
  nnet-sample-subnet --print-args=false --list --random=$num_random --space=$space --seed=$((seed + i)) \
    --max-macs=$(to_int $b) $mdl 2>> $dir/log/sample.log | awk -v b=$b '{print b, "random", $1}' >> $dir/eval_configs.txt
done
awk '{print $3}' $dir/eval_configs.txt | sort -u > $dir/eval_unique.txt
eval_subnets $dir/eval_unique.txt eval
# The predictor trained on all dev subnets (same seed) ranking every Vox1-O subnet.
nnet-train-predictor $pred_opts --holdout=0 --test-results=$dir/eval_results.txt \
  $dir/dev_results.txt $dir/predictor_check.mdl 2> $dir/log/predictor_check.log >> $dir/predictor_report.txt \
  || { cat $dir/log/predictor_check.log; exit 1; }
awk 'NR == FNR { r[$1] = $2 " " $3 " " $4 " " $5; next } { print $1, $2, $3, r[$3] }' \
  $dir/eval_results.txt $dir/eval_configs.txt > $dir/search_results.txt
python3 utils/search_summary.py --budget-width 8 $dir/search_results.txt > $dir/search_summary.txt
cat $dir/predictor_report.txt $dir/search_summary.txt
