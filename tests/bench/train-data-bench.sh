#!/usr/bin/env bash
# train-data-bench: crops per second the training data reader (nnet/train-data.h) sustains,
# per data thread: batches of 128 crops x 200 frames x 80 bins, per-crop CMN, through the
# prefetch queue, from (a) an ark held in memory and (b) an scp of compressed matrices read
# on demand (the usual `scp:feats.scp` of [ -n "${TRAIN_DATA_BENCH_AUDIO_ONLY:-}" ] || copy-feats --compress=true output). For scale: one
# training step of the Base subnet on batch 128 takes seconds on a CPU and ~0.1 s on a GPU, so
# the reader needs ~1-2k crops/s per GPU.
# Then (c) straight from audio (nnet/wave-train-data.h, --wav-rspecifier): 16 kHz waves read
# on demand from a wav.scp, 2 s crops cut, fbank computed (80 bins) per crop, without
# augmentation and with --aug-choices=none,noise,reverb (noise from a list, a 0.5 s RIR).
# Each line also gives the process's user CPU time per crop (all threads; steadier than
# crops/s on a loaded machine). TRAIN_DATA_BENCH_AUDIO_ONLY=1 skips (a) and (b);
# TRAIN_DATA_BENCH_AUGS="reverb" limits (c) to those --aug-choices.
set -euo pipefail
root=${TDNAS_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${BUILD:-build}; [[ $build = /* ]] || build=$root/$build
for l in nnet feat util matrix base; do [ -f $build/lib/libtdnas-$l.a ] || { echo "build $build/lib first (make)"; exit 1; }; done
[ -n "${TRAIN_DATA_BENCH_AUDIO_ONLY:-}" ] || command -v copy-feats >/dev/null || { echo "copy-feats not built"; exit 1; }
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
[ -n "${TRAIN_DATA_BENCH_AUDIO_ONLY:-}" ] || copy-feats --compress=true ark:$tmp/feats.ark ark,scp:$tmp/c.ark,$tmp/c.scp 2>/dev/null
cat > $tmp/bench.cc <<'CC'
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <sys/resource.h>
#include "nnet/train-data.h"
#include "nnet/wave-train-data.h"
using namespace tdnas; using namespace tdnas::nnet;
int main(int argc, char **argv) {
  TrainDataOptions o; o.batch_size = 128; o.crop_frames = 200; o.num_data_threads = atoi(argv[3]);
  const int nb = atoi(argv[4]);
  std::unique_ptr<BatchSource> src;
  if (argc > 5) {  // audio: argv[5] = aug choices, argv[6] = noise list, argv[7] = rir list
    FbankOptions f; f.mel_opts.num_bins = 80; f.frame_opts.dither = 0;
    WaveAugmentOptions a; a.aug_choices = argv[5];
    if (argc > 7 && a.aug_choices != "none") { a.noise_list = argv[6]; a.rir_list = argv[7]; }
    o.batch_size = 32;
    src.reset(new WaveTrainData(argv[1], argv[2], {}, o, f, a, 1));
  } else {
    src.reset(new TrainData(argv[1], argv[2], {}, o, 1));
  }
  BatchSource &data = *src;
  data.Start(0);
  TrainBatch b; data.Next(&b);   // warm-up (thread start, first reads)
  auto user = []() { rusage r; getrusage(RUSAGE_SELF, &r);
                      return r.ru_utime.tv_sec + 1e-6 * r.ru_utime.tv_usec; };
  auto t0 = std::chrono::steady_clock::now();
  const double u0 = user();
  for (int i = 0; i < nb; i++) data.Next(&b);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  data.Stop();  // joins the data threads: their prefetched batches count in the user time
  const double u = user() - u0;
  std::printf("%.0f crops/s (%.0f per thread), user CPU %.2f ms/crop\n", nb * o.batch_size / s,
              nb * o.batch_size / s / o.num_data_threads, 1e3 * u / (nb * o.batch_size));
}
CC
g++ -O2 -std=c++17 -pthread -I$root/src $tmp/bench.cc -o $tmp/bench -Wl,--start-group \
  $build/lib/libtdnas-{nnet,feat,util,matrix,base}.a -Wl,--end-group -lboost_program_options -lsndfile -lopenblas -lm
[ -n "${TRAIN_DATA_BENCH_AUDIO_ONLY:-}" ] || for t in 1 2; do
  echo "ark in memory,          $t data thread(s): $($tmp/bench ark:$tmp/feats.ark ark:$tmp/utt2spk $t 30 2>/dev/null)"
  echo "scp compressed on disk, $t data thread(s): $($tmp/bench scp:$tmp/c.scp ark:$tmp/utt2spk $t 30 2>/dev/null)"
done
# Audio: 200 utterances of 3-8 s (tones + noise, 16-bit 16 kHz), 3 noise files, one RIR.
/usr/bin/python3 - "$tmp" <<'PY'
import sys, wave, numpy as np
d = sys.argv[1]; rng = np.random.default_rng(1)
def w(path, x):
    f = wave.open(path, 'wb'); f.setnchannels(1); f.setsampwidth(2); f.setframerate(16000)
    f.writeframes(np.clip(x, -32768, 32767).astype('<i2').tobytes()); f.close()
with open(d + '/wav.scp', 'w') as s, open(d + '/wutt2spk', 'w') as u:
    for i in range(200):
        n = int(rng.integers(48000, 128000)); t = np.arange(n)
        x = 3000 * np.sin(2 * np.pi * (150 + i) * t / 16000) + 500 * rng.standard_normal(n)
        w('%s/u%03d.wav' % (d, i), x); s.write('u%03d %s/u%03d.wav\n' % (i, d, i))
        u.write('u%03d spk%02d\n' % (i, i % 20))
with open(d + '/noise.scp', 'w') as s:
    for k in range(3):
        w('%s/n%d.wav' % (d, k), 3000 * rng.standard_normal(16000 * 5)); s.write('n%d %s/n%d.wav\n' % (k, d, k))
t = np.arange(8000); r = rng.standard_normal(8000) * np.exp(-t / 1500.0); r[0] = 10
w(d + '/rir.wav', r / np.abs(r).max() * 30000); open(d + '/rir.scp', 'w').write('r1 %s/rir.wav\n' % d)
PY
for t in 1 2; do
  for aug in ${TRAIN_DATA_BENCH_AUGS:-none noise reverb none,noise,reverb}; do
    printf 'wav scp, --aug-choices=%-17s %d data thread(s): %s\n' $aug $t \
      "$($tmp/bench scp:$tmp/wav.scp ark:$tmp/wutt2spk $t 8 $aug $tmp/noise.scp $tmp/rir.scp 2>/dev/null)"
  done
done
echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores"
