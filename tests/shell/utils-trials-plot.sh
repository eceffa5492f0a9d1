#!/usr/bin/env bash
# Tests utils/make_trials.py (VoxCeleb <-> Kaldi trial lists, generated trials respecting speaker groups)
# and utils/plot_results.py (PNG from a results table, or a clear message when matplotlib is missing).
set -eu
ROOT=${TDNAS_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
U=$ROOT/utils
tmp=$(mktemp -d /tmp/utils-trials-plot.XXXXXX); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "FAIL: $*" >&2; exit 1; }

# VoxCeleb format (video ids may contain '-') -> Kaldi and back.
cat > vox.txt <<'T'
1 id10270/x6uYqmx31kE/00001.wav id10270/8jEAj-G6SegY/00008.wav
0 id10270/x6uYqmx31kE/00001.wav id10300/ba_Zx9/00002.wav
T
$U/make_trials.py vox2kaldi vox.txt trials
[ "$(cat trials)" = "id10270-x6uYqmx31kE-00001 id10270-8jEAj-G6SegY-00008 target
id10270-x6uYqmx31kE-00001 id10300-ba_Zx9-00002 nontarget" ] || fail "vox2kaldi: $(cat trials)"
$U/make_trials.py kaldi2vox trials - | cmp - vox.txt || fail "kaldi2vox does not give the list back"
echo "2 a/b/c.wav a/b/d.wav" > bad.txt
if $U/make_trials.py vox2kaldi bad.txt - 2> err; then fail "bad label accepted"; fi
grep -q 'bad.txt line 1' err || fail "error does not name file and line: $(cat err)"

# generate: labels right, no nontarget within a group, no pair twice, reproducible.
for s in a b c d; do for u in 1 2 3 4 5; do echo "$s-x-0000$u $s"; done; done > utt2spk
printf 'a g1\nb g1\nc c\nd d\n' > spk2group
$U/make_trials.py generate --num-target 30 --num-nontarget 40 --spk2group spk2group utt2spk t1 2> /dev/null
$U/make_trials.py generate --num-target 30 --num-nontarget 40 --spk2group spk2group utt2spk t2 2> /dev/null
cmp -s t1 t2 || fail "generate is not reproducible"
[ $(grep -c ' target$' t1) = 30 ] && [ $(grep -c ' nontarget$' t1) = 40 ] || fail "generate counts"
awk '{ s1 = substr($1, 1, 1); s2 = substr($2, 1, 1)
       if (($3 == "target") != (s1 == s2)) exit 1
       if ($3 == "nontarget" && index("ab", s1) && index("ab", s2)) exit 2
       k = ($1 < $2) ? $1 " " $2 : $2 " " $1; if (k in seen) exit 3; seen[k] = 1 }' t1 || fail "generated trials wrong ($?)"
echo "make_trials.py ok"

cat > results.txt <<'T'
| subnet   | MACs  | params | EER (%) | minDCF |
|----------|-------|--------|---------|--------|
| largest  | 1.45G | 5.8M   | 2.10    | 0.21   |
| base     | 570M  | 2.6M   | 2.60    | 0.25   |
| smallest | 204M  | 0.9M   | 4.30%   | 0.37   |
T
$U/plot_results.py results.txt plot.png 2> err || fail "plot_results.py failed: $(cat err)"
if /usr/bin/python3 -c 'import matplotlib' 2> /dev/null; then
  [ -s plot.png ] && [ "$(head -c 4 plot.png | tail -c 3)" = PNG ] || fail "no PNG written"
  echo "plot_results.py ok (PNG written)"
else
  grep -q 'apt-get install python3-matplotlib' err || fail "no clear message without matplotlib: $(cat err)"
  echo "plot_results.py ok (matplotlib missing: message printed)"
fi
# --eer-column picks the column (the first EER column here is not numeric: read = failure).
printf 'subnet MACs EER-cos EER(%%)\nlargest 1.45G n/a 2.1\nsmall 204M n/a 4.3\n' > two.txt
$U/plot_results.py --eer-column 'eer(%)' two.txt two.png 2> err || fail "--eer-column: $(cat err)"
if $U/plot_results.py two.txt two.png 2> err; then fail "non-numeric first EER column accepted"; fi
if $U/plot_results.py --eer-column EER-x two.txt two.png 2> err; then fail "unknown --eer-column accepted"; fi
grep -q 'no column "EER-x"' err || fail "message for an unknown column: $(cat err)"
printf 'subnet params\nx 1\n' > nomacs.txt
if $U/plot_results.py nomacs.txt x.png 2> err; then fail "table without MACs accepted"; fi
grep -q 'MACs and EER' err || fail "message for a bad table: $(cat err)"
