// kernels-cpu-pool.cc: CPU kernels for squeeze-excitation, attentive statistics pooling and the
// AAM-softmax loss. Sums over time and over classes accumulate in double.
// Hot loops: O3 for vectorization (see kernels-cpu.cc).
#pragma GCC optimize("O3")
#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "nnet/kernels-cpu.h"
#include "nnet/parallel.h"

namespace tdnas {
namespace nnet {

namespace {

void CheckBct(const Tensor &t) { TD_ASSERT(t.device == Device::kCpu && t.ndim == 3); }

// Calls fn(b, c, row offset within the batch slice) over all (b, c) rows, threaded over b.
template <typename Fn> void ForBc(int64_t nb, int64_t nc, Fn fn) {
  ParallelFor(nb, [&](int64_t b0, int64_t b1, int) {
    for (int64_t b = b0; b < b1; b++)
      for (int64_t c = 0; c < nc; c++) fn(b, c);
  });
}

// x / max(|x|, 1e-12) per row (F.normalize); returns the clamped norms.
void NormalizeRows(const float *x, int64_t rows, int64_t cols, int64_t ld, float *xn,
                   float *norms) {
  for (int64_t r = 0; r < rows; r++) {
    const float *p = x + r * ld;
    double ss = 0.0;
    for (int64_t i = 0; i < cols; i++) ss += static_cast<double>(p[i]) * p[i];
    float nrm = static_cast<float>(std::max(std::sqrt(ss), 1e-12));
    norms[r] = nrm;
    for (int64_t i = 0; i < cols; i++) xn[r * cols + i] = p[i] / nrm;
  }
}

// dx += d(normalize)/dx^T dxn for one row: (dxn - xn (xn . dxn)) / |x| (or dxn / eps if clamped).
void NormalizeBackwardRow(const float *xn, float nrm, bool clamped, const float *dxn,
                          int64_t cols, float *dx) {
  double dot = 0.0;
  if (!clamped) for (int64_t i = 0; i < cols; i++) dot += static_cast<double>(xn[i]) * dxn[i];
  float d = static_cast<float>(dot);
  for (int64_t i = 0; i < cols; i++) dx[i] += (dxn[i] - xn[i] * d) / nrm;
}

}  // namespace

void CpuKernels::MeanOverTimeForward(const Tensor &x, Tensor *m) const {
  CheckBct(x);
  const int64_t nb = x.dim[0], nc = x.dim[1], t_len = x.dim[2];
  TD_ASSERT(m->dim[0] == nb && m->InnerSize() == nc);
  ForBc(nb, nc, [&](int64_t b, int64_t c) {
    const float *p = x.Batch(b) + c * t_len;
    double s = 0.0;
    for (int64_t t = 0; t < t_len; t++) s += p[t];
    m->Batch(b)[c] = static_cast<float>(s / t_len);
  });
}

void CpuKernels::MeanOverTimeBackward(const Tensor &dm, Tensor *dx) const {
  CheckBct(*dx);
  const int64_t nb = dx->dim[0], nc = dx->dim[1], t_len = dx->dim[2];
  TD_ASSERT(dm.dim[0] == nb && dm.InnerSize() == nc);
  ForBc(nb, nc, [&](int64_t b, int64_t c) {
    float g = dm.Batch(b)[c] / t_len;
    float *q = dx->Batch(b) + c * t_len;
    for (int64_t t = 0; t < t_len; t++) q[t] += g;
  });
}

void CpuKernels::ScaleChannelsForward(const Tensor &x, const Tensor &a, Tensor *y) const {
  CheckBct(x);
  TD_ASSERT(x.SameShape(*y) && a.dim[0] == x.dim[0] && a.InnerSize() == x.dim[1]);
  const int64_t t_len = x.dim[2];
  ForBc(x.dim[0], x.dim[1], [&](int64_t b, int64_t c) {
    const float s = a.Batch(b)[c], *p = x.Batch(b) + c * t_len;
    float *q = y->Batch(b) + c * t_len;
    for (int64_t t = 0; t < t_len; t++) q[t] = p[t] * s;
  });
}

void CpuKernels::ScaleChannelsBackward(const Tensor &x, const Tensor &a, const Tensor &dy,
                                       Tensor *dx, Tensor *da) const {
  CheckBct(x);
  TD_ASSERT(x.SameShape(dy) && dx->SameShape(x) && da->SameShape(a));
  const int64_t t_len = x.dim[2];
  ForBc(x.dim[0], x.dim[1], [&](int64_t b, int64_t c) {
    const float s = a.Batch(b)[c], *p = x.Batch(b) + c * t_len, *g = dy.Batch(b) + c * t_len;
    float *d = dx->Batch(b) + c * t_len;
    double acc = 0.0;
    for (int64_t t = 0; t < t_len; t++) { d[t] += g[t] * s; acc += g[t] * p[t]; }
    da->Batch(b)[c] += static_cast<float>(acc);
  });
}

void CpuKernels::SoftmaxOverTimeForward(const Tensor &logits, Tensor *a) const {
  CheckBct(logits);
  TD_ASSERT(logits.SameShape(*a));
  const int64_t t_len = logits.dim[2];
  ForBc(logits.dim[0], logits.dim[1], [&](int64_t b, int64_t c) {
    const float *p = logits.Batch(b) + c * t_len;
    float *q = a->Batch(b) + c * t_len;
    // Tried: a polynomial exp (Cephes coefficients, <1 ulp) meant to vectorize. At -O3 without
    // -ffast-math it did not (48 ms vs std::exp's 34 ms for 9.8M values) and its extra error
    // showed in the float64 PyTorch comparison (7.5e-5 -> 9.7e-5 worst gradient). Not taken.
    float mx = *std::max_element(p, p + t_len);
    double s = 0.0;
    for (int64_t t = 0; t < t_len; t++) { q[t] = std::exp(p[t] - mx); s += q[t]; }
    float inv = static_cast<float>(1.0 / s);
    for (int64_t t = 0; t < t_len; t++) q[t] *= inv;
  });
}

void CpuKernels::SoftmaxOverTimeBackward(const Tensor &a, const Tensor &da,
                                         Tensor *dlogits) const {
  CheckBct(a);
  TD_ASSERT(a.SameShape(da) && a.SameShape(*dlogits));
  const int64_t t_len = a.dim[2];
  ForBc(a.dim[0], a.dim[1], [&](int64_t b, int64_t c) {
    const float *p = a.Batch(b) + c * t_len, *g = da.Batch(b) + c * t_len;
    float *d = dlogits->Batch(b) + c * t_len;
    double dot = 0.0;
    for (int64_t t = 0; t < t_len; t++) dot += static_cast<double>(p[t]) * g[t];
    float fd = static_cast<float>(dot);
    for (int64_t t = 0; t < t_len; t++) d[t] += p[t] * (g[t] - fd);
  });
}

void CpuKernels::AttentiveStatsForward(const Tensor &h, const Tensor &a, float min_var,
                                       Tensor *out) const {
  CheckBct(h);
  TD_ASSERT(h.SameShape(a));
  const int64_t nc = h.dim[1], t_len = h.dim[2];
  TD_ASSERT(out->ndim == 2 && out->dim[0] == h.dim[0] && out->dim[1] == 2 * nc);
  ForBc(h.dim[0], nc, [&](int64_t b, int64_t c) {
    const float *x = h.Batch(b) + c * t_len, *w = a.Batch(b) + c * t_len;
    double mu = 0.0, m2 = 0.0;
    for (int64_t t = 0; t < t_len; t++) {
      double wx = static_cast<double>(w[t]) * x[t];
      mu += wx;
      m2 += wx * x[t];
    }
    double var = std::max(m2 - mu * mu, static_cast<double>(min_var));
    out->Batch(b)[c] = static_cast<float>(mu);
    out->Batch(b)[nc + c] = static_cast<float>(std::sqrt(var));
  });
}

void CpuKernels::AttentiveStatsBackward(const Tensor &h, const Tensor &a, const Tensor &out,
                                        float min_var, const Tensor &dout, Tensor *dh,
                                        Tensor *da) const {
  CheckBct(h);
  TD_ASSERT(h.SameShape(a) && dh->SameShape(h) && da->SameShape(h) && dout.SameShape(out));
  const int64_t nc = h.dim[1], t_len = h.dim[2];
  ForBc(h.dim[0], nc, [&](int64_t b, int64_t c) {
    const float *x = h.Batch(b) + c * t_len, *w = a.Batch(b) + c * t_len;
    float *gx = dh->Batch(b) + c * t_len, *gw = da->Batch(b) + c * t_len;
    double mu = 0.0, m2 = 0.0;   // recomputed: cheaper than saving, and decides the clamp
    for (int64_t t = 0; t < t_len; t++) {
      double wx = static_cast<double>(w[t]) * x[t];
      mu += wx;
      m2 += wx * x[t];
    }
    double var = m2 - mu * mu;
    const float sd = out.Batch(b)[nc + c];
    const float dmu = dout.Batch(b)[c], dsd = dout.Batch(b)[nc + c];
    // torch.clamp(min) passes the gradient where var >= min.
    const float dvar = var >= min_var ? dsd / (2.0f * sd) : 0.0f;
    const float dmu_eff = dmu - 2.0f * static_cast<float>(mu) * dvar;
    for (int64_t t = 0; t < t_len; t++) {
      gx[t] += w[t] * (dmu_eff + 2.0f * x[t] * dvar);
      gw[t] += x[t] * (dmu_eff + x[t] * dvar);
    }
  });
}

double CpuKernels::AamSoftmaxForward(const Tensor &x, const Tensor &w, const int32_t *labels,
                                     const AamOptions &opts, AamSaved *sv,
                                     int64_t *num_correct) const {
  TD_ASSERT(x.device == Device::kCpu && x.ndim == 2 && w.ndim == 2 && w.Contiguous());
  const int64_t nb = x.dim[0], e = x.dim[1], n = w.dim[0];
  TD_ASSERT(w.dim[1] == e && sv->cosine.dim[0] == nb && sv->cosine.dim[1] == n);
  NormalizeRows(x.data, nb, e, x.bstride, sv->xn.data, sv->xnorm.data);
  NormalizeRows(w.data, n, e, e, sv->wn.data, sv->wnorm.data);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nb, n, e, 1.0f, sv->xn.data, e,
              sv->wn.data, e, 0.0f, sv->cosine.data, n);
  const double m = opts.margin, cos_m = std::cos(m), sin_m = std::sin(m);
  const double th = std::cos(M_PI - m), mm = std::sin(M_PI - m) * m;
  double loss = 0.0;
  int64_t correct = 0;
  std::vector<double> logit(n);
  for (int64_t b = 0; b < nb; b++) {
    const int32_t y = labels[b];
    TD_ASSERT(y >= 0 && y < n);
    const float *cs = sv->cosine.data + b * n;
    for (int64_t j = 0; j < n; j++) logit[j] = opts.scale * static_cast<double>(cs[j]);
    const double c = cs[y];
    const double sine = std::sqrt(std::min(std::max(1.0 - c * c, 0.0), 1.0));
    const double phi = (c - th > 0) ? c * cos_m - sine * sin_m : c - mm;
    logit[y] = opts.scale * phi;
    int64_t arg = std::max_element(logit.begin(), logit.end()) - logit.begin();
    if (arg == y) correct++;
    double mx = logit[arg], s = 0.0;
    for (int64_t j = 0; j < n; j++) s += std::exp(logit[j] - mx);
    loss += (mx + std::log(s)) - logit[y];
    float *pr = sv->prob.data + b * n;
    for (int64_t j = 0; j < n; j++) pr[j] = static_cast<float>(std::exp(logit[j] - mx) / s);
  }
  *num_correct = correct;
  return loss / nb;
}

void CpuKernels::AamSoftmaxBackward(const Tensor &x, const Tensor &w, const int32_t *labels,
                                    const AamOptions &opts, const AamSaved &sv, float loss_scale,
                                    Tensor *dx, Tensor *dw) const {
  const int64_t nb = x.dim[0], e = x.dim[1], n = w.dim[0];
  TD_ASSERT(dx->SameShape(x) && dw->SameShape(w) && dw->Contiguous());
  const double m = opts.margin, cos_m = std::cos(m), sin_m = std::sin(m);
  const double th = std::cos(M_PI - m);
  // dcos (B, N): d loss / d cosine.
  // Scratch kept between calls: (B, N) and (N, E) are megabytes, and fresh allocations of that
  // size are fresh pages (page faults) on every step.
  static std::vector<float> dcos, dxn, dwn;
  dcos.resize(nb * n);
  dxn.resize(nb * e);
  dwn.resize(n * e);
  const float k = opts.scale * loss_scale / nb;
  for (int64_t b = 0; b < nb; b++) {
    const int32_t y = labels[b];
    const float *pr = sv.prob.data + b * n;
    float *d = dcos.data() + b * n;
    for (int64_t j = 0; j < n; j++) d[j] = k * pr[j];
    const double c = sv.cosine.data[b * n + y];
    double dphi_dcos = 1.0;
    if (c - th > 0) {
      double one_minus = 1.0 - c * c;
      double dsine = (one_minus > 0.0 && one_minus < 1.0) ? -c / std::sqrt(one_minus) : 0.0;
      dphi_dcos = cos_m - dsine * sin_m;
    }
    d[y] = static_cast<float>(k * (pr[y] - 1.0) * dphi_dcos);
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, nb, e, n, 1.0f, dcos.data(), n,
              sv.wn.data, e, 0.0f, dxn.data(), e);
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, e, nb, 1.0f, dcos.data(), n,
              sv.xn.data, e, 0.0f, dwn.data(), e);
  for (int64_t b = 0; b < nb; b++)
    NormalizeBackwardRow(sv.xn.data + b * e, sv.xnorm.data[b], sv.xnorm.data[b] <= 1e-12f,
                         dxn.data() + b * e, e, dx->Batch(b));
  ParallelFor(n, [&](int64_t j0, int64_t j1, int) {
    for (int64_t j = j0; j < j1; j++)
      NormalizeBackwardRow(sv.wn.data + j * e, sv.wnorm.data[j], sv.wnorm.data[j] <= 1e-12f,
                           dwn.data() + j * e, e, dw->data + j * e);
  });
}

}  // namespace nnet
}  // namespace tdnas
