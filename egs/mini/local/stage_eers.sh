#!/usr/bin/env bash
# local/stage_eers.sh: the largest subnet's cosine EER after each supernet training stage of an
# experiment (docs/mini-data.md's per-stage table): each $exp/supernet/<i>.<stage>.mdl is cut to
# the largest subnet with BN recalibration (as run.sh stage 3), the held-out speakers embedded and
# scored (as stage 4, cosine only). Results go to $exp/stage_eers/eer.<i>.<stage> (reused if there).
#   local/stage_eers.sh [--train-set train_comb] [--num-threads 2] <exp-dir>
set -euo pipefail
cd "$(dirname "$0")/.."
. ./path.sh
train_set=train_comb
num_threads=2
cfg=4-128-128-128-128-128-5-5-5-5-5-384   # run.sh's "largest"
. utils/parse_options.sh
[ $# -eq 1 ] || { echo "Usage: $0 [--train-set NAME] [--num-threads N] <exp-dir>" >&2; exit 1; }
exp=$1; d=$exp/stage_eers
mkdir -p $d
for m in $exp/supernet/[1-5].*.mdl; do
  n=$(basename $m .mdl)
  if [ ! -s $d/eer.$n ]; then
    nnet-sample-subnet --subnet=$cfg --recalibrate-rspecifier=scp:data/${train_set}_voiced/feats.scp \
      --recalibrate-utts=1000 --num-threads=$num_threads $m $d/$n.mdl 2> $d/$n.sample.log
    nnet-extract-embeddings --num-threads=$num_threads $d/$n.mdl scp:data/test_voiced/feats.scp \
      ark:$d/emb.$n.ark 2> $d/$n.extract.log
    nnet-eval-eer --permissive --p-target=0.01,0.05 data/test/trials ark:$d/emb.$n.ark > $d/eer.$n 2> $d/$n.eer.log
    rm -f $d/$n.mdl $d/emb.$n.ark
  fi
  echo "$n $(tr ' ' '\n' < $d/eer.$n | sed -n 's/^eer=//p')"
done
