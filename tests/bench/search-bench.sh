#!/usr/bin/env bash
# search-bench: wall time of nnet-search-subnet over the fine grid (~10^13 subnets), one
# thread, exact MAC checks for every candidate, 3 budgets per run:
#   1. evolution 50 x 200, macs-proxy objective (the search machinery alone);
#   2. evolution 50 x 200, objective = a trained accuracy predictor (408-dim fine encoding,
#      3 x 400 MLP), batched per generation;
#   3. random search, 10,000 draws = 10,000 distinct predictor evaluations per budget (the
#      worst case of "50 x 200 predictor evaluations": no memo hits);
#   4. evolution with a latency budget from a measured per-layer table.
# The predictor is trained on a synthetic results file (EER a function of the architecture),
# since its speed does not depend on what it learned.
# Measured (H100 host CPU, taskset to one core; 3 budgets 204.07M / 570.98M / 1.45G per run):
#   1. 0.160 s   (7450 candidates, 630-1546 distinct subnets per budget)
#   2. 0.396 s   (627-1768 distinct predictor evaluations per budget, batched per generation)
#   3. 1.928 s   (10,000 distinct predictor evaluations per budget: ~64 us each incl. cost check)
#   4. 0.070 s
set -euo pipefail
for b in nnet-search-subnet nnet-train-predictor nnet-count-macs nnet-measure-latency; do
  command -v $b >/dev/null || { echo "$b not built"; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/search-bench.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>"$tmp/log"; e=$(date +%s.%N)
      awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }'; }
budgets="--max-macs=204.07M,570.98M,1.45G"

secs=$(t nnet-search-subnet --space=fine $budgets --population=50 --generations=200 --num-best=1)
echo "1. evolution 50 x 200, fine grid, macs-proxy, 3 budgets: $secs s"
grep -o '[0-9]* candidates, [0-9]* distinct' "$tmp/log" | sed 's/^/     /'

nnet-count-macs --random=2000 --seed=3 --space=fine 2>/dev/null | awk '
  { n = split($1, f, "-"); e = 3 - f[2] / 512 - f[n] / 1536 + (f[f[1] + 3] == 1) * 0.3
    printf "%s %s %s %.4f 0.1\n", $1, $2, $3, e }' >"$tmp/results.txt"
nnet-train-predictor --encoding=fine --epochs=20 "$tmp/results.txt" "$tmp/pred.mdl" 2>/dev/null >/dev/null
secs=$(t nnet-search-subnet --space=fine $budgets --objective=predictor --predictor="$tmp/pred.mdl" \
  --population=50 --generations=200 --num-best=1)
echo "2. evolution 50 x 200, fine grid, fine-encoding predictor, 3 budgets: $secs s"
grep -o '[0-9]* candidates, [0-9]* distinct' "$tmp/log" | sed 's/^/     /'
secs=$(t nnet-search-subnet --space=fine $budgets --objective=predictor --predictor="$tmp/pred.mdl" \
  --method=random --num-random=10000 --num-best=1)
echo "3. random 10000, fine grid, fine-encoding predictor, 3 budgets: $secs s"
grep -o '[0-9]* candidates, [0-9]* distinct' "$tmp/log" | sed 's/^/     /'

nnet-measure-latency --repeats=5 "$tmp/lat.txt" 2>/dev/null
secs=$(t nnet-search-subnet --space=fine --latency-table="$tmp/lat.txt" --max-latency-ms=10,20,40 \
  --objective=predictor --predictor="$tmp/pred.mdl" --population=50 --generations=200 --num-best=1)
echo "4. evolution 50 x 200, fine grid, predictor, latency budgets 10/20/40 ms: $secs s"
