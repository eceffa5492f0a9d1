#!/usr/bin/env bash
# gpu-bench: tdnas vs PyTorch on one GPU, side by side, for the largest subnet
# (4-512-512-512-512-512-5-5-5-5-5-1536), batch 128 x 200 frames, Adam, 5994 classes:
# training step (forward + AAM loss + backward + Adam) and inference (batch 256 x 200).
#   tdnas: build/tests/gpu/gpu-bench-test with TDNAS_GPU_BENCH=1 (math modes fp32, tf32, bf16);
#   torch: tests/bench/torch_gpu_bench.py (eager fp32 / TF32 / BF16 autocast, torch.compile BF16).
# Prints both sets of medians and the ratios. SKIPs where no GPU or no CUDA build exists.
# Env: BUILD (default build), PYTHON (default python3), GPU_BENCH_ITERS (20), GPU_BENCH_OUT (dir
# for logs, default a temp dir), GPU_BENCH_TORCH_VARIANTS (default all four).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-build}
py=${PYTHON:-python3}
bin="$root/$build/tests/gpu/gpu-bench-test"
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "SKIP: no NVIDIA GPU here"; exit 0
fi
[ -x "$bin" ] || { echo "SKIP: $bin not built (make BUILD=$build CUDA=1 test-gpu)"; exit 0; }
out=${GPU_BENCH_OUT:-$(mktemp -d /tmp/gpu-bench.XXXXXX)}
mkdir -p "$out"
export TDNAS_GPU_BENCH=1 TDNAS_GPU_BENCH_ITERS=${GPU_BENCH_ITERS:-20} TDNAS_GPU_BENCH_OUT="$out/tdnas.txt"
echo "=== tdnas"
"$bin" 2>&1 | grep -v '^\[' | tee "$out/tdnas.log"
echo "=== torch"
PYTHONUNBUFFERED=1 "$py" "$root/tests/bench/torch_gpu_bench.py" --iters "${GPU_BENCH_ITERS:-20}" \
  --variants "${GPU_BENCH_TORCH_VARIANTS:-eager-fp32,eager-tf32,eager-bf16,compile-bf16}" \
  --tdnas "$out/tdnas.txt" 2>&1 | tee "$out/torch.log"
