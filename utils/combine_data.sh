#!/usr/bin/env bash
# combine_data.sh: joins data dirs into one: each file present in every source is concatenated and sorted
# (a file missing from some sources is left out, with a warning), spk2utt is rebuilt. Utterance ids must
# be unique across the sources; recordings and speakers may be shared.
set -euo pipefail
help_message="Usage: $0 <dest-data-dir> <src-data-dir1> <src-data-dir2> ...
 e.g.: $0 data/train data/train_clean data/train_reverb"
. "$(dirname "$0")/parse_options.sh"
[ $# -ge 2 ] || { printf '%s\n' "$help_message" >&2; exit 1; }
dest=$1; shift
. "$(dirname "$0")/lib/data-dir.sh"
u=$(dirname "$0")
for src in "$@"; do
  [ -f "$src/utt2spk" ] || { echo "$0: no such file $src/utt2spk" >&2; exit 1; }
  [ "$(cd "$src" && pwd)" != "$(mkdir -p "$dest" && cd "$dest" && pwd)" ] || { echo "$0: destination $dest is also a source" >&2; exit 1; }
done
mkdir -p "$dest"
for f in $data_utt_files $data_spk_files $data_reco_files; do
  rm -f "$dest/$f"
  have=0
  for src in "$@"; do [ -f "$src/$f" ] && have=$((have + 1)); done
  [ $have -eq 0 ] && continue
  if [ $have -lt $# ]; then
    [ $f = segments ] && { echo "$0: segments present in only some sources" >&2; exit 1; }
    echo "$0: WARNING: $f is missing from some source dirs; not combining it" >&2
    continue
  fi
  for src in "$@"; do cat "$src/$f"; done | sort -k1,1 > "$dest/$f"
  case " $data_spk_files $data_reco_files " in *" $f "*) sort -u -o "$dest/$f" "$dest/$f";; esac
done
dup=$(awk '{print $1}' "$dest/utt2spk" | uniq -d | head -1)
[ -z "$dup" ] || { echo "$0: utterance $dup appears in more than one source" >&2; exit 1; }
for f in $data_spk_files $data_reco_files; do
  [ -f "$dest/$f" ] || continue
  dup=$(awk '{print $1}' "$dest/$f" | uniq -d | head -1)
  [ -z "$dup" ] || { echo "$0: key $dup has different lines in the sources' $f" >&2; exit 1; }
done
"$u/utt2spk_to_spk2utt.pl" "$dest/utt2spk" | sort -k1,1 > "$dest/spk2utt"
echo "$0: combined $(wc -l < "$dest/utt2spk") utterances of $# data dirs into $dest"
