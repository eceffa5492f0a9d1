#!/usr/bin/env bash
# search_subnets.sh: the TDNN-NAS stage of egs/mini (spec efficienttdnn.md section 4).
#  1. held-out speakers split by group into dev (predictor training) and eval (final numbers);
#  2. --num-sampled random subnets of the supernet's width2 space evaluated for real on dev
#     (materialise, BN recalibration, embeddings, EER) through $train_cmd JOB=1:$nj;
#  3. the accuracy predictor trained on those (config, EER) pairs; its rank correlations
#     (one held-out split, and 4-fold x 5 cross-validation over all dev subnets) printed next
#     to a MACs-only baseline's; the predictor the search uses is then trained on all of them;
#  4. evolutionary search under each MAC budget with the predictor;
#  5. the winners and --num-random random subnets per budget evaluated on eval;
#     writes <dir>/search_results.txt: budget, kind (searched|random), config, MACs, params, EER;
#     the predictor's ranking of all eval subnets (vs MACs) is the last line of
#     <dir>/predictor_report.txt.
# Noise (measured on this recipe's 24 first subnets, dev): two recalibration subsets of 400
# utterances rank them with Kendall tau 0.93; the 1,600-trial list against a 20,000-trial one
# 0.84; 150 recalibration utterances instead of 400: 0.87 at 5% less time (the dev embeddings,
# not the recalibration, dominate a subnet's ~4 s). Trials cost nothing next to the embeddings,
# so dev and eval take 4,000 target + 16,000 nontarget trials, and 400 recalibration utterances.
set -euo pipefail
nj=2
num_sampled=40        # subnets evaluated on dev to train the predictor (~4 s each per job)
num_target=4000       # trials per dev / eval half (each has ~6,000-14,000 target pairs)
num_nontarget=16000
num_random=10         # random subnets per budget for the comparison
budgets="25M,45M,80M" # MAC budgets at 301 frames
recal_utts=400
train_cmd=run.pl
max_width=128
max_cat_width=384
help_message="Usage: $0 [options] <supernet> <train-data> <test-data> <exp-dir>
 e.g.: $0 exp/supernet/final.mdl data/train_voiced data/test_voiced exp/nas"
. utils/parse_options.sh
[ $# -eq 4 ] || { echo "$help_message" >&2; exit 1; }
mdl=$1; train=$2; test=$3; dir=$4
mkdir -p $dir/log
shape="--max-width=$max_width --max-cat-width=$max_cat_width"

md5sum < $mdl > $dir/model.md5.new
# 1. dev/eval split of the held-out speaker groups (alternating; a group never straddles).
cut -d' ' -f2 data/test/spk2group | sort -u | awk 'NR % 2 == 1' > $dir/dev.groups
awk 'NR == FNR { dev[$1] = 1; next } { print $1, (($2 in dev) ? "dev" : "eval") }' \
  $dir/dev.groups data/test/spk2group > $dir/spk2split
for part in dev eval; do
  awk -v p=$part '$2 == p { print $1 }' $dir/spk2split > $dir/$part.spk
  utils/subset_data_dir.sh --spk-list $dir/$part.spk $test $dir/$part > /dev/null
  python3 utils/make_trials.py generate --num-target $num_target --num-nontarget $num_nontarget \
    --seed 7 --spk2group data/test/spk2group $dir/$part/utt2spk $dir/$part/trials.new
  # Results measured on other trials or with another supernet are stale (the evaluation resumes
  # from results files).
  if ! cmp -s $dir/$part/trials.new $dir/$part/trials || ! cmp -s $dir/model.md5.new $dir/model.md5; then
    rm -f $dir/${part}_results.*
    mv $dir/$part/trials.new $dir/$part/trials
  else
    rm $dir/$part/trials.new
  fi
done
mv $dir/model.md5.new $dir/model.md5
echo "$0: dev $(wc -l < $dir/dev/spk2utt) speakers, eval $(wc -l < $dir/eval/spk2utt) speakers"

eval_opts="--max-recal-utts=$recal_utts --recalibrate-max-frames=300"
# 2. random subnets of the width2 space, evaluated on dev (resumable, split over jobs).
nnet-sample-subnet --print-args=false --list --random=$num_sampled --space=width2 --seed=11 \
  $mdl 2> $dir/log/sample.log | awk '{print $1}' > $dir/sampled.txt
utils/split_scp.pl $dir/sampled.txt $(for n in $(seq $nj); do echo $dir/sampled.$n; done)
$train_cmd JOB=1:$nj $dir/log/eval_dev.JOB.log \
  nnet-eval-subnets $eval_opts $mdl $dir/sampled.JOB scp:$train/feats.scp \
    scp:$dir/dev/feats.scp $dir/dev/trials $dir/dev_results.JOB
cat $(for n in $(seq $nj); do echo $dir/dev_results.$n; done) > $dir/dev_results.txt

# 3. the predictor (coarse one-hot encoding + cost features, ridge base, ensemble of 3: the
# data here are a few dozen subnets). Its stdout is the report: predictor vs MACs-only rank
# correlations on one held-out quarter and in 4-fold x 5 cross-validation; the written
# predictor is retrained on every dev subnet.
pred_opts="$shape --encoding=coarse"
nnet-train-predictor $pred_opts --holdout=0.25 --cv-folds=4 --cv-repeats=5 --train-on-all \
  $dir/dev_results.txt $dir/predictor.mdl 2> $dir/log/predictor.log | tee $dir/predictor_report.txt

# 4. search each budget with the predictor.
nnet-search-subnet $shape --objective=predictor --predictor=$dir/predictor.mdl --space=coarse \
  --max-macs=$budgets --num-best=1 --front-out=$dir/front.txt > $dir/searched.txt 2> $dir/log/search.log

# 5. searched winners and random subnets per budget, evaluated on eval.
: > $dir/eval_configs.txt
i=0
for b in ${budgets//,/ }; do
  i=$((i + 1))
  cfg=$(awk -v i=$i 'NR == i {print $4}' $dir/front.txt)
  echo "$b searched $cfg" >> $dir/eval_configs.txt
  macs=$(python3 -c "import sys; s='$b'; m={'K':1e3,'M':1e6,'G':1e9}; print(int(float(s[:-1])*m[s[-1]]) if s[-1] in m else int(s))")
  nnet-sample-subnet --print-args=false --list --random=$num_random --space=width2 --seed=$((100 + i)) \
    --max-macs=$macs $mdl 2>> $dir/log/sample.log | awk -v b=$b '{print b, "random", $1}' >> $dir/eval_configs.txt
done
awk '{print $3}' $dir/eval_configs.txt | sort -u > $dir/eval_unique.txt
utils/split_scp.pl $dir/eval_unique.txt $(for n in $(seq $nj); do echo $dir/eval_unique.$n; done)
$train_cmd JOB=1:$nj $dir/log/eval_eval.JOB.log \
  nnet-eval-subnets $eval_opts $mdl $dir/eval_unique.JOB scp:$train/feats.scp \
    scp:$dir/eval/feats.scp $dir/eval/trials $dir/eval_results.JOB
cat $(for n in $(seq $nj); do echo $dir/eval_results.$n; done) > $dir/eval_results.txt
# The same predictor (trained on all dev subnets, same seed) ranking every eval subnet.
nnet-train-predictor $pred_opts --holdout=0 --test-results=$dir/eval_results.txt \
  $dir/dev_results.txt $dir/predictor_check.mdl 2> $dir/log/predictor_check.log \
  | tee -a $dir/predictor_report.txt
awk 'NR == FNR { r[$1] = $2 " " $3 " " $4; next } { print $1, $2, $3, r[$3] }' \
  $dir/eval_results.txt $dir/eval_configs.txt > $dir/search_results.txt
# Per budget: the searched subnet's eval EER against the median of the random ones.
python3 utils/search_summary.py $dir/search_results.txt | tee $dir/search_summary.txt
