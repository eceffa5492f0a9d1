// gpu-device.cu: device selection and description for the CUDA build (see gpu-api.h).
#include <cuda_runtime.h>

#include <cstdio>
#include <string>

#include "base/log.h"
#include "gpu/gpu-api.h"
#include "gpu/cuda-check.h"

namespace tdnas {
namespace gpu {

bool CompiledWithCuda() { return true; }

int DeviceCount() {
  int n = 0;
  // No driver or no device is not an error here: report zero devices.
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return n;
}

bool SelectDevice(const std::string &use_gpu) {
  if (use_gpu == "no") return false;
  if (use_gpu != "yes" && use_gpu != "optional")
    TD_ERR << "Invalid --use-gpu value '" << use_gpu << "': expected no, yes or optional.";
  int n = DeviceCount();
  if (n == 0) {
    if (use_gpu == "yes")
      TD_ERR << "--use-gpu=yes but no CUDA device is visible (check nvidia-smi and "
                "CUDA_VISIBLE_DEVICES), or use --use-gpu=no.";
    TD_LOG << "No GPU found; running on CPU.";
    return false;
  }
  CUDA_CHECK(cudaSetDevice(0));
  CUDA_CHECK(cudaFree(0));  // create the context now, so failures surface here
  InitBackend();
  TD_LOG << "Using GPU 0: " << DeviceDescription() << ", math " << MathModeName(GetMathMode());
  return true;
}

std::string DeviceDescription() {
  int dev = 0;
  if (DeviceCount() == 0 || cudaGetDevice(&dev) != cudaSuccess) return "none";
  cudaDeviceProp p;
  if (cudaGetDeviceProperties(&p, dev) != cudaSuccess) return "unknown";
  char buf[256];
  std::snprintf(buf, sizeof(buf), "%s (sm_%d%d, %.1f GiB)", p.name, p.major, p.minor,
                p.totalGlobalMem / 1073741824.0);
  return buf;
}

}  // namespace gpu
}  // namespace tdnas
