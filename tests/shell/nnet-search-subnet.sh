#!/usr/bin/env bash
# nnet-search-subnet end to end: every reported subnet meets its exact budget (recounted with
# nnet-count-macs), one front line per budget, reproducible for a seed, and a budget below the
# smallest net is an ERROR stating the smallest achievable cost, exit 1.
set -euo pipefail
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d /tmp/nnet-search-subnet.XXXXXX); trap 'rm -rf "$tmp"' EXIT
command -v nnet-search-subnet >/dev/null || fail "nnet-search-subnet not on PATH (run make)"

nnet-search-subnet --space=fine --max-macs=204.07M,570.98M,1.45G --num-best=3 --generations=50 \
  --front-out="$tmp/front.txt" >"$tmp/best.txt" 2>/dev/null
[ "$(wc -l <"$tmp/best.txt")" -eq 9 ] || fail "expected 9 lines"
[ "$(wc -l <"$tmp/front.txt")" -eq 3 ] || fail "expected 3 front lines"
# Recount each subnet independently and check it against its budget (lines 1-3: 204.07M, ...).
cut -d' ' -f1 "$tmp/best.txt" | nnet-count-macs --configs=- --space=fine >"$tmp/recount.txt" 2>/dev/null
paste -d' ' "$tmp/best.txt" "$tmp/recount.txt" | awk '
  { budget = (NR <= 3) ? 204070000 : (NR <= 6) ? 570980000 : 1450000000
    if ($3 != $6 || $4 != $7) { print "cost mismatch: " $0; exit 1 }
    if ($3 > budget) { print "over budget: " $0; exit 1 }
    if ($3 < 0.97 * budget) { print "proxy far below budget: " $0; exit 1 } }' || fail "budgets"
nnet-search-subnet --space=fine --max-macs=204.07M,570.98M,1.45G --num-best=3 --generations=50 \
  >"$tmp/best2.txt" 2>/dev/null
cmp -s "$tmp/best.txt" "$tmp/best2.txt" || fail "not reproducible"

nnet-search-subnet --method=random --num-random=2000 --max-params=899.2K --space=coarse \
  --num-best=1 >"$tmp/rand.txt" 2>/dev/null
awk '$4 > 899200 { exit 1 }' "$tmp/rand.txt" || fail "random search over the params budget"

set +e; nnet-search-subnet --max-macs=50M >/dev/null 2>"$tmp/err.txt"; rc=$?; set -e
[ $rc -eq 1 ] || fail "infeasible budget: exit $rc"
grep -q "^ERROR .*smallest achievable cost is 83752256 MACs" "$tmp/err.txt" || fail "message: $(cat "$tmp/err.txt")"
set +e; nnet-search-subnet --max-macs=lots >/dev/null 2>&1; rc=$?; set -e
[ $rc -eq 1 ] || fail "bad budget string: exit $rc"
echo "nnet-search-subnet: all checks passed"
