#!/usr/bin/env bash
# nnet-count-macs end to end: the spec's published MACs/params (exact integers and the
# 1.45G-style columns), search-space sizes, --configs=- from stdin, --random reproducibility,
# the error path (ERROR naming the config, exit 1), and an independent recount in Python of
# random configs from the layer list of the spec.
set -euo pipefail
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d /tmp/nnet-count-macs.XXXXXX); trap 'rm -rf "$tmp"' EXIT
command -v nnet-count-macs >/dev/null || fail "nnet-count-macs not on PATH (run make)"

# Published figures: largest and smallest at T=300, the model card's subnets at T=301.
out=$(nnet-count-macs --frames=300 --human largest smallest 2>/dev/null)
expected="largest 1929261440 7550528 1.93G 7.55M
smallest 83474560 443968 83.47M 443.97K"
[ "$out" = "$expected" ] || fail "T=300 figures: got
$out"
out=$(nnet-count-macs --human base mobile 2-256-256-256-3-3-3-400 2>/dev/null)
expected="base 1445211648 5789760 1.45G 5.79M
mobile 570984384 2416416 570.98M 2.42M
2-256-256-256-3-3-3-400 204072768 899200 204.07M 899.20K"
[ "$out" = "$expected" ] || fail "T=301 figures: got
$out"
# The alias and the explicit string count the same.
[ "$(nnet-count-macs base 2>/dev/null | cut -d' ' -f2-)" = \
  "$(nnet-count-macs 3-512-512-512-512-5-3-3-3-1536 2>/dev/null | cut -d' ' -f2-)" ] || fail "alias"

# Space sizes.
[ "$(nnet-count-macs --space=fine --print-space-size 2>/dev/null)" = 10021183582095 ] || fail "fine size"
[ "$(nnet-count-macs --space=coarse --print-space-size 2>/dev/null)" = 4066875 ] || fail "coarse size"
[ "$(nnet-count-macs --space=depth --print-space-size 2>/dev/null)" = 351 ] || fail "depth size"

# --configs=- : comments, blank lines and extra columns are skipped.
printf '# a comment\n\nbase\n  2-256-256-256-3-3-3-400 extra columns\nsmallest\n' |
  nnet-count-macs --configs=- --frames=301 >"$tmp/stdin.txt" 2>/dev/null
[ "$(wc -l <"$tmp/stdin.txt")" -eq 3 ] || fail "stdin: expected 3 lines"
[ "$(sed -n 2p "$tmp/stdin.txt")" = "2-256-256-256-3-3-3-400 204072768 899200" ] || fail "stdin line 2"

# --random: reproducible for a seed, inside the space, and different for another seed.
nnet-count-macs --space=fine --random=300 --seed=5 >"$tmp/r1.txt" 2>/dev/null
nnet-count-macs --space=fine --random=300 --seed=5 >"$tmp/r2.txt" 2>/dev/null
nnet-count-macs --space=fine --random=300 --seed=6 >"$tmp/r3.txt" 2>/dev/null
cmp -s "$tmp/r1.txt" "$tmp/r2.txt" || fail "--random not reproducible"
! cmp -s "$tmp/r1.txt" "$tmp/r3.txt" || fail "--random ignores --seed"
[ "$(wc -l <"$tmp/r1.txt")" -eq 300 ] || fail "--random count"
# Feeding the configs back in gives the same counts.
cut -d' ' -f1 "$tmp/r1.txt" | nnet-count-macs --configs=- --space=fine >"$tmp/r4.txt" 2>/dev/null
cmp -s "$tmp/r1.txt" "$tmp/r4.txt" || fail "round trip through --configs=-"

# Error path: the ERROR line names the config and the reason; exit status 1.
for bad in 3-512-512-512-512-5-3-4-3-1536 3-512-512-512-5-3-3-3-1536 huge; do
  set +e; nnet-count-macs base "$bad" >"$tmp/out.txt" 2>"$tmp/err.txt"; rc=$?; set -e
  [ $rc -eq 1 ] || fail "$bad: exit $rc, expected 1"
  grep -q "^ERROR .*'$bad'" "$tmp/err.txt" || fail "$bad: no ERROR naming it: $(cat "$tmp/err.txt")"
done
set +e; nnet-count-macs --space=coarse small >/dev/null 2>"$tmp/err.txt"; rc=$?; set -e
[ $rc -eq 1 ] && grep -q "cat width 400 is not in" "$tmp/err.txt" || fail "space check"
set +e; echo "base 4-1" | nnet-count-macs --configs=- >/dev/null 2>&1; rc=$?; set -e
[ $rc -eq 0 ] || fail "extra columns should be ignored"   # only the first token is read
set +e; printf 'base\nbogus\n' | nnet-count-macs --configs=- >/dev/null 2>&1; rc=$?; set -e
[ $rc -eq 1 ] || fail "bad config on stdin: exit $rc"
set +e; nnet-count-macs >/dev/null 2>&1; rc=$?; set -e
[ $rc -eq 1 ] || fail "no arguments: exit $rc"

# Independent recount in Python (spec's layer list, written separately from the C++).
if [ -x /usr/bin/python3 ]; then
  nnet-count-macs --space=supernet --random=500 --seed=11 --frames=257 >"$tmp/c.txt" 2>/dev/null
  /usr/bin/python3 - "$tmp/c.txt" <<'PY' || fail "python recount differs"
import sys
def count(cfg, T):
    f = [int(x) for x in cfg.split('-')]
    d = f[0]; c = f[1:d + 2]; k = f[d + 2:2 * d + 3]; C = f[-1]
    layers = [('conv', 80, c[0], k[0], T), ('bn', c[0], T)]
    for i in range(1, d + 1):
        w = c[i] // 8
        layers += [('conv', c[0], c[i], 1, T), ('bn', c[i], T)]
        layers += [('conv', w, w, k[i], T), ('bn', w, T)] * 7
        layers += [('conv', c[i], c[0], 1, T), ('bn', c[0], T)]
        layers += [('fc', c[0], c[0] // 4), ('fc', c[0] // 4, c[0])]
    layers += [('conv', d * c[0], C, 1, T), ('conv', C, 128, 1, T), ('conv', 128, C, 1, T)]
    layers += [('bn', 2 * C, 1), ('fc', 2 * C, 192), ('bn', 192, 1)]
    macs = params = 0
    for l in layers:
        if l[0] == 'conv': macs += l[4] * l[1] * l[2] * l[3]; params += l[1] * l[2] * l[3]
        elif l[0] == 'bn': macs += 2 * l[1] * l[2]; params += 2 * l[1]
        else: macs += l[1] * l[2]; params += l[1] * l[2] + l[2]
    return macs, params
bad = 0
for line in open(sys.argv[1]):
    cfg, m, p = line.split()
    if (int(m), int(p)) != count(cfg, 257):
        print('mismatch', line.strip(), count(cfg, 257)); bad += 1
sys.exit(1 if bad else 0)
PY
fi
echo "nnet-count-macs: all checks passed"
