// kernels-gpu-conv.cu: GPU convolution, linear and batch-norm kernels.
//
// Convolution as GEMMs through cuBLAS (the math mode picks fp32 / TF32 / BF16):
//   forward:  y_b (Cout x T) = W (Cout x Cin*K) col_b (Cin*K x T), one strided-batched GEMM over
//             the batch; col_b is x_b itself for 1x1 convolutions, else an im2col copy with the
//             "same" zero padding (tap k reads x at t + (k - K/2) * dilation).
//   dx:       dcol_b = W^T dy_b (batched), then col2im adds it into dx (no atomics: each dx
//             element sums its K taps); 1x1 adds W^T dy_b straight into dx (beta = 1).
//             BF16 mode, large layers: dx is itself a "same" convolution of dy, with the
//             flipped, transposed weight wf[ci, co, j] = w[co, ci, K-1-j] (tap j reads dy at
//             t + (j - K/2) * dilation): a bf16 im2col of dy and one GEMM adding into dx, no
//             float dcol buffer and no col2im pass.
//   dW:       the batch must be summed inside one GEMM, so x and dy are first laid out
//             channel-major over all frames, col^T (Cin*K, B*T) and dy^T (Cout, B*T) (T stays
//             the inner dimension, so both copies are coalesced), then dW += dy^T col^T^T with
//             k = B*T.
// BF16 mode: the convolution GEMMs of large layers read bf16 operands (float32 accumulation and
// output): the im2col and dW layout copies are written as bf16, large 1x1 inputs and dy get a
// bf16 copy, weights are rounded per call (thresholds and their measurements at Bf16Layer);
// the rest let cuBLAS round float32 operands (CUBLAS_COMPUTE_32F_FAST_16BF, for which it picks
// TF32 kernels).
// Batch norm: per-channel sums in double (as the CPU kernels), split over several blocks.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>

#include "gpu/gpu-context.h"
#include "gpu/kernels-gpu.h"
#include "gpu/row-staging.cuh"

namespace tdnas {
namespace gpu {

void CheckGpu(const Tensor &t) {
  TD_ASSERT(t.device == nnet::Device::kGpu && t.data != nullptr);
}

namespace {

constexpr int kThreads = 256;

// Grid for per-batch loops: blockIdx.y is the batch (the model's batches are <= 65535), x
// strides over the n elements of one batch item with 32-bit index arithmetic.
inline dim3 BatchGrid(int64_t n, int64_t nb) {
  TD_ASSERT(nb <= 65535 && n < (1LL << 31));
  int64_t g = (n + kThreads - 1) / kThreads;
  if (g > 4096) g = 4096;
  return dim3(static_cast<unsigned>(g < 1 ? 1 : g), static_cast<unsigned>(nb));
}

// out[b * out_b + (ci * K + k) * out_r + t] = x[b * x_b + ci * T + t + (k - K/2) * dil] or 0.
// A warp copies one whole row (blockIdx.x picks 8 rows, blockIdx.y the batch item), so no
// thread divides by T and each thread has several independent loads in flight; rows whose
// source and destination are 16-byte aligned (every tap-0 row when T % 4 == 0: all of the
// 1x1 convolutions' layout copies for dW) move as float4. Shifted taps: each lane takes 4
// consecutive frames (scalar loads, one 4-wide store when the output row is aligned: with
// bf16 output, lane-by-lane 2-byte stores had run at ~0.5 TB/s on an H200).
constexpr int kRowsPerBlock = kThreads / 32;   // a warp per row in the row kernels
using bf16 = __nv_bfloat16;

__device__ inline void StoreAs(float *o, float v) { *o = v; }
__device__ inline void StoreAs(bf16 *o, float v) { *o = __float2bfloat16(v); }
__device__ inline void Store4As(float *o, float4 v) { *reinterpret_cast<float4 *>(o) = v; }
__device__ inline void Store4As(bf16 *o, float4 v) {
  const __nv_bfloat162 lo = __floats2bfloat162_rn(v.x, v.y), hi = __floats2bfloat162_rn(v.z, v.w);
  uint2 u;
  u.x = *reinterpret_cast<const uint32_t *>(&lo);
  u.y = *reinterpret_cast<const uint32_t *>(&hi);
  *reinterpret_cast<uint2 *>(o) = u;
}

// One row r of Im2ColKernel (a warp).
template <typename OutT>
__device__ inline void Im2ColRow(const float *__restrict__ x, int cin, int t_len, int kw, int dil,
                                 int r, OutT *__restrict__ o) {
  const int ci = r / kw, k = r - ci * kw, shift = (k - kw / 2) * dil, lane = threadIdx.x;
  const float *__restrict__ xr = x + (int64_t)ci * t_len;
  const bool out_aligned = (reinterpret_cast<uintptr_t>(o) & (4 * sizeof(OutT) - 1)) == 0;
  if (shift == 0 && (t_len & 3) == 0 && (reinterpret_cast<uintptr_t>(xr) & 15) == 0 &&
      out_aligned) {
    const float4 *__restrict__ x4 = reinterpret_cast<const float4 *>(xr);
#pragma unroll 2
    for (int i = lane; i < t_len / 4; i += 32) Store4As(o + 4 * i, x4[i]);
    return;
  }
#pragma unroll 2
  for (int t0 = 4 * lane; t0 < t_len; t0 += 128) {
    float v[4];
#pragma unroll
    for (int j = 0; j < 4; j++) {
      const int t = t0 + j, src = t + shift;
      v[j] = (t < t_len && src >= 0 && src < t_len) ? xr[src] : 0.0f;
    }
    if (out_aligned && t0 + 3 < t_len) {
      Store4As(o + t0, make_float4(v[0], v[1], v[2], v[3]));
    } else {
#pragma unroll
      for (int j = 0; j < 4; j++)
        if (t0 + j < t_len) StoreAs(o + t0 + j, v[j]);
    }
  }
}

// OutT: float, or bf16 for BF16 mode's GEMM operands (half the bytes written and read).
template <typename OutT>
__global__ void Im2ColKernel(const float *__restrict__ x, int64_t x_b, int cin, int t_len, int kw,
                             int dil, OutT *__restrict__ out, int64_t out_b, int64_t out_r) {
  const int r = blockIdx.x * kRowsPerBlock + threadIdx.y;
  if (r >= cin * kw) return;
  Im2ColRow(x + blockIdx.y * x_b, cin, t_len, kw, dil, r, out + blockIdx.y * out_b + r * out_r);
}

// The frames layout (out_b == T, the (Cin*K, B*T) operands of the dW products and of BF16
// training): output row r is one run of B*T frames, f = b*T + t. A thread makes 8 consecutive
// frames of one batch item (T % 8 == 0) and stores them at once, so a warp writes 256
// contiguous frames, whole 32-byte sectors; a run that lies inside the source row is read as
// two float4 when 16-byte aligned (every tap whose shift is a multiple of 4: all of them at
// dilation 4, the centre tap always). 32-bit index math (B*T < 2^31). On an H200 the 64-channel
// Res2Net copies were bound by per-frame instructions (scalar loads and 64-bit divisions:
// ~0.65 G frames/ms whatever the row count) before.
template <typename OutT>
__global__ void Im2ColFramesKernel(const float *__restrict__ x, int64_t x_b, int t_len, int kw,
                                   int dil, int frames, OutT *__restrict__ out, int64_t out_r) {
  const int r = blockIdx.y, ci = r / kw, k = r - ci * kw, shift = (k - kw / 2) * dil;
  OutT *__restrict__ o = out + r * out_r;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; 8 * i < frames; i += gridDim.x * blockDim.x) {
    const int f = 8 * i, b = f / t_len, t = f - b * t_len, src = t + shift;
    const float *__restrict__ xr = x + b * x_b + (int64_t)ci * t_len;
    float4 lo, hi;
    if (src >= 0 && src + 8 <= t_len && ((reinterpret_cast<uintptr_t>(xr + src) & 15) == 0)) {
      lo = reinterpret_cast<const float4 *>(xr + src)[0];
      hi = reinterpret_cast<const float4 *>(xr + src)[1];
    } else {
      float v[8];
#pragma unroll
      for (int j = 0; j < 8; j++) v[j] = (src + j >= 0 && src + j < t_len) ? xr[src + j] : 0.0f;
      lo = make_float4(v[0], v[1], v[2], v[3]);
      hi = make_float4(v[4], v[5], v[6], v[7]);
    }
    Store4As(o + f, lo);
    Store4As(o + f + 4, hi);
  }
}

// wf[ci, co * K + j] = w[co, ci, K - 1 - j] as bf16: the weight of dx as a convolution of dy
// (see Conv1dBackward); and, unless wb is null, wb = w as bf16 in the same pass (what a saving
// forward needs for its own product).
__global__ void WeightsToBf16Kernel(const float *__restrict__ w, int cout, int cin, int kw,
                                    bf16 *__restrict__ wb, bf16 *__restrict__ wf) {
  const int n = cout * cin * kw;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const bf16 v = __float2bfloat16(w[i]);
    if (wb != nullptr) wb[i] = v;
    const int co = i / (cin * kw), r = i - co * (cin * kw), ci = r / kw, k = r - ci * kw;
    wf[((int64_t)ci * cout + co) * kw + (kw - 1 - k)] = v;
  }
}

__global__ void ToBf16Kernel(const float *__restrict__ x, int64_t n, bf16 *__restrict__ y) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x)
    y[i] = __float2bfloat16(x[i]);
}

// dx[b, ci, t] += sum_k dcol[b, ci*K + k, t - s_k], dcol contiguous (B, Cin*K, T).
__global__ void Col2ImAddKernel(const float *__restrict__ dcol, int cin, int t_len, int kw,
                                int dil, float *__restrict__ dx, int64_t dx_b) {
  const int b = blockIdx.y;
  const int n = cin * t_len;
  const float *db = dcol + (int64_t)b * cin * kw * t_len;
  float *xb = dx + b * dx_b;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const int ci = i / t_len, t = i - ci * t_len;
    const float *d = db + ci * kw * t_len;
    float acc = 0.0f;
    for (int k = 0; k < kw; k++) {
      const int src = t - (k - kw / 2) * dil;
      if (src >= 0 && src < t_len) acc += d[k * t_len + src];
    }
    xb[i] += acc;
  }
}

template <typename OutT>
void Im2Col(const Tensor &x, int kw, int dil, OutT *out, int64_t out_b, int64_t out_r) {
  const int nb = (int)x.dim[0], cin = (int)x.dim[1], t_len = (int)x.dim[2];
  const int rows = cin * kw;
  TD_ASSERT(nb <= 65535);
  const int64_t frames = (int64_t)nb * t_len;
  if (out_b == t_len && t_len % 8 == 0 && out_r % 8 == 0 && rows <= 65535 &&
      frames < (1LL << 31) && (reinterpret_cast<uintptr_t>(out) & (4 * sizeof(OutT) - 1)) == 0) {
    const int64_t blocks = std::min<int64_t>((frames / 8 + kThreads - 1) / kThreads, 4096);
    Im2ColFramesKernel<OutT><<<dim3((unsigned)blocks, rows), kThreads, 0, Stream()>>>(
        x.data, x.bstride, t_len, kw, dil, (int)frames, out, out_r);
    CUDA_LAUNCH_CHECK();
    return;
  }
  const dim3 grid((rows + kRowsPerBlock - 1) / kRowsPerBlock, nb);
  Im2ColKernel<OutT><<<grid, dim3(32, kRowsPerBlock), 0, Stream()>>>(x.data, x.bstride, cin, t_len,
                                                                   kw, dil, out, out_b, out_r);
  CUDA_LAUNCH_CHECK();
}

// A contiguous float tensor (a weight) as bf16 in scratch memory.
void ToBf16(const Tensor &w, DeviceScratch *out) {
  TD_ASSERT(w.Contiguous());
  ToBf16Kernel<<<GridFor(w.Numel(), kThreads), kThreads, 0, Stream()>>>(w.data, w.Numel(),
                                                                        out->As<bf16>());
  CUDA_LAUNCH_CHECK();
}

bool Bf16Mode() { return GetMathMode() == MathMode::kBf16; }

// When bf16 operands pay (measured on an H200, nnet-train-supernet medians, noise ~0.3 ms):
// - copies that exist anyway (im2col, the dW layouts) written as bf16: for layers of at least
//   kBf16MinWeights weights. Always: largest 14.2 ms but width2 (small random subnets) 9.4;
//   from 1e5 weights: 14.5 / 8.1; never: 15.5 / 7.9; later, with the faster BN and SE kernels,
//   from 1e5: 13.1 / 7.4 and from 16384 (the largest net's Res2Net convs, 20480): 12.8 / 7.6.
// - a bf16 copy made only to feed a GEMM (1x1 inputs, dy for dx): only when the GEMM's other
//   dimension is at least kBf16CopyMinDim (gpu-bench BF16 step: from 1024, 12.70 ms; from 512,
//   i.e. also conv1 / conv3 of the largest net, 12.33; never, 14.00).
// The bf16 operands of one convolution GEMM, in scratch memory: x's im2col (B, Cin * K, T)
// (K = 1: a plain dense copy) and the weight.
struct Bf16Operands {
  DeviceScratch col, w;
  Bf16Operands(const Tensor &x, int kw, int dil, const Tensor &weight)
      : col(sizeof(bf16) * x.dim[0] * x.dim[1] * kw * x.dim[2]),
        w(sizeof(bf16) * weight.Numel()) {
    Im2Col(x, kw, dil, col.As<bf16>(), x.dim[1] * kw * x.dim[2], x.dim[2]);
    ToBf16(weight, &w);
  }
};

constexpr int64_t kBf16MinWeights = 16384;
constexpr int64_t kBf16CopyMinDim = 512;
bool Bf16Layer(const Tensor &w) { return Bf16Mode() && w.Numel() >= kBf16MinWeights; }
bool Bf16Copy(int64_t other_dim) { return Bf16Mode() && other_dim >= kBf16CopyMinDim; }

void CheckConvShapes(const Tensor &x, const Tensor &w, int dilation, const Tensor &y) {
  CheckGpu(x); CheckGpu(w); CheckGpu(y);
  TD_ASSERT(x.ndim == 3 && w.ndim == 3 && y.ndim == 3 && w.Contiguous());
  TD_ASSERT(x.dim[0] == y.dim[0] && x.dim[2] == y.dim[2]);
  TD_ASSERT(w.dim[0] == y.dim[1] && w.dim[1] == x.dim[1] && w.dim[2] % 2 == 1 && dilation >= 1);
}

// Sum of two doubles over a block of kThreads threads; result valid in thread 0.
__device__ void BlockSum2(double *a, double *b) {
  __shared__ double sa[kThreads / 32], sb[kThreads / 32];
  double x = *a, y = *b;
  for (int o = 16; o > 0; o >>= 1) {
    x += __shfl_down_sync(0xffffffffu, x, o);
    y += __shfl_down_sync(0xffffffffu, y, o);
  }
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (lane == 0) { sa[warp] = x; sb[warp] = y; }
  __syncthreads();
  if (warp == 0) {
    x = lane < kThreads / 32 ? sa[lane] : 0.0;
    y = lane < kThreads / 32 ? sb[lane] : 0.0;
    for (int o = 16; o > 0; o >>= 1) {
      x += __shfl_down_sync(0xffffffffu, x, o);
      y += __shfl_down_sync(0xffffffffu, y, o);
    }
  }
  *a = x;
  *b = y;
}

// Batch norm in two launches (train mode), so that every channel's reduction is spread over
// several blocks (a res2 unit has only 64 channels): partial sums per (channel, split of the
// batch), whose last block per channel (an atomic counter, reset by that block) finishes the
// channel (statistics, running stats, affine coefficients; partials summed in split order, so
// the result does not depend on which block came last); then an apply pass over the tensor.
// Eval mode's forward has no partial sums: its finish is a kernel of its own.
// mode 0: s1 = sum x, s2 = sum x^2.  mode 1: s1 = sum dy, s2 = sum dy (x - mean) invstd.
// kRelu: x is a pre-activation and the statistics are those of relu(x).
struct BnFinishArgs {
  int64_t n = 0;                       // frames per channel (B * T)
  const float *gamma = nullptr, *beta = nullptr, *invstd_in = nullptr;
  float *rm = nullptr, *rv = nullptr, *mean = nullptr, *invstd = nullptr;   // forward outputs
  float *dgamma = nullptr, *dbeta = nullptr;                                // backward outputs
  float *coef = nullptr;
  float momentum = 0.1f, eps = 1e-5f;
  bool train = true;
  int *counter = nullptr;              // per channel, zero between calls
};

__device__ inline void SumParts(const double *part, int c, int nsplit, double *s1, double *s2) {
  double a = 0.0, b = 0.0;
  for (int s = 0; s < nsplit; s++) {   // __ldcg: partials of other blocks, not through L1
    a += __ldcg(part + 2 * ((int64_t)c * nsplit + s));
    b += __ldcg(part + 2 * ((int64_t)c * nsplit + s) + 1);
  }
  *s1 = a;
  *s2 = b;
}

// coef[2c] = scale, coef[2c+1] = shift of y = x * scale + shift.
__device__ void BnForwardFinishChannel(int c, const double *part, int nsplit,
                                       const BnFinishArgs &f) {
  double mu, var;
  if (f.train) {
    double s1, s2;
    SumParts(part, c, nsplit, &s1, &s2);
    mu = s1 / f.n;
    const double ss = fmax(s2 - s1 * mu, 0.0);   // sum (x - mu)^2
    var = ss / f.n;
    f.rm[c] = (float)((1.0f - f.momentum) * f.rm[c] + f.momentum * mu);
    f.rv[c] = (float)((1.0f - f.momentum) * f.rv[c] + f.momentum * (ss / (f.n - 1)));
  } else {
    mu = f.rm[c];
    var = f.rv[c];
  }
  const float is = (float)(1.0 / sqrt(var + f.eps)), m = (float)mu;
  f.mean[c] = m;
  f.invstd[c] = is;
  const float scale = is * f.gamma[c];
  f.coef[2 * c] = scale;
  f.coef[2 * c + 1] = f.beta[c] - m * scale;
}

// coef[3c..3c+2] = (gamma invstd, a, bcoef) of dx += k (dy - a - xhat bcoef).
__device__ void BnBackwardFinishChannel(int c, const double *part, int nsplit,
                                        const BnFinishArgs &f) {
  double s1, s2;
  SumParts(part, c, nsplit, &s1, &s2);
  f.dgamma[c] += (float)s2;
  f.dbeta[c] += (float)s1;
  f.coef[3 * c] = f.gamma[c] * f.invstd_in[c];
  f.coef[3 * c + 1] = f.train ? (float)(s1 / f.n) : 0.0f;
  f.coef[3 * c + 2] = f.train ? (float)(s2 / f.n) : 0.0f;
}

template <bool kRelu>
__global__ void BnPartialKernel(const float *__restrict__ x, int64_t x_b,
                                const float *__restrict__ dy, int64_t dy_b, int t_len, int nb,
                                int mode, double *part, BnFinishArgs f) {
  const int c = blockIdx.x, s = blockIdx.y, nsplit = gridDim.y;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, nwarps = kThreads / 32;
  double s1 = 0.0, s2 = 0.0;
  const float m = mode ? f.mean[c] : 0.0f, is = mode ? f.invstd_in[c] : 0.0f;
  auto accumulate = [&](const float (&xv)[kRowRegs], const float (&gv)[kRowRegs]) {
#pragma unroll
    for (int j = 0; j < kRowRegs; j++) {
      const float v = kRelu ? fmaxf(xv[j], 0.0f) : xv[j];
      if (mode == 0) {
        s1 += v;
        s2 += (double)v * v;
      } else if (lane + 32 * j < t_len) {   // (x - m) is not zero beyond the row
        s1 += gv[j];
        s2 += (double)gv[j] * ((v - m) * is);
      }
    }
  };
  const int stride = nsplit * nwarps;
  if (t_len <= 32 * kRowRegs) {
    // Two rows staged in registers per iteration (row-staging.cuh): twice the loads in flight.
    // Rows are still added in the order b, b + stride, ... as with one row at a time.
    for (int b = s + nsplit * warp; b < nb; b += 2 * stride) {
      const int b2 = b + stride;
      float xv[kRowRegs], gv[kRowRegs] = {}, xv2[kRowRegs], gv2[kRowRegs] = {};
      LoadRow(x + b * x_b + (int64_t)c * t_len, lane, t_len, xv);
      if (mode != 0) LoadRow(dy + b * dy_b + (int64_t)c * t_len, lane, t_len, gv);
      if (b2 < nb) {
        LoadRow(x + b2 * x_b + (int64_t)c * t_len, lane, t_len, xv2);
        if (mode != 0) LoadRow(dy + b2 * dy_b + (int64_t)c * t_len, lane, t_len, gv2);
      }
      accumulate(xv, gv);
      if (b2 < nb) accumulate(xv2, gv2);
    }
  } else {
    for (int b = s + nsplit * warp; b < nb; b += stride) {
      const float *__restrict__ p = x + b * x_b + (int64_t)c * t_len;
      if (mode == 0) {
        for (int t = lane; t < t_len; t += 32) {
          const double v = kRelu ? fmaxf(p[t], 0.0f) : p[t];
          s1 += v;
          s2 += v * v;
        }
      } else {
        const float *__restrict__ g = dy + b * dy_b + (int64_t)c * t_len;
        for (int t = lane; t < t_len; t += 32) {
          s1 += g[t];
          s2 += (double)g[t] * (((kRelu ? fmaxf(p[t], 0.0f) : p[t]) - m) * is);
        }
      }
    }
  }
  BlockSum2(&s1, &s2);
  if (threadIdx.x == 0) {
    part[2 * ((int64_t)c * nsplit + s)] = s1;
    part[2 * ((int64_t)c * nsplit + s) + 1] = s2;
    __threadfence();   // the partials are visible before the counter says so
    if (atomicAdd(f.counter + c, 1) == nsplit - 1) {
      __threadfence();
      if (mode == 0) BnForwardFinishChannel(c, part, nsplit, f);
      else BnBackwardFinishChannel(c, part, nsplit, f);
      f.counter[c] = 0;
    }
  }
}

// Eval mode's forward finish (no partial sums: the running statistics).
__global__ void BnForwardFinishKernel(int nc, BnFinishArgs f) {
  for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < nc; c += gridDim.x * blockDim.x)
    BnForwardFinishChannel(c, nullptr, 0, f);
}

__device__ inline bool Aligned16(const void *p) {
  return (reinterpret_cast<uintptr_t>(p) & 15) == 0;
}

// kAdd: also sum = addend + y (ReluBatchNormForwardAdd).
template <bool kRelu, bool kAdd>
__global__ void BnForwardApplyKernel(const float *__restrict__ x, int64_t x_b,
                                     float *__restrict__ y, int64_t y_b, int nc, int t_len,
                                     const float *__restrict__ coef,
                                     const float *__restrict__ addend, int64_t a_b,
                                     float *__restrict__ sum, int64_t s_b) {
  // A warp per (b, c) row (8 channels per block, blockIdx.y the batch item): the channel's
  // coefficients are read once and no thread divides by T; float4 when the rows are aligned.
  const int c = blockIdx.x * kRowsPerBlock + threadIdx.y;
  if (c >= nc) return;
  const float scale = coef[2 * c], shift = coef[2 * c + 1];
  const int64_t row = (int64_t)c * t_len;
  const float *__restrict__ xr = x + blockIdx.y * x_b + row;
  float *__restrict__ yr = y + blockIdx.y * y_b + row;
  const float *__restrict__ ar = kAdd ? addend + blockIdx.y * a_b + row : nullptr;
  float *__restrict__ sr = kAdd ? sum + blockIdx.y * s_b + row : nullptr;
  auto f = [&](float v) { return (kRelu ? fmaxf(v, 0.0f) : v) * scale + shift; };
  if ((t_len & 3) == 0 && Aligned16(xr) && Aligned16(yr) &&
      (!kAdd || (Aligned16(ar) && Aligned16(sr)))) {
    const float4 *__restrict__ x4 = reinterpret_cast<const float4 *>(xr);
    float4 *__restrict__ y4 = reinterpret_cast<float4 *>(yr);
#pragma unroll 2
    for (int i = threadIdx.x; i < t_len / 4; i += 32) {
      const float4 v = x4[i];
      const float4 o = make_float4(f(v.x), f(v.y), f(v.z), f(v.w));
      y4[i] = o;
      if (kAdd) {
        const float4 a = reinterpret_cast<const float4 *>(ar)[i];
        reinterpret_cast<float4 *>(sr)[i] =
            make_float4(a.x + o.x, a.y + o.y, a.z + o.z, a.w + o.w);
      }
    }
    return;
  }
#pragma unroll 4
  for (int t = threadIdx.x; t < t_len; t += 32) {
    const float o = f(xr[t]);
    yr[t] = o;
    if (kAdd) sr[t] = ar[t] + o;
  }
}

// kRelu: x is the pre-activation, dx = (x > 0) (dx + dBN(relu(x))).
// A grid-stride loop over each batch item's (C, T) block (a warp-per-row layout, as the
// forward apply uses, measured 2x slower here: 1.5 vs 2.9 TB/s on an H200), 4 elements of one
// channel per thread and step when T % 4 == 0 and the rows are 16-byte aligned (kVec4).
template <bool kRelu, bool kVec4>
__global__ void BnBackwardApplyKernel(const float *__restrict__ x, int64_t x_b,
                                      const float *__restrict__ dy, int64_t dy_b,
                                      float *__restrict__ dx, int64_t dx_b, int nc, int t_len,
                                      const float *__restrict__ mean,
                                      const float *__restrict__ invstd,
                                      const float *__restrict__ coef) {
  constexpr int kW = kVec4 ? 4 : 1;
  const int b = blockIdx.y, n = nc * t_len / kW;
  const float *xb = x + b * x_b, *gb = dy + b * dy_b;
  float *db = dx + b * dx_b;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const int c = i * kW / t_len;
    const float m = mean[c], is = invstd[c], k0 = coef[3 * c], a = coef[3 * c + 1],
                bc = coef[3 * c + 2];
    float xv[kW], gv[kW], dv[kW];
    if (kVec4) {
      const float4 x4 = reinterpret_cast<const float4 *>(xb)[i];
      const float4 g4 = reinterpret_cast<const float4 *>(gb)[i];
      const float4 d4 = reinterpret_cast<const float4 *>(db)[i];
      xv[0] = x4.x; xv[1] = x4.y; xv[2] = x4.z; xv[3] = x4.w;
      gv[0] = g4.x; gv[1] = g4.y; gv[2] = g4.z; gv[3] = g4.w;
      dv[0] = d4.x; dv[1] = d4.y; dv[2] = d4.z; dv[3] = d4.w;
    } else {
      xv[0] = xb[i];
      gv[0] = gb[i];
      dv[0] = db[i];
    }
#pragma unroll
    for (int j = 0; j < kW; j++) {
      const float xr = kRelu ? fmaxf(xv[j], 0.0f) : xv[j];
      const float d = dv[j] + k0 * (gv[j] - a - (xr - m) * is * bc);
      dv[j] = (!kRelu || xv[j] > 0.0f) ? d : 0.0f;
    }
    if (kVec4)
      reinterpret_cast<float4 *>(db)[i] = make_float4(dv[0], dv[1], dv[2], dv[3]);
    else
      db[i] = dv[0];
  }
}

// Per-channel counters of the partial-sum kernels' last-block finish: zero between calls (the
// last block of each channel resets its own), grown (and zeroed) when a layer is wider.
int *BnCounters(int64_t nc) {
  static int *counters = nullptr;
  static int64_t capacity = 0;
  if (nc > capacity) {
    if (counters != nullptr) {
      CUDA_CHECK(cudaStreamSynchronize(Stream()));
      PoolFree(counters);
    }
    capacity = std::max<int64_t>(nc, 4096);
    counters = static_cast<int *>(PoolAlloc(sizeof(int) * capacity));
    CUDA_CHECK(cudaMemsetAsync(counters, 0, sizeof(int) * capacity, Stream()));
  }
  return counters;
}

// Splits of the batch per channel so that the partial-sum launch has >= ~4 blocks per SM.
int BnSplits(int64_t nc, int64_t nb) {
  int64_t s = (528 + nc - 1) / nc;
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(s, nb)));
}

// y[b, o] += bias[o]
__global__ void AddBiasKernel(float *y, int64_t y_b, int nb, int out, const float *bias) {
  const int64_t total = (int64_t)nb * out;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < total;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int b = (int)(i / out), o = (int)(i - (int64_t)b * out);
    y[b * y_b + o] += bias[o];
  }
}

// db[o] += sum_b dy[b, o]
__global__ void BiasGradKernel(const float *dy, int64_t dy_b, int nb, int out, float *db) {
  for (int o = blockIdx.x * blockDim.x + threadIdx.x; o < out; o += gridDim.x * blockDim.x) {
    double s = 0.0;
    for (int b = 0; b < nb; b++) s += dy[b * dy_b + o];
    db[o] += (float)s;
  }
}

}  // namespace

void GpuKernels::Conv1dForward(const Tensor &x, const Tensor &w, int dilation, Tensor *y) const {
  CheckConvShapes(x, w, dilation, *y);
  const int64_t nb = x.dim[0], cin = x.dim[1], t_len = x.dim[2], cout = w.dim[0], kw = w.dim[2];
  if (kw == 1 && Bf16Copy(cout)) {   // a bf16 copy of x: cuBLAS would multiply fp32 x as TF32
    Bf16Operands op(x, 1, 1, w);
    GemmBf16(false, false, cout, t_len, cin, 1.0f, op.w.As<bf16>(), cin, 0, op.col.As<bf16>(),
             t_len, cin * t_len, 0.0f, y->data, t_len, y->bstride, nb);
    return;
  }
  if (kw == 1) {
    Gemm(false, false, cout, t_len, cin, 1.0f, w.data, cin, 0, x.data, t_len, x.bstride, 0.0f,
         y->data, t_len, y->bstride, nb);
    return;
  }
  const int64_t rows = cin * kw;
  if (Bf16Layer(w)) {   // the im2col writes bf16 (half the bytes), the GEMM reads bf16
    Bf16Operands op(x, (int)kw, dilation, w);
    GemmBf16(false, false, cout, t_len, rows, 1.0f, op.w.As<bf16>(), rows, 0, op.col.As<bf16>(),
             t_len, rows * t_len, 0.0f, y->data, t_len, y->bstride, nb);
    return;
  }
  DeviceScratch col(sizeof(float) * nb * rows * t_len);
  Im2Col(x, (int)kw, dilation, col.As<float>(), rows * t_len, t_len);
  Gemm(false, false, cout, t_len, rows, 1.0f, w.data, rows, 0, col.As<float>(), t_len,
       rows * t_len, 0.0f, y->data, t_len, y->bstride, nb);
}

void GpuKernels::Conv1dBackward(const Tensor &x, const Tensor &w, int dilation, const Tensor &dy,
                                Tensor *dx, Tensor *dw) const {
  CheckConvShapes(x, w, dilation, dy);
  TD_ASSERT(dw != nullptr && dw->SameShape(w) && dw->Contiguous());
  CheckGpu(*dw);
  const int64_t nb = x.dim[0], cin = x.dim[1], t_len = x.dim[2], cout = w.dim[0], kw = w.dim[2];
  const int64_t rows = cin * kw, frames = nb * t_len;
  if (dx != nullptr) {
    TD_ASSERT(dx->SameShape(x));
    CheckGpu(*dx);
    if (kw == 1 && Bf16Copy(cin)) {
      Bf16Operands op(dy, 1, 1, w);
      GemmBf16(true, false, cin, t_len, cout, 1.0f, op.w.As<bf16>(), cin, 0, op.col.As<bf16>(),
               t_len, cout * t_len, 1.0f, dx->data, t_len, dx->bstride, nb);
    } else if (kw == 1) {
      Gemm(true, false, cin, t_len, cout, 1.0f, w.data, cin, 0, dy.data, t_len, dy.bstride, 1.0f,
           dx->data, t_len, dx->bstride, nb);
    } else if (Bf16Layer(w)) {
      DeviceScratch colt(sizeof(bf16) * nb * cout * kw * t_len), wf(sizeof(bf16) * w.Numel());
      Im2Col(dy, (int)kw, dilation, colt.As<bf16>(), cout * kw * t_len, t_len);
      WeightsToBf16Kernel<<<GridFor(w.Numel(), kThreads), kThreads, 0, Stream()>>>(
          w.data, (int)cout, (int)cin, (int)kw, nullptr, wf.As<bf16>());
      CUDA_LAUNCH_CHECK();
      GemmBf16(false, false, cin, t_len, cout * kw, 1.0f, wf.As<bf16>(), cout * kw, 0,
               colt.As<bf16>(), t_len, cout * kw * t_len, 1.0f, dx->data, t_len, dx->bstride,
               nb);
    } else {
      DeviceScratch dcol(sizeof(float) * nb * rows * t_len);
      if (Bf16Copy(rows)) {
        Bf16Operands op(dy, 1, 1, w);
        GemmBf16(true, false, rows, t_len, cout, 1.0f, op.w.As<bf16>(), rows, 0,
                 op.col.As<bf16>(), t_len, cout * t_len, 0.0f, dcol.As<float>(), t_len,
                 rows * t_len, nb);
      } else {
        Gemm(true, false, rows, t_len, cout, 1.0f, w.data, rows, 0, dy.data, t_len, dy.bstride,
             0.0f, dcol.As<float>(), t_len, rows * t_len, nb);
      }
      Col2ImAddKernel<<<BatchGrid(cin * t_len, nb), kThreads, 0, Stream()>>>(
          dcol.As<float>(), (int)cin, (int)t_len, (int)kw, dilation, dx->data, dx->bstride);
      CUDA_LAUNCH_CHECK();
    }
  }
  // dW += dy^T (Cout, B*T) col^T (Cin*K, B*T)^T
  // (BF16 mode: both layout copies are written as bf16, which the GEMM reads directly.)
  if (Bf16Layer(w)) {
    DeviceScratch colt(sizeof(bf16) * rows * frames), dyt(sizeof(bf16) * cout * frames);
    Im2Col(x, (int)kw, dilation, colt.As<bf16>(), t_len, frames);
    Im2Col(dy, 1, 1, dyt.As<bf16>(), t_len, frames);
    GemmBf16(false, true, cout, rows, frames, 1.0f, dyt.As<bf16>(), frames, 0, colt.As<bf16>(),
             frames, 0, 1.0f, dw->data, rows, 0, 1);
    return;
  }
  DeviceScratch colt(sizeof(float) * rows * frames), dyt(sizeof(float) * cout * frames);
  Im2Col(x, (int)kw, dilation, colt.As<float>(), t_len, frames);
  Im2Col(dy, 1, 1, dyt.As<float>(), t_len, frames);
  Gemm(false, true, cout, rows, frames, 1.0f, dyt.As<float>(), frames, 0, colt.As<float>(),
       frames, 0, 1.0f, dw->data, rows, 0, 1);
}

// Training in BF16 mode, large layers (ConvSaved): the forward writes x's bf16 im2col once, in
// the (Cin*K, B*T) layout, and multiplies batch item b's column block (leading dimension B*T);
// the backward reuses it for dW and builds one bf16 im2col of dy in the same layout, whose
// column blocks give dx (the flipped-weight convolution; W^T dy for 1x1) and whose centre-tap
// rows (every K-th row from K/2: a matrix with leading dimension K*B*T) are dy's layout for
// dW. Four layout copies per convolution become two.
void GpuKernels::Conv1dForwardSaving(const Tensor &x, const Tensor &w, int dilation, Tensor *y,
                                     ConvSaved *saved) const {
  saved->Release();
  if (!Bf16Layer(w)) {
    Conv1dForward(x, w, dilation, y);
    return;
  }
  CheckConvShapes(x, w, dilation, *y);
  const int64_t nb = x.dim[0], cin = x.dim[1], t_len = x.dim[2], cout = w.dim[0], kw = w.dim[2];
  const int64_t rows = cin * kw, frames = nb * t_len;
  std::shared_ptr<void> col(PoolAlloc(sizeof(bf16) * rows * frames), PoolFree);
  Im2Col(x, (int)kw, dilation, static_cast<bf16 *>(col.get()), t_len, frames);
  // The weight in bf16 for this product, and as the backward's dx product reads it (W itself
  // for 1x1; the flipped transpose otherwise), made in one pass.
  std::shared_ptr<void> wb(PoolAlloc(sizeof(bf16) * w.Numel()), PoolFree), wdx = wb;
  if (kw == 1) {
    ToBf16Kernel<<<GridFor(w.Numel(), kThreads), kThreads, 0, Stream()>>>(
        w.data, w.Numel(), static_cast<bf16 *>(wb.get()));
  } else {
    wdx.reset(PoolAlloc(sizeof(bf16) * w.Numel()), PoolFree);
    WeightsToBf16Kernel<<<GridFor(w.Numel(), kThreads), kThreads, 0, Stream()>>>(
        w.data, (int)cout, (int)cin, (int)kw, static_cast<bf16 *>(wb.get()),
        static_cast<bf16 *>(wdx.get()));
  }
  CUDA_LAUNCH_CHECK();
  GemmBf16(false, false, cout, t_len, rows, 1.0f, wb.get(), rows, 0, col.get(), frames,
           t_len, 0.0f, y->data, t_len, y->bstride, nb);
  saved->weight = std::move(wdx);
  saved->data = std::move(col);
  saved->rows = rows;
  saved->frames = frames;
}

void GpuKernels::Conv1dBackwardSaved(const Tensor &x, const Tensor &w, int dilation,
                                     const Tensor &dy, Tensor *dx, Tensor *dw,
                                     ConvSaved *saved) const {
  const int64_t nb = x.dim[0], cin = x.dim[1], t_len = x.dim[2], cout = w.dim[0], kw = w.dim[2];
  const int64_t rows = cin * kw, frames = nb * t_len;
  // (Moved out: the saved work is released whichever path runs.)
  std::shared_ptr<void> col = std::move(saved->data), wdx = std::move(saved->weight);
  if (!Bf16Layer(w) || col == nullptr || wdx == nullptr || saved->rows != rows ||
      saved->frames != frames) {
    Conv1dBackward(x, w, dilation, dy, dx, dw);
    return;
  }
  CheckConvShapes(x, w, dilation, dy);
  TD_ASSERT(dw != nullptr && dw->SameShape(w) && dw->Contiguous());
  CheckGpu(*dw);
  const int64_t taps = dx != nullptr ? kw : 1;   // dW alone needs only the centre tap
  DeviceScratch dcol(sizeof(bf16) * cout * taps * frames);
  Im2Col(dy, (int)taps, dilation, dcol.As<bf16>(), t_len, frames);
  if (dx != nullptr) {
    TD_ASSERT(dx->SameShape(x));
    CheckGpu(*dx);
    if (kw == 1)
      GemmBf16(true, false, cin, t_len, cout, 1.0f, wdx.get(), cin, 0, dcol.As<bf16>(), frames,
               t_len, 1.0f, dx->data, t_len, dx->bstride, nb);
    else
      GemmBf16(false, false, cin, t_len, cout * kw, 1.0f, wdx.get(), cout * kw, 0,
               dcol.As<bf16>(), frames, t_len, 1.0f, dx->data, t_len, dx->bstride, nb);
  }
  GemmBf16(false, true, cout, rows, frames, 1.0f, dcol.As<bf16>() + (taps / 2) * frames,
           taps * frames, 0, col.get(), frames, 0, 1.0f, dw->data, rows, 0, 1);
}

namespace {

// The launches of a batch-norm forward (see the kernels above); kRelu: of relu(x).
template <bool kRelu>
void BnForward(const Tensor &x, const Tensor &gamma, const Tensor &beta, bool train,
               float momentum, float eps, Tensor *running_mean, Tensor *running_var, Tensor *y,
               Tensor *mean, Tensor *invstd, const Tensor *addend = nullptr,
               Tensor *sum = nullptr) {
  CheckGpu(x); CheckGpu(*y);
  TD_ASSERT(x.SameShape(*y) && x.ndim >= 2);
  const int64_t nb = x.dim[0], nc = x.dim[1], t_len = x.InnerSize() / nc;
  TD_ASSERT(gamma.Numel() == nc && beta.Numel() == nc && mean->Numel() == nc &&
            invstd->Numel() == nc && running_mean->Numel() == nc && running_var->Numel() == nc);
  if (train) TD_ASSERT(nb * t_len > 1);
  if (nc == 0 || nb == 0) return;
  const int nsplit = BnSplits(nc, nb);
  DeviceScratch part(sizeof(double) * 2 * nc * nsplit), coef(sizeof(float) * 2 * nc);
  BnFinishArgs f;
  f.n = nb * t_len;
  f.gamma = gamma.data;
  f.beta = beta.data;
  f.rm = running_mean->data;
  f.rv = running_var->data;
  f.mean = mean->data;
  f.invstd = invstd->data;
  f.coef = coef.As<float>();
  f.momentum = momentum;
  f.eps = eps;
  f.train = train;
  if (train) {
    f.counter = BnCounters(nc);
    BnPartialKernel<kRelu><<<dim3((unsigned)nc, (unsigned)nsplit), kThreads, 0, Stream()>>>(
        x.data, x.bstride, nullptr, 0, (int)t_len, (int)nb, 0, part.As<double>(), f);
  } else {
    BnForwardFinishKernel<<<GridFor(nc, 128), 128, 0, Stream()>>>((int)nc, f);
  }
  CUDA_LAUNCH_CHECK();
  TD_ASSERT(nb <= 65535);
  const dim3 rows_grid((unsigned)((nc + kRowsPerBlock - 1) / kRowsPerBlock), (unsigned)nb);
  if (addend != nullptr) {
    CheckGpu(*addend); CheckGpu(*sum);
    TD_ASSERT(addend->SameShape(x) && sum->SameShape(x));
    BnForwardApplyKernel<kRelu, true><<<rows_grid, dim3(32, kRowsPerBlock), 0, Stream()>>>(
        x.data, x.bstride, y->data, y->bstride, (int)nc, (int)t_len, coef.As<float>(),
        addend->data, addend->bstride, sum->data, sum->bstride);
  } else {
    BnForwardApplyKernel<kRelu, false><<<rows_grid, dim3(32, kRowsPerBlock), 0, Stream()>>>(
        x.data, x.bstride, y->data, y->bstride, (int)nc, (int)t_len, coef.As<float>(), nullptr,
        0, nullptr, 0);
  }
  CUDA_LAUNCH_CHECK();
}

template <bool kRelu>
void BnBackward(const Tensor &x, const Tensor &gamma, const Tensor &mean, const Tensor &invstd,
                const Tensor &dy, bool train, Tensor *dx, Tensor *dgamma, Tensor *dbeta) {
  CheckGpu(x); CheckGpu(dy);
  TD_ASSERT(x.SameShape(dy));
  const int64_t nb = x.dim[0], nc = x.dim[1], t_len = x.InnerSize() / nc;
  if (dx != nullptr) TD_ASSERT(dx->SameShape(x));
  if (nc == 0 || nb == 0) return;
  const int nsplit = BnSplits(nc, nb);
  DeviceScratch part(sizeof(double) * 2 * nc * nsplit), coef(sizeof(float) * 3 * nc);
  BnFinishArgs f;
  f.n = nb * t_len;
  f.gamma = gamma.data;
  f.invstd_in = invstd.data;
  f.mean = const_cast<float *>(mean.data);   // read only in mode 1
  f.dgamma = dgamma->data;
  f.dbeta = dbeta->data;
  f.coef = coef.As<float>();
  f.train = train;
  f.counter = BnCounters(nc);
  BnPartialKernel<kRelu><<<dim3((unsigned)nc, (unsigned)nsplit), kThreads, 0, Stream()>>>(
      x.data, x.bstride, dy.data, dy.bstride, (int)t_len, (int)nb, 1, part.As<double>(), f);
  CUDA_LAUNCH_CHECK();
  if (dx == nullptr) return;
  const bool vec4 = t_len % 4 == 0 && x.bstride % 4 == 0 && dy.bstride % 4 == 0 &&
                    dx->bstride % 4 == 0 && reinterpret_cast<uintptr_t>(x.data) % 16 == 0 &&
                    reinterpret_cast<uintptr_t>(dy.data) % 16 == 0 &&
                    reinterpret_cast<uintptr_t>(dx->data) % 16 == 0;
  auto kernel = vec4 ? BnBackwardApplyKernel<kRelu, true> : BnBackwardApplyKernel<kRelu, false>;
  kernel<<<BatchGrid(nc * t_len / (vec4 ? 4 : 1), nb), kThreads, 0, Stream()>>>(
      x.data, x.bstride, dy.data, dy.bstride, dx->data, dx->bstride, (int)nc, (int)t_len,
      mean.data, invstd.data, coef.As<float>());
  CUDA_LAUNCH_CHECK();
}

}  // namespace

void GpuKernels::BatchNormForward(const Tensor &x, const Tensor &gamma, const Tensor &beta,
                                  bool train, float momentum, float eps, Tensor *running_mean,
                                  Tensor *running_var, Tensor *y, Tensor *mean,
                                  Tensor *invstd) const {
  BnForward<false>(x, gamma, beta, train, momentum, eps, running_mean, running_var, y, mean,
                   invstd);
}

void GpuKernels::BatchNormBackward(const Tensor &x, const Tensor &gamma, const Tensor &mean,
                                   const Tensor &invstd, const Tensor &dy, bool train,
                                   Tensor *dx, Tensor *dgamma, Tensor *dbeta) const {
  BnBackward<false>(x, gamma, mean, invstd, dy, train, dx, dgamma, dbeta);
}

// The pre-activation stays in x: the ReLU is applied where x is read (no extra pass), and the
// backward masks with x > 0.
void GpuKernels::ReluBatchNormForward(Tensor *x, const Tensor &gamma, const Tensor &beta,
                                      bool train, float momentum, float eps,
                                      Tensor *running_mean, Tensor *running_var, Tensor *y,
                                      Tensor *mean, Tensor *invstd) const {
  BnForward<true>(*x, gamma, beta, train, momentum, eps, running_mean, running_var, y, mean,
                  invstd);
}

void GpuKernels::ReluBatchNormForwardAdd(Tensor *x, const Tensor &gamma, const Tensor &beta,
                                         bool train, float momentum, float eps,
                                         Tensor *running_mean, Tensor *running_var, Tensor *y,
                                         Tensor *mean, Tensor *invstd, const Tensor &addend,
                                         Tensor *sum) const {
  BnForward<true>(*x, gamma, beta, train, momentum, eps, running_mean, running_var, y, mean,
                  invstd, &addend, sum);
}

void GpuKernels::ReluBatchNormBackward(const Tensor &x, const Tensor &gamma, const Tensor &mean,
                                       const Tensor &invstd, const Tensor &dy, bool train,
                                       Tensor *dx, Tensor *dgamma, Tensor *dbeta) const {
  TD_ASSERT(dx != nullptr);
  BnBackward<true>(x, gamma, mean, invstd, dy, train, dx, dgamma, dbeta);
}

void GpuKernels::LinearForward(const Tensor &x, const Tensor &w, const Tensor *b,
                               Tensor *y) const {
  CheckGpu(x); CheckGpu(w); CheckGpu(*y);
  TD_ASSERT(x.ndim == 2 && w.ndim == 2 && y->ndim == 2 && w.Contiguous());
  const int64_t nb = x.dim[0], in = x.dim[1], out = w.dim[0];
  TD_ASSERT(w.dim[1] == in && y->dim[0] == nb && y->dim[1] == out);
  Gemm(false, true, nb, out, in, 1.0f, x.data, x.bstride, 0, w.data, in, 0, 0.0f, y->data,
       y->bstride, 0, 1);
  if (b != nullptr) {
    TD_ASSERT(b->Numel() == out);
    AddBiasKernel<<<GridFor(nb * out, kThreads), kThreads, 0, Stream()>>>(
        y->data, y->bstride, (int)nb, (int)out, b->data);
    CUDA_LAUNCH_CHECK();
  }
}

void GpuKernels::LinearBackward(const Tensor &x, const Tensor &w, const Tensor &dy, Tensor *dx,
                                Tensor *dw, Tensor *db) const {
  CheckGpu(x); CheckGpu(w); CheckGpu(dy);
  const int64_t nb = x.dim[0], in = x.dim[1], out = w.dim[0];
  TD_ASSERT(dy.dim[0] == nb && dy.dim[1] == out && dw->SameShape(w) && dw->Contiguous());
  if (dx != nullptr) {
    TD_ASSERT(dx->SameShape(x));
    Gemm(false, false, nb, in, out, 1.0f, dy.data, dy.bstride, 0, w.data, in, 0, 1.0f,
         dx->data, dx->bstride, 0, 1);
  }
  Gemm(true, false, out, in, nb, 1.0f, dy.data, dy.bstride, 0, x.data, x.bstride, 0, 1.0f,
       dw->data, in, 0, 1);
  if (db != nullptr) {
    BiasGradKernel<<<GridFor(out, kThreads), kThreads, 0, Stream()>>>(dy.data, dy.bstride,
                                                                      (int)nb, (int)out, db->data);
    CUDA_LAUNCH_CHECK();
  }
}

}  // namespace gpu
}  // namespace tdnas
