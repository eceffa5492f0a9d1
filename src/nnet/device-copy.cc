// device-copy.cc: CopyFloats, CopyBuffer, CopyNetParamsAndState.
#include "nnet/device-copy.h"

#include <cstring>

#include "gpu/gpu-api.h"

namespace tdnas {
namespace nnet {

void CopyFloats(const float *src, Device src_dev, float *dst, Device dst_dev, int64_t n) {
  if (n == 0) return;
  TD_ASSERT(n > 0 && src != nullptr && dst != nullptr);
  const size_t bytes = static_cast<size_t>(n) * sizeof(float);
  if (src_dev == Device::kCpu && dst_dev == Device::kCpu) std::memcpy(dst, src, bytes);
  else if (src_dev == Device::kCpu) gpu::CopyHostToDevice(dst, src, bytes);
  else if (dst_dev == Device::kCpu) gpu::CopyDeviceToHost(dst, src, bytes);
  else gpu::CopyDeviceToDevice(dst, src, bytes);
}

void CopyBuffer(const Buffer &src, Buffer *dst) {
  if (src.Size() != dst->Size())
    TD_ERR << "CopyBuffer: sizes differ (" << src.Size() << " vs " << dst->Size() << ")";
  CopyFloats(src.Data(), src.GetDevice(), dst->Data(), dst->GetDevice(), src.Size());
}

void CopyNetParamsAndState(const StaticTdnn &src, StaticTdnn *dst) {
  if (src.Config() != dst->Config()) TD_ERR << "CopyNetParamsAndState: configs differ";
  CopyBuffer(src.ParamBuffer(), &dst->ParamBuffer());
  CopyBuffer(src.StateBuffer(), &dst->StateBuffer());
}

}  // namespace nnet
}  // namespace tdnas
