#!/usr/bin/env bash
# train-data-bench: crops per second the training data reader (nnet/train-data.h) sustains,
# per data thread: batches of 128 crops x 200 frames x 80 bins, per-crop CMN, through the
# prefetch queue, from (a) an ark held in memory and (b) an scp of compressed matrices read
# on demand (the usual `scp:feats.scp` of copy-feats --compress=true output). For scale: one
# training step of the Base subnet on batch 128 takes seconds on a CPU and ~0.1 s on a GPU, so
# the reader needs ~1-2k crops/s per GPU.
set -euo pipefail
root=${TDNAS_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${BUILD:-build}; [[ $build = /* ]] || build=$root/$build
for l in nnet util matrix base; do [ -f $build/lib/libtdnas-$l.a ] || { echo "build $build/lib first (make)"; exit 1; }; done
command -v copy-feats >/dev/null || { echo "copy-feats not built"; exit 1; }
tmp=$(mktemp -d /tmp/train-data-bench.XXXXXX); trap 'rm -rf "$tmp"' EXIT
NUTT=${TRAIN_DATA_BENCH_UTTS:-1500}
/usr/bin/python3 - "$tmp" "$NUTT" <<'PY'
import sys, struct, random
d, n = sys.argv[1], int(sys.argv[2]); random.seed(1)
with open(d + '/feats.ark', 'wb') as f, open(d + '/utt2spk', 'w') as u:
    row = bytes(struct.pack('<80f', *[random.gauss(0, 3) for _ in range(80)]))
    for i in range(n):
        T = random.randint(300, 800); key = 'spk%03d-u%05d' % (i % 100, i)
        f.write(key.encode() + b' \0BFM \x04' + struct.pack('<i', T) + b'\x04' + struct.pack('<i', 80))
        f.write(row * T)
        u.write('%s spk%03d\n' % (key, i % 100))
PY
copy-feats --compress=true ark:$tmp/feats.ark ark,scp:$tmp/c.ark,$tmp/c.scp 2>/dev/null
cat > $tmp/bench.cc <<'CC'
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include "nnet/train-data.h"
using namespace tdnas; using namespace tdnas::nnet;
int main(int argc, char **argv) {
  TrainDataOptions o; o.batch_size = 128; o.crop_frames = 200; o.num_data_threads = atoi(argv[3]);
  TrainData data(argv[1], argv[2], {}, o, 1);
  const int nb = atoi(argv[4]);
  data.Start(0);
  TrainBatch b; data.Next(&b);   // warm-up (thread start, first reads)
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < nb; i++) data.Next(&b);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  data.Stop();
  std::printf("%.0f crops/s (%.0f per thread)\n", nb * 128 / s, nb * 128 / s / o.num_data_threads);
}
CC
g++ -O2 -std=c++17 -pthread -I$root/src $tmp/bench.cc -o $tmp/bench -Wl,--start-group \
  $build/lib/libtdnas-{nnet,util,matrix,base}.a -Wl,--end-group -lboost_program_options -lopenblas -lm
for t in 1 2; do
  echo "ark in memory,          $t data thread(s): $($tmp/bench ark:$tmp/feats.ark ark:$tmp/utt2spk $t 30 2>/dev/null)"
  echo "scp compressed on disk, $t data thread(s): $($tmp/bench scp:$tmp/c.scp ark:$tmp/utt2spk $t 30 2>/dev/null)"
done
echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores"
