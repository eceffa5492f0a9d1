// batch-prefetcher.cc: BatchPrefetcher.
#include "nnet/batch-prefetcher.h"

#include <cstring>

namespace tdnas {
namespace nnet {

BatchPrefetcher::BatchPrefetcher(BatchSource *data, Device device, int64 numel,
                                 int32 num_classes)
    : data_(data), numel_(numel), num_classes_(num_classes),
      batch_size_(data->Options().batch_size) {
  const int64 floats = static_cast<int64>((Bytes() + sizeof(float) - 1) / sizeof(float));
  for (Slot &s : slots_) {
    s.host = gpu::AllocPinned(Bytes());
    s.dev.Resize(device, floats);
    // The pool may hand out a block that compute work queued earlier still uses: uploads
    // into it wait for that work.
    s.released.Record(gpu::StreamId::kCompute);
  }
}

BatchPrefetcher::~BatchPrefetcher() {
  for (Slot &s : slots_) {
    s.uploaded.HostWait();   // no copy may still read host or write dev
    gpu::FreePinned(s.host);
  }
}

size_t BatchPrefetcher::CoefOffset() const {
  const size_t end = LabelsOffset() + static_cast<size_t>(batch_size_) * sizeof(int32_t);
  return (end + alignof(AdamStepCoef) - 1) / alignof(AdamStepCoef) * alignof(AdamStepCoef);
}

void BatchPrefetcher::Stage(int k, const AdamStepCoef &coef) {
  Slot &s = slots_[k];
  data_->Next(&s.batch);
  if (static_cast<int64>(s.batch.feats.size()) != numel_ ||
      static_cast<int32>(s.batch.labels.size()) != batch_size_)
    TD_ERR << "batch has " << s.batch.feats.size() << " values and " << s.batch.labels.size()
           << " labels, expected " << numel_ << " and " << batch_size_;
  // The device side does not check labels (a graph replay cannot stop): check them here.
  for (int32 b = 0; b < batch_size_; b++)
    if (s.batch.labels[b] < 0 || s.batch.labels[b] >= num_classes_)
      TD_ERR << "label " << s.batch.labels[b] << " of utterance " << b << " of batch "
             << s.batch.index << " is outside [0, " << num_classes_ << ")";
  s.uploaded.HostWait();   // the slot's previous upload has finished reading s.host
  char *h = static_cast<char *>(s.host);
  std::memcpy(h, s.batch.feats.data(), LabelsOffset());
  std::memcpy(h + LabelsOffset(), s.batch.labels.data(), batch_size_ * sizeof(int32_t));
  std::memcpy(h + CoefOffset(), &coef, sizeof(coef));
  s.released.WaitOn(gpu::StreamId::kCopy);
  gpu::CopyHostToDeviceAsync(s.dev.Data(), s.host, Bytes());
  s.uploaded.Record(gpu::StreamId::kCopy);
}

const TrainBatch &BatchPrefetcher::Acquire(int k, DeviceSlot *dev) {
  Slot &s = slots_[k];
  s.uploaded.WaitOn(gpu::StreamId::kCompute);
  char *d = reinterpret_cast<char *>(s.dev.Data());
  dev->feats = s.dev.Data();
  dev->labels = reinterpret_cast<const int32_t *>(d + LabelsOffset());
  dev->coef = reinterpret_cast<const AdamStepCoef *>(d + CoefOffset());
  return s.batch;
}

void BatchPrefetcher::Release(int k) { slots_[k].released.Record(gpu::StreamId::kCompute); }

}  // namespace nnet
}  // namespace tdnas
