// gpu-test-util.h: what every GPU test needs: a generator seeded from the clock (fresh random
// inputs each run, as the issue asks), whether a GPU is visible (selected on first use), the
// skip that keeps CI green without one, a host copy of a device buffer, a seeded source of
// random training batches, and settings read from the environment (the benchmarks).
#ifndef TDNAS_TESTS_GPU_GPU_TEST_UTIL_H_
#define TDNAS_TESTS_GPU_GPU_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "gpu/gpu-api.h"
#include "nnet/device-copy.h"
#include "nnet/tensor.h"
#include "nnet/train-data.h"

namespace tdnas {
namespace gputest {

// A setting from the environment: def when unset or empty.
inline std::string Env(const char *name, const std::string &def = "") {
  const char *v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : def;
}
inline int EnvInt(const char *name, int def) { return std::atoi(Env(name, std::to_string(def)).c_str()); }

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

// Random training batches: features N(0,1) plus an offset on the dimensions d with
// d % classes == label, labels uniform; batch (epoch, index) is a pure function of
// (seed, epoch, index), so two sources with one seed give the same stream.
class RandomBatches : public nnet::BatchSource {
 public:
  RandomBatches(int32 batch, int32 frames, int64 per_epoch, uint64_t seed, int32 dim,
                int32 classes)
      : per_epoch_(per_epoch), seed_(seed), dim_(dim), classes_(classes) {
    opts_.batch_size = batch;
    opts_.crop_frames = frames;
    for (int c = 0; c < classes; c++) speakers_.push_back("spk" + std::to_string(c));
  }
  ~RandomBatches() override { Stop(); }
  uint64_t Seed() const { return seed_; }
  const std::vector<std::string> &Speakers() const override { return speakers_; }
  int32 Dim() const override { return dim_; }
  int64 BatchesPerEpoch() const override { return per_epoch_; }
  const nnet::TrainDataOptions &Options() const override { return opts_; }
  void MakeBatch(int64 epoch, int64 index, int, nnet::TrainBatch *b) const override {
    std::mt19937_64 rng(seed_ * 1000003 + epoch * 1009 + index);
    std::normal_distribution<float> nd;
    const int32 frames = opts_.crop_frames;
    b->epoch = epoch;
    b->index = index;
    b->batch_size = opts_.batch_size;
    b->dim = dim_;
    b->frames = frames;
    b->labels.resize(opts_.batch_size);
    b->feats.resize(static_cast<size_t>(opts_.batch_size) * dim_ * frames);
    for (int32 i = 0; i < opts_.batch_size; i++) {
      const int32 l = static_cast<int32>(rng() % classes_);
      b->labels[i] = l;
      float *f = b->feats.data() + static_cast<size_t>(i) * dim_ * frames;
      for (int32 d = 0; d < dim_; d++)
        for (int32 t = 0; t < frames; t++)
          f[d * frames + t] = nd(rng) + (d % classes_ == l ? 1.5f : 0.0f);
    }
  }

 private:
  int64 per_epoch_;
  uint64_t seed_;
  int32 dim_, classes_;
  nnet::TrainDataOptions opts_;
  std::vector<std::string> speakers_;
};

}  // namespace gputest
}  // namespace tdnas

#define REQUIRE_GPU()                                                                  \
  if (!::tdnas::gputest::HaveGpu()) {                                                  \
    GTEST_SKIP() << "SKIP: no GPU visible (gpu::DeviceCount() == 0)";                  \
  }

#endif  // TDNAS_TESTS_GPU_GPU_TEST_UTIL_H_
