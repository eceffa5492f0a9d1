#!/usr/bin/env bash
# make_augmented_copy.sh: a data dir whose utterances are augmented copies of another's: each
# utterance <utt> becomes <utt>-aug<N> with a wav.scp entry that pipes the original audio through
# wav-augment (one augmentation drawn per utterance from (seed, new key), so copies differ):
#   <utt>-aug1 ffmpeg ... -| wav-augment --config=<conf> --utt-id=<utt>-aug1 - - |
#   <utt>-aug1 wav-augment --config=<conf> --utt-id=<utt>-aug1 /path/x.wav - |
# Like Kaldi's reverberated / noised copies, the data dir is self-contained: features are computed
# from its wav.scp like any other (VAD runs on the augmented audio, since tempo changes the length).
set -euo pipefail
help_message="Usage: $0 <src-data-dir> <wav-augment-conf> <copy-number> <dest-data-dir>
 e.g.: $0 data/voxceleb2_dev data/aug/wav-augment.conf 1 data/voxceleb2_dev_aug1"
. utils/parse_options.sh
[ $# -eq 4 ] || { printf '%s\n' "$help_message" >&2; exit 1; }
src=$1; conf=$(readlink -f "$2"); n=$3; dest=$4
export LC_ALL=C
[ -f "$src/wav.scp" ] && [ -f "$src/utt2spk" ] || { echo "$0: $src needs wav.scp and utt2spk" >&2; exit 1; }
[ -f "$src/segments" ] && { echo "$0: segments are not supported" >&2; exit 1; }
[ -f "$conf" ] || { echo "$0: no such file $2" >&2; exit 1; }
mkdir -p "$dest"
awk -v c="$conf" -v n=$n '{
  key = $1 "-aug" n; rx = $0; sub(/^[^ \t]+[ \t]+/, "", rx); sub(/[ \t]+$/, "", rx)
  aug = "wav-augment --print-args=false --config=" c " --utt-id=" key
  if (rx ~ /\|$/) print key, rx " " aug " - - |"; else print key, aug " " rx " - |"
}' "$src/wav.scp" | sort -k1,1 > "$dest/wav.scp"
awk -v n=$n '{print $1 "-aug" n, $2}' "$src/utt2spk" | sort -k1,1 > "$dest/utt2spk"
utils/utt2spk_to_spk2utt.pl "$dest/utt2spk" > "$dest/spk2utt"
utils/validate_data_dir.sh --no-feats "$dest" > /dev/null
echo "$0: $(wc -l < "$dest/utt2spk") augmented utterances (copy $n) in $dest"
