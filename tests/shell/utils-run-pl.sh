#!/usr/bin/env bash
# Tests utils/run.pl, and slurm.pl / queue.pl against stub sbatch/squeue/qsub/qstat commands that run each job
# script in the background: JOB substitution, log format, --max-jobs-run, option mapping through a conf
# file, failing jobs -> exit 1 naming the log.
set -eu
ROOT=${TDNAS_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
U=$ROOT/utils
tmp=$(mktemp -d /tmp/utils-run-pl.XXXXXX); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "FAIL: $*" >&2; exit 1; }

# Checks that a log has run.pl's layout and exit code $2.
check_log() {
  local log=$1 code=$2
  [ -f "$log" ] || fail "no log $log"
  head -1 "$log" | grep -q '^# ' || fail "$log: first line is not '# cmd'"
  sed -n 2p "$log" | grep -q '^# Started at ' || fail "$log: no '# Started at'"
  grep -q '^# Accounting: time=[0-9]* threads=[0-9]*$' "$log" || fail "$log: no Accounting line"
  tail -1 "$log" | grep -q "^# Ended (code $code) at .*, elapsed time [0-9]* seconds$" || fail "$log: no 'Ended (code $code)' line"
}

# run.pl: JOB everywhere, pipes, quoting.
$U/run.pl JOB=1:3 log/a.JOB.log echo job JOB out/JOB.txt "two words" \| tr a-z A-Z || fail "run.pl JOB=1:3 failed"
for j in 1 2 3; do check_log log/a.$j.log 0; grep -qx "JOB $j OUT/$j.TXT TWO WORDS" log/a.$j.log || fail "log/a.$j.log output"; done
# Single-job form, options accepted.
$U/run.pl --mem 4G --gpu 1 --num-threads 2 log/single.log 'echo single' || fail "single job"
check_log log/single.log 0; grep -q 'threads=2' log/single.log || fail "threads not in Accounting line"
# --max-jobs-run 1 runs the jobs one after another.
start=$(date +%s)
$U/run.pl --max-jobs-run 2 JOB=1:4 log/s.JOB.log sleep 1 || fail "sleep jobs"
el=$(( $(date +%s) - start )); [ $el -ge 2 ] || fail "--max-jobs-run 2 with 4 x 1 s took $el s"
# A failing job: exit 1 naming its log, the others' logs are fine, the code is in the log.
if $U/run.pl JOB=1:3 log/f.JOB.log 'test JOB -ne 2 || exit 3' 2>err; then fail "run.pl ignored a failed job"; fi
grep -q 'log/f.2.log' err || fail "run.pl did not name the failed log: $(cat err)"
grep -q 'log/f.1.log' err && fail "run.pl named a good log"
check_log log/f.2.log 3; check_log log/f.1.log 0
# pipefail: a failure before a pipe counts.
if $U/run.pl log/p.log false \| cat 2>err; then fail "failure inside a pipe not seen"; fi
# Bad usage.
if $U/run.pl 2>/dev/null; then fail "run.pl without arguments exited 0"; fi
echo "run.pl ok"

# Stub scheduler: sbatch/qsub run the script in the background, squeue/qstat look at the pid.
mkdir -p stub
cat > stub/submit <<'S'
#!/usr/bin/env bash
# Records the arguments, runs the last one (the script) in the background, prints a job id.
echo "$(basename "$0") $*" >> "$STUB_DIR/calls"
out=; args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[$i]} in --output=*) out=${args[$i]#--output=};; -o) out=${args[$((i+1))]};; esac
done
script=${args[$((${#args[@]} - 1))]}
id=$(( $(cat "$STUB_DIR/next" 2>/dev/null || echo 100) + 1 )); echo $id > "$STUB_DIR/next"
nohup bash "$script" > "${out:-/dev/null}" 2>&1 &
echo $! > "$STUB_DIR/pid.$id"
if [ "$(basename "$0")" = sbatch ]; then echo "Submitted batch job $id"; else echo "Your job $id (\"x\") has been submitted"; fi
S
cat > stub/query <<'S'
#!/usr/bin/env bash
# squeue -h -j ID -o %T  /  qstat -j ID
id=$(echo "$*" | sed -n 's/.*-j \([0-9]*\).*/\1/p')
pid=$(cat "$STUB_DIR/pid.$id" 2>/dev/null) || exit 1
if kill -0 "$pid" 2>/dev/null; then [ "$(basename "$0")" = squeue ] && echo RUNNING; exit 0; fi
exit 1
S
chmod +x stub/submit stub/query
for n in sbatch qsub; do ln -s submit stub/$n; done
for n in squeue qstat; do ln -s query stub/$n; done
printf '#!/bin/sh\nexit 0\n' > stub/scancel; chmod +x stub/scancel; cp stub/scancel stub/qdel
export STUB_DIR=$tmp/stub PATH=$tmp/stub:$PATH GRID_RUN_LOST_WAIT=0

for prog in slurm.pl queue.pl; do
  rm -f stub/calls
  timeout 60 $U/$prog --mem 2G --num-threads 2 JOB=1:4 g/log/x.JOB.log echo hello JOB \| tr a-z A-Z \
    || fail "$prog JOB=1:4 failed"
  for j in 1 2 3 4; do check_log g/log/x.$j.log 0; grep -qx "HELLO $j" g/log/x.$j.log || fail "$prog output of job $j"; done
  [ $(wc -l < stub/calls) = 4 ] || fail "$prog submitted $(wc -l < stub/calls) jobs, not 4"
  if [ $prog = slurm.pl ]; then
    grep -q -- '--mem=2G' stub/calls && grep -q -- '--cpus-per-task=2' stub/calls || fail "slurm.pl option mapping: $(head -1 stub/calls)"
  else
    grep -q -- '-l mem_free=2G,ram_free=2G' stub/calls && grep -q -- '-pe smp 2' stub/calls || fail "queue.pl option mapping: $(head -1 stub/calls)"
  fi
  if timeout 60 $U/$prog --max-jobs-run 2 JOB=1:3 g/log/f.JOB.log 'test JOB != 3' 2>err; then fail "$prog ignored a failed job"; fi
  grep -q 'g/log/f.3.log' err || fail "$prog did not name the failed log: $(cat err)"
  check_log g/log/f.3.log 1
  # A job killed by the scheduler (no exit status) counts as failed.
  if timeout 60 $U/$prog g/log/k.log 'kill -9 $$' 2>err; then fail "$prog ignored a killed job"; fi
  grep -q 'g/log/k.log' err || fail "$prog did not name the killed job's log"
  echo "$prog ok"
done

# A conf file in Kaldi's format maps options; unknown options are errors.
mkdir -p conf
cat > conf/slurm.conf <<'C'
command sbatch --export=ALL
option mem=* --mem-per-cpu=$0  # per cpu
option mem=0
default gpu=0
option gpu=0 -p cpu
option gpu=* -p gpu --gres=gpu:$0
option num_threads=* --cpus-per-task=$0
C
rm -f stub/calls
timeout 60 $U/slurm.pl --gpu 1 --mem 1G c/log/c.log true || fail "slurm.pl with conf/slurm.conf"
grep -q -- '-p gpu --gres=gpu:1' stub/calls && grep -q -- '--mem-per-cpu=1G' stub/calls || fail "conf mapping: $(cat stub/calls)"
if timeout 60 $U/slurm.pl --colour red c/log/d.log true 2>err; then fail "unknown option accepted"; fi
grep -q 'colour' err || fail "unknown option message: $(cat err)"
echo "conf mapping ok"
