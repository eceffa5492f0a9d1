// kernels-gpu-conv.cu: GPU convolution, linear and batch-norm kernels.
//
// Convolution as GEMMs through cuBLAS (the math mode picks fp32 / TF32 / BF16):
//   forward:  y_b (Cout x T) = W (Cout x Cin*K) col_b (Cin*K x T), one strided-batched GEMM over
//             the batch; col_b is x_b itself for 1x1 convolutions, else an im2col copy with the
//             "same" zero padding (tap k reads x at t + (k - K/2) * dilation).
//   dx:       dcol_b = W^T dy_b (batched), then col2im adds it into dx (no atomics: each dx
//             element sums its K taps); 1x1 adds W^T dy_b straight into dx (beta = 1).
//   dW:       the batch must be summed inside one GEMM, so x and dy are first laid out
//             channel-major over all frames, col^T (Cin*K, B*T) and dy^T (Cout, B*T) (T stays
//             the inner dimension, so both copies are coalesced), then dW += dy^T col^T^T with
//             k = B*T.
// Batch norm: one block per channel; sums in double, as the CPU kernels.
#include <cuda_runtime.h>

#include <cmath>

#include "gpu/gpu-context.h"
#include "gpu/kernels-gpu.h"

namespace tdnas {
namespace gpu {

void CheckGpu(const Tensor &t) {
  TD_ASSERT(t.device == nnet::Device::kGpu && t.data != nullptr);
}

namespace {

constexpr int kThreads = 256;

// out[b * out_b + (ci * K + k) * out_r + t] = x[b * x_b + ci * T + t + (k - K/2) * dil] or 0.
__global__ void Im2ColKernel(const float *__restrict__ x, int64_t x_b, int cin, int t_len, int kw,
                             int dil, int nb, float *__restrict__ out, int64_t out_b,
                             int64_t out_r) {
  const int64_t rows = (int64_t)cin * kw, total = (int64_t)nb * rows * t_len;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < total;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int t = (int)(i % t_len);
    const int64_t q = i / t_len;
    const int r = (int)(q % rows);
    const int b = (int)(q / rows);
    const int ci = r / kw, k = r - ci * kw;
    const int src = t + (k - kw / 2) * dil;
    float v = 0.0f;
    if (src >= 0 && src < t_len) v = x[b * x_b + (int64_t)ci * t_len + src];
    out[b * out_b + r * out_r + t] = v;
  }
}

// dx[b, ci, t] += sum_k dcol[b, ci*K + k, t - s_k], dcol contiguous (B, Cin*K, T).
__global__ void Col2ImAddKernel(const float *__restrict__ dcol, int cin, int t_len, int kw,
                                int dil, int nb, float *__restrict__ dx, int64_t dx_b) {
  const int64_t total = (int64_t)nb * cin * t_len;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < total;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int t = (int)(i % t_len);
    const int64_t q = i / t_len;
    const int ci = (int)(q % cin);
    const int b = (int)(q / cin);
    const float *d = dcol + ((int64_t)b * cin * kw + (int64_t)ci * kw) * t_len;
    float acc = 0.0f;
    for (int k = 0; k < kw; k++) {
      const int src = t - (k - kw / 2) * dil;
      if (src >= 0 && src < t_len) acc += d[(int64_t)k * t_len + src];
    }
    dx[b * dx_b + (int64_t)ci * t_len + t] += acc;
  }
}

void Im2Col(const Tensor &x, int kw, int dil, float *out, int64_t out_b, int64_t out_r) {
  const int nb = (int)x.dim[0], cin = (int)x.dim[1], t_len = (int)x.dim[2];
  Im2ColKernel<<<GridFor(x.dim[0] * cin * kw * t_len, kThreads), kThreads, 0, Stream()>>>(
      x.data, x.bstride, cin, t_len, kw, dil, nb, out, out_b, out_r);
  CUDA_LAUNCH_CHECK();
}

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

// One block per channel c of x (B, C, T) (T = 1 for 2-D inputs).
__global__ void BnForwardKernel(const float *__restrict__ x, int64_t x_b, float *__restrict__ y,
                                int64_t y_b, int nc, int t_len, int nb,
                                const float *__restrict__ gamma, const float *__restrict__ beta,
                                float *rm, float *rv, float *mean, float *invstd, bool train,
                                float momentum, float eps) {
  const int c = blockIdx.x;
  const int64_t n = (int64_t)nb * t_len;
  __shared__ float s_scale, s_shift;
  if (train) {
    double s1 = 0.0, s2 = 0.0;
    for (int64_t i = threadIdx.x; i < n; i += kThreads) {
      const int b = (int)(i / t_len), t = (int)(i - (int64_t)b * t_len);
      const double v = x[b * x_b + (int64_t)c * t_len + t];
      s1 += v;
      s2 += v * v;
    }
    BlockSum2(&s1, &s2);
    if (threadIdx.x == 0) {
      const double mu = s1 / n;
      const double ss = fmax(s2 - s1 * mu, 0.0);   // sum (x - mu)^2
      const double var = ss / n;
      rm[c] = (float)((1.0f - momentum) * rm[c] + momentum * mu);
      rv[c] = (float)((1.0f - momentum) * rv[c] + momentum * (ss / (n - 1)));
      const float is = (float)(1.0 / sqrt(var + eps)), m = (float)mu;
      mean[c] = m;
      invstd[c] = is;
      s_scale = is * gamma[c];
      s_shift = beta[c] - m * s_scale;
    }
  } else if (threadIdx.x == 0) {
    const double var = rv[c];
    const float is = (float)(1.0 / sqrt(var + eps)), m = rm[c];
    mean[c] = m;
    invstd[c] = is;
    s_scale = is * gamma[c];
    s_shift = beta[c] - m * s_scale;
  }
  __syncthreads();
  const float scale = s_scale, shift = s_shift;
  for (int64_t i = threadIdx.x; i < n; i += kThreads) {
    const int b = (int)(i / t_len), t = (int)(i - (int64_t)b * t_len);
    y[b * y_b + (int64_t)c * t_len + t] = x[b * x_b + (int64_t)c * t_len + t] * scale + shift;
  }
}

__global__ void BnBackwardKernel(const float *__restrict__ x, int64_t x_b,
                                 const float *__restrict__ dy, int64_t dy_b, float *dx,
                                 int64_t dx_b, int nc, int t_len, int nb,
                                 const float *__restrict__ gamma, const float *__restrict__ mean,
                                 const float *__restrict__ invstd, bool train, float *dgamma,
                                 float *dbeta) {
  const int c = blockIdx.x;
  const int64_t n = (int64_t)nb * t_len;
  const float m = mean[c], is = invstd[c];
  __shared__ float s_a, s_b;
  double s1 = 0.0, s2 = 0.0;
  for (int64_t i = threadIdx.x; i < n; i += kThreads) {
    const int b = (int)(i / t_len), t = (int)(i - (int64_t)b * t_len);
    const float g = dy[b * dy_b + (int64_t)c * t_len + t];
    const float p = x[b * x_b + (int64_t)c * t_len + t];
    s1 += g;
    s2 += (double)g * ((p - m) * is);
  }
  BlockSum2(&s1, &s2);
  if (threadIdx.x == 0) {
    dgamma[c] += (float)s2;
    dbeta[c] += (float)s1;
    s_a = train ? (float)(s1 / n) : 0.0f;
    s_b = train ? (float)(s2 / n) : 0.0f;
  }
  if (dx == nullptr) return;
  __syncthreads();
  const float k = gamma[c] * is, a = s_a, bc = s_b;
  for (int64_t i = threadIdx.x; i < n; i += kThreads) {
    const int b = (int)(i / t_len), t = (int)(i - (int64_t)b * t_len);
    const float g = dy[b * dy_b + (int64_t)c * t_len + t];
    const float p = x[b * x_b + (int64_t)c * t_len + t];
    dx[b * dx_b + (int64_t)c * t_len + t] += k * (g - a - (p - m) * is * bc);
  }
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
  if (kw == 1) {
    Gemm(false, false, cout, t_len, cin, 1.0f, w.data, cin, 0, x.data, t_len, x.bstride, 0.0f,
         y->data, t_len, y->bstride, nb);
    return;
  }
  const int64_t rows = cin * kw;
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
    if (kw == 1) {
      Gemm(true, false, cin, t_len, cout, 1.0f, w.data, cin, 0, dy.data, t_len, dy.bstride, 1.0f,
           dx->data, t_len, dx->bstride, nb);
    } else {
      DeviceScratch dcol(sizeof(float) * nb * rows * t_len);
      Gemm(true, false, rows, t_len, cout, 1.0f, w.data, rows, 0, dy.data, t_len, dy.bstride,
           0.0f, dcol.As<float>(), t_len, rows * t_len, nb);
      Col2ImAddKernel<<<GridFor(nb * cin * t_len, kThreads), kThreads, 0, Stream()>>>(
          dcol.As<float>(), (int)cin, (int)t_len, (int)kw, dilation, (int)nb, dx->data,
          dx->bstride);
      CUDA_LAUNCH_CHECK();
    }
  }
  // dW += dy^T (Cout, B*T) col^T (Cin*K, B*T)^T
  DeviceScratch colt(sizeof(float) * rows * frames), dyt(sizeof(float) * cout * frames);
  Im2Col(x, (int)kw, dilation, colt.As<float>(), t_len, frames);
  Im2Col(dy, 1, 1, dyt.As<float>(), t_len, frames);
  Gemm(false, true, cout, rows, frames, 1.0f, dyt.As<float>(), frames, 0, colt.As<float>(),
       frames, 0, 1.0f, dw->data, rows, 0, 1);
}

void GpuKernels::BatchNormForward(const Tensor &x, const Tensor &gamma, const Tensor &beta,
                                  bool train, float momentum, float eps, Tensor *running_mean,
                                  Tensor *running_var, Tensor *y, Tensor *mean,
                                  Tensor *invstd) const {
  CheckGpu(x); CheckGpu(*y);
  TD_ASSERT(x.SameShape(*y) && x.ndim >= 2);
  const int64_t nb = x.dim[0], nc = x.dim[1], t_len = x.InnerSize() / nc;
  TD_ASSERT(gamma.Numel() == nc && beta.Numel() == nc && mean->Numel() == nc &&
            invstd->Numel() == nc && running_mean->Numel() == nc && running_var->Numel() == nc);
  if (train) TD_ASSERT(nb * t_len > 1);
  if (nc == 0) return;
  BnForwardKernel<<<(unsigned)nc, kThreads, 0, Stream()>>>(
      x.data, x.bstride, y->data, y->bstride, (int)nc, (int)t_len, (int)nb, gamma.data, beta.data,
      running_mean->data, running_var->data, mean->data, invstd->data, train, momentum, eps);
  CUDA_LAUNCH_CHECK();
}

void GpuKernels::BatchNormBackward(const Tensor &x, const Tensor &gamma, const Tensor &mean,
                                   const Tensor &invstd, const Tensor &dy, bool train,
                                   Tensor *dx, Tensor *dgamma, Tensor *dbeta) const {
  CheckGpu(x); CheckGpu(dy);
  TD_ASSERT(x.SameShape(dy));
  const int64_t nb = x.dim[0], nc = x.dim[1], t_len = x.InnerSize() / nc;
  if (dx != nullptr) TD_ASSERT(dx->SameShape(x));
  if (nc == 0) return;
  BnBackwardKernel<<<(unsigned)nc, kThreads, 0, Stream()>>>(
      x.data, x.bstride, dy.data, dy.bstride, dx ? dx->data : nullptr, dx ? dx->bstride : 0,
      (int)nc, (int)t_len, (int)nb, gamma.data, mean.data, invstd.data, train, dgamma->data,
      dbeta->data);
  CUDA_LAUNCH_CHECK();
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
