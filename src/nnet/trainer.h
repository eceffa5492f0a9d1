// trainer.h: the training loop of nnet-train-supernet: batches from TrainData, forward and
// backward of the network (a static subnet, or several sampled subnets of the supernet per
// step), one Adam step with the cyclic triangular2 learning rate, progress logs, checkpoints
// and exact resume.
//
// Supernet step (progressive shrinking, spec section 3): --dynamic-walks subnets are drawn
// from the stage's space (SearchSpace::Named(stage, shape), each dimension independent and
// uniform; stage largest = only the largest net); for each, Materialize() into a static net,
// forward/backward on the step's batch, ScatterGrad() (accumulating: the gradients of the
// walks add up, as the reference's repeated loss.backward() does) and ScatterState() (its BN
// running statistics back into the supernet's slices, so the next walk sees them); then one
// Adam step on the supernet's buffers (every element, like torch.optim.Adam on the full
// tensors: unused slices get zero gradient but still weight decay and momentum).
// With --sandwich, the largest (and smallest) net of the stage's space are walked first at
// every step of an elastic stage, before the sampled ones, and their gradients added too.
// Materialised nets are kept in a small cache keyed by config, so a config seen again (always,
// in stage largest) reuses its buffers and activation arena.
//
// Determinism: the batch of step s is batch s of the data stream (TrainData: a function of
// (seed, epoch, index)); the subnets of step s are drawn from a generator seeded with
// (seed, s); Adam's moments, its step counter and the BN running statistics are in the
// checkpoint. So a run resumed from a checkpoint performs the same floating-point operations
// as the uninterrupted run, and on one thread ends with the same bits.
//
// Device: on the GPU (constructor's device = kGpu, after gpu::SelectDevice) the trainer keeps
// device copies of the supernet's parameters, gradients and BN statistics (or a device copy of
// the static net) and Adam's moments; materialised subnets live on the device and the slice
// gathers/scatters run there (Supernet::MaterializeFrom / ScatterGradTo / ScatterStateTo), so
// a step moves only the batch to the device (and the loss back). The batch upload is
// double-buffered (--gpu-prefetch, default on; nnet/batch-prefetcher.h): after step s has
// queued its work, batch s+1 (features, labels, and the scalars of the Adam step that will
// train on it) is copied into pinned host memory and uploaded on the backend's copy stream
// into the other of two device slots; step s+1's kernels wait for that upload through an
// event, and an upload waits for the step that last read its slot. With prefetch the step
// runs in its device form: the loss head reads the slot's labels and writes the loss and the
// number correct to device memory, Adam reads its scalars from the slot, and the host reads
// the results back after the step's work is queued, so nothing inside a step waits for the
// host. The same batches reach the same kernels in the same order, so results are
// bit-identical with prefetch off. The model's host buffers are refreshed from the device at
// checkpoints and at the end of Run(); the device is part of neither the result's definition
// nor the checkpoint (a CPU checkpoint resumes on the GPU and vice versa; in fp32 math the two
// agree to rounding).
//
// CUDA graph (--gpu-graph, default on, with prefetch): where every step trains the same
// networks on the same shapes (a static model; stage largest), the first step of Run() runs
// eagerly (it makes the allocations and first-use uploads), the next two capture the step of
// each prefetch slot into a gpu::StreamGraph (the slot's device addresses are fixed), and
// every later step is one graph launch. Replays run the same kernels on the same data:
// bit-identical to eager steps (batch-prefetch-test). Not used with a gradient hook (the
// data-parallel all-reduce) or in the elastic stages (a new subnet every step). If a capture
// fails, a WARNING says so and the steps run eagerly.
//
// Step structure (what a data-parallel wrapper hooks into): zero the flat gradient buffer;
// for each walk: materialise, forward, backward, scatter the gradients into the flat buffer;
// then the gradient hook (SetGradientHook: e.g. an all-reduce over GPUs of the whole flat
// buffer, complete at that point) and one Adam step over the flat buffers.
//
// Optimizer: nnet/adam.h (L2 weight decay as torch.optim.Adam, the reference's choice;
// --adamw for decoupled decay); learning rate: nnet/lr-schedule.h, PyTorch's
// CyclicLR(mode="triangular2", base_lr=lr_min, max_lr=lr, step_size_up=cycle_steps), stepped
// per iteration.
#ifndef TDNAS_NNET_TRAINER_H_
#define TDNAS_NNET_TRAINER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gpu/gpu-api.h"
#include "nnet/adam.h"
#include "nnet/batch-prefetcher.h"
#include "nnet/lr-schedule.h"
#include "nnet/model-io.h"
#include "nnet/search-space.h"
#include "nnet/train-data.h"

namespace tdnas {

class OptionsItf;

namespace nnet {

struct TrainerOptions {
  std::string stage = "largest";  // supernet stage: largest|kernel|depth|width1|width2
  int32 dynamic_walks = 1;        // subnets per step (reference default 1)
  // Extra subnets trained at every step of an elastic stage next to the sampled ones:
  // "" (reference), "largest", or "largest,smallest" (the "sandwich rule" of slimmable
  // networks / BigNAS; a departure from the reference, see docs/mini-data.md).
  std::string sandwich;
  int32 num_epochs = 1;
  float lr = 1e-3f;               // max LR of the cycle (reference)
  float lr_min = 1e-8f;           // base LR of the cycle (reference)
  int64 cycle_steps = 0;          // half cycle in steps; 0 = 8 epochs (reference)
  float weight_decay = 2e-5f;     // reference
  bool adamw = false;             // decoupled weight decay instead of L2 (reference: L2)
  float aam_margin = 0.2f, aam_scale = 30.0f;             // spec section 2
  int32 seed = 666;               // reference seed
  int32 log_every = 10;           // progress LOG every N steps
  int64 checkpoint_every = 0;     // 0 = only at the end
  std::string checkpoint;         // checkpoint file (default: <model-out>.ckpt)
  int64 max_steps = 0;            // stop after this many steps in total (0 = all epochs)
  // GPU: upload batch s+1 (pinned memory, copy stream) while step s computes. Not part of
  // the result (the same batches reach the same kernels): not in ToString().
  bool gpu_prefetch = true;
  // GPU with prefetch, where every step trains the same networks (a static model, stage
  // largest): capture the step in a CUDA graph and replay it. Not part of the result either.
  bool gpu_graph = true;
  void Register(OptionsItf *opts);
  void Validate() const;
  // The options that determine the result (stored in checkpoints, checked on resume).
  std::string ToString() const;
};

struct EpochSummary {
  int64 epoch = 0, steps = 0;
  double loss = 0, accuracy = 0;   // means over the epoch's steps/examples
  double seconds = 0;
};

class Trainer {
 public:
  // model: the network to train (its TrainState is used when resume is true). data must use
  // the model's speaker list. The trainer does not own either.
  // device: where the network computes (kGpu needs the GPU backend initialised).
  Trainer(const TrainerOptions &opts, NnetModel *model, BatchSource *data, bool resume,
          Device device = Device::kCpu);
  // Trains to the end (or --max-steps), writing checkpoints. Returns per-epoch summaries of
  // the epochs completed in this call.
  std::vector<EpochSummary> Run();
  int64 TotalSteps() const { return total_steps_; }
  // Writes the checkpoint (model + optimizer state) now, atomically.
  void WriteCheckpoint(const std::string &wxfilename);
  // Loss and accuracy of every step run in this call (for tests).
  const std::vector<double> &StepLosses() const { return step_losses_; }
  const std::vector<double> &StepAccuracies() const { return step_accs_; }
  // The subnets trained at each step of this call (supernet training; for tests).
  const std::vector<std::vector<SubnetConfig>> &StepConfigs() const { return step_cfgs_; }
  // Wall-clock seconds of each step of this call (host clock, step start to next step start).
  const std::vector<double> &StepSeconds() const { return step_secs_; }
  // Called once per step with the flat gradient buffer (on the training device) after every
  // walk's gradients are in it and before the Adam step.
  void SetGradientHook(std::function<void(Buffer *grads)> hook) { grad_hook_ = std::move(hook); }
  // Off: no per-step or per-epoch progress LOG lines (data-parallel ranks other than 0).
  void SetLogProgress(bool on) { log_progress_ = on; }
  // Steps of this call that ran as a CUDA graph replay (for tests and logs).
  int64 GraphSteps() const { return graph_steps_; }
  // Copies the device's parameters and BN statistics into the model's host buffers (no-op
  // on the CPU). Run() does this before it returns.
  void SyncModelToHost();

 private:
  // A static net of cfg for materialisation (from the cache, or new).
  struct CachedNet;
  CachedNet *NetFor(const SubnetConfig &cfg);
  // The step's subnets: the --sandwich nets, then --dynamic-walks draws from rng.
  void StepConfigs(std::mt19937_64 *rng, std::vector<SubnetConfig> *cfgs) const;
  // Queues one step: zero the gradients; per walk (cfgs, or the static net) materialise,
  // forward + loss, backward, scatter; the gradient hook; Adam. dev == null: the batch's host
  // labels, *loss / *correct returned at once (the step syncs once); otherwise the slot's
  // device labels and Adam scalars, results written to dev_stats (no host round trip).
  void QueueStep(const Tensor &x, const TrainBatch &batch, const BatchPrefetcher::DeviceSlot *dev,
                 const std::vector<SubnetConfig> &cfgs, double *dev_stats,
                 double *loss = nullptr, int64 *correct = nullptr);
  // Captures queue() into graph; false (with a WARNING) if it cannot be captured.
  bool CaptureStep(gpu::StreamGraph *graph, const std::function<void()> &queue);
  TrainerOptions opts_;
  Device device_;
  NnetModel *model_;
  BatchSource *data_;
  int64 step_ = 0, total_steps_ = 0, graph_steps_ = 0;
  std::unique_ptr<Adam> adam_;
  std::unique_ptr<CyclicLr> lr_;
  std::vector<double> step_losses_, step_accs_;
  std::vector<std::vector<SubnetConfig>> step_cfgs_;
  std::vector<double> step_secs_;
  std::function<void(Buffer *)> grad_hook_;
  bool log_progress_ = true;
  std::unique_ptr<SearchSpace> space_;   // supernet: the stage's space
  // What the optimizer steps: the model's host buffers on the CPU; on the GPU the device
  // copies below (supernet) or the device net's (static model).
  Buffer *params_ = nullptr, *grads_ = nullptr, *state_ = nullptr;
  Buffer dev_params_, dev_grads_, dev_state_;   // GPU supernet training
  std::unique_ptr<StaticTdnn> dev_net_;         // GPU static-model training
  Buffer dev_x_;                                // the batch's features on the device
  struct CachedNet {
    std::string key;
    std::unique_ptr<StaticTdnn> net;
    Supernet::Slices slices;
    int64 last_used = 0;
  };
  std::vector<CachedNet> cache_;
  int64 cache_clock_ = 0;
};

}  // namespace nnet
}  // namespace tdnas

#endif  // TDNAS_NNET_TRAINER_H_
