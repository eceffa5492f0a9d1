#!/usr/bin/env bash
# Data-parallel nnet-train-supernet on 2 GPUs through utils/launch_gpus.sh (SKIP unless
# nvidia-smi sees 2 GPUs and the binaries were built with CUDA): a quarter-width supernet
# (stage largest, 2 dynamic walks) trains one epoch with batch 8 per GPU; the launcher exits 0,
# rank 0 writes the model and its checkpoint (an epoch of 2x8-crop global batches: half the
# steps of one GPU with batch 8), rank 1 writes no model, no checkpoint and no progress lines,
# and its log names its rank; every loss is finite.
set -uo pipefail
ROOT=${TDNAS_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
fail() { echo "FAIL: $*"; exit 1; }
have=$(nvidia-smi -L 2> /dev/null | grep -c '^GPU')
[ "${have:-0}" -ge 2 ] || { echo "SKIP: needs 2 GPUs, nvidia-smi sees ${have:-0}"; exit 0; }
for b in nnet-init-supernet nnet-train-supernet nnet-info; do
  command -v $b > /dev/null || fail "$b not on PATH (run make)"; done
tmp=$(mktemp -d /tmp/gpu-launch.XXXXXX); trap 'rm -rf "$tmp"' EXIT
${PYTHON:-python3} - "$tmp" <<'PY' || fail "making data"
import sys, struct, random
random.seed(3); d = sys.argv[1]
with open(d + '/feats.ark', 'wb') as f, open(d + '/utt2spk', 'w') as u:
    for s in range(8):
        mu = [random.gauss(0, 2) for _ in range(80)]
        for i in range(16):
            T = random.randint(60, 120); key = 'spk%d-u%02d' % (s, i)
            f.write(key.encode() + b' \0BFM \x04' + struct.pack('<i', T) + b'\x04' + struct.pack('<i', 80))
            f.write(struct.pack('<%df' % (T * 80), *[mu[c] + random.gauss(0, 1) for t in range(T) for c in range(80)]))
            u.write('%s spk%d\n' % (key, s))
PY
nnet-init-supernet --num-speakers=8 --max-width=128 --max-cat-width=384 "$tmp/s.mdl" 2> /dev/null || fail "init"
start=$(date +%s)
"$ROOT/utils/launch_gpus.sh" --num-gpus 2 --log-dir "$tmp/logs" nnet-train-supernet --use-gpu=yes \
  --sync-timeout=60 --batch-size=8 --crop-frames=50 --num-epochs=1 --dynamic-walks=2 --log-every=1 \
  --lr=0.01 --lr-min=0.001 "$tmp/s.mdl" ark:"$tmp/feats.ark" ark:"$tmp/utt2spk" "$tmp/two.mdl" \
  > "$tmp/out" 2>&1 || { cat "$tmp/out"; tail -n 20 "$tmp/logs/rank1.log"; fail "2-GPU training"; }
echo "2-GPU run: $(( $(date +%s) - start )) s"
[ -s "$tmp/two.mdl" ] && [ -s "$tmp/two.mdl.ckpt" ] || fail "rank 0 wrote no model/checkpoint"
ls "$tmp" | grep -v -e '^two.mdl$' -e '^two.mdl.ckpt$' -e '^s.mdl$' -e '^feats.ark$' -e '^utt2spk$' -e '^logs$' -e '^out$' \
  && fail "unexpected files (did rank 1 write?)"
grep -q "rank 1 of 2" "$tmp/logs/rank1.log" || { cat "$tmp/logs/rank1.log"; fail "rank 1 does not log its rank"; }
grep -q "step [0-9]*/" "$tmp/logs/rank1.log" && fail "rank 1 wrote progress lines"
grep "step [0-9]*/" "$tmp/logs/rank0.log" | tail -n 3
steps=$(grep -c "step [0-9]*/" "$tmp/logs/rank0.log")
[ "$steps" = 8 ] || fail "rank 0 logged $steps steps, want 8 (128 utterances / (2 x 8))"
grep "step [0-9]*/" "$tmp/logs/rank0.log" | grep -qi -e nan -e inf && fail "non-finite loss"
nnet-info "$tmp/two.mdl" 2> /dev/null | grep -q "step 8/8" || { nnet-info "$tmp/two.mdl"; fail "model not at step 8/8"; }
echo "gpu-launch: 2-GPU training through the launcher passed"
