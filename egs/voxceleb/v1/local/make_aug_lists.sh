#!/usr/bin/env bash
# make_aug_lists.sh: wav.scp-style lists of MUSAN and RIRS_NOISES for wav-augment, and a wav-augment
# config using them (the reference's augmentations, one drawn per utterance; "none" is left out since
# the clean copy is kept beside the augmented one):
#   <musan-root>/noise/**/*.wav  -> <dir>/noise.scp   (noise, SNR 0-15 dB)
#   <musan-root>/music/**/*.wav  -> <dir>/music.scp   (music, SNR 5-15 dB)
#   <musan-root>/speech/**/*.wav -> <dir>/speech.scp  (babble of 3-7 files, SNR 13-20 dB)
#   <rirs-root>/simulated_rirs/{smallroom,mediumroom}/**/*.wav -> <dir>/rirs.scp (reverb; the
#     reference uses the small and medium simulated rooms)
# plus tempo up (1.1, 1.2), tempo down (0.8, 0.9) and compand. Either root may be empty or absent:
# its augmentations are then left out; if both are, nothing is written and the exit status is 2.
set -euo pipefail
musan_root=
rirs_root=
seed=0
help_message="Usage: $0 [--musan-root <dir>] [--rirs-root <dir>] [--seed N] <out-dir>
 e.g.: $0 --musan-root /export/corpora/musan --rirs-root /export/corpora/RIRS_NOISES data/aug"
. utils/parse_options.sh
[ $# -eq 1 ] || { printf '%s\n' "$help_message" >&2; exit 1; }
dir=$1
export LC_ALL=C
# list <out.scp> <dir>...: "key path" for each .wav under the dirs; key = the path below the root.
list() {
  local out=$1; shift
  for d in "$@"; do [ -d "$d" ] && find -L "$(cd "$d" && pwd)" -name '*.wav'; done | sort | \
    awk -v r="$root_abs/" '{k = $0; if (index(k, r) == 1) k = substr(k, length(r) + 1)
                             gsub("/", "_", k); sub(/\.wav$/, "", k); print k, $0}' > "$out"
  [ -s "$out" ] || { echo "$0: WARNING: no .wav files under $*" >&2; rm -f "$out"; }
}
mkdir -p "$dir"
choices=()
opts=()
if [ -n "$musan_root" ] && [ -d "$musan_root" ]; then
  root_abs=$(cd "$musan_root" && pwd)
  list "$dir/noise.scp" "$musan_root/noise"
  list "$dir/music.scp" "$musan_root/music"
  list "$dir/speech.scp" "$musan_root/speech"
  [ -f "$dir/noise.scp" ] && { choices+=(noise); opts+=("--noise-list=$(cd "$dir" && pwd)/noise.scp"); }
  [ -f "$dir/music.scp" ] && { choices+=(music); opts+=("--music-list=$(cd "$dir" && pwd)/music.scp"); }
  [ -f "$dir/speech.scp" ] && { choices+=(babble); opts+=("--babble-list=$(cd "$dir" && pwd)/speech.scp"); }
elif [ -n "$musan_root" ]; then
  echo "$0: WARNING: MUSAN root $musan_root not found: no noise/music/babble" >&2
fi
if [ -n "$rirs_root" ] && [ -d "$rirs_root" ]; then
  root_abs=$(cd "$rirs_root" && pwd)
  list "$dir/rirs.scp" "$rirs_root/simulated_rirs/smallroom" "$rirs_root/simulated_rirs/mediumroom"
  [ -f "$dir/rirs.scp" ] && { choices+=(reverb); opts+=("--rir-list=$(cd "$dir" && pwd)/rirs.scp"); }
elif [ -n "$rirs_root" ]; then
  echo "$0: WARNING: RIRS_NOISES root $rirs_root not found: no reverberation" >&2
fi
if [ ${#choices[@]} -eq 0 ]; then
  echo "$0: no MUSAN or RIR files: no augmentation" >&2
  rm -f "$dir/wav-augment.conf"; exit 2
fi
choices+=(tempo-up tempo-down compand)
{
  echo "# wav-augment options written by $0"
  printf -- '--aug-choices=%s\n' "$(IFS=,; echo "${choices[*]}")"
  printf -- '%s\n' "${opts[@]}"
  echo "--seed=$seed"
} > "$dir/wav-augment.conf"
echo "$0: augmentations ${choices[*]} -> $dir/wav-augment.conf"
for f in noise music speech rirs; do [ -f "$dir/$f.scp" ] && echo "  $f: $(wc -l < "$dir/$f.scp") files"; done
exit 0
