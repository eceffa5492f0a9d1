#!/usr/bin/env bash
# Tests the data-directory scripts of utils/ on tiny data dirs: utt2spk_to_spk2utt.pl / spk2utt_to_utt2spk.pl,
# filter_scp.pl, validate_data_dir.sh (good dir, and bad ones: unsorted, missing file, utt2spk/wav.scp
# mismatch, spk2utt mismatch, wrong field count: each message must name the file and line),
# fix_data_dir.sh, split_data.sh, subset_data_dir.sh, combine_data.sh.
set -eu
ROOT=${TDNAS_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
U=$ROOT/utils
tmp=$(mktemp -d /tmp/utils-data-dir.XXXXXX); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export LC_ALL=C
fail() { echo "FAIL: $*" >&2; exit 1; }

# make_dir <dir> <num-speakers> <utts-per-speaker>: a valid dir with wav.scp, utt2spk, spk2utt, utt2dur.
make_dir() {
  mkdir -p $1
  for s in $(seq -w 1 $2); do for u in $(seq -w 1 $3); do echo "$1spk$s-u$u $1spk$s"; done; done | sort > $1/utt2spk
  $U/utt2spk_to_spk2utt.pl $1/utt2spk > $1/spk2utt
  awk '{print $1, "/audio/" $1 ".wav"}' $1/utt2spk > $1/wav.scp
  awk '{print $1, 1.5}' $1/utt2spk > $1/utt2dur
}
# expect_invalid <dir> <pattern> [options]: validate_data_dir.sh must fail with a message matching pattern.
expect_invalid() {
  local d=$1 pat=$2; shift 2
  if $U/validate_data_dir.sh "$@" $d > out 2>&1; then fail "validate_data_dir.sh accepted $d ($pat)"; fi
  grep -q -- "$pat" out || fail "validate_data_dir.sh message for $d should match '$pat': $(cat out)"
}

# utt2spk <-> spk2utt, filter_scp.pl.
printf 'a s1\nb s1\nc s2\n' > u2s
$U/utt2spk_to_spk2utt.pl u2s > s2u
[ "$(cat s2u)" = "$(printf 's1 a b\ns2 c')" ] || fail "utt2spk_to_spk2utt.pl: $(cat s2u)"
$U/spk2utt_to_utt2spk.pl s2u | cmp - u2s || fail "spk2utt_to_utt2spk.pl"
printf 'c\na\n' > ids
[ "$($U/filter_scp.pl ids u2s | tr '\n' ' ')" = "a s1 c s2 " ] || fail "filter_scp.pl"
[ "$($U/filter_scp.pl --exclude ids u2s)" = "b s1" ] || fail "filter_scp.pl --exclude"
printf 's2\n' > spks
[ "$($U/filter_scp.pl -f 2 spks u2s)" = "c s2" ] || fail "filter_scp.pl -f 2"

# A valid dir.
make_dir d 4 5
$U/validate_data_dir.sh --no-feats d | grep -q 'Successfully validated data-directory d' || fail "valid dir rejected"
expect_invalid d 'no such file d/feats.scp'          # feats.scp required without --no-feats
awk '{print $1, "feats.ark:" NR}' d/utt2spk > d/feats.scp
$U/validate_data_dir.sh d > /dev/null || fail "valid dir with feats.scp rejected"
rm d/feats.scp

# Bad dirs, each a copy of d with one fault.
bad() { rm -rf $1; cp -r d $1; }
bad b1; (head -3 d/utt2spk; sed -n 5p d/utt2spk; sed -n 4p d/utt2spk; tail -n +6 d/utt2spk) > b1/utt2spk
expect_invalid b1 'b1/utt2spk is not sorted.*line 5' --no-feats
bad b2; rm b2/wav.scp
expect_invalid b2 'no such file b2/wav.scp' --no-feats
$U/validate_data_dir.sh --no-feats --no-wav b2 > /dev/null || fail "--no-wav dir rejected"
bad b3; sed -i '7s/-u2 /-u2x /' b3/wav.scp
expect_invalid b3 'key dspk2-u2x in b3/wav.scp (line 7) is not in b3/utt2spk' --no-feats
bad b4; sed -i '$d' b4/wav.scp
expect_invalid b4 'key dspk4-u5 in b4/utt2spk (line 20) is not in b4/wav.scp' --no-feats
bad b5; sed -i '1s/ dspk1-u3//' b5/spk2utt
expect_invalid b5 'b5/spk2utt does not match b5/utt2spk at line 1' --no-feats
bad b6; sed -i '3s/$/ extra/' b6/utt2spk
expect_invalid b6 'b6/utt2spk line 3 has 3 fields' --no-feats
bad b7; sed -i '4s/.*/dspk1-u3 dspk1/' b7/utt2spk   # duplicate key
expect_invalid b7 'b7/utt2spk line 4 repeats the key' --no-feats
bad b8; sed -i '2d' b8/utt2dur
expect_invalid b8 'b8/utt2spk (line 2) is not in b8/utt2dur' --no-feats
bad b9; printf 'x1 a\n' > b9/utt2spk; printf 'a x1\n' > b9/spk2utt; printf 'x1 /a.wav\n' > b9/wav.scp; rm b9/utt2dur
$U/validate_data_dir.sh --no-feats b9 2> out >/dev/null || fail "speaker-prefix problem must be only a warning"
grep -q 'WARNING: speaker ids are not prefixes' out || fail "no prefix warning"
echo "validate_data_dir.sh ok"

# fix_data_dir.sh: unsorted files and missing utterances.
bad f; sed -i '3d' f/wav.scp; sed -i '10d' f/utt2dur; sort -r f/utt2spk -o f/utt2spk
$U/fix_data_dir.sh f > out || fail "fix_data_dir.sh failed"
grep -q 'kept 18 utterances out of 20' out || fail "fix_data_dir.sh: $(cat out)"
$U/validate_data_dir.sh --no-feats f > /dev/null || fail "fixed dir does not validate"
[ -f f/.backup/utt2spk ] || fail "no backup"
echo "fix_data_dir.sh ok"

# split_data.sh by speakers and per utterance.
$U/split_data.sh d 3
for i in 1 2 3; do $U/validate_data_dir.sh --no-feats d/split3/$i > /dev/null || fail "split part $i invalid"; done
cat d/split3/{1,2,3}/utt2spk | cmp - d/utt2spk || fail "split parts do not add up to utt2spk"
for i in 1 2; do for j in $(seq $((i + 1)) 3); do
  [ -z "$(comm -12 <(cut -d' ' -f1 d/split3/$i/spk2utt) <(cut -d' ' -f1 d/split3/$j/spk2utt))" ] || fail "speaker in parts $i and $j"
done; done
if $U/split_data.sh d 5 2> out; then fail "split of 4 speakers into 5 accepted"; fi
$U/split_data.sh --per-utt d 5
[ "$(cat d/split5utt/*/utt2spk | wc -l)" = 20 ] && [ "$(wc -l < d/split5utt/5/utt2spk)" = 4 ] || fail "--per-utt split"
echo "split_data.sh ok"

# subset_data_dir.sh.
$U/subset_data_dir.sh d 7 s1 > /dev/null; [ $(wc -l < s1/utt2spk) = 7 ] || fail "random subset size"
$U/subset_data_dir.sh d 7 s1b > /dev/null; cmp -s s1/utt2spk s1b/utt2spk || fail "random subset not reproducible"
$U/validate_data_dir.sh --no-feats s1 > /dev/null || fail "random subset invalid"
printf 'dspk2\ndspk4\n' > spks
$U/subset_data_dir.sh --spk-list spks d s2 > /dev/null
[ "$(cut -d' ' -f1 s2/spk2utt | tr '\n' ' ')" = "dspk2 dspk4 " ] && [ $(wc -l < s2/wav.scp) = 10 ] || fail "--spk-list"
printf 'dspk1-u2\ndspk3-u4\n' > utts
$U/subset_data_dir.sh --utt-list utts d s3 > /dev/null
[ "$(cut -d' ' -f1 s3/utt2dur | tr '\n' ' ')" = "dspk1-u2 dspk3-u4 " ] || fail "--utt-list"
$U/subset_data_dir.sh --per-spk d 2 s4 > /dev/null; [ $(wc -l < s4/utt2spk) = 8 ] || fail "--per-spk"
$U/subset_data_dir.sh --first d 3 s5 > /dev/null; [ "$(head -1 s5/utt2spk)" = "dspk1-u1 dspk1" ] || fail "--first"
echo "subset_data_dir.sh ok"

# combine_data.sh.
make_dir e 2 3
$U/combine_data.sh c d e > /dev/null
[ $(wc -l < c/utt2spk) = 26 ] && [ $(wc -l < c/spk2utt) = 6 ] || fail "combine_data.sh sizes"
$U/validate_data_dir.sh --no-feats c > /dev/null || fail "combined dir invalid"
if $U/combine_data.sh c2 d d 2> /dev/null; then fail "combine_data.sh accepted duplicate utterances"; fi
echo "combine_data.sh ok"

# parse_options.sh.
cat > opts.sh <<'S'
stage=0; use_gpu=false; foo_bar=x; help_message="Usage: opts.sh [options] <a>"
. "$U/parse_options.sh"
echo "stage=$stage use_gpu=$use_gpu foo_bar=$foo_bar args=$*"
S
export U
echo 'stage=5; foo_bar=conf' > my.conf
[ "$(bash opts.sh --stage 3 --foo-bar="a b" x y)" = "stage=3 use_gpu=false foo_bar=a b args=x y" ] || fail "parse_options.sh values"
[ "$(bash opts.sh --stage 2 --config my.conf --use-gpu true z)" = "stage=2 use_gpu=true foo_bar=conf args=z" ] || fail "parse_options.sh --config"
if bash opts.sh --no-such 1 x 2> out; then fail "unknown option accepted"; fi
grep -q 'invalid option --no-such' out || fail "unknown option message"
if bash opts.sh --use-gpu yes x 2> /dev/null; then fail "non-boolean accepted for a boolean"; fi
bash opts.sh --help 2>&1 | grep -q 'Usage: opts.sh' || fail "--help"
echo "parse_options.sh ok"
