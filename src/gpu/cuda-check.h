// cuda-check.h: one check macro for every CUDA / cuBLAS call: reports the call, file, line
// and a hint for the user, then fails with TD_ERR (never a silent failure).
#ifndef TDNAS_GPU_CUDA_CHECK_H_
#define TDNAS_GPU_CUDA_CHECK_H_

#include <cuda_runtime.h>

#include "base/log.h"

#define CUDA_CHECK(call)                                                                  \
  do {                                                                                    \
    cudaError_t e_ = (call);                                                              \
    if (e_ != cudaSuccess) {                                                              \
      TD_ERR << "CUDA call failed: " #call ": " << cudaGetErrorString(e_)                 \
             << (e_ == cudaErrorMemoryAllocation                                          \
                     ? " ---> HINT: out of GPU memory; use a smaller --minibatch-size"     \
                     : (e_ == cudaErrorNoDevice ? " ---> HINT: no GPU visible; check "     \
                                                  "CUDA_VISIBLE_DEVICES or --use-gpu=no"  \
                                                : ""));                                  \
    }                                                                                     \
  } while (0)

#endif  // TDNAS_GPU_CUDA_CHECK_H_
