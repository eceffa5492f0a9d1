#!/usr/bin/env bash
# launch_gpus.sh: data-parallel training on the GPUs of one machine, one process per GPU.
# Starts <command> once per GPU with CUDA_VISIBLE_DEVICES naming that GPU alone and
# TDNAS_RANK / TDNAS_WORLD / TDNAS_RENDEZVOUS / TDNAS_RENDEZVOUS_KEY set (the program finds its
# rank and the NCCL rendezvous file there); waits for all of them. If one fails, the others are
# killed and this script exits with that process's status, naming its log.
# Rank 0's output is shown here and kept in <log-dir>/rank0.log; rank r's goes to rank<r>.log.
help_message="Usage: utils/launch_gpus.sh [options] <command> [<args>...]
 e.g.: utils/launch_gpus.sh --num-gpus 2 nnet-train-supernet --use-gpu=yes --stage=largest \\
         exp/stage0.mdl scp:data/train/feats.scp ark:data/train/utt2spk exp/stage1.mdl
Options:
  --num-gpus <n>             # processes, one GPU each (default: 1)
  --gpu-ids <list>           # comma-separated GPU ids (default: the first n of
                             # CUDA_VISIBLE_DEVICES, else 0..n-1)
  --rendezvous-dir <dir>     # where rank 0 writes the NCCL id (default: a new temp dir)
  --log-dir <dir>            # per-rank logs rank<r>.log (default: the rendezvous dir)
  --check-gpus <true|false>  # refuse to start when nvidia-smi sees fewer GPUs (default: true)
Per-GPU batch: nnet-train-supernet's --batch-size is per process; the global batch is n times it.
On a Slurm cluster no launcher is needed: srun starts the processes and the program reads its
rank from SLURM_PROCID/SLURM_NTASKS; give it a rendezvous directory every node sees, e.g.
  srun --ntasks=2 --gpus-per-task=1 nnet-train-supernet --use-gpu=yes --rendezvous=exp/stage1 ...
(mpirun -np 2 ... works the same way: OMPI_COMM_WORLD_RANK/SIZE or PMI_RANK/SIZE)."

num_gpus=1
gpu_ids=
rendezvous_dir=
log_dir=
check_gpus=true
. "$(dirname "$0")/parse_options.sh" || exit 1

if [ $# -lt 1 ]; then printf '%s\n' "$help_message" >&2; exit 1; fi
err() { echo "ERROR (launch_gpus.sh): $*" >&2; exit 1; }
[[ $num_gpus =~ ^[1-9][0-9]*$ ]] || err "--num-gpus must be a positive integer (got '$num_gpus')"

if [ -z "$gpu_ids" ]; then
  if [ -n "${CUDA_VISIBLE_DEVICES:-}" ]; then gpu_ids=$CUDA_VISIBLE_DEVICES
  else gpu_ids=$(seq -s, 0 $((num_gpus - 1))); fi
fi
IFS=, read -r -a ids <<< "$gpu_ids"
[ ${#ids[@]} -ge "$num_gpus" ] || err "--num-gpus $num_gpus but only ${#ids[@]} GPU id(s) given: '$gpu_ids'"
if $check_gpus; then
  command -v nvidia-smi > /dev/null || err "--num-gpus $num_gpus but nvidia-smi is not installed (no NVIDIA driver?)"
  have=$(nvidia-smi -L 2> /dev/null | grep -c '^GPU')
  [ "$have" -ge "$num_gpus" ] || err "--num-gpus $num_gpus but nvidia-smi sees $have GPU(s)"
fi

if [ -z "$rendezvous_dir" ]; then
  rendezvous_dir=$(mktemp -d "${TMPDIR:-/tmp}/launch_gpus.XXXXXX") || err "cannot make a temp dir"
fi
mkdir -p "$rendezvous_dir" || err "cannot create --rendezvous-dir $rendezvous_dir"
[ -z "$log_dir" ] && log_dir=$rendezvous_dir
mkdir -p "$log_dir" || err "cannot create --log-dir $log_dir"
key="launch-$(hostname -s 2> /dev/null || echo host)-$$-$(date +%s%N)"
rendezvous_file=$rendezvous_dir/tdnas-nccl-id.$key
rm -f "$rendezvous_file"

pids=()
tail_pid=
kill_all() {   # the processes this script started that still run: TERM, then KILL after 10 s
  local p live=()
  for p in "${pids[@]}"; do kill -0 "$p" 2> /dev/null && live+=("$p"); done
  [ ${#live[@]} -eq 0 ] && return
  kill -TERM "${live[@]}" 2> /dev/null
  for ((t = 0; t < 100; t++)); do
    sleep 0.1
    local any=false
    for p in "${live[@]}"; do kill -0 "$p" 2> /dev/null && any=true; done
    $any || break
  done
  for p in "${live[@]}"; do kill -0 "$p" 2> /dev/null && kill -KILL "$p" 2> /dev/null; done
}
trap 'kill_all; [ -n "$tail_pid" ] && kill "$tail_pid" 2> /dev/null; exit 130' INT TERM

for ((r = 0; r < num_gpus; r++)); do
  CUDA_VISIBLE_DEVICES=${ids[$r]} TDNAS_RANK=$r TDNAS_WORLD=$num_gpus \
    TDNAS_RENDEZVOUS=$rendezvous_file TDNAS_RENDEZVOUS_KEY=$key \
    "$@" > "$log_dir/rank$r.log" 2>&1 < /dev/null &
  pids+=($!)
done
tail -n +1 -f --pid="${pids[0]}" "$log_dir/rank0.log" 2> /dev/null &
tail_pid=$!

status=0
left=$num_gpus
declare -A done_
while [ "$left" -gt 0 ]; do
  for ((r = 0; r < num_gpus; r++)); do
    [ -n "${done_[$r]:-}" ] && continue
    kill -0 "${pids[$r]}" 2> /dev/null && continue
    wait "${pids[$r]}"; s=$?
    done_[$r]=1; left=$((left - 1))
    if [ $s -ne 0 ]; then
      status=$s
      kill_all
      wait "$tail_pid" 2> /dev/null
      echo "ERROR (launch_gpus.sh): rank $r of $num_gpus (GPU ${ids[$r]}) failed with exit status $s; see $log_dir/rank$r.log (the other ranks were stopped)" >&2
      tail -n 5 "$log_dir/rank$r.log" | sed 's/^/  | /' >&2
      exit $status
    fi
  done
  [ "$left" -gt 0 ] && sleep 0.2
done
wait "$tail_pid" 2> /dev/null
rm -f "$rendezvous_file"
exit 0
