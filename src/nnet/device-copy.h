// device-copy.h: moving float data, buffers and a static network's weights between the CPU
// and the GPU (through the GPU backend's stream; with CUDA=0 only CPU-to-CPU copies work).
// A copy to the host returns when the data is there; a copy to the device returns when the
// source may be reused.
#ifndef TDNAS_NNET_DEVICE_COPY_H_
#define TDNAS_NNET_DEVICE_COPY_H_

#include <cstdint>

#include "nnet/static-tdnn.h"
#include "nnet/tensor.h"

namespace tdnas {
namespace nnet {

void CopyFloats(const float *src, Device src_dev, float *dst, Device dst_dev, int64_t n);
// dst = src (same size, any devices).
void CopyBuffer(const Buffer &src, Buffer *dst);
// dst's parameters and BN statistics = src's (same config, any devices).
void CopyNetParamsAndState(const StaticTdnn &src, StaticTdnn *dst);

}  // namespace nnet
}  // namespace tdnas

#endif  // TDNAS_NNET_DEVICE_COPY_H_
