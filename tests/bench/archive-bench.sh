#!/usr/bin/env bash
# archive-bench: copy-feats throughput on a >= 1 GB archive of float feature matrices
# (ARCHIVE_BENCH_MB, default 1100 MB: 80-dim fbank-like utterances of 200..1800 frames).
#   read+write ark -> /dev/null      table reading + holder + binary writing, no disk
#   read+write ark -> file           the same plus writing a file (page cache), renamed at close
#   ... -> file that exists          the rename replaces an archive (ext4: writeback + free)
#   read binary -> write text         ark,t output (float formatting), on the first ~10%
#   --compress=true (CM, method 1)   compression speed
#   read compressed -> write floats  decompression speed
#   ceiling: cat ark -> file, dd /dev/zero -> file   the machine's page-cache limits, same bytes
# GB/s = uncompressed float archive bytes / wall seconds, best of ARCHIVE_BENCH_REPS runs
# (default 3; an output file is removed between runs, outside the timing). The input is read
# once first so it comes from the page cache. The load average is printed first and last:
# on a shared VM the numbers move with it. Temporary files live in /tmp, deleted at exit.
set -euo pipefail
MB=${ARCHIVE_BENCH_MB:-1100}
REPS=${ARCHIVE_BENCH_REPS:-3}
command -v copy-feats >/dev/null || { echo "copy-feats not built"; exit 1; }
PY=/usr/bin/python3
"$PY" -c 'import numpy' 2>/dev/null || PY=python3
tmp=$(mktemp -d /tmp/archive-bench.XXXXXX); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

"$PY" - "$MB" <<'PYEOF'
import sys, numpy as np
target = int(sys.argv[1]) << 20
rng = np.random.RandomState(0)
base = (np.sin(np.arange(2000)[:, None] * 0.05 + np.arange(80)[None, :] * 0.3) * 4 + 10).astype(np.float32)
noise = rng.randn(2000, 80).astype(np.float32)
total = 0; i = 0; small = None
with open("big.ark", "wb") as f, open("small.ark", "wb") as g:
    while total < target:
        rows = 200 + (i * 7919) % 1600
        m = base[(i % 200):(i % 200) + rows] + noise[:rows] * (0.5 + (i % 5) * 0.1)
        rec = b"utt%06d " % i + b"\0BFM \x04" + np.int32(rows).tobytes() + b"\x04" + np.int32(80).tobytes() + m.tobytes()
        f.write(rec)
        if total < target // 10: g.write(rec)
        total += len(rec); i += 1
print("archive: %d utterances, %.2f GB" % (i, total / 1e9))
PYEOF
big=$(stat -c %s big.ark); small=$(stat -c %s small.ark)
cat big.ark small.ark > /dev/null  # into the page cache

run() {  # [CLEAN=files] run <label> <bytes> <command...>: best wall time of $REPS runs
  # (the files in $CLEAN are removed before each run, outside the timing)
  local label=$1 bytes=$2; shift 2
  local s e best=
  for ((r = 0; r < REPS; r++)); do
    [ -z "${CLEAN:-}" ] || rm -f $CLEAN
    s=$(date +%s.%N); "$@" 2>/dev/null; e=$(date +%s.%N)
    best=$(awk -v s="$s" -v e="$e" -v b="$best" 'BEGIN{t=e-s; print (b=="" || t<b) ? t : b}')
  done
  awk -v l="$label" -v b="$bytes" -v t="$best" \
    'BEGIN{printf "%-40s %6.2f GB/s  (%.2f GB in %.2f s)\n", l, b/t/1e9, b/1e9, t}'
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
CLEAN=ceil.out run "ceiling: cat ark -> file" "$big" sh -c 'cat big.ark > ceil.out'
CLEAN=ceil.out run "ceiling: dd /dev/zero -> file (bs=1M)" "$big" \
  dd if=/dev/zero of=ceil.out bs=1M count=$(((big + (1 << 20) - 1) >> 20)) status=none
rm -f ceil.out
run "read+write binary ark -> /dev/null" "$big" copy-feats ark:big.ark ark:/dev/null
CLEAN=out.ark run "read+write binary ark -> file" "$big" copy-feats ark:big.ark ark:out.ark
cmp -s big.ark out.ark || { echo "output differs from input"; exit 1; }
run "read+write ark -> file that exists" "$big" copy-feats ark:big.ark ark:out.ark
CLEAN="out.ark out.scp" run "read+write ark,scp -> files" "$big" copy-feats ark:big.ark ark,scp:out.ark,out.scp
cmp -s big.ark out.ark || { echo "ark,scp output differs from input"; exit 1; }
run "read scp -> /dev/null" "$big" copy-feats scp:out.scp ark:/dev/null
rm -f out.ark out.scp
run "read binary -> write text (10%)" "$small" copy-feats ark:small.ark ark,t:/dev/null
REPS=1 run "--compress=true (CM, method 1)" "$big" copy-feats --compress=true ark:big.ark ark:comp.ark
run "read compressed -> write floats" "$big" copy-feats ark:comp.ark ark:/dev/null
echo "compressed archive: $(stat -c %s comp.ark) bytes ($(awk -v a="$(stat -c %s comp.ark)" -v b="$big" 'BEGIN{printf "%.1f%%", 100*a/b}') of the float archive)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores"
