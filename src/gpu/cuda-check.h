// cuda-check.h: one check macro for every CUDA / cuBLAS call: reports the call, file, line
// and a hint for the user, then fails with TD_ERR (never a silent failure).
//   CUDA_CHECK(cudaMalloc(...));  CUBLAS_CHECK(cublasGemmEx(...));
//   CUDA_LAUNCH_CHECK();          after every kernel launch (bad launch configuration etc.)
#ifndef TDNAS_GPU_CUDA_CHECK_H_
#define TDNAS_GPU_CUDA_CHECK_H_

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include "base/log.h"

namespace tdnas {
namespace gpu {
inline const char *CudaHint(cudaError_t e) {
  switch (e) {
    case cudaErrorMemoryAllocation:
      return " ---> HINT: out of GPU memory; use a smaller --minibatch-size or fewer frames";
    case cudaErrorNoDevice:
    case cudaErrorInvalidDevice:
      return " ---> HINT: no usable GPU; check nvidia-smi and CUDA_VISIBLE_DEVICES, or use "
             "--use-gpu=no";
    case cudaErrorInsufficientDriver:
      return " ---> HINT: the NVIDIA driver is older than this build's CUDA; update the driver";
    case cudaErrorNoKernelImageForDevice:
      return " ---> HINT: this build has no code for this GPU (built for sm_90); rebuild with "
             "NVCCFLAGS naming your GPU's -arch";
    case cudaErrorIllegalAddress:
    case cudaErrorLaunchFailure:
      return " ---> HINT: a kernel faulted (a bug); rerun with CUDA_LAUNCH_BLOCKING=1 or "
             "compute-sanitizer to find it";
    default:
      return "";
  }
}
inline const char *CublasHint(cublasStatus_t s) {
  switch (s) {
    case CUBLAS_STATUS_ALLOC_FAILED:
      return " ---> HINT: out of GPU memory inside cuBLAS; use a smaller --minibatch-size";
    case CUBLAS_STATUS_NOT_INITIALIZED:
      return " ---> HINT: cuBLAS could not start (driver or library mismatch?)";
    case CUBLAS_STATUS_NOT_SUPPORTED:
    case CUBLAS_STATUS_ARCH_MISMATCH:
      return " ---> HINT: this GPU does not support the requested math mode; try --math=fp32";
    default:
      return "";
  }
}
}  // namespace gpu
}  // namespace tdnas

#define CUDA_CHECK(call)                                                            \
  do {                                                                              \
    cudaError_t e_ = (call);                                                        \
    if (e_ != cudaSuccess) {                                                        \
      TD_ERR << "CUDA call failed: " #call ": " << cudaGetErrorString(e_)           \
             << ::tdnas::gpu::CudaHint(e_);                                         \
    }                                                                               \
  } while (0)

#define CUBLAS_CHECK(call)                                                          \
  do {                                                                              \
    cublasStatus_t s_ = (call);                                                     \
    if (s_ != CUBLAS_STATUS_SUCCESS) {                                              \
      TD_ERR << "cuBLAS call failed: " #call ": " << cublasGetStatusString(s_)      \
             << ::tdnas::gpu::CublasHint(s_);                                       \
    }                                                                               \
  } while (0)

#define CUDA_LAUNCH_CHECK() CUDA_CHECK(cudaGetLastError())

#endif  // TDNAS_GPU_CUDA_CHECK_H_
