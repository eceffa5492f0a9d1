#!/usr/bin/env bash
# Runs each test given (GoogleTest binaries and shell scripts), prints one PASS/FAIL line per
# test with its wall time, the failing test's output, and a closing "N passed, N failed" line.
# Exit status: 0 only when every test passed.
set -u
export TDNAS_ROOT=$(cd "$(dirname "$0")/.." && pwd)
# Sanitizer builds put their binaries in $BINDIR (e.g. build-asan/bin); tests run those.
bindir="${BINDIR:-bin}"; [[ $bindir = /* ]] || bindir="$TDNAS_ROOT/$bindir"
export PATH="$bindir:$PATH"
export TDNAS_SHARED="${TDNAS_SHARED:-$TDNAS_ROOT/../shared}"
pass=0; fail=0; skip=0; failed=()
logdir=$(mktemp -d /tmp/tdnas-tests.XXXXXX)
for t in "$@"; do
  name=${t#"$TDNAS_ROOT/"}
  log="$logdir/$(echo "$name" | tr '/' '_').log"
  start=$(date +%s.%N)
  # A hung test must fail, not stall CI: each test gets a wall-clock limit.
  limit=${TDNAS_TEST_TIMEOUT:-900}
  if [[ $t == *.sh ]]; then timeout -k 10 "$limit" bash "$t" >"$log" 2>&1; rc=$?;
  else timeout -k 10 "$limit" "$t" >"$log" 2>&1; rc=$?; fi
  [ $rc -eq 124 ] && echo "TIMEOUT after ${limit}s" >>"$log"
  secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.2f", e-s}')
  if [ $rc -eq 0 ]; then
    if grep -q '^SKIP' "$log"; then skip=$((skip+1)); printf 'SKIP  %-50s %6ss  (%s)\n' "$name" "$secs" "$(grep -m1 '^SKIP' "$log")";
    else pass=$((pass+1)); printf 'PASS  %-50s %6ss\n' "$name" "$secs"; fi
  else
    fail=$((fail+1)); failed+=("$name"); printf 'FAIL  %-50s %6ss  (exit %d)\n' "$name" "$secs" $rc
    tail -n 40 "$log" | sed 's/^/    | /'
  fi
done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ] && rm -rf "$logdir"
[ $fail -eq 0 ] || { echo "failed: ${failed[*]} (logs in $logdir)"; exit 1; }
