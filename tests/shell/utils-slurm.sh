#!/usr/bin/env bash
# Tests utils/slurm.pl on a real one-node Slurm cluster on localhost: installs Debian's slurm-wlm and
# munge (when missing), starts munged, slurmctld and slurmd with a private config and ports, runs
# slurm.pl JOB=1:4 on a small job, checks outputs and logs, checks that a failing job makes slurm.pl
# exit non-zero naming its log, and stops the daemons it started. Runs only as root with CI or
# TDNAS_TEST_SLURM=1 set (it installs packages); prints SKIP otherwise. Every step is time-bounded.
set -u
ROOT=${TDNAS_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
U=$ROOT/utils
if [ -z "${CI:-}" ] && [ "${TDNAS_TEST_SLURM:-0}" != 1 ]; then
  echo "SKIP Slurm test: set TDNAS_TEST_SLURM=1 (or CI) to install slurm-wlm + munge and run it"; exit 0
fi
[ "$(id -u)" = 0 ] || { echo "SKIP Slurm test: needs root to install and start slurm-wlm and munge"; exit 0; }
if ! command -v slurmctld > /dev/null || ! command -v slurmd > /dev/null || ! command -v munged > /dev/null; then
  if ! command -v apt-get > /dev/null; then echo "SKIP Slurm test: no apt-get to install slurm-wlm"; exit 0; fi
  export DEBIAN_FRONTEND=noninteractive
  if ! timeout 300 apt-get install -y -q --no-install-recommends slurm-wlm munge > /tmp/utils-slurm-apt.log 2>&1; then
    timeout 120 apt-get update -q > /dev/null 2>&1
    timeout 300 apt-get install -y -q --no-install-recommends slurm-wlm munge > /tmp/utils-slurm-apt.log 2>&1 \
      || { echo "SKIP Slurm test: apt-get install slurm-wlm munge failed ($(tail -1 /tmp/utils-slurm-apt.log))"; exit 0; }
  fi
fi

tmp=$(mktemp -d /tmp/utils-slurm.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
  [ -n "${SLURM_CONF:-}" ] && timeout 10 scancel --user=root > /dev/null 2>&1
  # Newest first (slurmd, slurmctld, munged); munged itself, so that runuser reaps it and exits.
  [ -f "$tmp/munge/munged.pid" ] && kill "$(cat "$tmp/munge/munged.pid")" 2> /dev/null
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[$i]}" 2> /dev/null
    timeout 10 tail --pid="${pids[$i]}" -f /dev/null 2> /dev/null || kill -9 "${pids[$i]}" 2> /dev/null
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for f in "$tmp"/slurmctld.log "$tmp"/slurmd.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 15 "$f"; }; done >&2
  exit 1
}

# munge: reuse a running munged, else start one on a private socket.
if timeout 5 munge -n < /dev/null > /dev/null 2>&1; then
  socket=
else
  [ -f /etc/munge/munge.key ] || { timeout 30 mungekey --create > /dev/null 2>&1 || timeout 30 create-munge-key -f > /dev/null 2>&1; }
  chown munge: /etc/munge/munge.key 2> /dev/null; chmod 400 /etc/munge/munge.key
  mkdir -p "$tmp/munge"; chown munge: "$tmp/munge" 2> /dev/null
  socket=$tmp/munge/munge.socket
  runuser -u munge -- /usr/sbin/munged --socket="$socket" --pid-file="$tmp/munge/munged.pid" \
    --log-file="$tmp/munge/munged.log" --seed-file="$tmp/munge/seed" --foreground > /dev/null 2>&1 &
  pids+=($!)
  for i in $(seq 50); do timeout 5 munge -S "$socket" -n < /dev/null > /dev/null 2>&1 && break; sleep 0.2; done
  timeout 5 munge -S "$socket" -n < /dev/null > /dev/null 2>&1 || fail "munged did not start: $(cat "$tmp/munge/munged.log" 2>/dev/null)"
fi

host=$(hostname -s)
mkdir -p "$tmp/state" "$tmp/spool"
cat > "$tmp/slurm.conf" <<C
ClusterName=tdnastest
SlurmctldHost=$host
AuthType=auth/munge
${socket:+AuthInfo=socket=$socket}
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$((16800 + RANDOM % 100))
SlurmdPort=$((16900 + RANDOM % 100))
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
SlurmctldParameters=enable_configless
NodeName=$host CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
C
export SLURM_CONF=$tmp/slurm.conf
timeout 600 /usr/sbin/slurmctld -D -f "$SLURM_CONF" > "$tmp/slurmctld.out" 2>&1 &
pids+=($!)
timeout 600 /usr/sbin/slurmd -D -f "$SLURM_CONF" > "$tmp/slurmd.out" 2>&1 &
pids+=($!)
for i in $(seq 60); do
  state=$(timeout 5 sinfo -h -o %T 2> /dev/null | head -1)
  case $state in idle*|mixed*|allocated*) break;; esac
  sleep 0.5
done
case $state in idle*|mixed*|allocated*) ;; *) fail "Slurm node not up (state '$state'): $(cat "$tmp"/slurmctld.out "$tmp"/slurmd.out | tail -5)";; esac
echo "Slurm up on $host ($(sinfo -h -o '%c CPUs, state %T'))"

cd "$tmp"
export GRID_RUN_LOST_WAIT=5
# TASK, not JOB, as the job variable: JOB would be replaced inside $SLURM_JOB_ID too (as in Kaldi).
timeout 120 $U/slurm.pl TASK=1:4 exp/log/hello.TASK.log echo hello TASK from \$SLURM_JOB_ID \| tr a-z A-Z \
  || fail "slurm.pl JOB=1:4 failed: $(cat exp/log/hello.*.log exp/log/q/*.out 2>/dev/null | tail -20)"
for j in 1 2 3 4; do
  log=exp/log/hello.$j.log
  grep -q "^HELLO $j FROM [0-9][0-9]*$" $log || fail "$log: $(cat $log)"
  grep -q '^# Started at ' $log && grep -q '^# Accounting: time=' $log && tail -1 $log | grep -q '^# Ended (code 0)' || fail "$log format"
done
[ $(cat exp/log/hello.*.log | grep -o 'FROM [0-9]*' | sort -u | wc -l) = 4 ] || fail "the 4 jobs did not run as 4 Slurm jobs"
echo "slurm.pl TASK=1:4 ok"

if timeout 120 $U/slurm.pl --max-jobs-run 2 JOB=1:3 exp/log/bad.JOB.log 'test JOB != 2' 2> err; then fail "slurm.pl ignored a failed job"; fi
grep -q 'exp/log/bad.2.log' err || fail "slurm.pl did not name the failed log: $(cat err)"
tail -1 exp/log/bad.2.log | grep -q '^# Ended (code 1)' || fail "bad.2.log: $(cat exp/log/bad.2.log)"
echo "slurm.pl failing job ok"
