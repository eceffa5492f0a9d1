#!/usr/bin/env bash
# nnet-extract-embeddings --use-gpu=yes --gpu-engine=true (the bf16 inference engine) against
# the CPU's float32 embeddings of the same subnet, whole utterances of uneven lengths (batch 1,
# so no CUDA graph) and --segment-frames (a batch of equal segments): every embedding within
# 1e-2 relative (L2) of the CPU's. Random features and weights each run. SKIPs without a GPU.
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
if ! command -v nvidia-smi > /dev/null 2>&1 || ! nvidia-smi -L > /dev/null 2>&1; then
  echo "SKIP: no NVIDIA GPU here"; exit 0
fi
tmp=$(mktemp -d /tmp/gpu-engine-extract.XXXXXX); trap 'rm -rf "$tmp"' EXIT
seed=$RANDOM
awk -v seed=$seed 'BEGIN { srand(seed); for (u = 0; u < 6; u++) {
       n = 90 + int(rand() * 200); printf "u%d  [\n", u;
       for (t = 0; t < n; t++) { for (d = 0; d < 40; d++) printf " %.4f", 2 * rand() - 1 + (d % 6 == u ? 1 : 0);
       printf (t == n - 1 ? " ]\n" : "\n") } } }' > "$tmp/feats.txt"
copy-feats ark,t:"$tmp/feats.txt" ark:"$tmp/feats.ark" 2> "$tmp/copy.log"
nnet-init-supernet --num-speakers=6 --feature-dim=40 --max-width=64 --max-cat-width=192 --seed=$seed \
  "$tmp/super.mdl" 2> "$tmp/init.log" || { cat "$tmp/init.log"; fail "nnet-init-supernet"; }
for extra in "" "--segment-frames=80 --num-segments=3"; do
  common=(--subnet=3-64-64-48-64-5-3-5-1-192 $extra "$tmp/super.mdl" ark:"$tmp/feats.ark")
  nnet-extract-embeddings "${common[@]}" ark,t:"$tmp/cpu.txt" 2> "$tmp/cpu.log" || { cat "$tmp/cpu.log"; fail "CPU extraction"; }
  nnet-extract-embeddings --use-gpu=yes --gpu-engine=true "${common[@]}" ark,t:"$tmp/gpu.txt" 2> "$tmp/gpu.log" \
    || { cat "$tmp/gpu.log"; fail "engine extraction"; }
  paste -d' ' "$tmp/cpu.txt" "$tmp/gpu.txt" | awk -v extra="$extra" '{
      n = NF / 2 - 3; d = 0; r = 0;   # key [ v_1 .. v_n ] key [ w_1 .. w_n ]
      if ($1 != $(n + 4)) { print "FAIL: keys differ: " $1 " " $(n + 4); bad = 1; next }
      for (i = 3; i <= n + 2; i++) { a = $i; b = $(i + n + 3); d += (a - b) ^ 2; r += a ^ 2 }
      e = sqrt(d / r); if (e > worst) worst = e; if (e > 1e-2) { print "FAIL: " $1 " relative error " e; bad = 1 }
      cnt++ }
    END { printf "engine vs CPU (%s): %d embeddings, max relative error %.2e\n", extra == "" ? "whole utterances" : extra, cnt, worst;
          exit bad || cnt != 6 }' || fail "engine embeddings differ from the CPU's"
done
echo "PASS gpu-engine-extract"
