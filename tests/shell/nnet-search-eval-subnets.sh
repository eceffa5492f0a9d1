#!/usr/bin/env bash
# nnet-eval-subnets end to end on synthetic speakers (a random largest-config model as the
# supernet): one results line per valid config with the exact MACs/params, a bad config line
# is a WARNING, re-running skips finished configs (resumable), a new config appends only its
# own line, and the results file feeds nnet-train-predictor's reader. A tiny scaled supernet
# (32/96): configs too wide for it are a WARNING and skipped (counted in the final LOG), the
# others evaluated; a --max-width other than the model's is an ERROR.
set -euo pipefail
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d /tmp/nnet-eval-subnets.XXXXXX); trap 'rm -rf "$tmp"' EXIT
for b in nnet-eval-subnets nnet-init-supernet copy-feats nnet-count-macs; do
  command -v $b >/dev/null || fail "$b not on PATH (run make)"
done
nnet-init-supernet --num-speakers=4 --seed=1 --subnet=largest "$tmp/model.mdl" 2>/dev/null || fail "nnet-init-supernet"

# 4 speakers x 3 dev utterances + 2 recalibration utterances each, 100 frames x 80 bins.
awk 'BEGIN { srand(7)
  for (s = 0; s < 4; s++) {
    for (b = 0; b < 80; b++) mean[b] = 3 * (rand() - 0.5)
    for (u = 0; u < 5; u++) {
      f = (u < 3) ? "dev" : "recal"
      printf "spk%d-u%d  [\n", s, u > f ".txt"
      for (t = 0; t < 100; t++) {
        line = ""; for (b = 0; b < 80; b++) line = line sprintf(" %.3f", mean[b] + rand() - 0.5)
        printf "%s%s\n", line, (t == 99 ? " ]" : "") > f ".txt"
      } } } }' && mv dev.txt recal.txt "$tmp/"
copy-feats ark,t:"$tmp/dev.txt" ark:"$tmp/dev.ark" 2>/dev/null
copy-feats ark,t:"$tmp/recal.txt" ark:"$tmp/recal.ark" 2>/dev/null
for i in 0 1 2 3; do for j in 0 1 2; do for k in 0 1 2 3; do for l in 0 1 2; do
  a="spk$i-u$j"; b="spk$k-u$l"; [[ "$a" < "$b" ]] || continue
  echo "$a $b $([ $i = $k ] && echo target || echo nontarget)"
done; done; done; done >"$tmp/trials"

printf '%s\n' smallest 2-128-64-192-3-1-5-256 "2-999-1-1-1-1-1-8 junk" >"$tmp/configs"
opts="--recalibrate-batches=2 --recalibrate-batch-size=4 --recalibrate-min-frames=60 --recalibrate-max-frames=80"
run() { nnet-eval-subnets $opts "$tmp/model.mdl" "$1" ark:"$tmp/recal.ark" ark:"$tmp/dev.ark" \
          "$tmp/trials" "$tmp/results.txt"; }
run "$tmp/configs" 2>"$tmp/log1" || { cat "$tmp/log1"; fail "first run"; }
[ "$(wc -l <"$tmp/results.txt")" -eq 2 ] || fail "expected 2 results: $(cat "$tmp/results.txt")"
grep -q "WARNING.*2-999" "$tmp/log1" || fail "bad config not warned about"
cut -d' ' -f1 "$tmp/results.txt" | nnet-count-macs --configs=- --space=supernet 2>/dev/null >"$tmp/count"
paste -d' ' "$tmp/results.txt" "$tmp/count" | awk '$2 != $7 || $3 != $8 || $4 < 0 || $4 > 100 || $5 < 0 { exit 1 }' \
  || fail "results columns: $(cat "$tmp/results.txt")"
cp "$tmp/results.txt" "$tmp/results.first"
run "$tmp/configs" 2>"$tmp/log2" || fail "second run"
grep -q "0 to evaluate" "$tmp/log2" || fail "not resumed: $(cat "$tmp/log2")"
cmp -s "$tmp/results.txt" "$tmp/results.first" || fail "results changed on resume"
echo "2-176-128-128-1-3-3-384" >>"$tmp/configs"
run "$tmp/configs" 2>"$tmp/log3" || fail "third run"
grep -q "1 to evaluate" "$tmp/log3" || fail "third run did not evaluate exactly 1"
[ "$(wc -l <"$tmp/results.txt")" -eq 3 ] || fail "expected 3 results"
head -2 "$tmp/results.txt" | cmp -s - "$tmp/results.first" || fail "earlier lines rewritten"
# Tiny scaled supernet 32/96: one config in its space, one too wide (c0 64), one wide cat.
nnet-init-supernet --max-width=32 --max-cat-width=96 --num-speakers=4 --seed=1 "$tmp/super.mdl" \
  2>/dev/null || fail "nnet-init-supernet scaled"
printf '%s\n' 2-16-8-16-3-1-5-48 2-64-32-32-1-1-1-96 3-32-32-32-32-1-3-5-1-192 >"$tmp/configs2"
runs() { nnet-eval-subnets $opts "$@" "$tmp/super.mdl" "$tmp/configs2" ark:"$tmp/recal.ark" \
           ark:"$tmp/dev.ark" "$tmp/trials" "$tmp/results2.txt"; }
runs 2>"$tmp/log4" || { cat "$tmp/log4"; fail "scaled run"; }
[ "$(wc -l <"$tmp/results2.txt")" -eq 1 ] || fail "scaled: expected 1 result: $(cat "$tmp/results2.txt")"
grep -q "^2-16-8-16-3-1-5-48 " "$tmp/results2.txt" || fail "scaled result line"
[ "$(grep -c "WARNING.*not in search space 'supernet' of the supernet (max-width 32 max-cat-width 96).*skipped" "$tmp/log4")" -eq 2 ] \
  || fail "too-wide configs not warned about: $(cat "$tmp/log4")"
grep -q "Done 1 out of 1 subnets (0 unparsable, 2 outside the space skipped)" "$tmp/log4" \
  || fail "final LOG: $(tail -1 "$tmp/log4")"
set +e; runs --max-width=64 >/dev/null 2>"$tmp/err.txt"; rc=$?; set -e
[ $rc -eq 1 ] && grep -q "^ERROR.*conflict with the model" "$tmp/err.txt" || fail "conflicting shape: $(cat "$tmp/err.txt")"
runs --max-width=32 --max-cat-width=96 2>"$tmp/log5" || fail "matching shape options"
grep -q "0 to evaluate" "$tmp/log5" || fail "scaled resume"
echo "nnet-eval-subnets: all checks passed"
