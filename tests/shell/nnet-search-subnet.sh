#!/usr/bin/env bash
# nnet-search-subnet end to end: every reported subnet meets its exact budget (recounted with
# nnet-count-macs), one front line per budget, reproducible for a seed, and a budget below the
# smallest net is an ERROR stating the smallest achievable cost, exit 1. A scaled supernet
# (--max-width=128 --max-cat-width=384) is searched on its own grids under the same rules.
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
# Scaled supernet 128/384: every result is in its fine grid (widths 32:8:128, cat 96:8:384)
# and meets its budget (recounted); its smallest achievable cost is that of 2-32-32-32-1-1-1-96.
nnet-search-subnet --max-width=128 --max-cat-width=384 --space=fine --max-macs=40M,80M \
  --num-best=3 --generations=30 >"$tmp/scaled.txt" 2>"$tmp/scaled.log" || { cat "$tmp/scaled.log"; fail "scaled search"; }
[ "$(wc -l <"$tmp/scaled.txt")" -eq 6 ] || fail "scaled: expected 6 lines"
grep -q "widths 32:8:128, .*cat width 96:8:384" "$tmp/scaled.log" || fail "scaled space: $(cat "$tmp/scaled.log")"
cut -d' ' -f1 "$tmp/scaled.txt" | nnet-count-macs --configs=- --space=supernet >"$tmp/recount.txt" 2>/dev/null
paste -d' ' "$tmp/scaled.txt" "$tmp/recount.txt" | awk '
  { budget = (NR <= 3) ? 40000000 : 80000000
    if ($3 != $6 || $4 != $7 || $3 > budget) { print "cost: " $0; exit 1 }
    n = split($1, f, "-"); d = f[1]
    for (i = 2; i <= d + 2; i++) if (f[i] < 32 || f[i] > 128 || f[i] % 8) { print "width: " $0; exit 1 }
    if (f[n] < 96 || f[n] > 384 || f[n] % 8) { print "cat: " $0; exit 1 } }' || fail "scaled results"
small=$(nnet-count-macs 2-32-32-32-1-1-1-96 2>/dev/null | awk '{ print $2 }')
set +e; nnet-search-subnet --max-width=128 --max-cat-width=384 --space=coarse --max-macs=1M \
  >/dev/null 2>"$tmp/err.txt"; rc=$?; set -e
[ $rc -eq 1 ] && grep -q "^ERROR .*smallest achievable cost is $small MACs" "$tmp/err.txt" \
  || fail "scaled infeasible ($small): $(cat "$tmp/err.txt")"
set +e; nnet-search-subnet --max-width=100 >/dev/null 2>"$tmp/err.txt"; rc=$?; set -e
[ $rc -eq 1 ] && grep -q "^ERROR" "$tmp/err.txt" || fail "bad --max-width: exit $rc"
echo "nnet-search-subnet: all checks passed"
