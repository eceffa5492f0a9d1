// gpu-stub.cc: the CPU-only build's answers to gpu-api.h (make CUDA=0).
#include "gpu/gpu-api.h"

#include "base/log.h"

namespace tdnas {
namespace gpu {

bool CompiledWithCuda() { return false; }
int DeviceCount() { return 0; }

bool SelectDevice(const std::string &use_gpu) {
  if (use_gpu == "no") return false;
  if (use_gpu == "optional") {
    TD_LOG << "Built without CUDA (make CUDA=0); running on CPU.";
    return false;
  }
  if (use_gpu == "yes")
    TD_ERR << "--use-gpu=yes but this build has no CUDA support; rebuild with CUDA "
              "(make CUDA=1) or use --use-gpu=no.";
  TD_ERR << "Invalid --use-gpu value '" << use_gpu << "': expected no, yes or optional.";
  return false;
}

std::string DeviceDescription() { return "none"; }

}  // namespace gpu
}  // namespace tdnas
