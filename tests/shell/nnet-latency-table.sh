#!/usr/bin/env bash
# nnet-measure-latency end to end (a quick table: 50 frames, 3 repeats): the table file is
# complete and readable, --validate prints predicted vs measured ms for each config, a latency
# search keeps every result under its budget (the latency column is the table's prediction,
# hence reproducible), and an impossible latency budget is an ERROR naming the smallest
# achievable latency. Timing accuracy is a benchmark matter (tests/bench/search-bench.sh), not
# checked here: this machine may be shared. --max-width/--max-cat-width scale the grids to a
# scaled supernet's space (128/384), and a scaled latency search stays in that space.
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
# Scaled supernet 128/384: the default grids cover its space; search in it under a budget.
nnet-measure-latency --max-width=128 --max-cat-width=384 --frames=50 --warmup=1 --repeats=3 \
  "$tmp/table128.txt" 2>"$tmp/log128.txt" || { cat "$tmp/log128.txt"; fail "scaled measure"; }
grep -q "^axis stem width 32 64 96 128$" "$tmp/table128.txt" || fail "scaled width axis"
grep -q "^axis res2 group 4 8 12 16$" "$tmp/table128.txt" || fail "scaled group axis"
grep -q "^axis cat cin 64 128 256 384 512$" "$tmp/table128.txt" || fail "scaled cat-in axis"
grep -q "^axis pool width 96 192 288 384$" "$tmp/table128.txt" || fail "scaled cat axis"
[ "$(grep -cE '^(stem|conv1x1|res2|se|cat|pool) ' "$tmp/table128.txt")" -eq 104 ] || fail "scaled points"
small=$(grep -o "smallest 2-32-32-32-1-1-1-96 [0-9.e+-]*" "$tmp/log128.txt" | awk '{ print $3 }')
[ -n "$small" ] || fail "scaled smallest: $(cat "$tmp/log128.txt")"
budget=$(awk -v s="$small" 'BEGIN { printf "%.4f", 2.5 * s }')
nnet-search-subnet --latency-table="$tmp/table128.txt" --max-width=128 --max-cat-width=384 \
  --max-latency-ms="$budget" --generations=20 --num-best=3 >"$tmp/best128.txt" 2>/dev/null \
  || fail "scaled latency search"
awk -v b="$budget" '{ n = split($1, f, "-"); for (i = 2; i <= f[1] + 2; i++) if (f[i] > 128) exit 1
  if (NF != 5 || $5 > b || f[n] > 384) exit 1 }' "$tmp/best128.txt" || fail "scaled latency results"
echo "nnet-measure-latency: all checks passed"
