#!/usr/bin/env bash
# --use-gpu on the network binaries (nnet-train-supernet, nnet-sample-subnet,
# nnet-extract-embeddings, nnet-eval-subnets), Kaldi semantics: with no usable GPU (CUDA_VISIBLE_DEVICES="" hides
# any, and a CUDA=0 build has none) --use-gpu=yes is an ERROR naming the option, exit 1, before
# any work; --use-gpu=optional runs on the CPU and writes exactly what --use-gpu=no writes; a bad
# --gpu-math value is an ERROR. Runs on machines without a GPU (CI).
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
for b in nnet-init-supernet nnet-train-supernet nnet-sample-subnet nnet-extract-embeddings nnet-eval-subnets copy-feats; do
  command -v $b > /dev/null || fail "$b not on PATH (run make)"
done
export CUDA_VISIBLE_DEVICES=""
tmp=$(mktemp -d /tmp/nnet-use-gpu.XXXXXX); trap 'rm -rf "$tmp"' EXIT

# Tiny data: 2 speakers x 3 utterances of 8-dim features (a text archive, deterministic).
awk 'BEGIN { srand(7); for (s = 0; s < 2; s++) for (u = 0; u < 3; u++) {
       printf "s%d-u%d  [\n", s, u; for (t = 0; t < 40 + 10 * u; t++) { for (d = 0; d < 8; d++)
       printf " %.4f", (d % 2 == s ? 1.5 : 0) + rand() - 0.5; printf (t == 39 + 10 * u ? " ]\n" : "\n") } } }' \
  > "$tmp/feats.txt"
copy-feats ark,t:"$tmp/feats.txt" ark:"$tmp/feats.ark" 2> /dev/null
for s in 0 1; do for u in 0 1 2; do echo "s$s-u$u s$s"; done; done > "$tmp/utt2spk"
nnet-init-supernet --num-speakers=2 --feature-dim=8 --max-width=16 --max-cat-width=48 \
  "$tmp/super.mdl" 2> "$tmp/init.log" || { cat "$tmp/init.log"; fail "nnet-init-supernet"; }

# expect_error LOG PATTERN CMD...: CMD exits 1 with an ERROR line matching PATTERN.
expect_error() {
  local log=$1 pat=$2; shift 2
  local rc=0
  "$@" > "$log" 2>&1 || rc=$?
  [ $rc -eq 1 ] || { cat "$log"; fail "$* exited $rc, expected 1"; }
  grep -q "^ERROR.*$pat" "$log" || { cat "$log"; fail "$*: no ERROR line matching '$pat'"; }
}
train=(nnet-train-supernet --crop-frames=20 --batch-size=4 --max-steps=2 --stage=width2)
data=("$tmp/super.mdl" ark:"$tmp/feats.ark" ark:"$tmp/utt2spk")
expect_error "$tmp/e1.log" "use-gpu=yes" "${train[@]}" --use-gpu=yes "${data[@]}" "$tmp/gpu.mdl"
[ ! -e "$tmp/gpu.mdl" ] || fail "a model was written after the --use-gpu=yes ERROR"
expect_error "$tmp/e2.log" "use-gpu=yes" nnet-sample-subnet --use-gpu=yes --subnet=2-16-16-16-3-3-3-48 \
  --recalibrate-rspecifier=ark:"$tmp/feats.ark" "$tmp/super.mdl" "$tmp/sub.mdl"
expect_error "$tmp/e3.log" "use-gpu=yes" nnet-extract-embeddings --use-gpu=yes --subnet=2-16-16-16-3-3-3-48 \
  "$tmp/super.mdl" ark:"$tmp/feats.ark" ark:"$tmp/emb.ark"
echo "s0-u0 s0-u1 target" > "$tmp/trials"; echo "s0-u0 s1-u0 nontarget" >> "$tmp/trials"
echo 2-16-16-16-3-3-3-48 > "$tmp/configs"
expect_error "$tmp/e6.log" "use-gpu=yes" nnet-eval-subnets --use-gpu=yes "$tmp/super.mdl" "$tmp/configs" \
  ark:"$tmp/feats.ark" ark:"$tmp/feats.ark" "$tmp/trials" "$tmp/results"
[ ! -s "$tmp/results" ] || fail "nnet-eval-subnets wrote results after the --use-gpu=yes ERROR"
expect_error "$tmp/e4.log" "gpu-math" nnet-extract-embeddings --use-gpu=optional --gpu-math=fp16 \
  --subnet=2-16-16-16-3-3-3-48 "$tmp/super.mdl" ark:"$tmp/feats.ark" ark:"$tmp/emb.ark"
expect_error "$tmp/e5.log" "use-gpu" nnet-extract-embeddings --use-gpu=maybe \
  --subnet=2-16-16-16-3-3-3-48 "$tmp/super.mdl" ark:"$tmp/feats.ark" ark:"$tmp/emb.ark"

# optional == no, bit for bit (here both run on the CPU).
for g in no optional; do
  "${train[@]}" --use-gpu=$g "${data[@]}" "$tmp/t-$g.mdl" 2> "$tmp/t-$g.log" || { cat "$tmp/t-$g.log"; fail "train --use-gpu=$g"; }
  nnet-sample-subnet --use-gpu=$g --subnet=2-16-16-16-3-3-3-48 --recalibrate-rspecifier=ark:"$tmp/feats.ark" \
    --recalibrate-batch-size=2 --recalibrate-min-frames=20 --recalibrate-max-frames=30 \
    "$tmp/t-$g.mdl" "$tmp/s-$g.mdl" 2> "$tmp/s-$g.log" || { cat "$tmp/s-$g.log"; fail "sample --use-gpu=$g"; }
  nnet-extract-embeddings --use-gpu=$g "$tmp/s-$g.mdl" ark:"$tmp/feats.ark" ark:"$tmp/e-$g.ark" \
    2> "$tmp/x-$g.log" || { cat "$tmp/x-$g.log"; fail "extract --use-gpu=$g"; }
done
# --gpu-engine with no GPU under optional: a WARNING, then the CPU's embeddings.
nnet-extract-embeddings --use-gpu=optional --gpu-engine=true "$tmp/s-no.mdl" ark:"$tmp/feats.ark" \
  ark:"$tmp/e-engine.ark" 2> "$tmp/x-engine.log" || { cat "$tmp/x-engine.log"; fail "extract --gpu-engine"; }
grep -q "^WARNING.*gpu-engine" "$tmp/x-engine.log" || { cat "$tmp/x-engine.log"; fail "no --gpu-engine WARNING"; }
cmp -s "$tmp/e-no.ark" "$tmp/e-engine.ark" || fail "embeddings differ (no vs optional --gpu-engine)"
grep -q "running on CPU" "$tmp/t-optional.log" || { cat "$tmp/t-optional.log"; fail "no 'running on CPU' LOG"; }
cmp -s "$tmp/t-no.mdl" "$tmp/t-optional.mdl" || fail "trained models differ (no vs optional)"
cmp -s "$tmp/s-no.mdl" "$tmp/s-optional.mdl" || fail "recalibrated subnets differ (no vs optional)"
cmp -s "$tmp/e-no.ark" "$tmp/e-optional.ark" || fail "embeddings differ (no vs optional)"
echo "PASS nnet-use-gpu: --use-gpu=yes without a GPU is an ERROR (4 binaries), optional == no"
