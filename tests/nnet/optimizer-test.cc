// optimizer-test.cc: Adam (L2 and decoupled weight decay) against a float64 transcription of
// torch.optim.Adam's update, and the triangular2 cyclic schedule at its corner points and
// against PyTorch's formula.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nnet/adam.h"
#include "nnet/lr-schedule.h"
#include "nnet/parallel.h"
#include "nnet-test-util.h"

namespace tdnas {
namespace nnet {
namespace {

void AdamCase(bool decoupled, int threads) {
  SetNumThreads(threads);
  testing::SeedTestRng(decoupled ? "adamw" : "adam");
  const int64_t n = 37;
  AdamOptions opts;
  opts.weight_decay = 0.05f;   // large, so a wrong decay form is visible
  opts.decoupled = decoupled;
  Adam adam(opts, Device::kCpu, n);
  Buffer p(Device::kCpu, n), g(Device::kCpu, n);
  testing::FillNormal(p.Data(), n);
  std::vector<double> rp(p.Data(), p.Data() + n), rm(n, 0.0), rv(n, 0.0);
  for (int step = 1; step <= 5; step++) {
    testing::FillNormal(g.Data(), n);
    const double lr = 1e-2 * step;
    adam.Update(static_cast<float>(lr), g, &p);
    const double b1 = opts.beta1, b2 = opts.beta2, wd = opts.weight_decay;
    for (int64_t i = 0; i < n; i++) {
      double gi = g.Data()[i];
      if (decoupled) rp[i] *= 1.0 - lr * wd; else gi += wd * rp[i];
      rm[i] = b1 * rm[i] + (1 - b1) * gi;
      rv[i] = b2 * rv[i] + (1 - b2) * gi * gi;
      double mhat = rm[i] / (1 - std::pow(b1, step)), vhat = rv[i] / (1 - std::pow(b2, step));
      rp[i] -= lr * mhat / (std::sqrt(vhat) + opts.eps);
    }
    for (int64_t i = 0; i < n; i++) EXPECT_NEAR(p.Data()[i], rp[i], 1e-5) << "step " << step;
  }
  EXPECT_EQ(adam.Step(), 5);
  SetNumThreads(1);
}

TEST(Adam, L2LikeTorch) { AdamCase(false, 1); }
TEST(Adam, DecoupledTwoThreads) { AdamCase(true, 2); }

TEST(CyclicLr, Triangular2) {
  CyclicLrOptions o;
  o.base_lr = 1e-8;
  o.max_lr = 1e-3;
  o.step_size = 100;
  CyclicLr s(o);
  const double amp = o.max_lr - o.base_lr;
  EXPECT_DOUBLE_EQ(s.At(0), 1e-8);
  EXPECT_NEAR(s.At(50), 1e-8 + amp * 0.5, 1e-15);
  EXPECT_NEAR(s.At(100), 1e-3, 1e-15);             // first peak
  EXPECT_NEAR(s.At(150), 1e-8 + amp * 0.5, 1e-15);
  EXPECT_NEAR(s.At(200), 1e-8, 1e-15);             // back to base
  EXPECT_NEAR(s.At(300), 1e-8 + amp / 2, 1e-15);   // second peak halves
  EXPECT_NEAR(s.At(500), 1e-8 + amp / 4, 1e-15);   // third: a quarter
  EXPECT_NEAR(s.At(325), 1e-8 + amp / 2 * 0.75, 1e-15);
}

}  // namespace
}  // namespace nnet
}  // namespace tdnas
