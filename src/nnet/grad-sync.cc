// grad-sync.cc: GradSync (single process, NCCL) and ShardedBatchSource.
#include "nnet/grad-sync.h"

#include "base/log.h"
#include "gpu/gpu-api.h"
#include "gpu/nccl-comm.h"
#include "gpu/nccl-rendezvous.h"
#include "util/options-itf.h"

namespace tdnas {
namespace nnet {

void GradSyncOptions::Register(OptionsItf *opts) {
  opts->Register("sync-timeout", &sync_timeout,
                 "Multi-GPU: seconds a rank waits for the rendezvous file or for a collective "
                 "(gradient all-reduce) before it ends with an ERROR (a lost peer never hangs)");
  opts->Register("rendezvous", &rendezvous,
                 "Multi-GPU: rendezvous file, or a directory for it, on a filesystem every rank "
                 "sees (default $TDNAS_RENDEZVOUS, set by utils/launch_gpus.sh)");
}

namespace {

class SingleProcessSync : public GradSync {
 public:
  int Rank() const override { return 0; }
  int World() const override { return 1; }
  // The mean over one rank is the data itself.
  void AllReduceMean(float *, int64_t, Device) override {}
  void Broadcast(float *, int64_t, Device) override {}
  void Barrier() override {}
};

class NcclSync : public GradSync {
 public:
  NcclSync(const GradSyncOptions &opts, const gpu::ProcessRank &pr)
      : comm_(pr.rank, pr.world, gpu::RendezvousFile(opts.rendezvous), gpu::RendezvousKey(),
              opts.sync_timeout) {}
  int Rank() const override { return comm_.Rank(); }
  int World() const override { return comm_.World(); }
  void AllReduceMean(float *data, int64_t n, Device where) override {
    if (where == Device::kGpu) {
      comm_.AllReduceMean(data, n);
      return;
    }
    float *d = Staging(n);
    gpu::CopyHostToDevice(d, data, n * sizeof(float));
    comm_.AllReduceMean(d, n);
    gpu::CopyDeviceToHost(data, d, n * sizeof(float));
  }
  void Broadcast(float *data, int64_t n, Device where) override {
    if (where == Device::kGpu) {
      comm_.Broadcast(data, n, 0);
      return;
    }
    float *d = Staging(n);
    gpu::CopyHostToDevice(d, data, n * sizeof(float));
    comm_.Broadcast(d, n, 0);
    gpu::CopyDeviceToHost(data, d, n * sizeof(float));
  }
  void Barrier() override { comm_.Barrier(); }

 private:
  // Device memory for host buffers (grown on demand, kept).
  float *Staging(int64_t n) {
    if (staging_.Size() < n) staging_.Resize(Device::kGpu, n);
    return staging_.Data();
  }
  gpu::NcclComm comm_;
  Buffer staging_;
};

}  // namespace

std::unique_ptr<GradSync> NewGradSync(const GradSyncOptions &opts, bool on_gpu) {
  const gpu::ProcessRank pr = gpu::RankFromEnvironment();
  if (pr.world == 1) return std::unique_ptr<GradSync>(new SingleProcessSync);
  if (!on_gpu)
    TD_ERR << "rank " << pr.rank << " of " << pr.world << " (" << pr.source
           << "): multi-process training needs --use-gpu=yes (one GPU per process, NCCL)";
  if (!gpu::CompiledWithNccl())
    TD_ERR << "rank " << pr.rank << " of " << pr.world
           << ": multi-GPU training needs NCCL; this build has no CUDA/NCCL (make CUDA=1)";
  TD_LOG << "data-parallel training: rank " << pr.rank << " of " << pr.world << " (from "
         << pr.source << "), GPU " << gpu::DeviceDescription();
  return std::unique_ptr<GradSync>(new NcclSync(opts, pr));
}

ShardedBatchSource::ShardedBatchSource(BatchSource *inner, int rank, int world)
    : inner_(inner), rank_(rank), world_(world) {
  TD_ASSERT(world >= 1 && rank >= 0 && rank < world);
  if (inner_->BatchesPerEpoch() < world_)
    TD_ERR << "an epoch has " << inner_->BatchesPerEpoch() << " batches, fewer than the "
           << world_ << " processes: use less data per batch or fewer GPUs";
}

ShardedBatchSource::~ShardedBatchSource() { Stop(); }

void ShardedBatchSource::MakeBatch(int64 epoch, int64 index, int reader_slot,
                                   TrainBatch *batch) const {
  inner_->MakeBatch(epoch, index * world_ + rank_, reader_slot, batch);
  batch->epoch = epoch;
  batch->index = index;
}

}  // namespace nnet
}  // namespace tdnas
