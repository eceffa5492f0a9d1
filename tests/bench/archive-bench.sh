#!/usr/bin/env bash
# archive-bench: copy-feats throughput on a >= 1 GB archive of float feature matrices
# (ARCHIVE_BENCH_MB, default 1100 MB: 80-dim fbank-like utterances of 200..1800 frames).
#   read+write ark -> /dev/null      table reading + holder + binary writing, no disk
#   read+write ark -> file           the same plus writing a file (page cache), renamed at close
#   read binary -> write text         ark,t output (float formatting), on the first ~10%
#   --compress=true (CM, method 1)   compression speed
#   read compressed -> write floats  decompression speed
# GB/s = uncompressed float archive bytes / wall seconds. The input is read once first so
# it comes from the page cache. Temporary files live in /tmp and are deleted at exit.
set -euo pipefail
MB=${ARCHIVE_BENCH_MB:-1100}
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

run() {  # run <label> <bytes> <command...>
  local label=$1 bytes=$2; shift 2
  local s e; s=$(date +%s.%N); "$@" 2>/dev/null; e=$(date +%s.%N)
  awk -v l="$label" -v b="$bytes" -v s="$s" -v e="$e" \
    'BEGIN{printf "%-40s %6.2f GB/s  (%.2f GB in %.2f s)\n", l, b/(e-s)/1e9, b/1e9, e-s}'
}
run "read+write binary ark -> /dev/null" "$big" copy-feats ark:big.ark ark:/dev/null
run "read+write binary ark -> file" "$big" copy-feats ark:big.ark ark:out.ark
cmp -s big.ark out.ark || { echo "output differs from input"; exit 1; }
rm -f out.ark
run "read+write ark,scp -> files" "$big" copy-feats ark:big.ark ark,scp:out.ark,out.scp
run "read scp -> /dev/null" "$big" copy-feats scp:out.scp ark:/dev/null
rm -f out.ark out.scp
run "read binary -> write text (10%)" "$small" copy-feats ark:small.ark ark,t:/dev/null
run "--compress=true (CM, method 1)" "$big" copy-feats --compress=true ark:big.ark ark:comp.ark
run "read compressed -> write floats" "$big" copy-feats ark:comp.ark ark:/dev/null
echo "compressed archive: $(stat -c %s comp.ark) bytes ($(awk -v a="$(stat -c %s comp.ark)" -v b="$big" 'BEGIN{printf "%.1f%%", 100*a/b}') of the float archive)"
echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores"
