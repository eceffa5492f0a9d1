// batch-prefetcher.h: the trainer's GPU batch feed (--gpu-prefetch). Two slots, each holding a
// batch, pinned host copies of what the step reads from the device (its features, its labels
// and the Adam step's scalars), the device buffers these are uploaded to on the backend's copy
// stream, and two events: `uploaded` (copy stream, after the upload) and `released` (compute
// stream, after the last step that read the slot). Step s uses slot s % 2 while batch s+1 goes
// up into the other, so the upload overlaps step s's kernels. The device addresses of a slot
// never change, which is what lets a CUDA graph of the step replay with each new batch
// (nnet/trainer.h, "CUDA graph").
#ifndef TDNAS_NNET_BATCH_PREFETCHER_H_
#define TDNAS_NNET_BATCH_PREFETCHER_H_

#include <cstdint>

#include "gpu/gpu-api.h"
#include "nnet/kernels.h"
#include "nnet/tensor.h"
#include "nnet/train-data.h"

namespace tdnas {
namespace nnet {

class BatchPrefetcher {
 public:
  // numel: floats of one batch's features; num_classes: the labels' bound (checked on staging).
  BatchPrefetcher(BatchSource *data, Device device, int64 numel, int32 num_classes);
  ~BatchPrefetcher();
  BatchPrefetcher(const BatchPrefetcher &) = delete;
  BatchPrefetcher &operator=(const BatchPrefetcher &) = delete;
  // Takes the source's next batch into slot k, with the scalars of the Adam step that will
  // train on it, and queues their upload on the copy stream.
  void Stage(int k, const AdamStepCoef &coef);
  // Slot k's batch (host: labels, index) and its device copies; compute work queued from now
  // on runs after the upload.
  struct DeviceSlot {
    float *feats = nullptr;
    const int32_t *labels = nullptr;
    const AdamStepCoef *coef = nullptr;
  };
  const TrainBatch &Acquire(int k, DeviceSlot *dev);
  // Compute work queued so far is the last to read slot k's device buffers.
  void Release(int k);

 private:
  struct Slot {
    TrainBatch batch;
    void *host = nullptr;   // pinned: features, then labels, then the Adam scalars
    Buffer dev;             // the same layout on the device
    gpu::StreamEvent uploaded, released;
  };
  // Byte offsets of the labels and the scalars in a slot's host/device block.
  size_t LabelsOffset() const { return static_cast<size_t>(numel_) * sizeof(float); }
  size_t CoefOffset() const;
  size_t Bytes() const { return CoefOffset() + sizeof(AdamStepCoef); }
  BatchSource *data_;
  int64 numel_;
  int32 num_classes_, batch_size_;
  Slot slots_[2];
};

}  // namespace nnet
}  // namespace tdnas

#endif  // TDNAS_NNET_BATCH_PREFETCHER_H_
