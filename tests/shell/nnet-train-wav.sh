#!/usr/bin/env bash
# nnet-train-wav.sh: nnet-train-supernet straight from audio (--wav-rspecifier): a tiny static
# subnet trained for 2 epochs on espeak-ng speakers read from wav.scp (22.05 kHz, resampled to
# the fbank's 16 kHz), crops augmented on the fly with noise made by sox (white/pink/brown);
# the loss must fall. Also: the same run with 1 and 2 data threads gives the same model bits,
# and '-' for <feats-rspecifier> without --wav-rspecifier (or a real one with it) is an ERROR.
set -euo pipefail
source "$(dirname "$0")/nnet-train-common.bash"
need_tools
command -v sox >/dev/null || { echo "SKIP sox not installed"; exit 0; }
tmp=$(mktemp -d /tmp/nnet-train-wav.XXXXXX); trap 'rm -rf "$tmp"' EXIT
make_espeak_data "$tmp/d" 8 1 12  # (the helper needs a test set; unused here)
d=$tmp/d
for c in white pink brown; do
  sox -n -r 16000 -b 16 -c 1 "$tmp/$c.wav" synth 3 ${c}noise vol 0.3
  echo "$c $tmp/$c.wav" >> "$tmp/noise.scp"
done
printf -- '--num-mel-bins=80\n--dither=0\n--allow-downsample=true\n--energy-floor=1\n' > "$tmp/fbank.conf"
nnet-init-supernet --num-speakers=8 --subnet=2-64-64-64-3-3-3-128 --seed=1 "$tmp/init.mdl" 2>/dev/null
common="--batch-size=16 --crop-frames=100 --num-epochs=2 --lr=0.01 --lr-min=0.01 --log-every=2
  --wav-rspecifier=scp:$d/train/wav.scp --fbank-config=$tmp/fbank.conf
  --aug-choices=none,noise --aug-noise-list=$tmp/noise.scp --aug-snr-noise=5:15"
nnet-train-supernet --num-threads=2 --num-data-threads=2 $common \
  "$tmp/init.mdl" - ark:$d/train/utt2spk "$tmp/final.mdl" 2>"$tmp/train.log" \
  || { tail "$tmp/train.log"; fail "training from audio"; }
grep -q "training data from audio: 96 utterances, 8 speakers, fbank dim 80" "$tmp/train.log" \
  || { grep LOG "$tmp/train.log" | head -3; fail "no audio data LOG line"; }
first=$(grep -m1 'epoch 1/2 done' "$tmp/train.log" | sed 's/.*loss \([0-9.]*\), acc.*/\1/')
last=$(grep 'epoch 2/2 done' "$tmp/train.log" | sed 's/.*loss \([0-9.]*\), acc.*/\1/')
echo "loss epoch 1: $first, epoch 2: $last"
awk -v a="$first" -v b="$last" 'BEGIN {exit !(a > 0 && b < a)}' || fail "loss did not fall: $first -> $last"

# Data threads do not change what the network sees (1 network thread: same bits).
nnet-train-supernet --num-threads=1 --num-data-threads=1 $common --num-epochs=1 \
  "$tmp/init.mdl" - ark:$d/train/utt2spk "$tmp/a.mdl" 2>/dev/null || fail "1 data thread"
nnet-train-supernet --num-threads=1 --num-data-threads=3 $common --num-epochs=1 \
  "$tmp/init.mdl" - ark:$d/train/utt2spk "$tmp/b.mdl" 2>/dev/null || fail "3 data threads"
cmp -s "$tmp/a.mdl" "$tmp/b.mdl" || fail "1 and 3 data threads give different models"

if nnet-train-supernet --num-epochs=1 "$tmp/init.mdl" - ark:$d/train/utt2spk "$tmp/x.mdl" 2>"$tmp/err"; then
  fail "'-' without --wav-rspecifier accepted"
fi
grep -q "ERROR.*no --wav-rspecifier" "$tmp/err" || { cat "$tmp/err"; fail "wrong error for '-'"; }
echo "PASS nnet-train-wav"
