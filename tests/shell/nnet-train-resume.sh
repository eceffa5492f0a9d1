#!/usr/bin/env bash
# Checkpoints and --resume: (1) a run stopped with --max-steps and continued with --resume ends
# with a model file byte-identical to an uninterrupted run (one thread), for a static net and
# (1b) for a scaled supernet in stage width2 with 3 dynamic walks per step; (2) kill -9 at random
# moments of a run that checkpoints every step (a 4-block 256-wide net, ~25 MB checkpoints,
# so kills land inside writes too) never leaves a corrupt checkpoint: after every kill the checkpoint
# is absent or loads, and resuming from the survivor still reaches the uninterrupted run's
# bytes; (3) kill -9 during nnet-copy onto an existing model leaves the old file intact;
# (4) a NaN loss stops with an ERROR naming the step; resuming with different options is an ERROR.
set -euo pipefail
source "$(dirname "$0")/nnet-train-common.bash"
for b in nnet-init-supernet nnet-train-supernet nnet-info nnet-copy; do
  command -v $b >/dev/null || fail "$b not on PATH (run make)"; done
tmp=$(mktemp -d /tmp/nnet-train-resume.XXXXXX); trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$tmp" <<'PY'
import sys, struct, random
random.seed(5); d = sys.argv[1]
with open(d + '/feats.ark', 'wb') as f, open(d + '/utt2spk', 'w') as u:
    for s in range(4):
        mu = [random.gauss(0, 2) for _ in range(80)]
        for i in range(8):
            T = random.randint(30, 90); key = 'spk%d-u%d' % (s, i)
            f.write(key.encode() + b' \0BFM \x04' + struct.pack('<i', T) + b'\x04' + struct.pack('<i', 80))
            f.write(struct.pack('<%df' % (T * 80), *[mu[c] + random.gauss(0, 1) for t in range(T) for c in range(80)]))
            u.write('%s spk%d\n' % (key, s))
PY
# train [options] <model-in> <model-out>
train() { local a=("$@"); local n=${#a[@]}
  nnet-train-supernet --num-threads=1 --batch-size=4 --crop-frames=50 --num-epochs=1 \
    --lr=0.01 --lr-min=0.001 --cycle-steps=3 --log-every=1 "${a[@]:0:n-2}" "${a[n-2]}" \
    ark:$tmp/feats.ark ark:$tmp/utt2spk "${a[n-1]}"; }

# (1) small net: stop at step 3, resume, compare with the uninterrupted run.
nnet-init-supernet --num-speakers=4 --subnet=2-32-32-32-3-3-3-64 $tmp/s.mdl 2>/dev/null
train $tmp/s.mdl $tmp/ref.mdl 2>/dev/null
train --max-steps=3 $tmp/s.mdl $tmp/part.mdl 2>/dev/null
nnet-info $tmp/part.mdl.ckpt 2>/dev/null | grep -q "step 3/8" || fail "checkpoint not at step 3"
train --resume=$tmp/part.mdl.ckpt $tmp/s.mdl $tmp/part.mdl 2>$tmp/log || { cat $tmp/log; fail "resume"; }
cmp $tmp/ref.mdl $tmp/part.mdl || fail "resumed model differs from the uninterrupted run"
cmp $tmp/ref.mdl.ckpt $tmp/part.mdl.ckpt || fail "resumed final checkpoint differs"
# Different options on resume: ERROR.
if train --resume=$tmp/part.mdl.ckpt --lr=0.02 $tmp/s.mdl $tmp/x.mdl 2>$tmp/err; then fail "resume with other options accepted"; fi
grep -q "options differ" $tmp/err || fail "no 'options differ' ERROR"
# NaN: a huge learning rate makes the loss non-finite; the ERROR names the step.
if train --lr=1e30 --lr-min=1e30 $tmp/s.mdl $tmp/nan.mdl 2>$tmp/err; then fail "NaN training succeeded"; fi
grep -qE "ERROR.*loss is (nan|-nan|inf|-inf) at step [0-9]+" $tmp/err || { cat $tmp/err; fail "no NaN ERROR naming the step"; }

# (1b) a scaled supernet, stage width2 with 3 dynamic walks per step (materialise, accumulate,
# scatter grads and BN statistics): stopped at step 3 and resumed, it ends with the bytes of
# the uninterrupted run; a different --dynamic-walks on resume is an ERROR.
nnet-init-supernet --num-speakers=4 --max-width=16 --max-cat-width=48 $tmp/sn.mdl 2>/dev/null
sw=(--stage=width2 --dynamic-walks=3)
train "${sw[@]}" $tmp/sn.mdl $tmp/snref.mdl 2>/dev/null
train "${sw[@]}" --max-steps=3 $tmp/sn.mdl $tmp/snpart.mdl 2>/dev/null
info=$(nnet-info $tmp/snpart.mdl.ckpt 2>/dev/null)
grep -q "^kind supernet" <<<"$info" || fail "supernet checkpoint is not a supernet"
grep -q "stage width2 step 3/8" <<<"$info" || fail "supernet checkpoint not at step 3"
train "${sw[@]}" --resume=$tmp/snpart.mdl.ckpt $tmp/sn.mdl $tmp/snpart.mdl 2>$tmp/log || { cat $tmp/log; fail "supernet resume"; }
cmp $tmp/snref.mdl $tmp/snpart.mdl || fail "resumed supernet differs from the uninterrupted run"
cmp $tmp/snref.mdl.ckpt $tmp/snpart.mdl.ckpt || fail "resumed supernet checkpoint differs"
if train --stage=width2 --dynamic-walks=2 --resume=$tmp/snpart.mdl.ckpt $tmp/sn.mdl $tmp/x.mdl 2>$tmp/err; then
  fail "supernet resume with other walks accepted"; fi
grep -q "options differ" $tmp/err || fail "no 'options differ' ERROR (supernet)"
echo "supernet width2 x3 walks: resumed run identical to the uninterrupted one"

# (2) a wider net, checkpoint every step, killed at moments spread over the run's duration.
nnet-init-supernet --num-speakers=4 --subnet=4-256-256-256-256-256-5-5-5-5-5-768 $tmp/big.mdl 2>/dev/null
t0=$(date +%s.%N)
train --checkpoint-every=1 $tmp/big.mdl $tmp/bigref.mdl 2>/dev/null
dur=$(awk -v s=$t0 -v e=$(date +%s.%N) 'BEGIN {print e - s}')
echo "uninterrupted run: ${dur}s"
kills=0
for frac in 0.2 0.35 0.5 0.65; do
  delay=$(awk -v d=$dur -v f=$frac 'BEGIN {print d * f}')
  train --checkpoint-every=1 --checkpoint=$tmp/big.ckpt \
    $( [ -f $tmp/big.ckpt ] && echo --resume=$tmp/big.ckpt ) $tmp/big.mdl $tmp/bigrun.mdl 2>/dev/null &
  pid=$!
  sleep $delay
  kill -9 $pid 2>/dev/null && kills=$((kills+1)) || true
  wait $pid 2>/dev/null || true
  if [ -f $tmp/big.ckpt ]; then
    nnet-info $tmp/big.ckpt >/dev/null 2>&1 || fail "checkpoint corrupt after kill -9 at ${delay}s"
    echo "after kill at ${delay}s: $(nnet-info $tmp/big.ckpt 2>/dev/null | grep train-state)"
  fi
done
[ -f $tmp/big.ckpt ] || fail "no checkpoint survived"
train --checkpoint-every=1 --checkpoint=$tmp/big.ckpt --resume=$tmp/big.ckpt $tmp/big.mdl $tmp/bigrun.mdl 2>/dev/null \
  || fail "resume after kills"
cmp $tmp/bigref.mdl $tmp/bigrun.mdl || fail "killed+resumed run differs from the uninterrupted run"
echo "killed $kills times; final model identical to the uninterrupted run"

# (3) kill -9 in the middle of writing over an existing model.
cp $tmp/bigref.mdl $tmp/victim.mdl
for delay in 0.05 0.1 0.2; do
  nnet-copy --binary=false $tmp/big.mdl $tmp/victim.mdl 2>/dev/null & pid=$!
  sleep $delay; kill -9 $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
  cmp -s $tmp/bigref.mdl $tmp/victim.mdl || nnet-info $tmp/victim.mdl >/dev/null 2>&1 \
    || fail "model corrupt after kill -9 during nnet-copy at ${delay}s"
done
echo PASS
