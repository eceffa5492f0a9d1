#!/usr/bin/env bash
# macs-bench: throughput of nnet-count-macs (configs per second), single thread.
#   parse+count: configs read from a file (--configs=FILE), parsed, space-checked, counted,
#                printed -- the path a search script piping configs uses;
#   sample+count: --random=N on the fine grid (sampling, printing and counting; no parsing).
# Counting itself is O(d) integer arithmetic (nnet/mac-count.cc); the cost is parsing/printing.
set -euo pipefail
N=${MACS_BENCH_N:-2000000}
tmp=$(mktemp -d /tmp/macs-bench.XXXXXX); trap 'rm -rf "$tmp"' EXIT
command -v nnet-count-macs >/dev/null || { echo "nnet-count-macs not built"; exit 1; }
rate() { awk -v n="$1" -v s="$2" -v e="$3" 'BEGIN{printf "%.2f M configs/s (%.2f s for %d)", n/(e-s)/1e6, e-s, n}'; }
nnet-count-macs --space=fine --random="$N" --seed=1 2>/dev/null | cut -d' ' -f1 >"$tmp/configs.txt"
s=$(date +%s.%N); nnet-count-macs --space=fine --configs="$tmp/configs.txt" >"$tmp/out.txt" 2>/dev/null; e=$(date +%s.%N)
[ "$(wc -l <"$tmp/out.txt")" -eq "$N" ] || { echo "wrong line count"; exit 1; }
echo "parse+count  (--configs=FILE, fine grid): $(rate "$N" "$s" "$e")"
s=$(date +%s.%N); nnet-count-macs --space=fine --random="$N" --seed=2 >/dev/null 2>&1; e=$(date +%s.%N)
echo "sample+count (--random, fine grid):       $(rate "$N" "$s" "$e")"
echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
