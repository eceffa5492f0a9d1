// kernels.cc: the per-device kernel registry (the CPU kernels are always there).
#include "nnet/kernels.h"

#include "nnet/kernels-cpu.h"

namespace tdnas {
namespace nnet {

namespace {
const Kernels *g_kernels[2] = {nullptr, nullptr};
}

void RegisterKernels(Device d, const Kernels *k) { g_kernels[static_cast<int>(d)] = k; }

const Kernels &KernelsFor(Device d) {
  static const CpuKernels cpu;
  if (d == Device::kCpu) return g_kernels[0] != nullptr ? *g_kernels[0] : cpu;
  if (g_kernels[1] == nullptr)
    TD_ERR << "no nnet kernels for device " << DeviceName(d)
           << " (built without CUDA, or the GPU backend was not initialised)";
  return *g_kernels[1];
}

}  // namespace nnet
}  // namespace tdnas
