#!/usr/bin/env bash
# fix_data_dir.sh: makes a data dir consistent: sorts every file (first occurrence of a duplicated key
# kept), keeps only utterances present in every per-utterance file (and whose recording is in wav.scp
# when there is a segments file), filters speaker and recording files, rebuilds spk2utt (and utt2spk if
# only spk2utt exists). The original files go to <data>/.backup. Prints "kept N utterances out of M".
set -euo pipefail
help_message="Usage: $0 <data-dir>
 e.g.: $0 data/train"
. "$(dirname "$0")/parse_options.sh"
[ $# -eq 1 ] || { printf '%s\n' "$help_message" >&2; exit 1; }
data=$1
. "$(dirname "$0")/lib/data-dir.sh"
u=$(dirname "$0")
[ -d "$data" ] || { echo "$0: no such directory $data" >&2; exit 1; }
if [ ! -f "$data/utt2spk" ]; then
  [ -f "$data/spk2utt" ] || { echo "$0: $data has neither utt2spk nor spk2utt" >&2; exit 1; }
  "$u/spk2utt_to_utt2spk.pl" "$data/spk2utt" > "$data/utt2spk"
fi
mkdir -p "$data/.backup"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# Sorted by key, one line per key.
sort_file() { awk '!seen[$1]++' "$1" | sort -k1,1 > "$tmp/sorted" && cat "$tmp/sorted" > "$1"; }
for f in $data_utt_files $data_spk_files $data_reco_files spk2utt; do
  [ -f "$data/$f" ] && cp "$data/$f" "$data/.backup/$f"
done
for f in $data_utt_files $data_spk_files $data_reco_files; do [ -f "$data/$f" ] && sort_file "$data/$f"; done
total=$(wc -l < "$data/utt2spk")

awk '{print $1}' "$data/utt2spk" > "$tmp/utts"
for f in $data_utt_files; do
  [ -f "$data/$f" ] || continue
  "$u/filter_scp.pl" "$data/$f" "$tmp/utts" > "$tmp/utts.new"; mv "$tmp/utts.new" "$tmp/utts"
done
if [ -f "$data/segments" ]; then
  [ -f "$data/wav.scp" ] && "$u/filter_scp.pl" -f 2 "$data/wav.scp" "$data/segments" | awk '{print $1}' \
    | "$u/filter_scp.pl" /dev/stdin "$tmp/utts" > "$tmp/utts.new" && mv "$tmp/utts.new" "$tmp/utts"
elif [ -f "$data/wav.scp" ]; then
  "$u/filter_scp.pl" "$data/wav.scp" "$tmp/utts" > "$tmp/utts.new"; mv "$tmp/utts.new" "$tmp/utts"
fi
data_filter_dir "$data" "$tmp/out" "$tmp/utts"
for f in $data_utt_files $data_spk_files $data_reco_files spk2utt; do
  [ -f "$tmp/out/$f" ] && cp "$tmp/out/$f" "$data/$f"
done
kept=$(wc -l < "$data/utt2spk")
echo "$0: kept $kept utterances out of $total"
[ "$kept" -gt 0 ] || { echo "$0: no utterances left in $data" >&2; exit 1; }
