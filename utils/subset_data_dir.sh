#!/usr/bin/env bash
# subset_data_dir.sh: writes a data dir holding part of another one's utterances:
#   subset_data_dir.sh --utt-list <file> <src> <dest>    the listed utterances (first field of each line)
#   subset_data_dir.sh --spk-list <file> <src> <dest>    all utterances of the listed speakers
#   subset_data_dir.sh [--seed S] <src> <N> <dest>       N utterances picked at random (reproducible by seed)
#   subset_data_dir.sh --first|--last <src> <N> <dest>   the first / last N utterances
#   subset_data_dir.sh --per-spk <src> <N> <dest>        the first N utterances of each speaker
set -euo pipefail
utt_list=
spk_list=
seed=777
mode=random
help_message="Usage: $0 [--utt-list <f> | --spk-list <f>] <src-data-dir> <dest-data-dir>
       $0 [--seed S | --first | --last | --per-spk] <src-data-dir> <N> <dest-data-dir>
 e.g.: $0 data/train 1000 data/train_1k"
args=()
for a in "$@"; do case $a in --first|--last|--per-spk) mode=${a#--};; *) args+=("$a");; esac; done
set -- "${args[@]+"${args[@]}"}"
. "$(dirname "$0")/parse_options.sh"
. "$(dirname "$0")/lib/data-dir.sh"
u=$(dirname "$0")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if [ -n "$utt_list$spk_list" ]; then
  [ $# -eq 2 ] || { printf '%s\n' "$help_message" >&2; exit 1; }
  src=$1; dest=$2
  if [ -n "$utt_list" ]; then
    "$u/filter_scp.pl" "$utt_list" "$src/utt2spk" > "$tmp/list"
  else
    "$u/filter_scp.pl" -f 2 "$spk_list" "$src/utt2spk" > "$tmp/list"
  fi
else
  [ $# -eq 3 ] || { printf '%s\n' "$help_message" >&2; exit 1; }
  src=$1; n=$2; dest=$3
  [[ $n =~ ^[0-9]+$ ]] || { echo "$0: bad number of utterances '$n'" >&2; exit 1; }
  [ -f "$src/utt2spk" ] || { echo "$0: no such file $src/utt2spk" >&2; exit 1; }
  total=$(wc -l < "$src/utt2spk")
  [ $mode = per-spk ] || [ $n -le $total ] || { echo "$0: asked for $n utterances, $src has $total" >&2; exit 1; }
  case $mode in
    first) head -n $n "$src/utt2spk" > "$tmp/list" ;;
    last) tail -n $n "$src/utt2spk" > "$tmp/list" ;;
    per-spk) awk -v n=$n '++c[$2] <= n' "$src/utt2spk" > "$tmp/list" ;;
    random) perl -e 'srand($ARGV[0]); my @l = <STDIN>;
                     for (my $i = $#l; $i > 0; $i--) { my $j = int(rand($i + 1)); @l[$i, $j] = @l[$j, $i]; }
                     print @l[0 .. $ARGV[1] - 1] if $ARGV[1] > 0;' $seed $n < "$src/utt2spk" | sort -k1,1 > "$tmp/list" ;;
  esac
fi
[ "$(cd "$src" && pwd)" != "$(mkdir -p "$dest" && cd "$dest" && pwd)" ] || { echo "$0: source and destination are the same" >&2; exit 1; }
[ -s "$tmp/list" ] || { echo "$0: no utterances selected from $src" >&2; exit 1; }
data_filter_dir "$src" "$dest" "$tmp/list"
echo "$0: wrote $(wc -l < "$dest/utt2spk") utterances of $(wc -l < "$dest/spk2utt") speakers to $dest"
