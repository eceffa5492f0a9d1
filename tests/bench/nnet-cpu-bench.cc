// nnet-cpu-bench.cc: times StaticTdnn on the CPU: a training step (ZeroGrad, forward + AAM
// loss, backward, Adam update) and an inference forward (eval mode), and reports ms per call
// and peak RSS. Built and run by tests/bench/nnet-cpu-bench.sh (not part of make).
//   nnet-cpu-bench CONFIG BATCH FRAMES CLASSES THREADS ITERS
// Prints: "tdnas train_ms X infer_ms Y peak_rss_mb Z".
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "nnet/adam.h"
#include "nnet/parallel.h"
#include "nnet/static-tdnn.h"

using namespace tdnas;
using namespace tdnas::nnet;

int main(int argc, char *argv[]) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: nnet-cpu-bench CONFIG BATCH FRAMES CLASSES THREADS ITERS\n");
    return 1;
  }
  const int nb = std::atoi(argv[2]), t = std::atoi(argv[3]), classes = std::atoi(argv[4]);
  const int threads = std::atoi(argv[5]), iters = std::atoi(argv[6]);
  SetNumThreads(threads);
  StaticTdnnOptions opts;
  opts.num_classes = classes;
  StaticTdnn net(ParseSubnetConfig(argv[1]), opts);
  net.InitParams(1);
  Adam adam(AdamOptions(), Device::kCpu, net.Params().TotalSize());
  std::mt19937 rng(0);
  std::normal_distribution<float> nd;
  std::vector<float> xv(static_cast<size_t>(nb) * 80 * t);
  for (float &v : xv) v = nd(rng);
  std::vector<int32_t> labels(nb);
  for (int b = 0; b < nb; b++) labels[b] = static_cast<int32_t>(rng() % classes);
  Tensor x(xv.data(), {nb, 80, t});
  auto train_step = [&]() {
    net.ZeroGrad();
    net.ForwardLoss(x, labels.data(), true, nullptr);
    net.Backward();
    adam.Update(1e-3f, net.GradBuffer(), &net.ParamBuffer());
  };
  auto infer = [&]() { net.Forward(x, false); };
  auto time_ms = [&](const std::function<void()> &fn) {
    fn();   // warm-up (allocates the arenas)
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < iters; i++) fn();
    std::chrono::duration<double, std::milli> d = std::chrono::steady_clock::now() - t0;
    return d.count() / iters;
  };
  double train_ms = time_ms(train_step);
  double infer_ms = time_ms(infer);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  std::printf("tdnas train_ms %.1f infer_ms %.1f peak_rss_mb %.0f\n", train_ms, infer_ms,
              ru.ru_maxrss / 1024.0);
  return 0;
}
