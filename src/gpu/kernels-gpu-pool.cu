// kernels-gpu-pool.cu: GPU elementwise, squeeze-excitation, attentive-pooling and AAM-softmax
// kernels. Reductions over time (T ~ 200) use one warp per (b, c) row and accumulate in double,
// as the CPU kernels do; the AAM loss uses one block per utterance over the classes.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "gpu/gpu-context.h"
#include "gpu/kernels-gpu.h"
#include "gpu/row-staging.cuh"

namespace tdnas {
namespace gpu {

namespace {

constexpr int kThreads = 256;
constexpr int kRowsPerBlock = kThreads / 32;

// ---- elementwise over (B, inner) with batch strides: y = f(x, y) ----
// blockIdx.y is the batch item; V floats per access (4 when rows and strides allow float4).
template <typename F, int V>
__global__ void Map2Kernel(const float *x, int64_t x_b, float *y, int64_t y_b, int inner, F f) {
  const float *xb = x + blockIdx.y * x_b;
  float *yb = y + blockIdx.y * y_b;
  if (V == 4) {
    const float4 *x4 = reinterpret_cast<const float4 *>(xb);
    float4 *y4 = reinterpret_cast<float4 *>(yb);
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < inner / 4;
         i += gridDim.x * blockDim.x) {
      float4 a = x4[i], b = y4[i];
      b.x = f(a.x, b.x); b.y = f(a.y, b.y); b.z = f(a.z, b.z); b.w = f(a.w, b.w);
      y4[i] = b;
    }
  } else {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < inner; i += gridDim.x * blockDim.x)
      yb[i] = f(xb[i], yb[i]);
  }
}
// Contiguous fast path (both tensors dense): 4 floats per thread when aligned.
template <typename F>
__global__ void Map2FlatKernel(const float *x, float *y, int64_t total, F f) {
  const int64_t n4 = total / 4;
  const float4 *x4 = reinterpret_cast<const float4 *>(x);
  float4 *y4 = reinterpret_cast<float4 *>(y);
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n4;
       i += (int64_t)gridDim.x * blockDim.x) {
    float4 a = x4[i], b = y4[i];
    b.x = f(a.x, b.x); b.y = f(a.y, b.y); b.z = f(a.z, b.z); b.w = f(a.w, b.w);
    y4[i] = b;
  }
  for (int64_t i = n4 * 4 + blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < total;
       i += (int64_t)gridDim.x * blockDim.x)
    y[i] = f(x[i], y[i]);
}

template <typename F> void Map2(const Tensor &x, Tensor *y, F f) {
  CheckGpu(x); CheckGpu(*y);
  TD_ASSERT(x.dim[0] == y->dim[0] && x.InnerSize() == y->InnerSize());
  const int64_t inner = x.InnerSize(), total = x.dim[0] * inner;
  if (total == 0) return;
  const bool aligned = (reinterpret_cast<uintptr_t>(x.data) % 16 == 0) &&
                       (reinterpret_cast<uintptr_t>(y->data) % 16 == 0);
  if (x.Contiguous() && y->Contiguous() && aligned) {
    Map2FlatKernel<<<GridFor(total / 4 + 1, kThreads), kThreads, 0, Stream()>>>(x.data, y->data,
                                                                                 total, f);
  } else {
    TD_ASSERT(x.dim[0] <= 65535 && inner < (1LL << 31));
    const bool v4 = aligned && inner % 4 == 0 && x.bstride % 4 == 0 && y->bstride % 4 == 0;
    const int64_t per = v4 ? inner / 4 : inner;
    const dim3 grid(std::min<unsigned>(GridFor(per, kThreads), 4096u), (unsigned)x.dim[0]);
    if (v4)
      Map2Kernel<F, 4><<<grid, kThreads, 0, Stream()>>>(x.data, x.bstride, y->data, y->bstride,
                                                         (int)inner, f);
    else
      Map2Kernel<F, 1><<<grid, kThreads, 0, Stream()>>>(x.data, x.bstride, y->data, y->bstride,
                                                         (int)inner, f);
  }
  CUDA_LAUNCH_CHECK();
}

__device__ inline float VecAdd(float a, float b) { return a + b; }
__device__ inline float4 VecAdd(float4 a, float4 b) {
  return make_float4(a.x + b.x, a.y + b.y, a.z + b.z, a.w + b.w);
}

// ---- fused pairs of elementwise ops over (B, inner) tensors with batch strides ----
// One kernel, two ops (kOp); each tensor is read and written only where its op needs it.
// blockIdx.y is the batch item; V = 4 moves float4s (every base and stride 16-byte aligned).
enum FusedAddOp { kAddTwo = 0, kResidual = 1 };
template <int kOp, int V>
__global__ void FusedAddKernel(const float *__restrict__ p, int64_t p_b, float *__restrict__ q,
                               int64_t q_b, float *__restrict__ r, int64_t r_b, int inner) {
  // kAddTwo:    r = p + q          (q read-only)
  // kResidual:  q += r; r += q     (p unused: q is y, r is s)
  using Vec = typename std::conditional<V == 4, float4, float>::type;
  const Vec *pb = reinterpret_cast<const Vec *>(p + blockIdx.y * p_b);
  Vec *qb = reinterpret_cast<Vec *>(q + blockIdx.y * q_b);
  Vec *rb = reinterpret_cast<Vec *>(r + blockIdx.y * r_b);
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < inner / V; i += gridDim.x * blockDim.x) {
    if (kOp == kAddTwo) {
      rb[i] = VecAdd(pb[i], qb[i]);
    } else {
      const Vec y = VecAdd(qb[i], rb[i]);
      qb[i] = y;
      rb[i] = VecAdd(rb[i], y);
    }
  }
}

template <int kOp>
void FusedAdd(const Tensor *p, const Tensor &q, const Tensor &r) {
  const Tensor &ref = r;
  CheckGpu(q); CheckGpu(r);
  if (p != nullptr) CheckGpu(*p);
  for (const Tensor *t : {p, &q}) {
    if (t != nullptr)
      TD_ASSERT(t->dim[0] == ref.dim[0] && t->InnerSize() == ref.InnerSize());
  }
  const int64_t inner = ref.InnerSize(), nb = ref.dim[0];
  if (nb * inner == 0) return;
  TD_ASSERT(nb <= 65535 && inner < (1LL << 31));
  auto aligned = [](const Tensor *t) {
    return t == nullptr ||
           (reinterpret_cast<uintptr_t>(t->data) % 16 == 0 && t->bstride % 4 == 0);
  };
  const bool v4 = inner % 4 == 0 && aligned(p) && aligned(&q) && aligned(&r);
  const int64_t per = v4 ? inner / 4 : inner;
  const dim3 grid(std::min<unsigned>(GridFor(per, kThreads), 4096u), (unsigned)nb);
  const float *pd = p != nullptr ? p->data : nullptr;
  const int64_t pbs = p != nullptr ? p->bstride : 0;
  if (v4)
    FusedAddKernel<kOp, 4><<<grid, kThreads, 0, Stream()>>>(pd, pbs, q.data, q.bstride, r.data,
                                                            r.bstride, (int)inner);
  else
    FusedAddKernel<kOp, 1><<<grid, kThreads, 0, Stream()>>>(pd, pbs, q.data, q.bstride, r.data,
                                                            r.bstride, (int)inner);
  CUDA_LAUNCH_CHECK();
}

struct ReluF { __device__ float operator()(float x, float) const { return x > 0.0f ? x : 0.0f; } };
struct ReluBwdF { __device__ float operator()(float y, float g) const { return y > 0.0f ? g : 0.0f; } };
struct TanhF { __device__ float operator()(float x, float) const { return tanhf(x); } };
struct TanhBwdF { __device__ float operator()(float y, float g) const { return g * (1.0f - y * y); } };
struct SigmoidF { __device__ float operator()(float x, float) const { return 1.0f / (1.0f + expf(-x)); } };
struct SigmoidBwdF { __device__ float operator()(float y, float g) const { return g * (y * (1.0f - y)); } };
struct AddF { __device__ float operator()(float x, float y) const { return y + x; } };
struct CopyF { __device__ float operator()(float x, float) const { return x; } };

__device__ inline double WarpSum(double v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
__device__ inline float WarpMax(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// Row r of a (B, C, T) tensor: b = r / C, c = r % C.
__device__ inline int64_t RowOffset(int64_t r, int nc, int t_len, int64_t bstride) {
  const int64_t b = r / nc, c = r - b * nc;
  return b * bstride + c * t_len;
}

#define FOR_WARP_ROWS(nrows)                                                       \
  const int lane = threadIdx.x & 31;                                               \
  for (int64_t r = (int64_t)blockIdx.x * kRowsPerBlock + (threadIdx.x >> 5); r < (nrows); \
       r += (int64_t)gridDim.x * kRowsPerBlock)

__global__ void MeanOverTimeKernel(const float *__restrict__ x, int64_t x_b, int nb, int nc,
                                   int t_len, float *__restrict__ m, int64_t m_b) {
  FOR_WARP_ROWS((int64_t)nb * nc) {
    const float *__restrict__ p = x + RowOffset(r, nc, t_len, x_b);
    double s = 0.0;
    #pragma unroll 4
    for (int t = lane; t < t_len; t += 32) s += p[t];
    s = WarpSum(s);
    if (lane == 0) m[(r / nc) * m_b + r % nc] = (float)(s / t_len);
  }
}

// dx[b, c, t] += dm[b, c] / T  (mode 0);  y[b, c, t] = x[b, c, t] * a[b, c]  (mode 1).
// A warp per (b, c) row (8 channels per block, blockIdx.y the batch item), as the batch-norm
// apply: the channel's factor is read once and no thread divides by T.
__global__ void ChannelBroadcastKernel(const float *__restrict__ x, int64_t x_b,
                                       const float *__restrict__ a, int64_t a_b,
                                       float *__restrict__ y, int64_t y_b, int nc, int t_len,
                                       int mode) {
  const int c = blockIdx.x * kRowsPerBlock + threadIdx.y;
  if (c >= nc) return;
  const int64_t b = blockIdx.y;
  const float s = a[b * a_b + c];
  float *__restrict__ yr = y + b * y_b + (int64_t)c * t_len;
  if (mode == 0) {
    const float add = s / t_len;
#pragma unroll 4
    for (int t = threadIdx.x; t < t_len; t += 32) yr[t] += add;
  } else {
    const float *__restrict__ xr = x + b * x_b + (int64_t)c * t_len;
#pragma unroll 4
    for (int t = threadIdx.x; t < t_len; t += 32) yr[t] = xr[t] * s;
  }
}
// y = x * a[b, c]; y += s; s += y (ScaleChannelsResidual), a warp per (b, c) row, float4
// where the rows are aligned. Same float operations, in the same order, as the two ops.
__global__ void ScaleResidualKernel(const float *__restrict__ x, int64_t x_b,
                                    const float *__restrict__ a, int64_t a_b,
                                    float *__restrict__ y, int64_t y_b, float *__restrict__ s,
                                    int64_t s_b, int nc, int t_len) {
  const int c = blockIdx.x * kRowsPerBlock + threadIdx.y;
  if (c >= nc) return;
  const int64_t b = blockIdx.y, row = (int64_t)c * t_len;
  const float sc = a[b * a_b + c];
  const float *__restrict__ xr = x + b * x_b + row;
  float *__restrict__ yr = y + b * y_b + row;
  float *__restrict__ sr = s + b * s_b + row;
  auto one = [&](float xv, float &sv) {
    // (x * a) + s rounded separately (no FMA contraction), as the two ops do.
    const float yv = __fadd_rn(__fmul_rn(xv, sc), sv);
    sv = __fadd_rn(sv, yv);
    return yv;
  };
  const bool vec = (t_len & 3) == 0 && ((reinterpret_cast<uintptr_t>(xr) |
                                         reinterpret_cast<uintptr_t>(yr) |
                                         reinterpret_cast<uintptr_t>(sr)) & 15) == 0;
  if (vec) {
    for (int i = threadIdx.x; i < t_len / 4; i += 32) {
      const float4 xv = reinterpret_cast<const float4 *>(xr)[i];
      float4 sv = reinterpret_cast<float4 *>(sr)[i];
      float4 yv;
      yv.x = one(xv.x, sv.x);
      yv.y = one(xv.y, sv.y);
      yv.z = one(xv.z, sv.z);
      yv.w = one(xv.w, sv.w);
      reinterpret_cast<float4 *>(yr)[i] = yv;
      reinterpret_cast<float4 *>(sr)[i] = sv;
    }
    return;
  }
  for (int t = threadIdx.x; t < t_len; t += 32) {
    float sv = sr[t];
    yr[t] = one(xr[t], sv);
    sr[t] = sv;
  }
}

dim3 BroadcastGrid(int64_t nc, int64_t nb) {
  TD_ASSERT(nb <= 65535);
  return dim3((unsigned)((nc + kRowsPerBlock - 1) / kRowsPerBlock), (unsigned)nb);
}

__global__ void ScaleChannelsBwdKernel(const float *__restrict__ x, int64_t x_b,
                                       const float *__restrict__ a, int64_t a_b,
                                       const float *__restrict__ dy, int64_t dy_b,
                                       float *__restrict__ dx, int64_t dx_b, float *__restrict__ da,
                                       int64_t da_b, int nb, int nc, int t_len) {
  FOR_WARP_ROWS((int64_t)nb * nc) {
    const int64_t b = r / nc, c = r - b * nc;
    const float s = a[b * a_b + c];
    const float *__restrict__ p = x + b * x_b + c * t_len;
    const float *__restrict__ g = dy + b * dy_b + c * t_len;
    float *__restrict__ d = dx + b * dx_b + c * t_len;
    double acc = 0.0;
    if (t_len <= 32 * kRowRegs) {
      float pv[kRowRegs], gv[kRowRegs], dv[kRowRegs];
      LoadRow(p, lane, t_len, pv);
      LoadRow(g, lane, t_len, gv);
      LoadRow(d, lane, t_len, dv);
#pragma unroll
      for (int j = 0; j < kRowRegs; j++) {
        const int t = lane + 32 * j;
        if (t < t_len) d[t] = dv[j] + gv[j] * s;
        acc += gv[j] * pv[j];   // zero beyond the row
      }
    } else {
      for (int t = lane; t < t_len; t += 32) {
        d[t] += g[t] * s;
        acc += g[t] * p[t];
      }
    }
    acc = WarpSum(acc);
    if (lane == 0) da[b * da_b + c] += (float)acc;
  }
}

__global__ void SoftmaxOverTimeKernel(const float *__restrict__ x, int64_t x_b,
                                      float *__restrict__ a, int64_t a_b, int nb, int nc,
                                      int t_len) {
  FOR_WARP_ROWS((int64_t)nb * nc) {
    const float *__restrict__ p = x + RowOffset(r, nc, t_len, x_b);
    float *__restrict__ q = a + RowOffset(r, nc, t_len, a_b);
    float mx = -INFINITY;
    #pragma unroll 4
    for (int t = lane; t < t_len; t += 32) mx = fmaxf(mx, p[t]);
    mx = WarpMax(mx);
    double s = 0.0;
    #pragma unroll 4
    for (int t = lane; t < t_len; t += 32) {
      const float e = expf(p[t] - mx);
      q[t] = e;
      s += e;
    }
    s = WarpSum(s);
    const float inv = (float)(1.0 / s);
    #pragma unroll 4
    for (int t = lane; t < t_len; t += 32) q[t] *= inv;
  }
}

__global__ void SoftmaxOverTimeBwdKernel(const float *__restrict__ a, int64_t a_b,
                                         const float *__restrict__ da, int64_t da_b,
                                         float *__restrict__ dl, int64_t dl_b, int nb, int nc,
                                         int t_len) {
  FOR_WARP_ROWS((int64_t)nb * nc) {
    const float *__restrict__ p = a + RowOffset(r, nc, t_len, a_b);
    const float *__restrict__ g = da + RowOffset(r, nc, t_len, da_b);
    float *__restrict__ d = dl + RowOffset(r, nc, t_len, dl_b);
    const bool staged = t_len <= 32 * kRowRegs;   // as in AttentiveStatsBwdKernel
    float pv[kRowRegs], gv[kRowRegs], dv[kRowRegs];
    double dot = 0.0;
    if (staged) {
      LoadRow(p, lane, t_len, pv);
      LoadRow(g, lane, t_len, gv);
      LoadRow(d, lane, t_len, dv);
#pragma unroll
      for (int j = 0; j < kRowRegs; j++) dot += (double)pv[j] * gv[j];
    } else {
      for (int t = lane; t < t_len; t += 32) dot += (double)p[t] * g[t];
    }
    const float fd = (float)WarpSum(dot);
    if (staged) {
#pragma unroll
      for (int j = 0; j < kRowRegs; j++) {
        const int t = lane + 32 * j;
        if (t < t_len) d[t] = dv[j] + pv[j] * (gv[j] - fd);
      }
    } else {
      for (int t = lane; t < t_len; t += 32) d[t] += p[t] * (g[t] - fd);
    }
  }
}

__global__ void AttentiveStatsKernel(const float *__restrict__ h, int64_t h_b,
                                     const float *__restrict__ a, int64_t a_b, float min_var,
                                     float *__restrict__ out, int64_t out_b, int nb, int nc,
                                     int t_len) {
  FOR_WARP_ROWS((int64_t)nb * nc) {
    const int64_t b = r / nc, c = r - b * nc;
    const float *__restrict__ x = h + b * h_b + c * t_len;
    const float *__restrict__ w = a + b * a_b + c * t_len;
    double mu = 0.0, m2 = 0.0;
    #pragma unroll 4
    for (int t = lane; t < t_len; t += 32) {
      const double wx = (double)w[t] * x[t];
      mu += wx;
      m2 += wx * x[t];
    }
    mu = WarpSum(mu);
    m2 = WarpSum(m2);
    if (lane == 0) {
      const double var = fmax(m2 - mu * mu, (double)min_var);
      out[b * out_b + c] = (float)mu;
      out[b * out_b + nc + c] = (float)sqrt(var);
    }
  }
}

__global__ void AttentiveStatsBwdKernel(const float *__restrict__ h, int64_t h_b,
                                        const float *__restrict__ a, int64_t a_b,
                                        const float *__restrict__ out, int64_t out_b, float min_var,
                                        const float *__restrict__ dout, int64_t dout_b,
                                        float *__restrict__ dh, int64_t dh_b,
                                        float *__restrict__ da, int64_t da_b, int nb, int nc,
                                        int t_len) {
  FOR_WARP_ROWS((int64_t)nb * nc) {
    const int64_t b = r / nc, c = r - b * nc;
    const float *__restrict__ x = h + b * h_b + c * t_len;
    const float *__restrict__ w = a + b * a_b + c * t_len;
    float *__restrict__ gx = dh + b * dh_b + c * t_len;
    float *__restrict__ gw = da + b * da_b + c * t_len;
    const float sd = out[b * out_b + nc + c];
    const float dmu = dout[b * dout_b + c], dsd = dout[b * dout_b + nc + c];
    // Rows of T <= 32 * kRowRegs are staged in registers (all loads issued first), longer
    // ones read twice in plain loops; the statistics and coefficients are shared.
    const bool staged = t_len <= 32 * kRowRegs;
    float xv[kRowRegs], wv[kRowRegs], gxv[kRowRegs], gwv[kRowRegs];
    double mu = 0.0, m2 = 0.0;
    if (staged) {
      LoadRow(x, lane, t_len, xv);
      LoadRow(w, lane, t_len, wv);
      LoadRow(gx, lane, t_len, gxv);
      LoadRow(gw, lane, t_len, gwv);
#pragma unroll
      for (int j = 0; j < kRowRegs; j++) {
        const double wx = (double)wv[j] * xv[j];
        mu += wx;
        m2 += wx * xv[j];
      }
    } else {
      for (int t = lane; t < t_len; t += 32) {
        const double wx = (double)w[t] * x[t];
        mu += wx;
        m2 += wx * x[t];
      }
    }
    mu = WarpSum(mu);
    m2 = WarpSum(m2);
    const double var = m2 - mu * mu;
    const float dvar = var >= min_var ? dsd / (2.0f * sd) : 0.0f;
    const float dmu_eff = dmu - 2.0f * (float)mu * dvar;
    if (staged) {
#pragma unroll
      for (int j = 0; j < kRowRegs; j++) {
        const int t = lane + 32 * j;
        if (t < t_len) {
          gx[t] = gxv[j] + wv[j] * (dmu_eff + 2.0f * xv[j] * dvar);
          gw[t] = gwv[j] + xv[j] * (dmu_eff + xv[j] * dvar);
        }
      }
    } else {
      for (int t = lane; t < t_len; t += 32) {
        gx[t] += w[t] * (dmu_eff + 2.0f * x[t] * dvar);
        gw[t] += x[t] * (dmu_eff + x[t] * dvar);
      }
    }
  }
}

// ---- AAM-softmax ----

// xn[r] = x[r] / max(|x[r]|, 1e-12), norms[r] = the clamped norm. xn rows are dense (ld cols).
__global__ void NormalizeRowsKernel(const float *x, int64_t ld, int rows, int cols, float *xn,
                                    float *norms) {
  FOR_WARP_ROWS(rows) {
    const float *p = x + r * ld;
    double ss = 0.0;
    for (int i = lane; i < cols; i += 32) ss += (double)p[i] * p[i];
    ss = WarpSum(ss);
    const float nrm = (float)fmax(sqrt(ss), 1e-12);
    if (lane == 0) norms[r] = nrm;
    for (int i = lane; i < cols; i += 32) xn[r * cols + i] = p[i] / nrm;
  }
}

// dx[r] += (dxn - xn (xn . dxn)) / |x|  (dxn / |x| when the norm was clamped).
__global__ void NormalizeBwdKernel(const float *xn, const float *norms, const float *dxn,
                                   int rows, int cols, float *dx, int64_t dx_ld) {
  FOR_WARP_ROWS(rows) {
    const float nrm = norms[r];
    const bool clamped = nrm <= 1e-12f;
    const float *u = xn + r * cols, *__restrict__ g = dxn + r * cols;
    double dot = 0.0;
    if (!clamped)
      for (int i = lane; i < cols; i += 32) dot += (double)u[i] * g[i];
    const float d = (float)WarpSum(dot);
    float *o = dx + r * dx_ld;
    for (int i = lane; i < cols; i += 32) o[i] += (g[i] - u[i] * d) / nrm;
  }
}

struct AamConst {
  double scale, cos_m, sin_m, th, mm;
};

__device__ inline double AamLogit(const float *cs, int j, int y, double phi, double scale) {
  return j == y ? scale * phi : scale * (double)cs[j];
}

// One block per utterance: logits, argmax, log-sum-exp, loss and the softmax probabilities.
__global__ void AamRowKernel(const float *cosine, const int *labels, int n, AamConst k,
                             float *prob, double *loss, int *correct) {
  const int b = blockIdx.x;
  const int y = labels[b];
  if (y < 0 || y >= n) {   // (device labels are not checked on the host): a NaN loss
    if (threadIdx.x == 0) {
      loss[b] = NAN;
      correct[b] = 0;
    }
    return;
  }
  const float *cs = cosine + (int64_t)b * n;
  const double c = cs[y];
  const double sine = sqrt(fmin(fmax(1.0 - c * c, 0.0), 1.0));
  const double phi = (c - k.th > 0) ? c * k.cos_m - sine * k.sin_m : c - k.mm;
  __shared__ double s_v[kThreads];
  __shared__ int s_i[kThreads];
  double best = -INFINITY;
  int arg = n;
  for (int j = threadIdx.x; j < n; j += kThreads) {
    const double l = AamLogit(cs, j, y, phi, k.scale);
    if (l > best) { best = l; arg = j; }
  }
  s_v[threadIdx.x] = best;
  s_i[threadIdx.x] = arg;
  __syncthreads();
  for (int o = kThreads / 2; o > 0; o >>= 1) {
    if (threadIdx.x < o) {
      const double v2 = s_v[threadIdx.x + o];
      const int i2 = s_i[threadIdx.x + o];
      if (v2 > s_v[threadIdx.x] || (v2 == s_v[threadIdx.x] && i2 < s_i[threadIdx.x])) {
        s_v[threadIdx.x] = v2;
        s_i[threadIdx.x] = i2;
      }
    }
    __syncthreads();
  }
  const double mx = s_v[0];
  const int amax = s_i[0];
  __syncthreads();
  double s = 0.0;
  for (int j = threadIdx.x; j < n; j += kThreads) s += exp(AamLogit(cs, j, y, phi, k.scale) - mx);
  s_v[threadIdx.x] = s;
  __syncthreads();
  for (int o = kThreads / 2; o > 0; o >>= 1) {
    if (threadIdx.x < o) s_v[threadIdx.x] += s_v[threadIdx.x + o];
    __syncthreads();
  }
  const double tot = s_v[0];
  float *pr = prob + (int64_t)b * n;
  for (int j = threadIdx.x; j < n; j += kThreads)
    pr[j] = (float)(exp(AamLogit(cs, j, y, phi, k.scale) - mx) / tot);
  if (threadIdx.x == 0) {
    loss[b] = (mx + log(tot)) - k.scale * phi;
    correct[b] = amax == y ? 1 : 0;
  }
}

// stats = (mean loss, number correct), summed in row order by one thread (as the host did).
__global__ void AamStatsKernel(const double *loss, const int *correct, int nb, double *stats) {
  double total = 0.0, nc = 0.0;
  for (int b = 0; b < nb; b++) {
    total += loss[b];
    nc += correct[b];
  }
  stats[0] = total / nb;
  stats[1] = nc;
}

// dcos[b, j] = kf prob[b, j], and at the label kf (prob - 1) dphi/dcos.
__global__ void AamDcosKernel(const float *prob, const float *cosine, const int *labels, int nb,
                              int n, float kf, double cos_m, double sin_m, double th,
                              float *dcos) {
  const int64_t total = (int64_t)nb * n;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < total;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int b = (int)(i / n), j = (int)(i - (int64_t)b * n);
    const int y = labels[b];
    if (j != y) {
      dcos[i] = kf * prob[i];
    } else {
      const double c = cosine[i];
      double dphi = 1.0;
      if (c - th > 0) {
        const double om = 1.0 - c * c;
        const double dsine = (om > 0.0 && om < 1.0) ? -c / sqrt(om) : 0.0;
        dphi = cos_m - dsine * sin_m;
      }
      dcos[i] = (float)(kf * (prob[i] - 1.0) * dphi);
    }
  }
}

// One fused pass of Adam over flat buffers (same float formula as the CPU kernel); the step's
// scalars from device memory (a captured launch replays with new ones).
__global__ void AdamKernel(float *p, const float *g, float *m, float *v, int64_t n, float b1,
                           float b2, float eps, const AdamStepCoef *coef) {
  const AdamStepCoef c = *coef;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    const float gi = g[i] + c.l2 * p[i];
    const float mi = b1 * m[i] + (1.0f - b1) * gi;
    const float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] * c.decay - c.step_size * mi / (sqrtf(vi) * c.inv_sqrt_bc2 + eps);
  }
}

unsigned RowGrid(int64_t rows) { return GridFor(rows, kRowsPerBlock); }

void CheckBct(const Tensor &t) { CheckGpu(t); TD_ASSERT(t.ndim == 3); }

// Copies host labels to a device scratch buffer.
void UploadLabels(const int32_t *labels, int64_t nb, int64_t n, DeviceScratch *d) {
  for (int64_t b = 0; b < nb; b++)
    if (labels[b] < 0 || labels[b] >= n)
      TD_ERR << "label " << labels[b] << " of utterance " << b << " is outside [0, " << n << ")";
  CUDA_CHECK(cudaMemcpyAsync(d->As<int>(), labels, sizeof(int32_t) * nb, cudaMemcpyHostToDevice,
                             Stream()));
}

}  // namespace

void GpuKernels::ReluForward(const Tensor &x, Tensor *y) const { Map2(x, y, ReluF()); }
void GpuKernels::ReluBackwardInPlace(const Tensor &y, Tensor *dy) const { Map2(y, dy, ReluBwdF()); }
void GpuKernels::TanhForward(const Tensor &x, Tensor *y) const { Map2(x, y, TanhF()); }
void GpuKernels::TanhBackwardInPlace(const Tensor &y, Tensor *dy) const { Map2(y, dy, TanhBwdF()); }
void GpuKernels::SigmoidForward(const Tensor &x, Tensor *y) const { Map2(x, y, SigmoidF()); }
void GpuKernels::SigmoidBackwardInPlace(const Tensor &y, Tensor *dy) const {
  Map2(y, dy, SigmoidBwdF());
}
void GpuKernels::Add(const Tensor &x, Tensor *y) const { Map2(x, y, AddF()); }
void GpuKernels::Copy(const Tensor &x, Tensor *y) const { Map2(x, y, CopyF()); }
void GpuKernels::AddTwo(const Tensor &a, const Tensor &b, Tensor *y) const {
  FusedAdd<kAddTwo>(&a, b, *y);
}
void GpuKernels::ResidualAccumulate(Tensor *y, Tensor *s) const {
  FusedAdd<kResidual>(nullptr, *y, *s);
}

void GpuKernels::MeanOverTimeForward(const Tensor &x, Tensor *m) const {
  CheckBct(x); CheckGpu(*m);
  const int64_t nb = x.dim[0], nc = x.dim[1], t_len = x.dim[2];
  TD_ASSERT(m->dim[0] == nb && m->InnerSize() == nc);
  if (nb * nc == 0) return;
  MeanOverTimeKernel<<<RowGrid(nb * nc), kThreads, 0, Stream()>>>(x.data, x.bstride, (int)nb,
                                                                  (int)nc, (int)t_len, m->data,
                                                                  m->bstride);
  CUDA_LAUNCH_CHECK();
}

void GpuKernels::MeanOverTimeBackward(const Tensor &dm, Tensor *dx) const {
  CheckBct(*dx); CheckGpu(dm);
  const int64_t nb = dx->dim[0], nc = dx->dim[1], t_len = dx->dim[2];
  TD_ASSERT(dm.dim[0] == nb && dm.InnerSize() == nc);
  if (nb * nc * t_len == 0) return;
  ChannelBroadcastKernel<<<BroadcastGrid(nc, nb), dim3(32, kRowsPerBlock), 0, Stream()>>>(
      nullptr, 0, dm.data, dm.bstride, dx->data, dx->bstride, (int)nc, (int)t_len, 0);
  CUDA_LAUNCH_CHECK();
}

void GpuKernels::ScaleChannelsForward(const Tensor &x, const Tensor &a, Tensor *y) const {
  CheckBct(x); CheckGpu(a); CheckGpu(*y);
  TD_ASSERT(x.SameShape(*y) && a.dim[0] == x.dim[0] && a.InnerSize() == x.dim[1]);
  const int64_t nb = x.dim[0], nc = x.dim[1], t_len = x.dim[2];
  if (nb * nc * t_len == 0) return;
  ChannelBroadcastKernel<<<BroadcastGrid(nc, nb), dim3(32, kRowsPerBlock), 0, Stream()>>>(
      x.data, x.bstride, a.data, a.bstride, y->data, y->bstride, (int)nc, (int)t_len, 1);
  CUDA_LAUNCH_CHECK();
}

void GpuKernels::ScaleChannelsResidual(const Tensor &x, const Tensor &a, Tensor *y,
                                       Tensor *s) const {
  CheckBct(x); CheckGpu(a); CheckGpu(*y); CheckGpu(*s);
  TD_ASSERT(x.SameShape(*y) && x.SameShape(*s) && a.dim[0] == x.dim[0] &&
            a.InnerSize() == x.dim[1]);
  const int64_t nb = x.dim[0], nc = x.dim[1], t_len = x.dim[2];
  if (nb * nc * t_len == 0) return;
  ScaleResidualKernel<<<BroadcastGrid(nc, nb), dim3(32, kRowsPerBlock), 0, Stream()>>>(
      x.data, x.bstride, a.data, a.bstride, y->data, y->bstride, s->data, s->bstride, (int)nc,
      (int)t_len);
  CUDA_LAUNCH_CHECK();
}

void GpuKernels::ScaleChannelsBackward(const Tensor &x, const Tensor &a, const Tensor &dy,
                                       Tensor *dx, Tensor *da) const {
  CheckBct(x); CheckGpu(a); CheckGpu(dy); CheckGpu(*dx); CheckGpu(*da);
  TD_ASSERT(x.SameShape(dy) && dx->SameShape(x) && da->SameShape(a));
  const int64_t nb = x.dim[0], nc = x.dim[1], t_len = x.dim[2];
  if (nb * nc == 0) return;
  ScaleChannelsBwdKernel<<<RowGrid(nb * nc), kThreads, 0, Stream()>>>(
      x.data, x.bstride, a.data, a.bstride, dy.data, dy.bstride, dx->data, dx->bstride, da->data,
      da->bstride, (int)nb, (int)nc, (int)t_len);
  CUDA_LAUNCH_CHECK();
}

void GpuKernels::SoftmaxOverTimeForward(const Tensor &logits, Tensor *a) const {
  CheckBct(logits); CheckGpu(*a);
  TD_ASSERT(logits.SameShape(*a));
  const int64_t nb = logits.dim[0], nc = logits.dim[1], t_len = logits.dim[2];
  if (nb * nc == 0) return;
  SoftmaxOverTimeKernel<<<RowGrid(nb * nc), kThreads, 0, Stream()>>>(
      logits.data, logits.bstride, a->data, a->bstride, (int)nb, (int)nc, (int)t_len);
  CUDA_LAUNCH_CHECK();
}

void GpuKernels::SoftmaxOverTimeBackward(const Tensor &a, const Tensor &da,
                                         Tensor *dlogits) const {
  CheckBct(a); CheckGpu(da); CheckGpu(*dlogits);
  TD_ASSERT(a.SameShape(da) && a.SameShape(*dlogits));
  const int64_t nb = a.dim[0], nc = a.dim[1], t_len = a.dim[2];
  if (nb * nc == 0) return;
  SoftmaxOverTimeBwdKernel<<<RowGrid(nb * nc), kThreads, 0, Stream()>>>(
      a.data, a.bstride, da.data, da.bstride, dlogits->data, dlogits->bstride, (int)nb, (int)nc,
      (int)t_len);
  CUDA_LAUNCH_CHECK();
}

void GpuKernels::AttentiveStatsForward(const Tensor &h, const Tensor &a, float min_var,
                                       Tensor *out) const {
  CheckBct(h); CheckGpu(a); CheckGpu(*out);
  TD_ASSERT(h.SameShape(a));
  const int64_t nb = h.dim[0], nc = h.dim[1], t_len = h.dim[2];
  TD_ASSERT(out->ndim == 2 && out->dim[0] == nb && out->dim[1] == 2 * nc);
  if (nb * nc == 0) return;
  AttentiveStatsKernel<<<RowGrid(nb * nc), kThreads, 0, Stream()>>>(
      h.data, h.bstride, a.data, a.bstride, min_var, out->data, out->bstride, (int)nb, (int)nc,
      (int)t_len);
  CUDA_LAUNCH_CHECK();
}

void GpuKernels::AttentiveStatsBackward(const Tensor &h, const Tensor &a, const Tensor &out,
                                        float min_var, const Tensor &dout, Tensor *dh,
                                        Tensor *da) const {
  CheckBct(h); CheckGpu(a); CheckGpu(out); CheckGpu(dout); CheckGpu(*dh); CheckGpu(*da);
  TD_ASSERT(h.SameShape(a) && dh->SameShape(h) && da->SameShape(h) && dout.SameShape(out));
  const int64_t nb = h.dim[0], nc = h.dim[1], t_len = h.dim[2];
  if (nb * nc == 0) return;
  AttentiveStatsBwdKernel<<<RowGrid(nb * nc), kThreads, 0, Stream()>>>(
      h.data, h.bstride, a.data, a.bstride, out.data, out.bstride, min_var, dout.data,
      dout.bstride, dh->data, dh->bstride, da->data, da->bstride, (int)nb, (int)nc, (int)t_len);
  CUDA_LAUNCH_CHECK();
}

double GpuKernels::AamSoftmaxForward(const Tensor &x, const Tensor &w, const int32_t *labels,
                                     const AamOptions &opts, AamSaved *sv,
                                     int64_t *num_correct) const {
  const int64_t nb = x.dim[0];
  DeviceScratch dlab(sizeof(int32_t) * nb), stats(2 * sizeof(double));
  UploadLabels(labels, nb, w.dim[0], &dlab);
  AamSoftmaxForwardOnDevice(x, w, dlab.As<int32_t>(), opts, sv, stats.As<double>());
  double h[2];
  CopyDeviceToHost(h, stats.As<double>(), sizeof(h));
  *num_correct = static_cast<int64_t>(h[1]);
  return h[0];
}

void GpuKernels::AamSoftmaxForwardOnDevice(const Tensor &x, const Tensor &w,
                                           const int32_t *labels, const AamOptions &opts,
                                           AamSaved *sv, double *stats) const {
  CheckGpu(x); CheckGpu(w);
  TD_ASSERT(x.ndim == 2 && w.ndim == 2 && w.Contiguous());
  const int64_t nb = x.dim[0], e = x.dim[1], n = w.dim[0];
  TD_ASSERT(w.dim[1] == e && sv->cosine.dim[0] == nb && sv->cosine.dim[1] == n);
  NormalizeRowsKernel<<<RowGrid(nb), kThreads, 0, Stream()>>>(x.data, x.bstride, (int)nb, (int)e,
                                                              sv->xn.data, sv->xnorm.data);
  CUDA_LAUNCH_CHECK();
  NormalizeRowsKernel<<<RowGrid(n), kThreads, 0, Stream()>>>(w.data, e, (int)n, (int)e,
                                                             sv->wn.data, sv->wnorm.data);
  CUDA_LAUNCH_CHECK();
  // The head's products are small (B x N x E) but the scale s = 30 amplifies their error in the
  // logits, so they run in float32 in every math mode.
  Gemm(false, true, nb, n, e, 1.0f, sv->xn.data, e, 0, sv->wn.data, e, 0, 0.0f, sv->cosine.data,
       n, 0, 1, true);
  const double m = opts.margin;
  AamConst k{opts.scale, std::cos(m), std::sin(m), std::cos(M_PI - m), std::sin(M_PI - m) * m};
  DeviceScratch res(nb * (sizeof(double) + sizeof(int)));
  double *dloss = res.As<double>();
  int *dcorrect = reinterpret_cast<int *>(dloss + nb);
  AamRowKernel<<<(unsigned)nb, kThreads, 0, Stream()>>>(sv->cosine.data, labels, (int)n, k,
                                                        sv->prob.data, dloss, dcorrect);
  CUDA_LAUNCH_CHECK();
  AamStatsKernel<<<1, 1, 0, Stream()>>>(dloss, dcorrect, (int)nb, stats);
  CUDA_LAUNCH_CHECK();
}

void GpuKernels::AamSoftmaxBackward(const Tensor &x, const Tensor &w, const int32_t *labels,
                                    const AamOptions &opts, const AamSaved &sv, float loss_scale,
                                    Tensor *dx, Tensor *dw) const {
  DeviceScratch dlab(sizeof(int32_t) * x.dim[0]);
  UploadLabels(labels, x.dim[0], w.dim[0], &dlab);
  AamSoftmaxBackwardOnDevice(x, w, dlab.As<int32_t>(), opts, sv, loss_scale, dx, dw);
}

void GpuKernels::AamSoftmaxBackwardOnDevice(const Tensor &x, const Tensor &w,
                                            const int32_t *labels, const AamOptions &opts,
                                            const AamSaved &sv, float loss_scale, Tensor *dx,
                                            Tensor *dw) const {
  CheckGpu(x); CheckGpu(w); CheckGpu(*dx); CheckGpu(*dw);
  const int64_t nb = x.dim[0], e = x.dim[1], n = w.dim[0];
  TD_ASSERT(dx->SameShape(x) && dw->SameShape(w) && dw->Contiguous());
  const double m = opts.margin;
  const float kf = opts.scale * loss_scale / nb;
  DeviceScratch dcos(sizeof(float) * nb * n), dxn(sizeof(float) * nb * e),
      dwn(sizeof(float) * n * e);
  AamDcosKernel<<<GridFor(nb * n, kThreads), kThreads, 0, Stream()>>>(
      sv.prob.data, sv.cosine.data, labels, (int)nb, (int)n, kf, std::cos(m), std::sin(m),
      std::cos(M_PI - m), dcos.As<float>());
  CUDA_LAUNCH_CHECK();
  Gemm(false, false, nb, e, n, 1.0f, dcos.As<float>(), n, 0, sv.wn.data, e, 0, 0.0f,
       dxn.As<float>(), e, 0, 1, true);
  Gemm(true, false, n, e, nb, 1.0f, dcos.As<float>(), n, 0, sv.xn.data, e, 0, 0.0f,
       dwn.As<float>(), e, 0, 1, true);
  NormalizeBwdKernel<<<RowGrid(nb), kThreads, 0, Stream()>>>(sv.xn.data, sv.xnorm.data,
                                                             dxn.As<float>(), (int)nb, (int)e,
                                                             dx->data, dx->bstride);
  CUDA_LAUNCH_CHECK();
  NormalizeBwdKernel<<<RowGrid(n), kThreads, 0, Stream()>>>(sv.wn.data, sv.wnorm.data,
                                                            dwn.As<float>(), (int)n, (int)e,
                                                            dw->data, e);
  CUDA_LAUNCH_CHECK();
}

void GpuKernels::AdamUpdate(float lr, float beta1, float beta2, float eps, float weight_decay,
                            bool decoupled, int64_t step, const Tensor &g, Tensor *p, Tensor *m,
                            Tensor *v) const {
  DeviceScratch coef(sizeof(AdamStepCoef));
  const AdamStepCoef c = nnet::AdamCoefficients(lr, beta1, beta2, weight_decay, decoupled, step);
  CUDA_CHECK(cudaMemcpyAsync(coef.As<AdamStepCoef>(), &c, sizeof(c), cudaMemcpyHostToDevice,
                             Stream()));
  AdamUpdateOnDevice(coef.As<AdamStepCoef>(), beta1, beta2, eps, g, p, m, v);
}

void GpuKernels::AdamUpdateOnDevice(const AdamStepCoef *coef, float beta1, float beta2,
                                    float eps, const Tensor &g, Tensor *p, Tensor *m,
                                    Tensor *v) const {
  CheckGpu(g); CheckGpu(*p); CheckGpu(*m); CheckGpu(*v);
  const int64_t n = p->Numel();
  TD_ASSERT(g.Numel() == n && m->Numel() == n && v->Numel() == n);
  TD_ASSERT(p->Contiguous() && g.Contiguous() && m->Contiguous() && v->Contiguous());
  if (n == 0) return;
  AdamKernel<<<GridFor(n, kThreads), kThreads, 0, Stream()>>>(p->data, g.data, m->data, v->data,
                                                              n, beta1, beta2, eps, coef);
  CUDA_LAUNCH_CHECK();
}

}  // namespace gpu
}  // namespace tdnas
