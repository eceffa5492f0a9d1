#!/usr/bin/env bash
# compute-eer end to end against real Kaldi's outputs: stdout byte-identical to
# golden/compute_eer_*.out (no newline), the LOG message identical to golden/logs/*.stderr,
# input from a file, stdin and a pipe; Kaldi's errors (bad line, no targets) give exit 1.
set -euo pipefail
fail() { echo "FAIL: $*"; exit 1; }
command -v compute-eer >/dev/null || fail "compute-eer not on PATH (run make)"
golden="${TDNAS_SHARED:-$TDNAS_ROOT/../shared}/testdata/golden"
[ -d "$golden" ] || { echo "SKIP no golden data at $golden"; exit 0; }
tmp=$(mktemp -d /tmp/sv-compute-eer.XXXXXX); trap 'rm -rf "$tmp"' EXIT

msg() { sed -n 's/^LOG ([^ ]*) //p' "$1"; }  # the LOG message without the location
for name in synth ties; do
  in="$golden/eer_scores_$name.txt"
  compute-eer "$in" >"$tmp/out" 2>"$tmp/err" || fail "$name: exit $?"
  cmp -s "$tmp/out" "$golden/compute_eer_$name.out" || fail "$name stdout: '$(cat "$tmp/out")'"
  want=$(msg "$golden/logs/compute_eer_$name.out.stderr")
  [ -n "$want" ] || fail "no LOG line in the golden log"
  [ "$(msg "$tmp/err")" = "$want" ] ||
    fail "$name log: $(msg "$tmp/err")"
  compute-eer - <"$in" 2>/dev/null | cmp -s - "$golden/compute_eer_$name.out" || fail "$name stdin"
  compute-eer "cat $in |" 2>/dev/null | cmp -s - "$golden/compute_eer_$name.out" || fail "$name pipe"
done

# Optional minDCF lines (values checked against numpy in tests/sv/min-dcf-test.cc).
compute-eer --p-target=0.01,0.001 "$golden/eer_scores_synth.txt" 2>"$tmp/err" >/dev/null
grep -q 'minDCF(p-target=0.01) is 0.9352' "$tmp/err" || fail "minDCF 0.01: $(cat "$tmp/err")"
grep -q 'minDCF(p-target=0.001) is 0.949' "$tmp/err" || fail "minDCF 0.001"

# Errors: exit 1 with an ERROR line.
expect_error() {
  local what=$1; shift
  if printf "$@" | compute-eer - >/dev/null 2>"$tmp/err"; then fail "$what: exit 0"; fi
  grep -q '^ERROR' "$tmp/err" || fail "$what: no ERROR line"
}
expect_error "bad label" '1.0 target\n2.0 tar\n'
expect_error "one field" '1.0\n'
expect_error "no targets" '1.0 nontarget\n'
expect_error "no nontargets" '1.0 target\n'
expect_error "empty input" ''
compute-eer 2>/dev/null && fail "no arguments: exit 0"
echo "compute-eer: all checks passed"
