// gpu-context.h: the CUDA backend's process-wide state, private to src/gpu: the stream every
// kernel runs on, the cuBLAS handle, the caching memory pool, the math mode, and the row-major
// GEMM wrapper every matrix product of the GPU kernels goes through.
#ifndef TDNAS_GPU_GPU_CONTEXT_H_
#define TDNAS_GPU_GPU_CONTEXT_H_

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstdint>

#include "gpu/cuda-check.h"
#include "gpu/gpu-api.h"

namespace tdnas {
namespace gpu {

struct Context {
  int device = -1;
  cudaStream_t stream = nullptr;        // compute: every kernel and the synchronous copies
  cudaStream_t copy_stream = nullptr;   // CopyHostToDeviceAsync
  cublasHandle_t blas = nullptr;
  cublasLtHandle_t lt = nullptr;
  void *blas_workspace = nullptr;
  size_t blas_workspace_bytes = 0;
};
// The context (InitBackend() must have run).
Context &Ctx();
inline cudaStream_t Stream() { return Ctx().stream; }

// Caching pool: freed blocks are kept and handed out again (stream-ordered: every user of the
// memory is on Stream(), so a block freed by the host can be reused by later work at once).
// On cudaMalloc failure the cache is released and the allocation retried once, then ERROR.
void *PoolAlloc(size_t bytes);
void PoolFree(void *p);

// Scratch device memory for one kernel call, returned to the pool when it goes out of scope.
class DeviceScratch {
 public:
  explicit DeviceScratch(size_t bytes) : p_(bytes ? PoolAlloc(bytes) : nullptr) {}
  ~DeviceScratch() { if (p_) PoolFree(p_); }
  DeviceScratch(const DeviceScratch &) = delete;
  DeviceScratch &operator=(const DeviceScratch &) = delete;
  template <typename T> T *As() const { return static_cast<T *>(p_); }
 private:
  void *p_;
};

// Row-major, batched: C_i (m x n) = alpha op(A_i) op(B_i) + beta C_i for i < batch, with
// A_i = A + i * stride_a etc. (strides in elements; 0 shares a matrix across the batch).
// float32 in and out; the math mode picks fp32 / TF32 / BF16 tensor-core arithmetic, unless
// exact is set (float32 whatever the mode: for small products whose error the loss amplifies).
void Gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
          const float *a, int64_t lda, int64_t stride_a, const float *b, int64_t ldb,
          int64_t stride_b, float beta, float *c, int64_t ldc, int64_t stride_c,
          int64_t batch = 1, bool exact = false);
// The same with bfloat16 A and B (__nv_bfloat16 arrays), float32 C and accumulation: for
// operands a kernel has already written as bf16 (BF16 mode's im2col and layout copies).
void GemmBf16(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
              const void *a, int64_t lda, int64_t stride_a, const void *b, int64_t ldb,
              int64_t stride_b, float beta, float *c, int64_t ldc, int64_t stride_c,
              int64_t batch = 1);

// Grid size for a grid-stride loop over n items with `threads` per block.
inline unsigned GridFor(int64_t n, int threads) {
  int64_t g = (n + threads - 1) / threads;
  if (g > 65535LL * 32) g = 65535LL * 32;
  return static_cast<unsigned>(g < 1 ? 1 : g);
}

}  // namespace gpu
}  // namespace tdnas

#endif  // TDNAS_GPU_GPU_CONTEXT_H_
