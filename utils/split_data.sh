#!/usr/bin/env bash
# split_data.sh: splits a data dir into N parts for parallel jobs: <data>/splitN/{1..N}, each a data dir,
# by whole speakers (a speaker's utterances stay in one part; parts balanced by utterance count), or by
# utterances with --per-utt (<data>/splitNutt/{1..N}). A split newer than the data dir's files is reused.
set -euo pipefail
per_utt=false
help_message="Usage: $0 [--per-utt] <data-dir> <num-to-split>
 e.g.: $0 data/train 4   (writes data/train/split4/{1,2,3,4})"
[ "${1:-}" = --per-utt ] && { per_utt=true; shift; }
. "$(dirname "$0")/parse_options.sh"
[ $# -eq 2 ] || { printf '%s\n' "$help_message" >&2; exit 1; }
data=$1; n=$2
. "$(dirname "$0")/lib/data-dir.sh"
[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "$0: bad number of parts '$n'" >&2; exit 1; }
[ -f "$data/utt2spk" ] || { echo "$0: no such file $data/utt2spk" >&2; exit 1; }
if $per_utt; then dir=$data/split${n}utt; else dir=$data/split$n; fi

# Reuse an existing split when nothing in the data dir changed after it.
if [ -f "$dir/.done" ]; then
  fresh=true
  for f in $data_utt_files $data_spk_files $data_reco_files spk2utt; do
    [ -f "$data/$f" ] && [ "$data/$f" -nt "$dir/.done" ] && fresh=false
  done
  $fresh && exit 0
fi
rm -rf "$dir"
mkdir -p "$dir"
outs=()
for i in $(seq $n); do mkdir -p "$dir/$i"; outs+=("$dir/$i/utt2spk.list"); done
if $per_utt; then
  "$(dirname "$0")/split_scp.pl" "$data/utt2spk" "${outs[@]}"
else
  nspk=$(awk '{print $2}' "$data/utt2spk" | sort -u | wc -l)
  [ $nspk -ge $n ] || { echo "$0: $data has $nspk speakers, cannot split by speaker into $n parts (use --per-utt)" >&2; exit 1; }
  "$(dirname "$0")/split_scp.pl" --utt2spk "$data/utt2spk" "$data/utt2spk" "${outs[@]}"
fi
for i in $(seq $n); do
  data_filter_dir "$data" "$dir/$i" "$dir/$i/utt2spk.list"
  rm "$dir/$i/utt2spk.list"
done
touch "$dir/.done"
