#!/usr/bin/env bash
# search-bench: wall time of nnet-search-subnet's evolutionary search over the fine grid
# (~10^13 subnets), population 50 x 200 generations, exact MAC checks, the macs-proxy
# objective, at 3 budgets in one run (single thread). A trained predictor adds its own
# forward cost per distinct subnet.
set -euo pipefail
command -v nnet-search-subnet >/dev/null || { echo "nnet-search-subnet not built"; exit 1; }
s=$(date +%s.%N)
nnet-search-subnet --space=fine --max-macs=204.07M,570.98M,1.45G --population=50 \
  --generations=200 --num-best=1 2>"${TMPDIR:-/tmp}/search-bench.log" >/dev/null
e=$(date +%s.%N)
awk -v s="$s" -v e="$e" 'BEGIN{printf "evolution 50 x 200, fine grid, 3 budgets: %.3f s total (%.3f s per budget)\n", e-s, (e-s)/3}'
grep -o '[0-9]* candidates, [0-9]* distinct' "${TMPDIR:-/tmp}/search-bench.log" | sed 's/^/  /'
