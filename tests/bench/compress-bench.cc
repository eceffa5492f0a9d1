// compress-bench.cc: CompressedMatrix codec throughput (MB/s of float input/output), one thread.
//   compress-bench <float-matrix-ark> [total-MB]
// Reads the archive's matrices (e.g. real fbank features), then compresses and decompresses
// them round-robin until total-MB (default 1024) of float data has gone through, for each of
// methods 1 (auto: CM), 3 (CM2) and 5 (CM3). Built and run by compress-bench.sh. Speeds are
// per CPU second of this thread.
//
// Versions of the codec, measured with this driver (golden fbank_80, 300 MB, CPU MB/s, the
// 2-core dev VM):                              CM compress  CM2 compress  CM3 compress  CM decompress
//   v1 Kaldi's scheme: 4x nth_element per column,   172          767           688          2081
//      running min/max (GCC kept it on the stack: perf showed ~50% in introselect, and
//      half of the rest in the min/max loop)
//   v2 4-lane min/max; quantiles by a 2-level       345         1609          1684          2141
//      histogram select on the uint16 codes (same bytes: the value -> code map is monotone)
// On an idle 16-core H100 host (1 thread, 1 GB): CM 214 / CM2 1287 / CM3 1238 MB/s compress,
// 1599 / 2598 / 2963 MB/s decompress. copy-feats end to end there: 1024 MB -> 260 MB in
// 4.84 s wall (212 MB/s), back in 1.76 s (582 MB/s).
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "matrix/compressed-matrix.h"

using namespace tdnas;

// Thread CPU seconds: on a shared, loaded machine wall time measures the neighbours too.
static double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

int main(int argc, char *argv[]) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: compress-bench <float-matrix-ark> [total-MB]\n");
    return 1;
  }
  double total_mb = argc > 2 ? std::atof(argv[2]) : 1024;
  std::ifstream is(argv[1], std::ios::binary);
  std::vector<Matrix<float>> mats;
  size_t bytes_per_round = 0;
  std::string key;
  while (is >> key) {
    is.get();
    bool binary = InitInputStream(is);
    Matrix<float> m;
    m.Read(is, binary);
    if (m.NumRows() > 0) {
      bytes_per_round += sizeof(float) * m.NumRows() * m.NumCols();
      mats.push_back(std::move(m));
    }
  }
  if (mats.empty()) return 1;
  size_t rounds = static_cast<size_t>(total_mb * 1e6 / bytes_per_round) + 1;
  double mb = rounds * bytes_per_round / 1e6;
  for (int method : {1, 3, 5}) {
    std::vector<CompressedMatrix> cms(mats.size());
    Matrix<float> out;
    double t0 = CpuSeconds();
    for (size_t r = 0; r < rounds; r++)
      for (size_t i = 0; i < mats.size(); i++)
        cms[i].CopyFromMat(mats[i], static_cast<CompressionMethod>(method));
    double t1 = CpuSeconds();
    double check = 0;
    for (size_t r = 0; r < rounds; r++)
      for (size_t i = 0; i < mats.size(); i++) {
        cms[i].CopyToMat(&out);
        check += out(0, 0);
      }
    double t2 = CpuSeconds();
    double c = t1 - t0, d = t2 - t1;
    std::printf("method %d: %.0f MB of float data: compress %7.1f MB/s, decompress %7.1f MB/s (CPU time)%s\n",
                method, mb, mb / c, mb / d, check == 12345.678 ? " " : "");
  }
  return 0;
}
