// kernels-cpu.cc: CPU convolution, batch norm, elementwise and linear kernels.
//
// Convolution = im2col + one sgemm per utterance: col (Cin*K, T) holds x shifted by each tap's
// offset (k - (K-1)/2) * dilation with zeros outside [0, T), and y_b = w (Cout, Cin*K) * col.
// The weight keeps PyTorch's (Cout, Cin, K) layout, which is exactly the row-major (Cout, Cin*K)
// matrix the GEMM wants. 1x1 convolutions skip im2col. Backward rebuilds col (cheaper than
// keeping it) and does dw += dy_b col^T and dcol = w^T dy_b, then scatters dcol back (col2im).
// Work is split over utterances; each thread accumulates dw in its own scratch, summed at the end.
// The build uses -O2, where GCC 12 vectorizes almost nothing (very-cheap cost model): an
// elementwise ReLU backward over 1.6M floats took 25 ms scalar and branchy, 1.7 ms vectorized.
// The kernels in this file are hot loops, so they get O3.
#pragma GCC optimize("O3")
#include "nnet/kernels-cpu.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "nnet/parallel.h"

namespace tdnas {
namespace nnet {

namespace {

// Row-major sgemm: C (M x N) = alpha op(A) op(B) + beta C.
inline void Gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                 int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a,
              static_cast<int>(lda), b, static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}

// Per-thread scratch kept between calls (kernels are called from one thread of control).
struct Scratch {
  std::vector<float> col, dcol, dw;
};
Scratch &ThreadScratch(int thread) {
  static std::vector<Scratch> scratch;
  if (scratch.size() < static_cast<size_t>(NumThreads()))
    scratch.resize(NumThreads());   // called before ParallelFor starts workers
  return scratch[thread];
}
void PrepareScratch() { ThreadScratch(0); }

void CheckCpu(const Tensor &t) { TD_ASSERT(t.device == Device::kCpu && t.data != nullptr); }

void CheckConvShapes(const Tensor &x, const Tensor &w, int dilation, const Tensor &y) {
  CheckCpu(x); CheckCpu(w); CheckCpu(y);
  TD_ASSERT(x.ndim == 3 && w.ndim == 3 && y.ndim == 3 && w.Contiguous());
  TD_ASSERT(x.dim[0] == y.dim[0] && x.dim[2] == y.dim[2]);
  TD_ASSERT(w.dim[0] == y.dim[1] && w.dim[1] == x.dim[1] && w.dim[2] % 2 == 1 && dilation >= 1);
}

// col (Cin*K, T) from x_b (Cin, T): col[ci*K + k][t] = x[ci][t + (k - K/2) * dil] or 0.
void Im2Col(const float *x, int64_t cin, int64_t t_len, int64_t kw, int dil, float *col) {
  for (int64_t ci = 0; ci < cin; ci++) {
    const float *xr = x + ci * t_len;
    for (int64_t k = 0; k < kw; k++) {
      float *cr = col + (ci * kw + k) * t_len;
      int64_t s = (k - kw / 2) * dil;
      int64_t t0 = std::max<int64_t>(0, -s), t1 = std::min<int64_t>(t_len, t_len - s);
      if (t1 <= t0) { std::fill(cr, cr + t_len, 0.0f); continue; }
      std::fill(cr, cr + t0, 0.0f);
      std::copy(xr + t0 + s, xr + t1 + s, cr + t0);
      std::fill(cr + t1, cr + t_len, 0.0f);
    }
  }
}

// dx_b += col2im(dcol).
void Col2ImAdd(const float *dcol, int64_t cin, int64_t t_len, int64_t kw, int dil, float *dx) {
  for (int64_t ci = 0; ci < cin; ci++) {
    float *dxr = dx + ci * t_len;
    for (int64_t k = 0; k < kw; k++) {
      const float *cr = dcol + (ci * kw + k) * t_len;
      int64_t s = (k - kw / 2) * dil;
      int64_t t0 = std::max<int64_t>(0, -s), t1 = std::min<int64_t>(t_len, t_len - s);
      for (int64_t t = t0; t < t1; t++) dxr[t + s] += cr[t];
    }
  }
}

// Double-precision row reductions with 4 independent accumulators (no serial dependency chain).
inline double SumDouble(const float *p, int64_t n) {
  double a[4] = {0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; k++) a[k] += p[i + k];
  for (; i < n; i++) a[0] += p[i];
  return (a[0] + a[1]) + (a[2] + a[3]);
}
inline double SumSqDevDouble(const float *p, int64_t n, double mu) {
  double a[4] = {0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; k++) { double d = p[i + k] - mu; a[k] += d * d; }
  for (; i < n; i++) { double d = p[i] - mu; a[0] += d * d; }
  return (a[0] + a[1]) + (a[2] + a[3]);
}
// sum_i g_i (p_i - m)
inline double DotDevDouble(const float *g, const float *p, int64_t n, double m) {
  double a[4] = {0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; k++) a[k] += static_cast<double>(g[i + k]) * (p[i + k] - m);
  for (; i < n; i++) a[0] += static_cast<double>(g[i]) * (p[i] - m);
  return (a[0] + a[1]) + (a[2] + a[3]);
}

// Calls fn(row pointer of each tensor, inner length) for every dim-0 slice, over threads.
template <typename Fn> void ForRows2(const Tensor &a, const Tensor &b, Fn fn) {
  TD_ASSERT(a.dim[0] == b.dim[0] && a.InnerSize() == b.InnerSize());
  CheckCpu(a); CheckCpu(b);
  int64_t inner = a.InnerSize();
  ParallelFor(a.dim[0], [&](int64_t b0, int64_t b1, int) {
    for (int64_t i = b0; i < b1; i++) fn(a.Batch(i), b.Batch(i), inner);
  });
}

}  // namespace

void CpuKernels::Conv1dForward(const Tensor &x, const Tensor &w, int dilation, Tensor *y) const {
  CheckConvShapes(x, w, dilation, *y);
  const int64_t cin = x.dim[1], t_len = x.dim[2], cout = w.dim[0], kw = w.dim[2];
  PrepareScratch();
  ParallelFor(x.dim[0], [&](int64_t b0, int64_t b1, int thread) {
    Scratch &s = ThreadScratch(thread);
    if (kw > 1) s.col.resize(cin * kw * t_len);
    for (int64_t b = b0; b < b1; b++) {
      const float *src = x.Batch(b);
      if (kw > 1) { Im2Col(src, cin, t_len, kw, dilation, s.col.data()); src = s.col.data(); }
      Gemm(false, false, cout, t_len, cin * kw, 1.0f, w.data, cin * kw, src, t_len, 0.0f,
           y->Batch(b), t_len);
    }
  });
}

void CpuKernels::Conv1dBackward(const Tensor &x, const Tensor &w, int dilation, const Tensor &dy,
                                Tensor *dx, Tensor *dw) const {
  CheckConvShapes(x, w, dilation, dy);
  TD_ASSERT(dw != nullptr && dw->SameShape(w) && dw->Contiguous());
  if (dx != nullptr) TD_ASSERT(dx->SameShape(x));
  const int64_t cin = x.dim[1], t_len = x.dim[2], cout = w.dim[0], kw = w.dim[2];
  const int64_t wsize = w.Numel();
  PrepareScratch();
  std::vector<char> ran(NumThreads(), 0);
  ParallelFor(x.dim[0], [&](int64_t b0, int64_t b1, int thread) {
    Scratch &s = ThreadScratch(thread);
    ran[thread] = 1;
    float *dwt = dw->data;   // thread 0 accumulates straight into dw
    if (thread > 0) { s.dw.assign(wsize, 0.0f); dwt = s.dw.data(); }
    if (kw > 1) { s.col.resize(cin * kw * t_len); s.dcol.resize(cin * kw * t_len); }
    for (int64_t b = b0; b < b1; b++) {
      const float *src = x.Batch(b);
      if (kw > 1) { Im2Col(src, cin, t_len, kw, dilation, s.col.data()); src = s.col.data(); }
      const float *g = dy.Batch(b);
      Gemm(false, true, cout, cin * kw, t_len, 1.0f, g, t_len, src, t_len, 1.0f, dwt, cin * kw);
      if (dx == nullptr) continue;
      if (kw == 1) {
        Gemm(true, false, cin, t_len, cout, 1.0f, w.data, cin, g, t_len, 1.0f, dx->Batch(b),
             t_len);
      } else {
        Gemm(true, false, cin * kw, t_len, cout, 1.0f, w.data, cin * kw, g, t_len, 0.0f,
             s.dcol.data(), t_len);
        Col2ImAdd(s.dcol.data(), cin, t_len, kw, dilation, dx->Batch(b));
      }
    }
  });
  for (size_t th = 1; th < ran.size(); th++) {
    if (!ran[th]) continue;
    const float *p = ThreadScratch(th).dw.data();
    for (int64_t i = 0; i < wsize; i++) dw->data[i] += p[i];
  }
}

void CpuKernels::BatchNormForward(const Tensor &x, const Tensor &gamma, const Tensor &beta,
                                  bool train, float momentum, float eps, Tensor *running_mean,
                                  Tensor *running_var, Tensor *y, Tensor *mean,
                                  Tensor *invstd) const {
  CheckCpu(x); CheckCpu(*y);
  TD_ASSERT(x.SameShape(*y) && x.ndim >= 2);
  const int64_t nb = x.dim[0], nc = x.dim[1], t_len = x.InnerSize() / nc, n = nb * t_len;
  TD_ASSERT(gamma.Numel() == nc && beta.Numel() == nc && mean->Numel() == nc &&
            invstd->Numel() == nc && running_mean->Numel() == nc && running_var->Numel() == nc);
  if (train) TD_ASSERT(n > 1);
  ParallelFor(nc, [&](int64_t c0, int64_t c1, int) {
    for (int64_t c = c0; c < c1; c++) {
      double mu, var;
      if (train) {
        double sum = 0.0;
        for (int64_t b = 0; b < nb; b++) sum += SumDouble(x.Batch(b) + c * t_len, t_len);
        mu = sum / n;
        double ss = 0.0;
        for (int64_t b = 0; b < nb; b++) ss += SumSqDevDouble(x.Batch(b) + c * t_len, t_len, mu);
        var = ss / n;
        running_mean->data[c] = (1.0f - momentum) * running_mean->data[c] + momentum * mu;
        running_var->data[c] = (1.0f - momentum) * running_var->data[c] +
                               momentum * (ss / (n - 1));
      } else {
        mu = running_mean->data[c];
        var = running_var->data[c];
      }
      float is = static_cast<float>(1.0 / std::sqrt(var + eps));
      float m = static_cast<float>(mu);
      mean->data[c] = m;
      invstd->data[c] = is;
      // (x - m) * scale + beta, not x * scale + (beta - m * scale): the folded form loses
      // bits when |m| is large against the spread (post-ReLU inputs); measured against float64
      // PyTorch it took the worst gradient error from 7.5e-5 to 5.3e-5.
      const float scale = is * gamma.data[c], shift = beta.data[c];
      for (int64_t b = 0; b < nb; b++) {
        const float *p = x.Batch(b) + c * t_len;
        float *q = y->Batch(b) + c * t_len;
        for (int64_t t = 0; t < t_len; t++) q[t] = (p[t] - m) * scale + shift;
      }
    }
  });
}

void CpuKernels::BatchNormBackward(const Tensor &x, const Tensor &gamma, const Tensor &mean,
                                   const Tensor &invstd, const Tensor &dy, bool train,
                                   Tensor *dx, Tensor *dgamma, Tensor *dbeta) const {
  CheckCpu(x); CheckCpu(dy);
  TD_ASSERT(x.SameShape(dy));
  const int64_t nb = x.dim[0], nc = x.dim[1], t_len = x.InnerSize() / nc, n = nb * t_len;
  if (dx != nullptr) TD_ASSERT(dx->SameShape(x));
  ParallelFor(nc, [&](int64_t c0, int64_t c1, int) {
    for (int64_t c = c0; c < c1; c++) {
      const float m = mean.data[c], is = invstd.data[c];
      double sum_dy = 0.0, sum_dy_xhat = 0.0;
      for (int64_t b = 0; b < nb; b++) {
        const float *p = x.Batch(b) + c * t_len, *g = dy.Batch(b) + c * t_len;
        sum_dy += SumDouble(g, t_len);
        sum_dy_xhat += DotDevDouble(g, p, t_len, m) * is;
      }
      dgamma->data[c] += static_cast<float>(sum_dy_xhat);
      dbeta->data[c] += static_cast<float>(sum_dy);
      if (dx == nullptr) continue;
      const float k = gamma.data[c] * is;
      const float a = train ? static_cast<float>(sum_dy / n) : 0.0f;
      const float bcoef = train ? static_cast<float>(sum_dy_xhat / n) : 0.0f;
      for (int64_t b = 0; b < nb; b++) {
        const float *p = x.Batch(b) + c * t_len, *g = dy.Batch(b) + c * t_len;
        float *d = dx->Batch(b) + c * t_len;
        for (int64_t t = 0; t < t_len; t++) d[t] += k * (g[t] - a - (p[t] - m) * is * bcoef);
      }
    }
  });
}

void CpuKernels::ReluForward(const Tensor &x, Tensor *y) const {
  ForRows2(x, *y, [](const float *p, float *q, int64_t n) {
    for (int64_t i = 0; i < n; i++) q[i] = std::max(p[i], 0.0f);   // maxps; y may alias x
  });
}
void CpuKernels::ReluBackwardInPlace(const Tensor &y, Tensor *dy) const {
  ForRows2(y, *dy, [](const float *__restrict p, float *__restrict g, int64_t n) {
    for (int64_t i = 0; i < n; i++) g[i] = p[i] > 0.0f ? g[i] : 0.0f;   // vectorizes to a blend
  });
}
void CpuKernels::TanhForward(const Tensor &x, Tensor *y) const {
  ForRows2(x, *y, [](const float *p, float *q, int64_t n) {
    for (int64_t i = 0; i < n; i++) q[i] = std::tanh(p[i]);
  });
}
void CpuKernels::TanhBackwardInPlace(const Tensor &y, Tensor *dy) const {
  ForRows2(y, *dy, [](const float *p, float *g, int64_t n) {
    for (int64_t i = 0; i < n; i++) g[i] *= 1.0f - p[i] * p[i];
  });
}
void CpuKernels::SigmoidForward(const Tensor &x, Tensor *y) const {
  ForRows2(x, *y, [](const float *p, float *q, int64_t n) {
    for (int64_t i = 0; i < n; i++) q[i] = 1.0f / (1.0f + std::exp(-p[i]));
  });
}
void CpuKernels::SigmoidBackwardInPlace(const Tensor &y, Tensor *dy) const {
  ForRows2(y, *dy, [](const float *p, float *g, int64_t n) {
    for (int64_t i = 0; i < n; i++) g[i] *= p[i] * (1.0f - p[i]);
  });
}
void CpuKernels::Add(const Tensor &x, Tensor *y) const {
  ForRows2(x, *y, [](const float *p, float *q, int64_t n) {
    for (int64_t i = 0; i < n; i++) q[i] += p[i];
  });
}
void CpuKernels::Copy(const Tensor &x, Tensor *y) const {
  ForRows2(x, *y, [](const float *p, float *q, int64_t n) { std::copy(p, p + n, q); });
}

void CpuKernels::LinearForward(const Tensor &x, const Tensor &w, const Tensor *b,
                               Tensor *y) const {
  CheckCpu(x); CheckCpu(w); CheckCpu(*y);
  TD_ASSERT(x.ndim == 2 && w.ndim == 2 && y->ndim == 2 && w.Contiguous());
  const int64_t nb = x.dim[0], in = x.dim[1], out = w.dim[0];
  TD_ASSERT(w.dim[1] == in && y->dim[0] == nb && y->dim[1] == out);
  Gemm(false, true, nb, out, in, 1.0f, x.data, x.bstride, w.data, in, 0.0f, y->data, y->bstride);
  if (b != nullptr) {
    TD_ASSERT(b->Numel() == out);
    for (int64_t i = 0; i < nb; i++)
      for (int64_t o = 0; o < out; o++) y->Batch(i)[o] += b->data[o];
  }
}

void CpuKernels::LinearBackward(const Tensor &x, const Tensor &w, const Tensor &dy, Tensor *dx,
                                Tensor *dw, Tensor *db) const {
  CheckCpu(x); CheckCpu(w); CheckCpu(dy);
  const int64_t nb = x.dim[0], in = x.dim[1], out = w.dim[0];
  TD_ASSERT(dy.dim[0] == nb && dy.dim[1] == out && dw->SameShape(w) && dw->Contiguous());
  if (dx != nullptr) {
    TD_ASSERT(dx->SameShape(x));
    Gemm(false, false, nb, in, out, 1.0f, dy.data, dy.bstride, w.data, in, 1.0f, dx->data,
         dx->bstride);
  }
  Gemm(true, false, out, in, nb, 1.0f, dy.data, dy.bstride, x.data, x.bstride, 1.0f, dw->data,
       in);
  if (db != nullptr) {
    for (int64_t o = 0; o < out; o++) {
      double s = 0.0;
      for (int64_t i = 0; i < nb; i++) s += dy.Batch(i)[o];
      db->data[o] += static_cast<float>(s);
    }
  }
}

void CpuKernels::AdamUpdate(float lr, float beta1, float beta2, float eps, float weight_decay,
                            bool decoupled, int64_t step, const Tensor &g, Tensor *p, Tensor *m,
                            Tensor *v) const {
  const AdamStepCoef c = AdamCoefficients(lr, beta1, beta2, weight_decay, decoupled, step);
  AdamUpdateOnDevice(&c, beta1, beta2, eps, g, p, m, v);
}

// On the CPU the "device" is host memory.
void CpuKernels::AdamUpdateOnDevice(const AdamStepCoef *coef, float beta1, float beta2,
                                    float eps, const Tensor &g, Tensor *p, Tensor *m,
                                    Tensor *v) const {
  const int64_t n = p->Numel();
  TD_ASSERT(g.Numel() == n && m->Numel() == n && v->Numel() == n);
  TD_ASSERT(p->Contiguous() && g.Contiguous() && m->Contiguous() && v->Contiguous());
  const AdamStepCoef c = *coef;
  ParallelFor(n, [&](int64_t i0, int64_t i1, int) {
    float *pp = p->data, *mm = m->data, *vv = v->data;
    const float *gg = g.data;
    for (int64_t i = i0; i < i1; i++) {
      float gi = gg[i] + c.l2 * pp[i];
      mm[i] = beta1 * mm[i] + (1.0f - beta1) * gi;
      vv[i] = beta2 * vv[i] + (1.0f - beta2) * gi * gi;
      pp[i] = pp[i] * c.decay - c.step_size * mm[i] / (std::sqrt(vv[i]) * c.inv_sqrt_bc2 + eps);
    }
  });
}

}  // namespace nnet
}  // namespace tdnas
