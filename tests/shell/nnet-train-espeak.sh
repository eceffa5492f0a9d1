#!/usr/bin/env bash
# End to end on synthetic speakers made now with espeak-ng (spec data.md section 2): a tiny
# static EfficientTDNN (2-64-64-64-3-3-3-128) trained with nnet-train-supernet on 16 speakers;
# the loss must fall, the accuracy rise, and the EER of 8 held-out speakers (voices no training
# speaker uses) from nnet-extract-embeddings must be far below chance and below the untrained
# network's. Then nnet-eval-eer's other paths: AS-Norm with a cohort, a scores file giving the
# same EER as the embeddings, several --p-target values, missing trial keys (ERROR, or skipped
# and counted under --permissive), and batch independence of embeddings (an utterance alone
# gets the same bits as in a full archive).
set -euo pipefail
source "$(dirname "$0")/nnet-train-common.bash"
need_tools
tmp=$(mktemp -d /tmp/nnet-train-espeak.XXXXXX); trap 'rm -rf "$tmp"' EXIT
make_espeak_data "$tmp/d" 16 8 10
d=$tmp/d
nnet-init-supernet --num-speakers=16 --subnet=2-64-64-64-3-3-3-128 --seed=1 "$tmp/init.mdl" 2>/dev/null
nnet-extract-embeddings "$tmp/init.mdl" ark:$d/test/feats.ark ark:$tmp/e0.ark 2>/dev/null
eer0=$(eer_of "$(nnet-eval-eer $d/test/trials ark:$tmp/e0.ark 2>/dev/null)")
nnet-train-supernet --num-threads=2 --batch-size=32 --crop-frames=200 --num-epochs=12 \
  --lr=0.01 --lr-min=0.001 --cycle-steps=30 --log-every=5 \
  "$tmp/init.mdl" ark:$d/train/feats.ark ark:$d/train/utt2spk "$tmp/final.mdl" 2>"$tmp/train.log" \
  || { tail "$tmp/train.log"; fail "training"; }
grep -q "step 60/60" "$tmp/train.log" || fail "no progress line for the last step"
grep -q "ETA" "$tmp/train.log" || fail "no ETA in progress lines"
first=$(grep -m1 'epoch 1/12 done' "$tmp/train.log" | sed 's/.*loss \([0-9.]*\), acc \([0-9.]*\)%.*/\1 \2/')
last=$(grep 'epoch 12/12 done' "$tmp/train.log" | sed 's/.*loss \([0-9.]*\), acc \([0-9.]*\)%.*/\1 \2/')
echo "epoch 1: loss/acc $first; epoch 12: $last"
awk -v a="$first" -v b="$last" 'BEGIN {split(a, x, " "); split(b, y, " ");
  exit !(y[1] < 0.5 * x[1] && y[2] > x[2] + 40)}' || fail "loss did not fall / accuracy did not rise: $first -> $last"
nnet-info "$tmp/final.mdl" 2>/dev/null | grep -q "num-speakers 16 (spk00 .. spk15)" || fail "speakers not stored"
nnet-extract-embeddings "$tmp/final.mdl" ark:$d/test/feats.ark ark,scp:$tmp/e1.ark,$tmp/e1.scp 2>/dev/null
line=$(nnet-eval-eer --p-target=0.01,0.001 $d/test/trials scp:$tmp/e1.scp 2>/dev/null)
echo "untrained EER $eer0%; trained: $line"
[[ $line =~ ^eer=[0-9.]+\ mindcf@0.01=[0-9.]+\ mindcf@0.001=[0-9.]+\ trials=3160\ targets=360\ nontargets=2800$ ]] \
  || fail "unexpected nnet-eval-eer line: $line"
eer1=$(eer_of "$line")
awk -v a="$eer1" -v b="$eer0" 'BEGIN {exit !(a < 15 && a < b - 5)}' || fail "held-out EER $eer1% (untrained $eer0%)"

# AS-Norm with the training utterances as cohort.
nnet-extract-embeddings "$tmp/final.mdl" ark:$d/train/feats.ark ark:$tmp/cohort.ark 2>/dev/null
as=$(nnet-eval-eer --cohort-rspecifier=ark:$tmp/cohort.ark --asnorm-top=50 $d/test/trials ark:$tmp/e1.ark 2>/dev/null)
echo "AS-Norm: $as"
[[ $as =~ ^eer=[0-9.]+\ mindcf@0.01= ]] || fail "AS-Norm line: $as"

# Scores file path: cosine scores computed independently in Python give the same EER.
/usr/bin/python3 - "$tmp/e1.ark" $d/test/trials > "$tmp/scores" <<'PY'
import sys, struct, math
data = open(sys.argv[1], 'rb').read(); i = 0; emb = {}
while i < len(data):
    j = data.index(b' ', i); key = data[i:j].decode(); i = j + 1
    assert data[i:i+5] == b'\0BFV ', data[i:i+5]; n = struct.unpack('<i', data[i+6:i+10])[0]; i += 10
    emb[key] = struct.unpack('<%df' % n, data[i:i+4*n]); i += 4 * n
for line in open(sys.argv[2]):
    e, t, _ = line.split(); a, b = emb[e], emb[t]
    s = sum(x*y for x, y in zip(a, b)) / math.sqrt(sum(x*x for x in a) * sum(y*y for y in b))
    print(e, t, '%.6f' % s)
PY
eer2=$(eer_of "$(nnet-eval-eer $d/test/trials $tmp/scores 2>/dev/null)")
[ "$eer1" = "$eer2" ] || fail "scores-file EER $eer2 != embeddings EER $eer1"

# Missing keys: ERROR by default, counted under --permissive.
{ cat $d/test/trials; echo "nokey spk16-u0 nontarget"; } > "$tmp/trials2"
if nnet-eval-eer "$tmp/trials2" ark:$tmp/e1.ark 2>"$tmp/err"; then fail "missing key accepted"; fi
grep -q "ERROR" "$tmp/err" || fail "no ERROR line for a missing key"
out=$(nnet-eval-eer --permissive "$tmp/trials2" ark:$tmp/e1.ark 2>/dev/null)
[[ $out == *"skipped=1"* ]] || fail "permissive: $out"

# Batch independence: one utterance alone gives the same bits as inside the whole archive.
copy-feats ark:$d/test/feats.ark ark,scp:$tmp/all.ark,$tmp/all.scp 2>/dev/null
key=$(sed -n 5p $tmp/all.scp | cut -d' ' -f1)
sed -n 5p $tmp/all.scp > "$tmp/one.scp"
nnet-extract-embeddings "$tmp/final.mdl" scp:$tmp/one.scp ark,t:$tmp/one.txt 2>/dev/null
copy-vector ark:$tmp/e1.ark ark,t:- 2>/dev/null | grep "^$key " > "$tmp/one_ref.txt"
cmp -s "$tmp/one.txt" "$tmp/one_ref.txt" || fail "embedding of $key depends on the batch"
# BN recalibration (nnet-sample-subnet on the static model): running statistics change, the
# result is deterministic, and the recalibrated model still separates the held-out speakers.
command -v nnet-sample-subnet >/dev/null || fail "nnet-sample-subnet not on PATH"
for i in 1 2; do
  nnet-sample-subnet --subnet=2-64-64-64-3-3-3-128 --recalibrate-rspecifier=ark:$d/train/feats.ark \
    --recalibrate-batch-size=16 "$tmp/final.mdl" "$tmp/recal$i.mdl" 2>/dev/null || fail "nnet-sample-subnet"
done
cmp -s "$tmp/recal1.mdl" "$tmp/recal2.mdl" || fail "recalibration is not deterministic"
state() { nnet-copy --binary=false "$1" - 2>/dev/null | sed -n '/<State>/,/<\/State>/p'; }
[ "$(state $tmp/final.mdl)" != "$(state $tmp/recal1.mdl)" ] || fail "recalibration left the BN statistics unchanged"
nnet-extract-embeddings "$tmp/recal1.mdl" ark:$d/test/feats.ark ark:$tmp/e3.ark 2>/dev/null
eer3=$(eer_of "$(nnet-eval-eer $d/test/trials ark:$tmp/e3.ark 2>/dev/null)")
echo "recalibrated: EER $eer3%"
awk -v a="$eer3" 'BEGIN {exit !(a < 15)}' || fail "recalibrated EER $eer3%"
echo "PASS: loss/acc $first -> $last, EER untrained $eer0% -> trained $eer1%"
