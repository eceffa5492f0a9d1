#!/usr/bin/env bash
# nnet-train-predictor end to end on a synthetic results file (EER a known function of the
# architecture that MACs rank poorly): held-out Kendall tau > 0.8 and above the MACs-only
# baseline; binary and text predictor files; bad lines are skipped with a WARNING; too little
# data and a bad encoding are ERRORs; the predictor drives nnet-search-subnet. A scaled
# supernet's results (128/384 grids) train a predictor of that shape (stored in its file), the
# search takes the shape from it, and shape mismatches are ERRORs.
set -euo pipefail
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d /tmp/nnet-predictor-train.XXXXXX); trap 'rm -rf "$tmp"' EXIT
command -v nnet-train-predictor >/dev/null || fail "nnet-train-predictor not on PATH (run make)"

# Synthetic results: CONFIG MACS PARAMS EER MINDCF.
nnet-count-macs --random=400 --seed=5 --space=coarse 2>/dev/null | awk 'BEGIN { srand(3) }
  { n = split($1, f, "-"); d = f[1]; c0 = f[2]; k0 = f[d + 3]; C = f[n]
    e = 4 - 0.25 * (d - 2) - 0.8 * (c0 - 128) / 384 - 0.3 * (C - 384) / 1152
    for (i = 1; i <= d; i++) { e -= 0.1 * sqrt((f[2 + i] - 128) / 384); if (f[d + 3 + i] >= 3) e -= 0.1 }
    e += (k0 == 1) ? 0.3 : (k0 == 5 ? -0.2 : 0)
    e += 0.03 * (rand() - 0.5)
    printf "%s %s %s %.4f %.4f\n", $1, $2, $3, e, e / 20 }' >"$tmp/results.txt"
[ "$(wc -l <"$tmp/results.txt")" -eq 400 ] || fail "results file"
echo "not a result line" >>"$tmp/results.txt"

nnet-train-predictor --encoding=coarse --epochs=80 --holdout=0.25 "$tmp/results.txt" \
  "$tmp/pred.mdl" >"$tmp/report.txt" 2>"$tmp/log.txt" || { cat "$tmp/log.txt"; fail "train"; }
cat "$tmp/report.txt"
grep -q "WARNING.*line 401" "$tmp/log.txt" || fail "bad line not warned about"
awk '/held-out 100 subnets/ { tau = $6; mtau = $13
       if (tau < 0.8) { print "predictor tau " tau; exit 1 }
       if (tau < mtau + 0.2) { print "predictor tau " tau " vs macs " mtau; exit 1 }; ok = 1 }
     END { exit !ok }' "$tmp/report.txt" || fail "rank correlation"
head -c 2 "$tmp/pred.mdl" | od -c | grep -q '\\0   B' || fail "not a binary file"

nnet-train-predictor --encoding=fine --epochs=5 --holdout=0 --binary=false "$tmp/results.txt" \
  "$tmp/pred-fine.txt" 2>"$tmp/log2.txt" || { cat "$tmp/log2.txt"; fail "fine"; }
grep -q "^<AccuracyPredictor> <Version> 3 <Space> fine <MaxWidth> 512 <MaxCatWidth> 1536 " "$tmp/pred-fine.txt" || fail "text file"
grep -q "WARNING.*never active" "$tmp/log2.txt" || fail "unseen fine dims not warned about"

if command -v nnet-search-subnet >/dev/null && nnet-search-subnet --help 2>&1 | grep -q -- --predictor; then
  nnet-search-subnet --objective=predictor --predictor="$tmp/pred.mdl" --space=fine \
    --max-macs=300M --generations=30 --num-best=2 >"$tmp/best.txt" 2>/dev/null || fail "search"
  [ "$(wc -l <"$tmp/best.txt")" -eq 2 ] || fail "search output"
fi

head -3 "$tmp/results.txt" >"$tmp/tiny.txt"
set +e; nnet-train-predictor --holdout=0.5 "$tmp/tiny.txt" "$tmp/x.mdl" 2>"$tmp/err.txt"; rc=$?; set -e
[ $rc -eq 1 ] && grep -q "^ERROR" "$tmp/err.txt" || fail "tiny data: exit $rc"
set +e; nnet-train-predictor --encoding=medium "$tmp/results.txt" "$tmp/x.mdl" 2>"$tmp/err.txt"; rc=$?; set -e
[ $rc -eq 1 ] && grep -q "^ERROR.*medium" "$tmp/err.txt" || fail "bad encoding: exit $rc"
# Scaled 128/384: the same synthetic results mapped onto the scaled coarse grids.
awk '{ n = split($1, f, "-"); d = f[1]; s = f[1]
       for (i = 2; i < n; i++) { v = f[i]
         if (i <= d + 2) v = (v == 128) ? 32 : (v == 176) ? 48 : (v == 256) ? 64 : (v == 384) ? 96 : 128
         s = s "-" v }
       C = f[n]; C = (C == 384) ? 96 : (C == 536) ? 136 : (C == 768) ? 192 : (C == 1152) ? 288 : 384
       $1 = s "-" C; print }' "$tmp/results.txt" >"$tmp/scaled.txt"
head -1 "$tmp/scaled.txt" | grep -qE '^[234]-(32|48|64|96|128)-' || fail "scaled results: $(head -1 "$tmp/scaled.txt")"
nnet-train-predictor --max-width=128 --max-cat-width=384 --epochs=80 --holdout=0.25 \
  "$tmp/scaled.txt" "$tmp/pred-scaled.mdl" >"$tmp/report-scaled.txt" 2>"$tmp/log3.txt" \
  || { cat "$tmp/log3.txt"; fail "scaled train"; }
cat "$tmp/report-scaled.txt"
awk '/held-out 100 subnets/ { if ($6 < 0.8) exit 1; ok = 1 } END { exit !ok }' \
  "$tmp/report-scaled.txt" || fail "scaled rank correlation"
grep -q "space coarse of supernet max-width 128 max-cat-width 384" "$tmp/log3.txt" || fail "scaled info"
nnet-train-predictor --max-width=128 --max-cat-width=384 --epochs=2 --holdout=0 --binary=false \
  "$tmp/scaled.txt" "$tmp/pred-scaled.txt" 2>/dev/null || fail "scaled text"
grep -q "^<AccuracyPredictor> <Version> 3 <Space> coarse <MaxWidth> 128 <MaxCatWidth> 384 " \
  "$tmp/pred-scaled.txt" || fail "scaled text header"
# The search takes the shape from the predictor: results on the scaled fine grid.
nnet-search-subnet --objective=predictor --predictor="$tmp/pred-scaled.mdl" --space=fine \
  --max-macs=60M --generations=20 --num-best=2 >"$tmp/best-scaled.txt" 2>"$tmp/log4.txt" \
  || { cat "$tmp/log4.txt"; fail "scaled search"; }
grep -q "widths 32:8:128" "$tmp/log4.txt" || fail "scaled search space"
awk '{ n = split($1, f, "-"); for (i = 2; i <= f[1] + 2; i++) if (f[i] > 128) exit 1
       if (f[n] > 384 || $3 > 60000000) exit 1 }' "$tmp/best-scaled.txt" || fail "scaled search results"
set +e; nnet-search-subnet --objective=predictor --predictor="$tmp/pred-scaled.mdl" --max-width=512 \
  --max-macs=60M >/dev/null 2>"$tmp/err.txt"; rc=$?; set -e
[ $rc -eq 1 ] && grep -q "^ERROR.*predictor.*max-width 128" "$tmp/err.txt" || fail "shape mismatch: $(cat "$tmp/err.txt")"
# Scaled results with the default shape: nothing is on the 512/1536 grids -> ERROR naming the
# option; a 512-wide config in a 128/384 training file -> ERROR.
set +e; nnet-train-predictor --epochs=2 "$tmp/scaled.txt" "$tmp/x.mdl" 2>"$tmp/err.txt"; rc=$?; set -e
[ $rc -eq 1 ] && grep -q "^ERROR.*--max-width" "$tmp/err.txt" || fail "scaled results, default shape: $(tail -1 "$tmp/err.txt")"
echo "2-256-128-128-1-1-1-384 100 100 3.5 0.1" >>"$tmp/scaled.txt"
set +e; nnet-train-predictor --max-width=128 --max-cat-width=384 --epochs=2 "$tmp/scaled.txt" \
  "$tmp/x.mdl" 2>"$tmp/err.txt"; rc=$?; set -e
[ $rc -eq 1 ] && grep -q "^ERROR.*does not fit the supernet (max-width 128" "$tmp/err.txt" \
  || fail "too wide config: $(cat "$tmp/err.txt")"
echo "nnet-train-predictor: all checks passed"
