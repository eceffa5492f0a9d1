// kernels-test.cc: every CPU layer kernel's backward against central finite differences of its
// forward (see nnet-test-util.h for the method and tolerance), plus a few exact checks of
// forward semantics (same padding, batch statistics, running-stat update).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nnet/kernels.h"
#include "nnet/parallel.h"
#include "nnet-test-util.h"

namespace tdnas {
namespace nnet {
namespace {

using testing::CheckGrad;
using testing::FillNormal;
using testing::FillUniform;
using testing::Probe;
using testing::SeedTestRng;

const Kernels &K() { return KernelsFor(Device::kCpu); }

// Owned storage + view.
struct Var {
  std::vector<float> v, g;
  Tensor t, gt;
  Var(std::initializer_list<int64_t> shape, float stddev = 1.0f) {
    t = Tensor(nullptr, shape);
    v.resize(t.Numel());
    g.assign(t.Numel(), 0.0f);
    FillNormal(v.data(), v.size(), stddev);
    t.data = v.data();
    gt = Tensor(g.data(), shape);
  }
  float *data() { return v.data(); }
  int64_t n() const { return static_cast<int64_t>(v.size()); }
};

std::vector<float> RandomProbe(int64_t n) {
  std::vector<float> r(n);
  FillNormal(r.data(), n);
  return r;
}

void ConvCase(int64_t nb, int64_t cin, int64_t cout, int64_t t_len, int kw, int dil, int threads) {
  SetNumThreads(threads);
  SeedTestRng("conv" + std::to_string(kw) + "d" + std::to_string(dil) + "t" + std::to_string(threads));
  // The input is a channel view (channels 1..cin) of a wider tensor, as model code uses.
  Var xw({nb, cin + 2, t_len}), w({cout, cin, kw}, 0.3f);
  Tensor x = xw.t.Channels(1, cin), dx = xw.gt.Channels(1, cin);
  std::vector<float> yv(nb * cout * t_len), r = RandomProbe(nb * cout * t_len);
  Tensor y(yv.data(), {nb, cout, t_len});
  auto loss = [&]() { K().Conv1dForward(x, w.t, dil, &y); return Probe(y, r); };
  loss();
  Tensor dy(r.data(), {nb, cout, t_len});
  K().Conv1dBackward(x, w.t, dil, dy, &dx, &w.gt);
  std::string tag = "conv k" + std::to_string(kw) + " dil" + std::to_string(dil);
  CheckGrad(tag + " dx", loss, xw.data(), xw.g.data(), xw.n());
  CheckGrad(tag + " dw", loss, w.data(), w.g.data(), w.n());
  // Same padding: y[t] only sees x[t + (k - K/2) * dil] inside [0, T): check one output directly.
  K().Conv1dForward(x, w.t, dil, &y);
  for (int64_t t : {int64_t(0), t_len / 2, t_len - 1}) {
    double ref = 0.0;
    for (int64_t ci = 0; ci < cin; ci++)
      for (int k = 0; k < kw; k++) {
        int64_t src = t + (k - kw / 2) * dil;
        if (src >= 0 && src < t_len) ref += w.v[(1 * cin + ci) * kw + k] * x.Batch(1)[ci * t_len + src];
      }
    EXPECT_NEAR(y.Batch(1)[1 * t_len + t], ref, 1e-4);
  }
  SetNumThreads(1);
}

TEST(Conv1d, Kernel1) { ConvCase(3, 5, 4, 11, 1, 1, 1); }
TEST(Conv1d, Kernel3Dil2) { ConvCase(3, 5, 4, 11, 3, 2, 1); }
TEST(Conv1d, Kernel5Dil3TwoThreads) { ConvCase(3, 5, 4, 11, 5, 3, 2); }
TEST(Conv1d, Kernel5Dil4ShortInput) { ConvCase(2, 3, 2, 6, 5, 4, 2); }   // taps fully outside

void BatchNormCase(bool train, bool two_d) {
  SeedTestRng(std::string("bn") + (train ? "train" : "eval") + (two_d ? "2d" : "3d"));
  const int64_t nb = 4, nc = 3, t_len = two_d ? 1 : 7;
  Var x({nb, nc, t_len}, 2.0f), gamma({nc}), beta({nc});
  FillUniform(gamma.data(), nc, 0.5f, 1.5f);
  std::vector<float> rm(nc, 0.1f), rv(nc, 1.2f), mean(nc), invstd(nc), yv(x.n());
  Tensor trm(rm.data(), {nc}), trv(rv.data(), {nc}), tm(mean.data(), {nc}), ti(invstd.data(), {nc});
  Tensor y(yv.data(), {nb, nc, t_len});
  std::vector<float> r = RandomProbe(x.n());
  auto loss = [&]() {
    std::vector<float> rm2 = rm, rv2 = rv;   // keep running stats fixed across probes
    Tensor a(rm2.data(), {nc}), b(rv2.data(), {nc});
    K().BatchNormForward(x.t, gamma.t, beta.t, train, 0.1f, 1e-5f, &a, &b, &y, &tm, &ti);
    return Probe(y, r);
  };
  loss();
  Tensor dy(r.data(), {nb, nc, t_len});
  K().BatchNormBackward(x.t, gamma.t, tm, ti, dy, train, &x.gt, &gamma.gt, &beta.gt);
  std::string tag = std::string("batchnorm ") + (train ? "train" : "eval") + (two_d ? " (B,C)" : " (B,C,T)");
  CheckGrad(tag + " dx", loss, x.data(), x.g.data(), x.n());
  CheckGrad(tag + " dgamma", loss, gamma.data(), gamma.g.data(), nc);
  CheckGrad(tag + " dbeta", loss, beta.data(), beta.g.data(), nc);
  if (train) {   // running stats: momentum 0.1, unbiased variance (PyTorch)
    K().BatchNormForward(x.t, gamma.t, beta.t, true, 0.1f, 1e-5f, &trm, &trv, &y, &tm, &ti);
    const int64_t n = nb * t_len;
    for (int64_t c = 0; c < nc; c++) {
      double s = 0, ss = 0;
      for (int64_t b = 0; b < nb; b++)
        for (int64_t t = 0; t < t_len; t++) s += x.t.Batch(b)[c * t_len + t];
      double mu = s / n;
      for (int64_t b = 0; b < nb; b++)
        for (int64_t t = 0; t < t_len; t++) ss += std::pow(x.t.Batch(b)[c * t_len + t] - mu, 2);
      EXPECT_NEAR(rm[c], 0.9 * 0.1 + 0.1 * mu, 1e-5);
      EXPECT_NEAR(rv[c], 0.9 * 1.2 + 0.1 * ss / (n - 1), 1e-5);
      EXPECT_NEAR(invstd[c], 1.0 / std::sqrt(ss / n + 1e-5), 1e-4);
    }
  }
}

// ReLU + BN in one call (the default implementation every backend must match): the gradient
// of the pre-activation, by finite differences. x is kept away from the ReLU's kink.
void ReluBatchNormCase(bool train) {
  SeedTestRng(std::string("relubn") + (train ? "train" : "eval"));
  const int64_t nb = 3, nc = 3, t_len = 6;
  Var x({nb, nc, t_len}), gamma({nc}), beta({nc});
  for (float &v : x.v) v = std::fabs(v + 0.3f) < 0.05f ? 0.05f : v + 0.3f;
  FillUniform(gamma.data(), nc, 0.5f, 1.5f);
  std::vector<float> mean(nc), invstd(nc), yv(x.n()), xr(x.n());
  Tensor tm(mean.data(), {nc}), ti(invstd.data(), {nc}), y(yv.data(), {nb, nc, t_len});
  std::vector<float> r = RandomProbe(x.n());
  auto loss = [&]() {
    std::vector<float> rm(nc, 0.1f), rv(nc, 1.2f);   // running stats fixed across probes
    Tensor a(rm.data(), {nc}), b(rv.data(), {nc});
    xr = x.v;                                       // the default replaces x with relu(x)
    Tensor xt(xr.data(), {nb, nc, t_len});
    K().ReluBatchNormForward(&xt, gamma.t, beta.t, train, 0.1f, 1e-5f, &a, &b, &y, &tm, &ti);
    return Probe(y, r);
  };
  loss();
  Tensor dy(r.data(), {nb, nc, t_len}), xt(xr.data(), {nb, nc, t_len});
  K().ReluBatchNormBackward(xt, gamma.t, tm, ti, dy, train, &x.gt, &gamma.gt, &beta.gt);
  const std::string tag = std::string("relu+batchnorm ") + (train ? "train" : "eval");
  CheckGrad(tag + " dx", loss, x.data(), x.g.data(), x.n());
  CheckGrad(tag + " dgamma", loss, gamma.data(), gamma.g.data(), nc);
  int masked = 0;
  for (int64_t i = 0; i < x.n(); i++) masked += x.v[i] < 0 && x.g[i] == 0.0f;
  EXPECT_GT(masked, 0) << "no negative pre-activation: the mask was not exercised";
}
TEST(ReluBatchNorm, Train) { ReluBatchNormCase(true); }
TEST(ReluBatchNorm, Eval) { ReluBatchNormCase(false); }

// The fused adds' defaults against element loops (exact: the same float additions).
TEST(Elementwise, FusedAdds) {
  SeedTestRng("fusedadds");
  Var a({2, 3, 5}), b({2, 3, 5}), y({2, 3, 5});
  K().AddTwo(a.t, b.t, &y.t);
  for (int64_t i = 0; i < a.n(); i++) EXPECT_EQ(y.v[i], a.v[i] + b.v[i]);
  const std::vector<float> ry = a.v, rs = b.v;
  K().ResidualAccumulate(&a.t, &b.t);   // y += s; s += y
  for (int64_t i = 0; i < a.n(); i++) {
    EXPECT_EQ(a.v[i], ry[i] + rs[i]);
    EXPECT_EQ(b.v[i], rs[i] + (ry[i] + rs[i]));
  }
}

TEST(BatchNorm, Train3d) { BatchNormCase(true, false); }
TEST(BatchNorm, Eval3d) { BatchNormCase(false, false); }
TEST(BatchNorm, TrainPool2d) { BatchNormCase(true, true); }

enum class Act { kRelu, kTanh, kSigmoid };
void ActivationCase(Act act) {
  SeedTestRng("act" + std::to_string(static_cast<int>(act)));
  Var x({3, 4, 5});
  // Keep ReLU inputs away from the kink so a finite step does not cross it.
  for (float &v : x.v) if (std::fabs(v) < 0.05f) v = v < 0 ? -0.05f : 0.05f;
  std::vector<float> yv(x.n()), r = RandomProbe(x.n());
  Tensor y(yv.data(), {3, 4, 5});
  auto fwd = [&](const Tensor &in, Tensor *out) {
    if (act == Act::kRelu) K().ReluForward(in, out);
    else if (act == Act::kTanh) K().TanhForward(in, out);
    else K().SigmoidForward(in, out);
  };
  auto loss = [&]() { fwd(x.t, &y); return Probe(y, r); };
  loss();
  std::vector<float> g = r;
  Tensor gt(g.data(), {3, 4, 5});
  if (act == Act::kRelu) K().ReluBackwardInPlace(y, &gt);
  else if (act == Act::kTanh) K().TanhBackwardInPlace(y, &gt);
  else K().SigmoidBackwardInPlace(y, &gt);
  const char *names[] = {"relu", "tanh", "sigmoid"};
  CheckGrad(names[static_cast<int>(act)], loss, x.data(), g.data(), x.n(), 1e-3f);
}

TEST(Elementwise, Relu) { ActivationCase(Act::kRelu); }
TEST(Elementwise, Tanh) { ActivationCase(Act::kTanh); }
TEST(Elementwise, Sigmoid) { ActivationCase(Act::kSigmoid); }

TEST(Linear, Backward) {
  SeedTestRng("linear");
  Var x({5, 7}), w({3, 7}, 0.4f), b({3});
  std::vector<float> yv(15), r = RandomProbe(15);
  Tensor y(yv.data(), {5, 3});
  auto loss = [&]() { K().LinearForward(x.t, w.t, &b.t, &y); return Probe(y, r); };
  loss();
  Tensor dy(r.data(), {5, 3});
  K().LinearBackward(x.t, w.t, dy, &x.gt, &w.gt, &b.gt);
  CheckGrad("linear dx", loss, x.data(), x.g.data(), x.n());
  CheckGrad("linear dw", loss, w.data(), w.g.data(), w.n());
  CheckGrad("linear db", loss, b.data(), b.g.data(), b.n());
}

TEST(SqueezeExcitation, MeanAndScale) {
  SeedTestRng("se");
  // y = x * mean_t(x)-derived scale: exercises MeanOverTime and ScaleChannels together.
  Var x({3, 4, 6}), a({3, 4});
  std::vector<float> mv(12), yv(x.n()), r = RandomProbe(x.n()), rm = RandomProbe(12);
  Tensor m(mv.data(), {3, 4}), y(yv.data(), {3, 4, 6});
  auto loss = [&]() {
    K().MeanOverTimeForward(x.t, &m);
    K().ScaleChannelsForward(x.t, a.t, &y);
    return Probe(y, r) + Probe(m, rm);
  };
  loss();
  Tensor dy(r.data(), {3, 4, 6}), dm(rm.data(), {3, 4});
  K().ScaleChannelsBackward(x.t, a.t, dy, &x.gt, &a.gt);
  K().MeanOverTimeBackward(dm, &x.gt);
  CheckGrad("mean_t + scale_channels dx", loss, x.data(), x.g.data(), x.n());
  CheckGrad("scale_channels da", loss, a.data(), a.g.data(), a.n());
}

void AttentivePoolCase(bool clamp) {
  SeedTestRng(clamp ? "attpool-clamp" : "attpool");
  const int64_t nb = 2, nc = 3, t_len = 9;
  Var h({nb, nc, t_len}), logits({nb, nc, t_len});
  // One row zero over time: its variance is exactly 0, so the 1e-9 clamp is active there.
  if (clamp) for (int64_t t = 0; t < t_len; t++) h.v[t] = 0.0f;
  std::vector<float> av(h.n()), ov(nb * 2 * nc), r = RandomProbe(nb * 2 * nc);
  Tensor a(av.data(), {nb, nc, t_len}), out(ov.data(), {nb, 2 * nc});
  auto loss = [&]() {
    K().SoftmaxOverTimeForward(logits.t, &a);
    K().AttentiveStatsForward(h.t, a, 1e-9f, &out);
    return Probe(out, r);
  };
  loss();
  std::vector<float> dav(h.n(), 0.0f);
  Tensor da(dav.data(), {nb, nc, t_len}), dout(r.data(), {nb, 2 * nc});
  K().AttentiveStatsBackward(h.t, a, out, 1e-9f, dout, &h.gt, &da);
  K().SoftmaxOverTimeBackward(a, da, &logits.gt);
  std::string tag = clamp ? "attentive stats (clamped row)" : "attentive stats";
  if (clamp) {   // perturbing the constant row would leave the clamp; check the others only
    EXPECT_NEAR(ov[nc + 0], std::sqrt(1e-9), 1e-6);
    return;
  }
  CheckGrad(tag + " dh", loss, h.data(), h.g.data(), h.n(), 1e-3f);
  CheckGrad(tag + " dlogits (softmax)", loss, logits.data(), logits.g.data(), logits.n(), 1e-3f);
}

TEST(AttentivePool, Backward) { AttentivePoolCase(false); }
TEST(AttentivePool, ClampedVariance) { AttentivePoolCase(true); }

TEST(AamSoftmax, BackwardBothBranches) {
  SeedTestRng("aam");
  const int64_t nb = 5, e = 6, n = 7;
  Var x({nb, e}), w({n, e});
  std::vector<int32_t> labels = {0, 3, 6, 2, 3};
  // Row 0 points away from its class: cos < cos(pi - m), the fallback branch phi = cos - sin(pi-m) m.
  for (int64_t i = 0; i < e; i++) x.v[i] = -2.0f * w.v[0 * e + i] + 0.01f * x.v[i];
  std::vector<float> buf(nb * e + nb + n * e + n + 2 * nb * n);
  AamSaved sv;
  float *p = buf.data();
  sv.xn = Tensor(p, {nb, e}); p += nb * e;
  sv.xnorm = Tensor(p, {nb}); p += nb;
  sv.wn = Tensor(p, {n, e}); p += n * e;
  sv.wnorm = Tensor(p, {n}); p += n;
  sv.cosine = Tensor(p, {nb, n}); p += nb * n;
  sv.prob = Tensor(p, {nb, n});
  AamOptions opts;
  int64_t correct = 0;
  auto loss = [&]() { return K().AamSoftmaxForward(x.t, w.t, labels.data(), opts, &sv, &correct); };
  double l = loss();
  EXPECT_LT(sv.cosine.data[0], std::cos(M_PI - opts.margin));   // the fallback branch is used
  EXPECT_GT(l, 0.0);
  // Loss by hand for row 1 vs the kernel's probabilities.
  K().AamSoftmaxBackward(x.t, w.t, labels.data(), opts, sv, 1.0f, &x.gt, &w.gt);
  CheckGrad("aam-softmax dx", loss, x.data(), x.g.data(), x.n(), 1e-3f);
  CheckGrad("aam-softmax dw", loss, w.data(), w.g.data(), w.n(), 1e-3f);
}

}  // namespace
}  // namespace nnet
}  // namespace tdnas
