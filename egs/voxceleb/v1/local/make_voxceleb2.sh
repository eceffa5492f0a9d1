#!/usr/bin/env bash
# make_voxceleb2.sh: a Kaldi data dir of one VoxCeleb2 part from the official layout:
#   <root>/<dev|test>/aac/<spk>/<video>/<nnnnn>.m4a -> utt-id <spk>-<video>-<nnnnn>, and a wav.scp
# whose entries decode through ffmpeg: "<utt> ffmpeg -v 8 -i <path> -f wav -acodec pcm_s16le -|".
set -euo pipefail
help_message="Usage: $0 <voxceleb2-root> <dev|test> <data-dir>
 e.g.: $0 /export/corpora/VoxCeleb2 dev data/voxceleb2_dev"
. utils/parse_options.sh
[ $# -eq 3 ] || { printf '%s\n' "$help_message" >&2; exit 1; }
root=$1; set=$2; data=$3
export LC_ALL=C
[ -d "$root/$set/aac" ] || { echo "$0: no such directory $root/$set/aac" >&2; exit 1; }
command -v ffmpeg > /dev/null || echo "$0: WARNING: ffmpeg is not on PATH; the wav.scp entries need it" >&2
mkdir -p "$data"
find -L "$(cd "$root/$set/aac" && pwd)" -mindepth 3 -maxdepth 3 -name '*.m4a' | \
  awk -F/ '{n = $NF; sub(/\.m4a$/, "", n);
            print $(NF-2) "-" $(NF-1) "-" n, "ffmpeg -v 8 -i " $0 " -f wav -acodec pcm_s16le -|"}' | \
  sort -k1,1 > "$data/wav.scp"
[ -s "$data/wav.scp" ] || { echo "$0: no .m4a files under $root/$set/aac/<spk>/<video>/" >&2; exit 1; }
awk '{split($1, a, "-"); print $1, a[1]}' "$data/wav.scp" > "$data/utt2spk"
utils/utt2spk_to_spk2utt.pl "$data/utt2spk" > "$data/spk2utt"
utils/validate_data_dir.sh --no-feats "$data"
echo "$0: $(wc -l < "$data/utt2spk") utterances of $(wc -l < "$data/spk2utt") speakers in $data"
