#!/usr/bin/env bash
# gpu-train-bench: nnet-train-supernet steps on one GPU for the paper-size supernet
# (nnet-init-supernet defaults: 512/1536, 5994 speakers), batch 128 x 200 frames, random
# features (5994 utterances of 200 frames made here), Adam: stage largest (one net, reused)
# and stage width2 (a random subnet per step: materialise, forward, backward, scatter on the
# device), in each --gpu-math mode. The time is the trainer's "median step time" (host clock
# between step starts, i.e. the whole step including the batch upload and the per-step sync on
# the loss). Then the PyTorch reference: the static largest net (tests/bench/torch_gpu_bench.py)
# and eager random-subnet steps (tests/bench/torch_supernet_bench.py, a lower bound), and the
# ratios. SKIPs where no GPU or no binaries exist.
# Env: BINDIR (default bin), PYTHON (python3), STEPS (40), GPU_BENCH_OUT (logs; default a temp
# dir), TRAIN_BENCH_RUNS ("largest:fp32 largest:tf32 largest:bf16 width2:tf32 width2:bf16"),
# TORCH_VARIANTS (eager-tf32,eager-bf16,compile-bf16; empty = skip PyTorch).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bindir=${BINDIR:-$root/bin}
py=${PYTHON:-python3}
steps=${STEPS:-40}
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "SKIP: no NVIDIA GPU here"; exit 0
fi
[ -x "$bindir/nnet-train-supernet" ] || { echo "SKIP: $bindir/nnet-train-supernet not built"; exit 0; }
export PATH="$bindir:$PATH"
out=${GPU_BENCH_OUT:-$(mktemp -d /tmp/gpu-train-bench.XXXXXX)}
mkdir -p "$out"
dev=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)

# Random features: 5994 utterances (one per speaker) of 200 x 80, Kaldi binary archive.
"$py" - "$out" <<'PY'
import struct, sys
import numpy as np
out = sys.argv[1]
rng = np.random.default_rng(1)
with open(out + '/feats.ark', 'wb') as f, open(out + '/utt2spk', 'w') as u:
    for s in range(5994):
        key = 'spk%04d-u0' % s
        m = rng.standard_normal((200, 80), dtype=np.float32)
        f.write(key.encode() + b' \0BFM \x04' + struct.pack('<i', 200) + b'\x04' + struct.pack('<i', 80))
        f.write(m.tobytes())
        u.write('%s spk%04d\n' % (key, s))
PY
nnet-init-supernet --num-speakers=5994 "$out/super.mdl" 2> "$out/init.log" || { cat "$out/init.log"; exit 1; }

echo "=== tdnas nnet-train-supernet on $dev, $steps steps per run"
: > "$out/tdnas.txt"
for run in ${TRAIN_BENCH_RUNS:-largest:fp32 largest:tf32 largest:bf16 width2:tf32 width2:bf16}; do
  stage=${run%%:*}; math=${run#*:}
  log="$out/train-$stage-$math.log"
  nnet-train-supernet --use-gpu=yes --gpu-math=$math --stage=$stage --batch-size=128 \
    --crop-frames=200 --max-steps=$steps --num-data-threads=6 --log-every=10 \
    --checkpoint="$out/ckpt" "$out/super.mdl" ark:"$out/feats.ark" ark:"$out/utt2spk" \
    "$out/out.mdl" 2> "$log"
  rc=$?
  ms=$(grep -o 'median step time [0-9.]* ms' "$log" | awk '{print $4}')
  if [ $rc -ne 0 ] || [ -z "$ms" ]; then
    echo "tdnas $stage $math FAILED (rc $rc)"; tail -5 "$log"; continue
  fi
  loss=$(grep -o 'loss [0-9.]*' "$log" | tail -1)
  echo "tdnas $stage-$math train_ms $ms ($loss)" | tee -a "$out/tdnas.txt"
done
rm -f "$out/ckpt" "$out/out.mdl"

if [ -n "${TORCH_VARIANTS-eager-tf32,eager-bf16,compile-bf16}" ]; then
  echo "=== torch"
  PYTHONUNBUFFERED=1 "$py" "$root/tests/bench/torch_gpu_bench.py" --iters 20 \
    --variants "${TORCH_VARIANTS:-eager-tf32,eager-bf16,compile-bf16}" 2>&1 | tee "$out/torch.log"
  cfgs=$(nnet-sample-subnet --list --random=8 --space=width2 --seed=5 2>/dev/null | awk '{print $1}' | paste -sd,)
  PYTHONUNBUFFERED=1 "$py" "$root/tests/bench/torch_supernet_bench.py" --configs "$cfgs" \
    2>&1 | tee -a "$out/torch.log"
fi

echo
echo "$dev, supernet 512/1536, 5994 classes, batch 128 x 200 frames, Adam (ms per step)"
awk '
  FNR == NR { if ($1 == "tdnas") t[$2] = $4; next }
  $1 == "torch" && $3 == "train_ms" { p[$2] = $4 }
  END {
    for (k in t) printf "tdnas %-16s %8.2f\n", k, t[k]
    for (k in p) printf "torch %-16s %8.2f\n", k, p[k]
    split("largest-tf32:eager-tf32 largest-bf16:eager-bf16 largest-bf16:compile-bf16 width2-tf32:dynamic-tf32 width2-bf16:dynamic-bf16", pairs, " ")
    for (i in pairs) { split(pairs[i], q, ":"); if ((q[1] in t) && (q[2] in p))
      printf "ratio tdnas %-13s / torch %-13s %.2fx\n", q[1], q[2], t[q[1]] / p[q[2]] }
  }' "$out/tdnas.txt" "$out/torch.log" 2>/dev/null
