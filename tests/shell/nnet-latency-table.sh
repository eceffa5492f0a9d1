#!/usr/bin/env bash
# nnet-measure-latency end to end (a quick table: 50 frames, 3 repeats): the table file is
# complete and readable, --validate prints predicted vs measured ms for each config, a latency
# search keeps every result under its budget (the latency column is the table's prediction,
# hence reproducible), and an impossible latency budget is an ERROR naming the smallest
# achievable latency. Timing accuracy is a benchmark matter (tests/bench/search-bench.sh), not
# checked here: this machine may be shared.
set -euo pipefail
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d /tmp/nnet-latency-table.XXXXXX); trap 'rm -rf "$tmp"' EXIT
command -v nnet-measure-latency >/dev/null || fail "nnet-measure-latency not on PATH (run make)"

nnet-measure-latency --frames=50 --warmup=1 --repeats=3 --validate=smallest,mobile \
  "$tmp/table.txt" >"$tmp/validate.txt" 2>"$tmp/log.txt" || { cat "$tmp/log.txt"; fail "measure"; }
grep -q "^latency-table 1$" "$tmp/table.txt" || fail "no header"
grep -q "^setup batch 1 frames 50 threads 1 repeats 3$" "$tmp/table.txt" || fail "setup line"
# 3x4 stem + 4x4 conv1x1 + 3x4x4 res2 + 4 se + 5x4 cat + 4 pool = 104 points
[ "$(grep -cE '^(stem|conv1x1|res2|se|cat|pool) ' "$tmp/table.txt")" -eq 104 ] || fail "points"
[ "$(wc -l <"$tmp/validate.txt")" -eq 2 ] || fail "validate lines"
awk '$2 <= 0 || $3 <= 0 { exit 1 }' "$tmp/validate.txt" || fail "non-positive times"
grep -q "mean |error|" "$tmp/log.txt" || fail "no error summary"

small=$(awk 'NR == 1 { print $2 }' "$tmp/validate.txt")
budget=$(awk -v s="$small" 'BEGIN { printf "%.4f", 2.5 * s }')
nnet-search-subnet --latency-table="$tmp/table.txt" --max-latency-ms="$budget" --generations=20 \
  --num-best=3 >"$tmp/best.txt" 2>/dev/null || fail "latency search"
[ "$(wc -l <"$tmp/best.txt")" -eq 3 ] || fail "search output"
awk -v b="$budget" 'NF != 5 || $5 > b { exit 1 }' "$tmp/best.txt" || fail "over the latency budget"

tiny=$(awk -v s="$small" 'BEGIN { printf "%.4f", 0.5 * s }')
set +e; nnet-search-subnet --latency-table="$tmp/table.txt" --max-latency-ms="$tiny" \
  >/dev/null 2>"$tmp/err.txt"; rc=$?; set -e
[ $rc -eq 1 ] || fail "infeasible latency budget: exit $rc"
grep -q "^ERROR .*smallest achievable cost.* ms (" "$tmp/err.txt" || fail "message: $(cat "$tmp/err.txt")"
set +e; nnet-search-subnet --max-latency-ms=10 >/dev/null 2>"$tmp/err.txt"; rc=$?; set -e
[ $rc -eq 1 ] && grep -q "needs --latency-table" "$tmp/err.txt" || fail "latency without table"
echo "nnet-measure-latency: all checks passed"
