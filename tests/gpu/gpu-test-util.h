// gpu-test-util.h: what every GPU test needs: a generator seeded from the clock (fresh random
// inputs each run, as the issue asks), whether a GPU is visible (selected on first use), the
// skip that keeps CI green without one, and a host copy of a device buffer.
#ifndef TDNAS_TESTS_GPU_GPU_TEST_UTIL_H_
#define TDNAS_TESTS_GPU_GPU_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <vector>

#include "gpu/gpu-api.h"
#include "nnet/device-copy.h"
#include "nnet/tensor.h"

namespace tdnas {
namespace gputest {

inline std::mt19937_64 &Rng() {
  static std::mt19937_64 rng(std::chrono::steady_clock::now().time_since_epoch().count());
  return rng;
}

// True if a GPU is visible; the first call selects it (gpu::SelectDevice("yes")).
inline bool HaveGpu() {
  static int state = -1;
  if (state < 0) {
    state = gpu::DeviceCount() > 0 ? 1 : 0;
    if (state) gpu::SelectDevice("yes");
  }
  return state == 1;
}

inline std::vector<float> ToHost(const nnet::Buffer &b) {
  std::vector<float> h(b.Size());
  nnet::CopyFloats(b.Data(), b.GetDevice(), h.data(), nnet::Device::kCpu, b.Size());
  return h;
}

}  // namespace gputest
}  // namespace tdnas

#define REQUIRE_GPU()                                                                  \
  if (!::tdnas::gputest::HaveGpu()) {                                                  \
    GTEST_SKIP() << "SKIP: no GPU visible (gpu::DeviceCount() == 0)";                  \
  }

#endif  // TDNAS_TESTS_GPU_GPU_TEST_UTIL_H_
