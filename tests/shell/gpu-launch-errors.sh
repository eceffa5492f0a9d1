#!/usr/bin/env bash
# utils/launch_gpus.sh and multi-process training errors, without GPUs (runs in CI):
# (1) each process gets its own CUDA_VISIBLE_DEVICES, TDNAS_RANK/WORLD and one shared rendezvous
# file; (2) a rank that fails makes the launcher stop the others at once and exit with its
# status, naming its log; (3) asking for more GPUs than nvidia-smi sees is an ERROR before
# anything starts; (4) nnet-train-supernet started as rank 0 of 2 without --use-gpu=yes, or in a
# build without a GPU, ends with a clear ERROR (never waits for peers).
set -uo pipefail
ROOT=${TDNAS_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
L=$ROOT/utils/launch_gpus.sh
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d /tmp/gpu-launch-errors.XXXXXX); trap 'rm -rf "$tmp"' EXIT

# (1) environment of each rank.
$L --num-gpus 3 --gpu-ids 4,5,6 --check-gpus false --rendezvous-dir "$tmp/r1" \
  bash -c 'echo "$TDNAS_RANK $TDNAS_WORLD $CUDA_VISIBLE_DEVICES $TDNAS_RENDEZVOUS $TDNAS_RENDEZVOUS_KEY" > '"$tmp"'/env.$TDNAS_RANK' \
  > "$tmp/out1" 2>&1 || { cat "$tmp/out1"; fail "launch of 3 trivial ranks"; }
for r in 0 1 2; do
  read -r rank world dev rdv key < "$tmp/env.$r" || fail "rank $r did not run"
  [ "$rank $world $dev" = "$r 3 $((4 + r))" ] || fail "rank $r env: $rank $world $dev"
  [[ $rdv == $tmp/r1/tdnas-nccl-id.* ]] || fail "rendezvous file $rdv not in --rendezvous-dir"
  [ -n "$key" ] || fail "no rendezvous key"
done
[ "$(cut -d' ' -f4,5 "$tmp"/env.* | sort -u | wc -l)" = 1 ] || fail "ranks got different rendezvous files"

# (2) rank 1 fails after 1 s while rank 0 would run 60 s: launcher exits 7 within a few seconds.
start=$(date +%s)
$L --num-gpus 2 --check-gpus false --log-dir "$tmp/logs" \
  bash -c 'if [ $TDNAS_RANK = 1 ]; then sleep 1; echo boom; exit 7; fi; sleep 60' > "$tmp/out2" 2>&1
rc=$?; secs=$(( $(date +%s) - start ))
[ $rc = 7 ] || { cat "$tmp/out2"; fail "launcher exit $rc, want 7 (the failing rank's)"; }
grep -q "ERROR (launch_gpus.sh): rank 1 of 2 .*failed with exit status 7; see $tmp/logs/rank1.log" "$tmp/out2" \
  || { cat "$tmp/out2"; fail "no ERROR naming rank 1's log"; }
grep -q boom "$tmp/out2" || fail "the failing rank's last lines are not shown"
[ $secs -lt 20 ] || fail "launcher took $secs s: rank 0 was not stopped"

# (3) more GPUs than exist (skipped where 4 GPUs are visible).
have=$(nvidia-smi -L 2> /dev/null | grep -c '^GPU')
if [ "${have:-0}" -lt 4 ]; then
  $L --num-gpus 4 true > "$tmp/out3" 2>&1 && fail "launcher started 4 ranks with $have GPUs"
  grep -q "ERROR (launch_gpus.sh): --num-gpus 4 but nvidia-smi" "$tmp/out3" || { cat "$tmp/out3"; fail "unclear GPU-count error"; }
fi
$L --num-gpus 0 true > "$tmp/out4" 2>&1 && fail "--num-gpus 0 accepted"
$L > "$tmp/out5" 2>&1 && fail "no command accepted"
grep -q "Usage: utils/launch_gpus.sh" "$tmp/out5" || fail "no usage without a command"

# (4) the training binary as one rank of two, without a GPU.
if command -v nnet-train-supernet > /dev/null && command -v nnet-init-supernet > /dev/null; then
  nnet-init-supernet --num-speakers=2 --subnet=2-32-32-32-3-3-3-64 "$tmp/s.mdl" 2> /dev/null || fail "init"
  printf 'a spk0\nb spk1\n' > "$tmp/utt2spk"
  run_rank0() {   # run_rank0 <use-gpu>: nnet-train-supernet as rank 0 of 2, 60 s at most
    TDNAS_RANK=0 TDNAS_WORLD=2 TDNAS_RENDEZVOUS=$tmp/rdv timeout 60 nnet-train-supernet \
      --use-gpu=$1 --sync-timeout=5 "$tmp/s.mdl" ark:/dev/null ark:"$tmp/utt2spk" "$tmp/o.mdl"; }
  run_rank0 no > "$tmp/out6" 2>&1 && fail "rank 0 of 2 with --use-gpu=no succeeded"
  grep -q "ERROR.*rank 0 of 2 (TDNAS_RANK/TDNAS_WORLD): multi-process training needs --use-gpu=yes" "$tmp/out6" \
    || { cat "$tmp/out6"; fail "unclear error for --use-gpu=no in a 2-process job"; }
  if [ "${have:-0}" = 0 ]; then
    run_rank0 yes > "$tmp/out7" 2>&1 && fail "--use-gpu=yes without a GPU succeeded"
    grep -q "ERROR.*--use-gpu=yes" "$tmp/out7" || { cat "$tmp/out7"; fail "unclear error for --use-gpu=yes without GPU"; }
  fi
fi
echo "gpu-launch-errors: all checks passed"
