#!/usr/bin/env bash
# Tests egs/mini/local/make_data.sh at tiny scale with the espeak-ng source (fast, no network): data dirs
# validate, train and test speakers are disjoint, utterance ids carry their speaker, the trial lists agree
# (Kaldi and VoxCeleb formats), a second run gives the same files.
set -eu
ROOT=${TDNAS_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
for t in espeak-ng sox python3; do
  command -v $t > /dev/null || { echo "SKIP $t not installed"; exit 0; }
done
tmp=$(mktemp -d /tmp/egs-mini-data.XXXXXX); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "FAIL: $*" >&2; exit 1; }
opts="--source espeak --espeak-speakers 10 --espeak-utts 6 --num-target 40 --num-nontarget 40"
timeout 120 $ROOT/egs/mini/local/make_data.sh $opts d > log 2>&1 || { cat log; fail "make_data.sh failed"; }
grep -q 'Successfully validated data-directory d/train' log && grep -q 'Successfully validated data-directory d/test' log || fail "not validated"
ntrain=$(wc -l < d/train/spk2utt); ntest=$(wc -l < d/test/spk2utt)
[ $((ntrain + ntest)) = 10 ] && [ $ntest -ge 2 ] || fail "speakers: $ntrain train, $ntest test"
[ -z "$(comm -12 <(cut -d' ' -f1 d/train/spk2utt) <(cut -d' ' -f1 d/test/spk2utt))" ] || fail "a speaker is in train and test"
awk 'index($1, $2 "-") != 1 { exit 1 }' d/train/utt2spk d/test/utt2spk || fail "utterance ids not prefixed by speaker"
[ $(wc -l < d/train/utt2spk) = $((ntrain * 6)) ] || fail "utterances per speaker"
# Audio: 16 kHz, mono, 16 bit, 1-8 s.
read -r utt wav < d/test/wav.scp
[ "$(soxi -r "$wav")" = 16000 ] && [ "$(soxi -c "$wav")" = 1 ] && [ "$(soxi -b "$wav")" = 16 ] || fail "format of $wav"
awk '$2 < 1 || $2 > 8 { exit 1 }' d/train/utt2dur || fail "durations out of range"
# Trials: utterances of the test set, both labels, labels right, same list in VoxCeleb format.
awk 'NR == FNR { spk[$1] = $2; next }
     !($1 in spk) || !($2 in spk) { exit 1 }
     ($3 == "target") != (spk[$1] == spk[$2]) { exit 2 }' d/test/utt2spk d/test/trials || fail "trials wrong"
grep -q ' target$' d/test/trials && grep -q ' nontarget$' d/test/trials || fail "trials lack a label"
$ROOT/utils/make_trials.py vox2kaldi d/test/veri_test.txt - | cmp - d/test/trials || fail "VoxCeleb list differs"
# The split: train-only sources (tuxpaint, hedgewars) never pick test groups but follow a held-out group they
# share; a group is never split.
PYTHONDONTWRITEBYTECODE=1 python3 - "$ROOT/egs/mini/local" <<'PY' || fail "split_groups"
import sys; sys.path.insert(0, sys.argv[1]); import make_data as m
u = [('u', 'w', 3.0)] * 4
spk = {f'ktub_{l}': {'group': f'lang_{l}', 'source': 'ktuberling', 'utts': u} for l in 'abcdefghij'}
spk.update({f'tux_{l}': {'group': f'lang_{l}', 'source': 'tuxpaint', 'utts': u} for l in 'aeiouxyz'})
spk.update({f'hw_{i}': {'group': 'hedgewars', 'source': 'hedgewars', 'utts': u} for i in range(5)})
train, test = m.split_groups(spk, 0.35, 4)
assert set(train) | set(test) == set(spk) and not set(train) & set(test)
assert not [s for s in test if s.startswith('hw_')] and all(f'tux_{l}' in train for l in 'xyz')
assert all((f'ktub_{l}' in test) == (f'tux_{l}' in test) for l in 'aei'), test
assert len([s for s in test if s.startswith('ktub_')]) == 3, test
train2, test2 = m.split_groups(spk, 0.35, 4, train_only=set())
assert len(test2) > len(test)
PY
# Deterministic.
timeout 120 $ROOT/egs/mini/local/make_data.sh $opts e > /dev/null 2>&1 || fail "second run"
for f in train/utt2spk test/trials; do cmp -s d/$f e/$f || fail "$f differs between runs"; done
cmp -s "$wav" "e/${wav#$tmp/d/}" || fail "audio differs between runs"
echo "egs-mini-data ok: $ntrain train and $ntest test speakers, $(wc -l < d/test/trials) trials"
