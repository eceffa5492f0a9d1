// row-staging.cuh: staging one (b, c) row of T frames in registers, a warp per row (device code
// for the kernels-gpu-*.cu files). Rows of up to 32 * kRowRegs frames (T <= 256: every model's
// crop) are loaded in full before their first use: a lane issues all its loads at once, where
// a plain strided loop left one or two in flight (those row kernels ran at ~1.5 TB/s on an
// H200). Lane l holds frames l, l + 32, ...; frames beyond the row read as 0.
#ifndef TDNAS_GPU_ROW_STAGING_CUH_
#define TDNAS_GPU_ROW_STAGING_CUH_

namespace tdnas {
namespace gpu {

constexpr int kRowRegs = 8;

__device__ inline void LoadRow(const float *__restrict__ p, int lane, int t_len,
                               float (&v)[kRowRegs]) {
#pragma unroll
  for (int j = 0; j < kRowRegs; j++) {
    const int t = lane + 32 * j;
    v[j] = t < t_len ? p[t] : 0.0f;
  }
}

}  // namespace gpu
}  // namespace tdnas

#endif  // TDNAS_GPU_ROW_STAGING_CUH_
