// kernels-gpu-slice.cu: the supernet <-> subnet slice copies (nnet/kernels.h SlicePlan) on the
// GPU: one launch gathers every tensor of a subnet (blockIdx.y = the copy, a grid-stride loop
// over its (row, column) kernel vectors), one scatters the gradients back, one more reduces the
// kernel-transform gradients (dk53, dk31) per copy in double with a fixed order (deterministic).
// Float arithmetic is written with __fmul_rn / __fadd_rn (no FMA contraction), in the CPU
// kernels' order, so gathered weights and scattered gradients equal the CPU's bit for bit; the
// dk sums differ from the CPU's only in the order of the double additions.
// The plan (copies + index lists) is uploaded once per SlicePlan and kept in its device_copy.
#include <cuda_runtime.h>

#include <algorithm>
#include <memory>

#include "gpu/gpu-context.h"
#include "gpu/kernels-gpu.h"

namespace tdnas {
namespace gpu {

using nnet::SliceCopy;
using nnet::SlicePlan;

namespace {

constexpr int kThreads = 256;
constexpr int kMaxBlocksPerCopy = 256;

struct DevicePlan {
  void *mem = nullptr;
  const SliceCopy *copies = nullptr;
  const int32_t *index = nullptr;
  int num_copies = 0;
  int64_t max_items = 0;   // largest n_out * n_in of a copy
  ~DevicePlan() { PoolFree(mem); }
};

const DevicePlan &Upload(const SlicePlan &plan) {
  if (plan.device_copy) return *static_cast<const DevicePlan *>(plan.device_copy.get());
  std::shared_ptr<DevicePlan> d(new DevicePlan);
  const size_t cb = plan.copies.size() * sizeof(SliceCopy);
  const size_t ib = plan.index.size() * sizeof(int32_t);
  d->mem = PoolAlloc(cb + ib);
  d->num_copies = static_cast<int>(plan.copies.size());
  for (const SliceCopy &c : plan.copies)
    d->max_items = std::max<int64_t>(d->max_items, static_cast<int64_t>(c.n_out) * c.n_in);
  char *base = static_cast<char *>(d->mem);
  // Pageable source: cudaMemcpyAsync returns once the bytes are staged, ordered on the stream.
  if (cb) CUDA_CHECK(cudaMemcpyAsync(base, plan.copies.data(), cb, cudaMemcpyHostToDevice, Stream()));
  if (ib) CUDA_CHECK(cudaMemcpyAsync(base + cb, plan.index.data(), ib, cudaMemcpyHostToDevice, Stream()));
  d->copies = reinterpret_cast<const SliceCopy *>(base);
  d->index = reinterpret_cast<const int32_t *>(base + cb);
  plan.device_copy = d;
  return *d;
}

dim3 GridOf(const DevicePlan &d) {
  int64_t bx = (d.max_items + kThreads - 1) / kThreads;
  bx = std::max<int64_t>(1, std::min<int64_t>(bx, kMaxBlocksPerCopy));
  return dim3(static_cast<unsigned>(bx), static_cast<unsigned>(d.num_copies));
}

__device__ __forceinline__ float MulAdd(float s, float a, float b) {
  return __fadd_rn(s, __fmul_rn(a, b));
}

// W5 (5 taps) -> W3 = W5[1:4] @ k53, in the CPU's order.
__device__ __forceinline__ void To3(const float *w, const float *k53, float *w3) {
  for (int b = 0; b < 3; b++) {
    float s = 0.0f;
    for (int a = 0; a < 3; a++) s = MulAdd(s, w[1 + a], k53[a * 3 + b]);
    w3[b] = s;
  }
}

// Element e of copy c is row o = e / n_in, column i = e % n_in: where its kernel vector starts
// in the supernet buffer and in the subnet buffer (every slice kernel addresses through this).
struct SliceElement {
  int64_t super, sub;
};
__device__ __forceinline__ int64_t SliceElements(const SliceCopy &c) {
  return static_cast<int64_t>(c.n_out) * c.n_in;
}
__device__ __forceinline__ SliceElement SliceAt(const SliceCopy &c, const int32_t *index, int64_t e) {
  const int64_t o = e / c.n_in, i = e % c.n_in;
  return {c.super + (static_cast<int64_t>(index[c.out_idx + o]) * c.super_in + index[c.in_idx + i]) * c.k_super,
          c.sub + (o * c.sub_in + i) * c.k_sub};
}

__global__ void GatherKernel(const SliceCopy *copies, const int32_t *index, const float *super,
                             const float *params, float *sub) {
  const SliceCopy c = copies[blockIdx.y];
  const float *k53 = c.k53 >= 0 ? params + c.k53 : nullptr;
  const float *k31 = c.k31 >= 0 ? params + c.k31 : nullptr;
  for (int64_t e = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; e < SliceElements(c);
       e += (int64_t)gridDim.x * blockDim.x) {
    const SliceElement at = SliceAt(c, index, e);
    const float *w = super + at.super;
    float *t = sub + at.sub;
    if (c.k_sub == c.k_super) {
      for (int k = 0; k < c.k_sub; k++) t[k] = w[k];
    } else {
      float w3[3];
      To3(w, k53, w3);
      if (c.k_sub == 3) { t[0] = w3[0]; t[1] = w3[1]; t[2] = w3[2]; }
      else t[0] = __fmul_rn(w3[1], k31[0]);
    }
  }
}

// dsuper += gather^T dsub for the weights (the transforms' own gradients: DkKernel).
__global__ void ScatterAddKernel(const SliceCopy *copies, const int32_t *index, const float *dsub,
                                 const float *params, float *dsuper) {
  const SliceCopy c = copies[blockIdx.y];
  const float *k53 = c.k53 >= 0 ? params + c.k53 : nullptr;
  const float *k31 = c.k31 >= 0 ? params + c.k31 : nullptr;
  for (int64_t e = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; e < SliceElements(c);
       e += (int64_t)gridDim.x * blockDim.x) {
    const SliceElement at = SliceAt(c, index, e);
    const float *dt = dsub + at.sub;
    float *dw = dsuper + at.super;
    if (c.k_sub == c.k_super) {
      for (int k = 0; k < c.k_sub; k++) dw[k] = __fadd_rn(dw[k], dt[k]);
      continue;
    }
    float dw3[3] = {0.0f, 0.0f, 0.0f};
    if (c.k_sub == 3) { dw3[0] = dt[0]; dw3[1] = dt[1]; dw3[2] = dt[2]; }
    else dw3[1] = __fmul_rn(dt[0], k31[0]);
    for (int a = 0; a < 3; a++) {
      float s = dw[1 + a];
      for (int b = 0; b < 3; b++) s = MulAdd(s, dw3[b], k53[a * 3 + b]);
      dw[1 + a] = s;
    }
  }
}

// Gradients of k53 (and k31 for 1-tap subnets) of each transformed copy: one block per copy,
// a fixed thread-to-item assignment and tree reduction, in double.
__global__ void DkKernel(const SliceCopy *copies, const int32_t *index, const float *dsub,
                         const float *params, float *dsuper) {
  const SliceCopy c = copies[blockIdx.x];
  if (c.k53 < 0 || c.k_sub == c.k_super) return;
  __shared__ double red[10][kThreads];
  double acc[10];
  for (int k = 0; k < 10; k++) acc[k] = 0.0;
  const float *k53 = params + c.k53;
  const float k31 = c.k31 >= 0 ? params[c.k31] : 0.0f;
  for (int64_t e = threadIdx.x; e < SliceElements(c); e += blockDim.x) {
    const SliceElement at = SliceAt(c, index, e);
    const float *w = params + at.super;
    const float *dt = dsub + at.sub;
    float dw3[3] = {0.0f, 0.0f, 0.0f};
    if (c.k_sub == 3) {
      dw3[0] = dt[0]; dw3[1] = dt[1]; dw3[2] = dt[2];
    } else {
      float w3c = 0.0f;
      for (int a = 0; a < 3; a++) w3c = MulAdd(w3c, w[1 + a], k53[a * 3 + 1]);
      dw3[1] = __fmul_rn(dt[0], k31);
      acc[9] += static_cast<double>(w3c) * dt[0];
    }
    for (int a = 0; a < 3; a++)
      for (int b = 0; b < 3; b++) acc[a * 3 + b] += static_cast<double>(w[1 + a]) * dw3[b];
  }
  for (int k = 0; k < 10; k++) red[k][threadIdx.x] = acc[k];
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s)
      for (int k = 0; k < 10; k++) red[k][threadIdx.x] += red[k][threadIdx.x + s];
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    float *g = dsuper + c.k53;
    for (int k = 0; k < 9; k++) g[k] += static_cast<float>(red[k][0]);
    if (c.k_sub == 1) dsuper[c.k31] += static_cast<float>(red[9][0]);
  }
}

__global__ void ScatterKernel(const SliceCopy *copies, const int32_t *index, const float *sub,
                              float *super) {
  const SliceCopy c = copies[blockIdx.y];
  for (int64_t e = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; e < SliceElements(c);
       e += (int64_t)gridDim.x * blockDim.x) {
    const SliceElement at = SliceAt(c, index, e);
    const float *d = sub + at.sub;
    float *s = super + at.super;
    for (int k = 0; k < c.k_sub; k++) s[k] = d[k];
  }
}

}  // namespace

void GpuKernels::SliceGather(const SlicePlan &plan, const Tensor &super,
                             const Tensor &super_params, Tensor *sub) const {
  CheckGpu(super); CheckGpu(super_params); CheckGpu(*sub);
  if (plan.copies.empty()) return;
  const DevicePlan &d = Upload(plan);
  GatherKernel<<<GridOf(d), kThreads, 0, Stream()>>>(d.copies, d.index, super.data,
                                                    super_params.data, sub->data);
  CUDA_LAUNCH_CHECK();
}

void GpuKernels::SliceScatterAdd(const SlicePlan &plan, const Tensor &dsub,
                                 const Tensor &super_params, Tensor *dsuper) const {
  CheckGpu(dsub); CheckGpu(super_params); CheckGpu(*dsuper);
  if (plan.copies.empty()) return;
  const DevicePlan &d = Upload(plan);
  ScatterAddKernel<<<GridOf(d), kThreads, 0, Stream()>>>(d.copies, d.index, dsub.data,
                                                        super_params.data, dsuper->data);
  CUDA_LAUNCH_CHECK();
  bool any_transform = false;
  for (const SliceCopy &c : plan.copies) any_transform |= c.k53 >= 0 && c.k_sub != c.k_super;
  if (!any_transform) return;
  DkKernel<<<d.num_copies, kThreads, 0, Stream()>>>(d.copies, d.index, dsub.data,
                                                   super_params.data, dsuper->data);
  CUDA_LAUNCH_CHECK();
}

void GpuKernels::SliceScatter(const SlicePlan &plan, const Tensor &sub, Tensor *super) const {
  CheckGpu(sub); CheckGpu(*super);
  if (plan.copies.empty()) return;
  for (const SliceCopy &c : plan.copies) TD_ASSERT(c.k_sub == c.k_super);
  const DevicePlan &d = Upload(plan);
  ScatterKernel<<<GridOf(d), kThreads, 0, Stream()>>>(d.copies, d.index, sub.data, super->data);
  CUDA_LAUNCH_CHECK();
}

}  // namespace gpu
}  // namespace tdnas
