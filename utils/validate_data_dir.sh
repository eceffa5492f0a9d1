#!/usr/bin/env bash
# validate_data_dir.sh: checks a Kaldi data dir and names the file and line of the first problem found:
# every file sorted with unique keys under LC_ALL=C, no empty lines, the right number of fields,
# spk2utt matching utt2spk, wav.scp (or segments), feats.scp and the other per-utterance files having
# exactly the utterances of utt2spk, segments pointing at recordings of wav.scp, per-speaker files
# matching the speakers. Speaker ids that are not prefixes of their utterance ids only get a warning.
# wav.scp and feats.scp must exist unless --no-wav / --no-feats (which also skip their checks); text is
# checked when present unless --no-text. Prints "Successfully validated data-directory <dir>".
set -euo pipefail
no_feats=false
no_wav=false
no_text=false
help_message="Usage: $0 [--no-feats] [--no-wav] [--no-text] <data-dir>
 e.g.: $0 --no-feats data/train"
# The flags take no value (Kaldi's style): turn them into --x true for parse_options.sh.
args=()
for a in "$@"; do case $a in --no-feats|--no-wav|--no-text) args+=("$a" true);; *) args+=("$a");; esac; done
set -- "${args[@]+"${args[@]}"}"
. "$(dirname "$0")/parse_options.sh"
[ $# -eq 1 ] || { printf '%s\n' "$help_message" >&2; exit 1; }
data=$1
. "$(dirname "$0")/lib/data-dir.sh"
u=$(dirname "$0")
err() { echo "$0: ERROR: $*" >&2; exit 1; }
[ -d "$data" ] || err "no such directory $data"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# check_file <file> <min-fields> <max-fields or 0 for any>: sorted unique keys, no empty lines, field counts.
check_file() {
  awk -v f="$1" -v lo=$2 -v hi=$3 '
    NF == 0 { printf "%s line %d is empty\n", f, NR; bad = 1; exit }
    NF < lo || (hi > 0 && NF > hi) {
      printf "%s line %d has %d fields, expected %s: %s\n", f, NR, NF, (hi == lo ? lo : (hi > 0 ? lo "-" hi : "at least " lo)), $0; bad = 1; exit }
    NR > 1 && ($1 "") == (prev "") { printf "%s line %d repeats the key %s of line %d\n", f, NR, $1, NR - 1; bad = 1; exit }
    NR > 1 && ($1 "") < (prev "") {
      printf "%s is not sorted (LC_ALL=C sort -k1,1): line %d (key %s) comes after line %d (key %s); run utils/fix_data_dir.sh\n", f, NR, $1, NR - 1, prev; bad = 1; exit }
    { prev = $1 }
    END { if (!bad && NR == 0) { printf "%s is empty\n", f; bad = 1 } exit bad }' "$1" > "$tmp/msg" || err "$(cat "$tmp/msg")"
}

# same_keys <file-a> <file-b> [<field-of-b>]: every key of a is in b (field 1, or the given field), and back.
same_keys() {
  local a=$1 b=$2 fb=${3:-1}
  awk -v a="$a" -v b="$b" -v fb=$fb '
    FILENAME == b { if (!($fb in inb)) inb[$fb] = FNR; next }
    { ina[$1] = 1; if (!($1 in inb)) { printf "key %s in %s (line %d) is not in %s\n", $1, a, FNR, b; bad = 1; exit } }
    END { if (bad) exit 1
          for (k in inb) if (!(k in ina)) { printf "key %s in %s (line %d) is not in %s\n", k, b, inb[k], a; exit 1 } }' \
    "$b" "$a" > "$tmp/msg" || err "$(cat "$tmp/msg")"
}

[ -f "$data/utt2spk" ] || err "no such file $data/utt2spk"
[ -f "$data/spk2utt" ] || err "no such file $data/spk2utt (make it with utils/utt2spk_to_spk2utt.pl)"
check_file "$data/utt2spk" 2 2
check_file "$data/spk2utt" 2 0
"$u/utt2spk_to_spk2utt.pl" "$data/utt2spk" | sort -k1,1 > "$tmp/spk2utt"
if ! cmp -s "$tmp/spk2utt" "$data/spk2utt"; then
  line=$(cmp "$tmp/spk2utt" "$data/spk2utt" 2>&1 | sed -n 's/.* line \([0-9]*\).*/\1/p' || true)
  [ -n "$line" ] || line=$(( $(wc -l < "$tmp/spk2utt") + 1 ))
  err "$data/spk2utt does not match $data/utt2spk at line $line ($(sed -n ${line}p "$data/spk2utt" | cut -c1-80)); expected: $(sed -n ${line}p "$tmp/spk2utt" | cut -c1-80)"
fi
awk 'index($1, $2) != 1 { printf "%d %s\n", NR, $0; exit }' "$data/utt2spk" > "$tmp/prefix"
[ -s "$tmp/prefix" ] && echo "$0: WARNING: speaker ids are not prefixes of utterance ids (line $(cut -d' ' -f1 "$tmp/prefix") of $data/utt2spk: $(cut -d' ' -f2- "$tmp/prefix")); sorting by utterance will not group speakers" >&2

if ! $no_wav; then
  [ -f "$data/wav.scp" ] || err "no such file $data/wav.scp (if this is intended, use --no-wav)"
  check_file "$data/wav.scp" 2 0
  if [ -f "$data/segments" ]; then
    check_file "$data/segments" 4 4
    same_keys "$data/segments" "$data/utt2spk"
    awk -v f="$data/segments" '!($4 == -1 || $4 + 0 > $3 + 0) || $3 < 0 { printf "%s line %d has bad times: %s\n", f, NR, $0; exit 1 }' \
      "$data/segments" > "$tmp/msg" || err "$(cat "$tmp/msg")"
    awk -v f="$data/segments" -v w="$data/wav.scp" 'FILENAME == w { r[$1] = 1; next }
      !($2 in r) { printf "recording %s of %s line %d is not in %s\n", $2, f, FNR, w; exit 1 }' \
      "$data/wav.scp" "$data/segments" > "$tmp/msg" || err "$(cat "$tmp/msg")"
  else
    same_keys "$data/wav.scp" "$data/utt2spk"
  fi
  for f in reco2dur reco2file_and_channel; do
    [ -f "$data/$f" ] && { check_file "$data/$f" 2 0; same_keys "$data/$f" "$data/wav.scp"; }
  done
fi
if ! $no_feats; then
  [ -f "$data/feats.scp" ] || err "no such file $data/feats.scp (if this is intended, use --no-feats)"
  check_file "$data/feats.scp" 2 2
  same_keys "$data/feats.scp" "$data/utt2spk"
fi
if ! $no_text && [ -f "$data/text" ]; then
  check_file "$data/text" 1 0
  same_keys "$data/text" "$data/utt2spk"
fi
for f in vad.scp utt2dur utt2num_frames utt2lang utt2uniq utt2warp utt2gender; do
  [ -f "$data/$f" ] || continue
  $no_feats && [ $f = vad.scp ] && continue
  check_file "$data/$f" 2 2
  same_keys "$data/$f" "$data/utt2spk"
done
for f in utt2dur utt2num_frames; do
  [ -f "$data/$f" ] && { awk -v f="$data/$f" '!($2 ~ /^[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$/) { printf "%s line %d: bad number %s\n", f, NR, $2; exit 1 }' "$data/$f" > "$tmp/msg" || err "$(cat "$tmp/msg")"; }
done
for f in spk2gender cmvn.scp spk2warp; do
  [ -f "$data/$f" ] || continue
  check_file "$data/$f" 2 2
  same_keys "$data/$f" "$data/spk2utt"
done
echo "Successfully validated data-directory $data"
