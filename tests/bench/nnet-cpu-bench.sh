#!/usr/bin/env bash
# nnet-cpu-bench.sh: StaticTdnn on the CPU next to the PyTorch reference, same run, same input
# sizes: training step (forward + AAM loss + backward + Adam) and inference (eval forward) of
# the Small (2-256-256-256-3-3-3-400) and Base (3-512-512-512-512-5-3-3-3-1536) subnets, batch
# 32 x 200 frames, 5994 classes, 1 and 2 threads; ms per call, ratio torch/tdnas (> 1: tdnas
# faster), peak RSS of each process.
# The driver tests/bench/nnet-cpu-bench.cc is compiled here with g++ against the libraries of
# $BUILD (default build/, made with `make libs` if missing). ITERS (default 3) timed calls after
# one warm-up. Without torch for /usr/bin/python3 the PyTorch columns read "-".
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
BUILD=${BUILD:-build}
ITERS=${ITERS:-3}
make -s -j2 BUILD="$BUILD" "$BUILD/lib/libtdnas-nnet.a" "$BUILD/lib/libtdnas-util.a" \
  "$BUILD/lib/libtdnas-matrix.a" "$BUILD/lib/libtdnas-base.a" >/dev/null
mkdir -p "$BUILD/bench"
bin="$BUILD/bench/nnet-cpu-bench"
g++ -std=c++17 -O2 -march=x86-64-v2 -pthread -Isrc tests/bench/nnet-cpu-bench.cc -o "$bin" \
  -Wl,--start-group "$BUILD"/lib/libtdnas-{nnet,util,matrix,base}.a -Wl,--end-group -lopenblas
have_torch=0
/usr/bin/python3 -c 'import torch' 2>/dev/null && have_torch=1
rss_py='import resource,subprocess,sys; r=subprocess.run(sys.argv[1:],capture_output=True,text=True); print(r.stdout.strip(), "peak_rss_mb %.0f" % (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024.0))'
echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; batch 32 x 200 frames, 5994 classes, $ITERS iters"
printf '%-6s %-3s | %12s %12s %6s | %12s %12s %6s | %9s %9s\n' net thr "tdnas train" "torch train" ratio \
  "tdnas infer" "torch infer" ratio "tdnas MB" "torch MB"
for spec in "Small 2-256-256-256-3-3-3-400" "Base 3-512-512-512-512-5-3-3-3-1536"; do
  set -- $spec
  name=$1 cfg=$2
  for thr in 1 2; do
    read -r _ _ ttr _ tin _ trss <<<"$(OPENBLAS_NUM_THREADS=1 "$bin" "$cfg" 32 200 5994 "$thr" "$ITERS")"
    ptr=- pin=- prss=- rtr=- rin=-
    if [ $have_torch = 1 ]; then
      read -r _ _ ptr _ pin _ prss <<<"$(/usr/bin/python3 -c "$rss_py" /usr/bin/python3 \
        tests/reference/tdnn_reference.py bench --config "$cfg" --batch 32 --frames 200 \
        --classes 5994 --threads "$thr" --iters "$ITERS")"
      rtr=$(awk -v a="$ptr" -v b="$ttr" 'BEGIN{printf "%.2f", a/b}')
      rin=$(awk -v a="$pin" -v b="$tin" 'BEGIN{printf "%.2f", a/b}')
    fi
    printf '%-6s %-3s | %12s %12s %6s | %12s %12s %6s | %9s %9s\n' "$name" "$thr" "$ttr" "$ptr" "$rtr" \
      "$tin" "$pin" "$rin" "$trss" "$prss"
  done
done
