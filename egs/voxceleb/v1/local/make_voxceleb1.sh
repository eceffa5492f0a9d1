#!/usr/bin/env bash
# make_voxceleb1.sh: a Kaldi data dir of VoxCeleb1 from the official layout, with the cleaned trial
# lists converted to Kaldi trials.
#   <root>/{dev,test}/wav/<spk>/<video>/<nnnnn>.wav (16 kHz, 16 bit) -> utt-id <spk>-<video>-<nnnnn>
#   <trials-dir>/veri_test2.txt     -> <data>/trials_O  (Vox1-O, 37,611 trials)
#   <trials-dir>/list_test_all2.txt -> <data>/trials_E  (Vox1-E, 579,818 trials)
#   <trials-dir>/list_test_hard2.txt-> <data>/trials_H  (Vox1-H, 550,894 trials)
# Both dev and test go into one dir (Vox1-E and Vox1-H use the dev speakers too). A list that is not
# there is left out with a warning; at least one must be. Trials naming utterances that are not in
# the data dir are counted and reported (they are skipped, and counted, at scoring).
set -euo pipefail
trials_dir=          # where the trial lists are (default: <root>, then <root>/meta)
help_message="Usage: $0 [--trials-dir <dir>] <voxceleb1-root> <data-dir>
 e.g.: $0 /export/corpora/VoxCeleb1 data/voxceleb1"
. utils/parse_options.sh
[ $# -eq 2 ] || { printf '%s\n' "$help_message" >&2; exit 1; }
root=$1; data=$2
export LC_ALL=C
[ -d "$root" ] || { echo "$0: no such directory $root" >&2; exit 1; }
mkdir -p "$data"
: > "$data/wav.scp.tmp"
for set in dev test; do
  [ -d "$root/$set/wav" ] || { echo "$0: WARNING: no $root/$set/wav (VoxCeleb1 $set left out)" >&2; continue; }
  # <root>/<set>/wav/<spk>/<video>/<n>.wav -> "<spk>-<video>-<n> <path>"
  find -L "$(cd "$root/$set/wav" && pwd)" -mindepth 3 -maxdepth 3 -name '*.wav' | \
    awk -F/ '{n = $NF; sub(/\.wav$/, "", n); print $(NF-2) "-" $(NF-1) "-" n, $0}' >> "$data/wav.scp.tmp"
done
sort -k1,1 "$data/wav.scp.tmp" > "$data/wav.scp"; rm "$data/wav.scp.tmp"
[ -s "$data/wav.scp" ] || { echo "$0: no .wav files under $root/{dev,test}/wav/<spk>/<video>/" >&2; exit 1; }
dups=$(cut -d' ' -f1 "$data/wav.scp" | uniq -d | head -n 3)
[ -z "$dups" ] || { echo "$0: duplicate utterance ids (same spk/video/name in dev and test?): $dups" >&2; exit 1; }
awk '{split($1, a, "-"); print $1, a[1]}' "$data/wav.scp" > "$data/utt2spk"
utils/utt2spk_to_spk2utt.pl "$data/utt2spk" > "$data/spk2utt"

dirs="${trials_dir:-$root $root/meta}"
found=0
for pair in O:veri_test2.txt E:list_test_all2.txt H:list_test_hard2.txt; do
  name=${pair%%:*}; list=${pair#*:}; src=
  for d in $dirs; do [ -f "$d/$list" ] && { src=$d/$list; break; }; done
  if [ -z "$src" ]; then
    echo "$0: WARNING: $list not found in $dirs: no Vox1-$name trials" >&2
    rm -f "$data/trials_$name"; continue
  fi
  utils/make_trials.py vox2kaldi "$src" "$data/trials_$name"
  missing=$(awk 'NR == FNR { have[$1] = 1; next } !($1 in have) || !($2 in have)' \
              "$data/utt2spk" "$data/trials_$name" | wc -l)
  [ "$missing" -eq 0 ] || echo "$0: WARNING: $missing of $(wc -l < "$data/trials_$name") Vox1-$name trials name utterances not in $data" >&2
  echo "$0: Vox1-$name: $(wc -l < "$data/trials_$name") trials from $src"
  found=$((found + 1))
done
[ $found -gt 0 ] || { echo "$0: none of veri_test2.txt, list_test_all2.txt, list_test_hard2.txt found" >&2; exit 1; }
utils/validate_data_dir.sh --no-feats "$data"
echo "$0: $(wc -l < "$data/utt2spk") utterances of $(wc -l < "$data/spk2utt") speakers in $data"
