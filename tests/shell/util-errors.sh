#!/usr/bin/env bash
# Bad input to the archive binaries: each case must give an ERROR line naming the file (and the
# key where there is one), exit status 1 (non-zero, below 128), no hang, and no output archive
# that looks complete; with the permissive option `p` the bad entry is skipped with a WARNING.
set -u
ROOT=${TDNAS_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export PATH="$ROOT/bin:$PATH"
SHARED=${TDNAS_SHARED:-$ROOT/../shared}
K=$SHARED/testdata/kaldi-archives
tmp=$(mktemp -d /tmp/util-errors.XXXXXX); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "FAIL: $*" >&2; exit 1; }
KEY1=AMI_ES2011a_H00_FEE041_0003427_0003714

# expect_error <name> <pattern...> -- <command...>: exit 1, an ERROR line matching every pattern.
expect_error() {
  local name=$1; shift
  local pats=()
  while [ "$1" != "--" ]; do pats+=("$1"); shift; done; shift
  timeout 30 "$@" > out.txt 2> err.txt; local rc=$?
  [ $rc -eq 124 ] && fail "$name: hung"
  [ $rc -eq 1 ] || fail "$name: exit status $rc, expected 1 ($(tail -2 err.txt))"
  local line; line=$(grep -a '^ERROR (' err.txt) || fail "$name: no ERROR line ($(tail -2 err.txt))"
  for p in "${pats[@]}"; do
    echo "$line" | grep -qF -- "$p" || fail "$name: ERROR line lacks '$p': $line"
  done
  echo "ok   $name"
}
# expect_skip <name> <command...>: exit 0 with a WARNING.
expect_skip() {
  local name=$1; shift
  timeout 30 "$@" > out.txt 2> err.txt; local rc=$?
  [ $rc -eq 0 ] || fail "$name: exit status $rc, expected 0 ($(tail -2 err.txt))"
  grep -q '^WARNING (' err.txt || fail "$name: no WARNING"
  echo "ok   $name"
}

head -c 50000 $K/feats.ark > trunc.ark
expect_error "truncated archive" trunc.ark "'AMI_ES2011a_H00_FEE041_0004332_0004439'" "unexpected end" -- \
  copy-feats ark:trunc.ark ark:out.ark
[ -e out.ark ] && fail "truncated archive: a complete-looking out.ark was left behind"
ls -a | grep -q 'out.ark.tmp' && fail "temporary output left behind"
expect_skip "truncated archive, ark,p" copy-feats ark,p:trunc.ark ark:out.ark
[ "$(feat-to-len ark:out.ark ark,t:- 2>/dev/null | wc -l)" = 3 ] || fail "ark,p: expected the 3 good entries"

{ head -c 39 $K/feats.ark; printf '\0X'; tail -c +42 $K/feats.ark; } > header.ark
expect_error "corrupt binary header" header.ark "'$KEY1'" -- copy-feats ark:header.ark ark:/dev/null
{ head -c 41 $K/feats.ark; printf 'XM'; tail -c +44 $K/feats.ark; } > token.ark
expect_error "unknown token" token.ark "'$KEY1'" "XM" -- copy-feats ark:token.ark ark:/dev/null
expect_error "not an archive" "/bin/sh" -- copy-feats ark:/bin/sh ark:/dev/null

printf "a $K/feats.ark:39\nb $tmp/gone.ark:39\nc $K/feats.ark:39\n" > missing.scp
expect_error "missing scp target" gone.ark "'b'" missing.scp -- copy-feats scp:missing.scp ark:/dev/null
expect_skip "missing scp target, scp,p" copy-feats scp,p:missing.scp ark,t:lens.txt
[ "$(grep -c '\[' lens.txt)" = 2 ] || fail "scp,p: expected 2 entries"

expect_error "unreadable file (missing)" nothere.ark -- copy-feats ark:nothere.ark ark:/dev/null
expect_error "unreadable file (directory)" "$tmp" directory -- copy-feats ark:$tmp ark:/dev/null
expect_error "failing input pipe" "exit 3 |" "exit status 3" -- copy-feats "ark:cat $K/feats.ark; exit 3 |" ark:/dev/null
expect_error "missing pipe command" "no-such-cmd-xyz" -- copy-feats "ark:no-such-cmd-xyz $K/feats.ark |" ark:/dev/null
expect_error "failing output pipe" "| cat >/dev/null; exit 5" -- copy-feats ark:$K/feats.ark "ark:| cat >/dev/null; exit 5"
expect_error "output pipe closing early" "head -c 10" -- copy-feats ark:$K/feats.ark "ark:| head -c 10 >/dev/null"
expect_error "unopenable output" "/nonexistent/dir/o.ark" -- copy-feats "ark:sleep 60 |" ark:/nonexistent/dir/o.ark
expect_error "bad rspecifier" "Invalid rspecifier" -- copy-feats arc:x ark:/dev/null
expect_error "bad wspecifier" "Invalid wspecifier" -- copy-feats ark:$K/feats.ark ark,zz:/dev/null
expect_error "scp range out of bounds" "Invalid range specifier" -- \
  bash -c "echo 'u $K/feats.ark:39[0:5,0:13]' | copy-feats scp:- ark:/dev/null"
expect_error "wrong type in archive" "'$KEY1'" "FM" -- copy-vector ark:$K/feats.ark ark:/dev/null
timeout 10 copy-feats > /dev/null 2> usage.txt; rc=$?
[ $rc -eq 1 ] && grep -q '^Usage: copy-feats' usage.txt || fail "wrong argument count: rc $rc"
echo "ok   wrong argument count -> usage, exit 1"
echo "all error checks passed"
