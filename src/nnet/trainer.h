// trainer.h: the training loop of nnet-train-supernet: batches from TrainData, forward and
// backward of the network (several sampled subnets per step once the supernet exists),
// one Adam step with the cyclic triangular2 learning rate, progress logs, checkpoints and
// exact resume.
//
// Determinism: the batch of step s is batch s of the data stream (TrainData: a function of
// (seed, epoch, index)); the subnets of step s are drawn from a generator seeded with
// (seed, s); Adam's moments, its step counter and the BN running statistics are in the
// checkpoint. So a run resumed from a checkpoint performs the same floating-point operations
// as the uninterrupted run, and on one thread ends with the same bits.
//
// Optimizer: Adam with L2 weight decay added to the gradient (torch.optim.Adam's
// weight_decay, which the reference training script uses with 2e-5), bias-corrected. The
// learning rate follows PyTorch's CyclicLR(mode="triangular2", base_lr=lr_min, max_lr=lr,
// step_size_up=cycle_steps), stepped per iteration.
// NOTE: helper-nnet's optimizer/schedule classes were not in the tree when this was written;
// AdamStep and CyclicTriangular2Lr below are the minimal stand-ins (same semantics), to be
// replaced by theirs.
#ifndef TDNAS_NNET_TRAINER_H_
#define TDNAS_NNET_TRAINER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "nnet/model-io.h"
#include "nnet/train-data.h"

namespace tdnas {

class OptionsItf;

namespace nnet {

struct TrainerOptions {
  std::string stage = "largest";  // supernet stage: largest|kernel|depth|width1|width2
  int32 dynamic_walks = 1;        // subnets per step (reference default 1)
  int32 num_epochs = 1;
  float lr = 1e-3f;               // max LR of the cycle (reference)
  float lr_min = 1e-8f;           // base LR of the cycle (reference)
  int64 cycle_steps = 0;          // half cycle in steps; 0 = 8 epochs (reference)
  float weight_decay = 2e-5f;     // reference
  float beta1 = 0.9f, beta2 = 0.999f, adam_eps = 1e-8f;   // torch.optim.Adam defaults
  float aam_margin = 0.2f, aam_scale = 30.0f;             // spec section 2
  int32 seed = 666;               // reference seed
  int32 log_every = 10;           // progress LOG every N steps
  int64 checkpoint_every = 0;     // 0 = only at the end
  std::string checkpoint;         // checkpoint file (default: <model-out>.ckpt)
  int64 max_steps = 0;            // stop after this many steps in total (0 = all epochs)
  void Register(OptionsItf *opts);
  void Validate() const;
  // The options that determine the result (stored in checkpoints, checked on resume).
  std::string ToString() const;
};

// PyTorch CyclicLR triangular2 at iteration it (0-based): rises from lr_min to lr over
// half_cycle steps, falls back, and the amplitude halves every cycle.
double CyclicTriangular2Lr(int64 it, double lr_min, double lr, int64 half_cycle);

// One Adam step with L2 weight decay on n floats. t: the step number after this update
// (1-based, for bias correction).
void AdamStep(int64 n, float lr, float beta1, float beta2, float eps, float weight_decay, int64 t,
              float *param, const float *grad, float *m, float *v);

struct EpochSummary {
  int64 epoch = 0, steps = 0;
  double loss = 0, accuracy = 0;   // means over the epoch's steps/examples
  double seconds = 0;
};

class Trainer {
 public:
  // model: the network to train (its TrainState is used when resume is true). data must use
  // the model's speaker list. The trainer does not own either.
  Trainer(const TrainerOptions &opts, NnetModel *model, TrainData *data, bool resume);
  // Trains to the end (or --max-steps), writing checkpoints. Returns per-epoch summaries of
  // the epochs completed in this call.
  std::vector<EpochSummary> Run();
  int64 TotalSteps() const { return total_steps_; }
  // Writes the checkpoint (model + optimizer state) now, atomically.
  void WriteCheckpoint(const std::string &wxfilename);
  // Loss and accuracy of every step run in this call (for tests).
  const std::vector<double> &StepLosses() const { return step_losses_; }
  const std::vector<double> &StepAccuracies() const { return step_accs_; }

 private:
  TrainerOptions opts_;
  NnetModel *model_;
  TrainData *data_;
  int64 step_ = 0, total_steps_ = 0, half_cycle_ = 0;
  int64 adam_t_ = 0;
  std::vector<float> m_, v_;
  std::vector<double> step_losses_, step_accs_;
};

}  // namespace nnet
}  // namespace tdnas

#endif  // TDNAS_NNET_TRAINER_H_
