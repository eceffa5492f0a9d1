# lib/data-dir.sh: shared pieces of the data-directory scripts (sourced, not run).
# Which files of a Kaldi data dir are keyed by what, and a function copying a filtered subset of a dir.

# Keyed by utterance (wav.scp, reco2dur are keyed by recording when a segments file exists).
data_utt_files="utt2spk segments feats.scp vad.scp text utt2dur utt2num_frames utt2lang utt2uniq utt2warp utt2gender"
data_spk_files="spk2gender cmvn.scp spk2warp"
data_reco_files="wav.scp reco2dur reco2file_and_channel"

export LC_ALL=C
data_utils_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# data_filter_dir <src> <dest> <utt-list>: writes <dest> holding the utterances of <src> listed (first field)
# in <utt-list>, with every per-utterance, per-speaker and per-recording file filtered and spk2utt rebuilt.
data_filter_dir() {
  local src=$1 dest=$2 list=$3 f u=$data_utils_dir
  mkdir -p "$dest"
  for f in $data_utt_files; do
    [ -f "$src/$f" ] && "$u/filter_scp.pl" "$list" "$src/$f" > "$dest/$f"
  done
  "$u/utt2spk_to_spk2utt.pl" "$dest/utt2spk" > "$dest/spk2utt"
  for f in $data_spk_files; do
    [ -f "$src/$f" ] && "$u/filter_scp.pl" "$dest/spk2utt" "$src/$f" > "$dest/$f"
  done
  for f in $data_reco_files; do
    [ -f "$src/$f" ] || continue
    if [ -f "$src/segments" ]; then
      awk '{print $2}' "$dest/segments" | sort -u | "$u/filter_scp.pl" /dev/stdin "$src/$f" > "$dest/$f"
    else
      "$u/filter_scp.pl" "$list" "$src/$f" > "$dest/$f"
    fi
  done
  return 0
}
