#!/usr/bin/env bash
# make bench: runs every tests/bench/*-bench.sh in turn (each prints its own table).
# Benchmarks are never part of `make test`; their numbers go to docs/benchmarks.md.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
export PATH="$root/bin:$PATH" TDNAS_ROOT="$root" TDNAS_SHARED="${TDNAS_SHARED:-$root/../shared}"
rc=0
for b in "$root"/tests/bench/*-bench.sh; do
  [ -e "$b" ] || continue
  echo "=== $(basename "$b")"
  bash "$b" || { echo "BENCH FAILED: $b"; rc=1; }
done
exit $rc
