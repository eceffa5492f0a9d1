// grad-sync.h: data-parallel training, one process per GPU: what the trainer calls to keep the
// ranks' models equal, and the sharding of the batch stream by rank.
//
// The trainer calls AllReduceMean(gradients) once per step, after the step's gradients are
// complete and before Adam: every rank then holds the mean gradient of the global batch (the
// union of the ranks' batches) and takes the same Adam step, so the models stay identical
// (NCCL gives every rank the same bits). Broadcast(parameters) once at start makes them equal
// to rank 0's even if the ranks loaded different files.
//
// World size and rank come from the launcher (gpu/nccl-rendezvous.h: utils/launch_gpus.sh,
// srun, mpirun); there is no --num-gpus. A world of 1 gets the single-process implementation,
// whose calls do nothing, so a one-GPU or CPU run is unchanged.
//
// Sharding (ShardedBatchSource): step s of rank r trains on batch s*world + r of the inner
// stream, so the global batch of step s is batches s*world .. s*world+world-1 (world x the
// per-GPU --minibatch-size) and an epoch has 1/world the steps. The same global batch gives
// the gradient a single GPU gets by accumulating those batches and halving (within rounding;
// batch-norm statistics are per GPU, as in PyTorch DDP without SyncBatchNorm; measured on
// 2 H200s: gradients bit-identical). BN running statistics differ slightly between ranks:
// nnet-train-supernet averages them (AllReduceMean on the state buffer) before rank 0 writes
// the output model; checkpoints written during the run hold rank 0's.
#ifndef TDNAS_NNET_GRAD_SYNC_H_
#define TDNAS_NNET_GRAD_SYNC_H_

#include <memory>
#include <string>

#include "nnet/tensor.h"
#include "nnet/train-data.h"

namespace tdnas {

class OptionsItf;

namespace nnet {

struct GradSyncOptions {
  double sync_timeout = 300;   // s; a collective or the rendezvous waiting longer is an ERROR
  std::string rendezvous;      // file or directory on a shared filesystem; "" = $TDNAS_RENDEZVOUS
  void Register(OptionsItf *opts);
};

class GradSync {
 public:
  virtual ~GradSync() {}
  virtual int Rank() const = 0;
  virtual int World() const = 0;
  bool IsRoot() const { return Rank() == 0; }
  // data[0..n) := mean over ranks, in place; `where` says whether data is device or host
  // memory. Returns when done (ERROR on a lost peer, after --sync-timeout at most).
  virtual void AllReduceMean(float *data, int64_t n, Device where) = 0;
  // data[0..n) := rank 0's.
  virtual void Broadcast(float *data, int64_t n, Device where) = 0;
  virtual void Barrier() = 0;
  void AllReduceMean(Buffer *b) { AllReduceMean(b->Data(), b->Size(), b->GetDevice()); }
  void Broadcast(Buffer *b) { Broadcast(b->Data(), b->Size(), b->GetDevice()); }
};

// The GradSync of this process: world 1 -> single-process (no-ops); world > 1 -> NCCL, which
// needs on_gpu (ERROR otherwise: "multi-process training needs --use-gpu=yes") and a CUDA
// build. Logs rank and world.
std::unique_ptr<GradSync> NewGradSync(const GradSyncOptions &opts, bool on_gpu);

// Batch `index` of epoch e of this stream is batch index*world + rank of epoch e of `inner`
// (which must outlive this); BatchesPerEpoch() is inner's divided by world (the remainder is
// dropped, so every rank runs the same number of steps).
class ShardedBatchSource : public BatchSource {
 public:
  ShardedBatchSource(BatchSource *inner, int rank, int world);
  ~ShardedBatchSource() override;
  const std::vector<std::string> &Speakers() const override { return inner_->Speakers(); }
  int32 Dim() const override { return inner_->Dim(); }
  int64 BatchesPerEpoch() const override { return inner_->BatchesPerEpoch() / world_; }
  const TrainDataOptions &Options() const override { return inner_->Options(); }
  void MakeBatch(int64 epoch, int64 index, int reader_slot, TrainBatch *batch) const override;

 private:
  BatchSource *inner_;
  int rank_, world_;
};

}  // namespace nnet
}  // namespace tdnas

#endif  // TDNAS_NNET_GRAD_SYNC_H_
