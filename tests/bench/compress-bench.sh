#!/usr/bin/env bash
# CompressedMatrix speed: (1) the codec alone on real 80-bin fbank features (golden/fbank_80.ark)
# cycled to ~1 GB of float data, per method, one thread (driver compress-bench.cc, compiled here
# against the build's libraries); (2) copy-feats end to end (archive in, archive out, through
# the page cache) on a ~BENCH_MB (default 1024) MB archive. MB = 10^6 bytes of float data.
# CPU-time rates are the ones to compare: on a shared machine wall time includes waiting.
set -euo pipefail
root=${TDNAS_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
shared=${TDNAS_SHARED:-$root/../shared}
build=${BUILD:-build}
mb=${BENCH_MB:-1024}
src="$shared/testdata/golden/fbank_80.ark"
tmp=$(mktemp -d /tmp/compress-bench.XXXXXX); trap 'rm -rf "$tmp"' EXIT
[ -f "$src" ] || { echo "SKIP no $src"; exit 0; }

if [ -f "$root/$build/lib/libtdnas-matrix.a" ]; then
  ${CXX:-g++} -std=c++17 -O2 -march=x86-64-v2 -I"$root/src" "$root/tests/bench/compress-bench.cc" \
    "$root/$build/lib/libtdnas-matrix.a" "$root/$build/lib/libtdnas-base.a" -lopenblas -o "$tmp/compress-bench"
  "$tmp/compress-bench" "$src" "$mb"
else
  echo "codec: $root/$build/lib/libtdnas-matrix.a not built (run make), skipped"
fi

command -v copy-feats >/dev/null || { echo "copy-feats not built, skipped"; exit 0; }
# A ~$mb MB archive: the golden archive repeated (duplicate keys are fine for a sequential read).
per=$(stat -c %s "$src"); copies=$(( mb * 1000000 / per + 1 ))
for ((i = 0; i < copies; i++)); do cat "$src"; done >"$tmp/big.ark"
size=$(stat -c %s "$tmp/big.ark")
# t <cmd...>: prints "wall cpu" seconds (cpu = user + sys).
t() { /usr/bin/time -f "%e %U %S" -o "$tmp/t" "$@" 2>/dev/null; awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$tmp/t"; }
read -r ww wc < <(t copy-feats --compress=true ark:"$tmp/big.ark" ark:"$tmp/c.ark")
read -r rw rc < <(t copy-feats ark:"$tmp/c.ark" ark:"$tmp/d.ark")
awk -v s="$size" -v c="$(stat -c %s "$tmp/c.ark")" -v ww="$ww" -v wc="$wc" -v rw="$rw" -v rc="$rc" 'BEGIN {
  printf "copy-feats --compress=true: %.0f MB -> %.0f MB: wall %.2f s (%.0f MB/s), cpu %.2f s (%.0f MB/s)\n", s/1e6, c/1e6, ww, s/1e6/ww, wc, s/1e6/wc;
  printf "copy-feats (decompress):    %.0f MB -> %.0f MB: wall %.2f s (%.0f MB/s), cpu %.2f s (%.0f MB/s)\n", c/1e6, s/1e6, rw, s/1e6/rw, rc, s/1e6/rc }'
