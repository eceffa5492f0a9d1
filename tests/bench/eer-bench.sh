#!/usr/bin/env bash
# EER/minDCF scoring speed on 10 million trials (text parsing included), the issue's target:
# >= 10x Kaldi's compute-eer, measured at ~0.85M trials/s on this class of machine.
#   compute-eer --p-target=0.01,0.001 <scores>   (EER + two minDCFs)
#   nnet-eval-eer <trials> <scores>              (when built; `enroll test score` input)
# Prints wall and CPU (user+sys) seconds, best of 3, and trials/s. On a loaded machine the wall
# time includes waiting for a core; CPU time is what the program itself costs.
# N=... overrides the number of trials.
# Results (10M trials, 191 MB): idle 16-core H100 host: EER only 0.64 s wall (15.6M/s, 18x
# Kaldi), EER + 2 minDCF 0.84 s wall (11.9M/s, 14x); 2-core shared dev VM: 0.55 s CPU (18M/s,
# 21x) for both, wall 1.6 s under a load average of 7. Version history: v1 per-line split +
# strtof-compatible parse, radix sort: 1.66 s wall under load (CPU not recorded; perf: 38% in split+parse); v2 one-pass line scanner
# (plain decimals, exact float rounding; anything else falls back to the general parser): 0.55 s CPU.
set -euo pipefail
n=${N:-10000000}
kaldi_rate=850000
tmp=$(mktemp -d /tmp/eer-bench.XXXXXX); trap 'rm -rf "$tmp"' EXIT
command -v compute-eer >/dev/null || { echo "compute-eer not built"; exit 1; }

# 10% targets ~ N(2,1), nontargets ~ N(0,1), printed "%.6f" like real score files.
awk -v n="$n" 'BEGIN { srand(1);
  for (i = 0; i < n; i++) {
    g = sqrt(-2 * log(rand() + 1e-12)) * cos(6.283185307 * rand());
    if (i % 10 == 0) printf "%.6f target\n", 2 + g; else printf "%.6f nontarget\n", g } }' \
  >"$tmp/scores"
echo "input: $n lines, $(($(stat -c %s "$tmp/scores") / 1000000)) MB"

# best_of_3 <label> <cmd...>: runs 3 times, prints the fastest wall time with its CPU time.
best_of_3() {
  local label=$1; shift
  local best_wall=1e9 best_cpu=0
  for i in 1 2 3; do
    /usr/bin/time -f "%e %U %S" -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" ||
      { echo "$label: FAILED"; tail -3 "$tmp/err"; return 1; }
    read -r wall user sys <"$tmp/time"
    if awk -v a="$wall" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then
      best_wall=$wall; best_cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    fi
  done
  awk -v l="$label" -v w="$best_wall" -v c="$best_cpu" -v n="$n" -v k="$kaldi_rate" 'BEGIN {
    printf "%-28s wall %6.2f s (%5.1fM trials/s, %4.1fx Kaldi)   cpu %6.2f s (%5.1fM trials/s, %4.1fx Kaldi)\n",
      l, w, n / w / 1e6, n / w / k, c, n / c / 1e6, n / c / k }'
}

best_of_3 "compute-eer (EER only)" compute-eer "$tmp/scores"
best_of_3 "compute-eer + 2 minDCF" compute-eer --p-target=0.01,0.001 "$tmp/scores"
grep -h 'Equal error rate\|minDCF' "$tmp/err" | sed 's/^LOG ([^ ]*) /  /'

if command -v nnet-eval-eer >/dev/null; then
  awk '{ printf "e%d t%d %s\n", NR % 5000, NR, $1 > "'"$tmp/trial-scores"'";
         printf "e%d t%d %s\n", NR % 5000, NR, $2 > "'"$tmp/trials"'" }' "$tmp/scores"
  rm -f "$tmp/scores"
  best_of_3 "nnet-eval-eer (2 minDCF)" nnet-eval-eer --p-target=0.01,0.001 "$tmp/trials" "$tmp/trial-scores" ||
    echo "  (nnet-eval-eer: interface differs from the issue's; not timed)"
else
  echo "nnet-eval-eer: not built yet, skipped"
fi
