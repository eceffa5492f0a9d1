#!/usr/bin/env bash
# Archive binaries on real Kaldi archives (testdata/kaldi-archives, golden/): every archive read
# and written back byte-identically where Kaldi does; binary -> text -> binary through pipes;
# ark,scp then scp: gives the same data; feat-to-len / feat-to-dim reproduce Kaldi's output.
set -eu
ROOT=${TDNAS_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export PATH="$ROOT/bin:$PATH"
SHARED=${TDNAS_SHARED:-$ROOT/../shared}
K=$SHARED/testdata/kaldi-archives
G=$SHARED/testdata/golden
tmp=$(mktemp -d /tmp/util-archives.XXXXXX); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "FAIL: $*" >&2; exit 1; }
same() { cmp -s "$1" "$2" || fail "$3: $1 differs from $2"; echo "ok   $3"; }
q() { "$@" 2>>"$tmp/log" || fail "command failed: $* ($(tail -3 "$tmp/log"))"; }

# Byte-identical rewrites (checked against real Kaldi, see the archives' README).
q copy-vector ark:$K/conf_ascii.ark ark:conf.ark;          same conf.ark $K/conf.ark "copy-vector text -> binary"
q copy-vector ark:$K/conf.ark ark,t:conf_ascii.ark;        same conf_ascii.ark $K/conf_ascii.ark "copy-vector binary -> text"
q copy-int-vector ark:$K/ali_ascii.ark ark:ali.ark;        same ali.ark $K/ali.ark "copy-int-vector text -> binary"
q copy-int-vector ark:$K/ali.ark ark,t:ali_ascii.ark;      same ali_ascii.ark $K/ali_ascii.ark "copy-int-vector binary -> text"
q copy-feats ark:$K/feats.ark ark:feats.ark;               same feats.ark $K/feats.ark "copy-feats binary"
q copy-matrix ark:$K/feats.ark ark:feats_m.ark;            same feats_m.ark $K/feats.ark "copy-matrix binary"
copy-feats ark:$K/feats.ark ark,t:- 2>/dev/null | head -c $(stat -c %s $K/feats_ascii.ark) > feats_ascii.ark
same feats_ascii.ark $K/feats_ascii.ark "copy-feats binary -> text (first two utterances)"
q copy-feats ark:$K/feats_compressed.ark ark:decomp.ark;   same decomp.ark $K/feats.ark "copy-feats decompress CM"
q copy-feats --compress=true ark:$K/feats.ark ark:comp.ark; same comp.ark $K/feats_compressed.ark "copy-feats --compress=true"
q copy-feats ark:$G/fbank_80_compressed.ark ark:fb_dec.ark; same fb_dec.ark $G/fbank_80_compressed_decoded.ark "copy-feats decompress CM/CM2/empty"
q copy-feats --compress=true ark:$G/fbank_80.ark ark:fb_comp.ark; same fb_comp.ark $G/fbank_80_compressed.ark "copy-feats --compress=true (fbank 80)"

# scp with byte offsets; scp with ranges (Kaldi reads lines 1-4 and rejects line 5).
(cd $K && copy-vector scp:conf.local.scp ark:-) 2>>log > conf_scp.ark; same conf_scp.ark $K/conf.ark "copy-vector scp:conf.scp"
(cd $K && head -n 4 feats_ascii.local.scp | copy-feats scp:- ark,t:-) 2>>log > ranges.txt
[ "$(grep -c '\[' ranges.txt)" = 4 ] || fail "scp ranges: expected 4 matrices"
[ "$(feat-to-len "ark:$ROOT/bin/copy-feats ark,t:ranges.txt ark:- |" ark,t:- 2>>log | awk '{printf "%s,", $2}')" = "285,199,199,6," ] \
  || fail "scp ranges: wrong lengths"
echo "ok   scp ranges [:] and [0:5]"
if (cd $K && copy-feats scp:feats_ascii.local.scp ark:/dev/null) 2>err.txt; then fail "[:,7:13] accepted"; fi
grep -q 'ERROR.*Invalid range specifier: :,7:13 for matrix of size 199x13' err.txt || fail "range error text"
echo "ok   [:,7:13] rejected as by Kaldi"

# Round trips binary -> text -> binary through pipes (float text loses bits once; then stable).
q copy-feats "ark:cat $K/feats.ark |" "ark,t:| gzip -c > t.gz"
gunzip -c t.gz > t1.txt
copy-feats "ark:gunzip -c t.gz |" ark:- 2>>log | copy-feats ark:- ark,t:t2.txt 2>>log || fail "text -> binary -> text pipes"
same t2.txt t1.txt "text -> binary -> text is stable"
copy-vector ark:$K/conf.ark ark,t:- 2>>log | copy-vector ark:- ark:- 2>>log | cmp -s - $K/conf.ark || fail "conf pipe round trip"
copy-int-vector "ark:cat $K/ali.ark |" ark,t:- 2>>log | copy-int-vector ark:- "ark:| cat > ali2.ark" 2>>log
same ali2.ark $K/ali.ark "ali binary -> text -> binary through pipes"
echo "ok   pipes: binary -> text -> binary"

# ark,scp then scp: reads the same data (binary and text), random access through scp.
q copy-feats ark:$K/feats.ark ark,scp:x.ark,x.scp
same x.ark $K/feats.ark "ark,scp: archive identical"
head -1 x.scp | grep -q '^AMI_ES2011a_H00_FEE041_0003427_0003714 x.ark:39$' || fail "scp offset line: $(head -1 x.scp)"
q copy-feats scp:x.scp ark:y.ark;                          same y.ark $K/feats.ark "scp: reads the same"
q copy-feats ark:$K/feats.ark ark,scp,t:xt.ark,xt.scp
q copy-feats scp:xt.scp ark,t:yt.ark;                       same yt.ark xt.ark "text ark,scp then scp:"
q copy-feats --compress=true ark:$K/feats.ark ark,scp:c.ark,c.scp
q copy-feats scp:c.scp ark:cd.ark;                          same cd.ark $K/feats.ark "compressed ark,scp then scp:"
q copy-feats ark:$K/feats.ark ark,t,f:- | copy-feats ark:- ark:- 2>>log | cmp -s - <(copy-feats ark,t:$K/feats.ark ark,t:- 2>/dev/null | copy-feats ark:- ark:- 2>/dev/null) \
  || fail "flush option"

# --write-num-frames, feat-to-len, feat-to-dim.
q copy-feats --write-num-frames=ark,t:n.txt ark:$G/fbank_80.ark ark:/dev/null
same n.txt $G/feat_to_len_80.out "copy-feats --write-num-frames"
q feat-to-len ark:$G/fbank_80.ark ark,t:len.txt;            same len.txt $G/feat_to_len_80.out "feat-to-len (golden)"
q feat-to-len ark:$G/fbank_80_hamming_nosnip_energy.ark ark,t:len2.txt; same len2.txt $G/feat_to_len_80_nosnip.out "feat-to-len nosnip (golden)"
q feat-to-dim ark:$G/fbank_80.ark - > dim.txt;               same dim.txt $G/feat_to_dim_80.out "feat-to-dim (golden)"
q feat-to-dim ark:$G/fbank_default.ark - > dim23.txt;        same dim23.txt $G/feat_to_dim_default.out "feat-to-dim 23 (golden)"
[ "$(feat-to-len ark:$G/fbank_80.ark 2>>log)" = "$(awk '{s+=$2} END {print s}' $G/feat_to_len_80.out)" ] || fail "feat-to-len total"
[ "$(feat-to-dim ark:$K/feats.ark ark,t:- 2>>log | awk '{print $2}' | sort -u)" = 13 ] || fail "feat-to-dim per utterance"
echo "ok   feat-to-len total, feat-to-dim per utterance"

# Single-object (non-table) mode.
q copy-feats --binary=false "$K/feats.ark:39" one.txt
q copy-matrix one.txt one.mat
q copy-matrix --binary=false one.mat - | cmp -s - one.txt || fail "copy-matrix single file round trip"
echo "ok   single-file mode"
echo "all archive checks passed"
