// gpu-api.h: the seam between the CPU code and the CUDA backend.
// Everything above src/gpu talks to the GPU only through this header. With CUDA=0 the build
// links gpu-stub.cc instead of the .cu/.cc files here, so no CUDA symbol is referenced.
#ifndef TDNAS_GPU_GPU_API_H_
#define TDNAS_GPU_GPU_API_H_

#include <string>

namespace tdnas {
namespace gpu {

// True when this binary was built with CUDA (make CUDA=1).
bool CompiledWithCuda();
// Number of usable devices (respects CUDA_VISIBLE_DEVICES); 0 without CUDA or without a GPU.
int DeviceCount();
// Kaldi's --use-gpu: "no" -> false; "yes" -> selects a device or fails with ERROR;
// "optional" -> selects one if present, else false with a LOG line. Returns true if on GPU.
bool SelectDevice(const std::string &use_gpu);
// "NVIDIA H100 80GB HBM3 (sm_90, 79.1 GiB)" or "none".
std::string DeviceDescription();

}  // namespace gpu
}  // namespace tdnas

#endif  // TDNAS_GPU_GPU_API_H_
