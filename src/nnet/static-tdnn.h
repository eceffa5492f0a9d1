// static-tdnn.h: one EfficientTDNN subnet as a static network with explicit forward/backward.
//
// The architecture is spec efficienttdnn.md section 2 for a SubnetConfig (d, [c0..cd],
// [k0..kd], C): stem conv -> ReLU -> BN; d Res2Net blocks (scale 8, squeeze-excitation) with
// dense residual sums; cat conv (1x1, ReLU, no BN) over the concatenated block outputs;
// attentive statistics pooling; BN_2C, Linear 2C -> 192 (bias), BN_192 = the embedding; an
// optional AAM-softmax head (num_classes > 0).
//
// Parameters live in one buffer laid out by params() (names follow the PyTorch reference in
// tests/reference/tdnn_reference.py), gradients in a second with the same layout, BN running
// statistics in a third (state()). Forward saves activations in an arena reused step after step;
// Backward adds into the gradient buffer (call ZeroGrad() first, or accumulate several
// subnets/batches on purpose). The same object serves training, BN recalibration (forward in
// train mode), embedding extraction (eval mode) and export.
#ifndef TDNAS_NNET_STATIC_TDNN_H_
#define TDNAS_NNET_STATIC_TDNN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "nnet/kernels.h"
#include "nnet/param-table.h"
#include "nnet/subnet-config.h"
#include "nnet/tensor.h"

namespace tdnas {
namespace nnet {

struct StaticTdnnOptions {
  int32 input_dim = 80;        // fbank bins
  int32 embed_dim = 192;       // spec: Linear 2C -> 192
  int32 attention_dim = 128;   // spec: attentive pooling C -> 128 -> C
  int32 num_classes = 0;       // AAM head rows; 0 = no head (embedding extraction only)
  float bn_momentum = 0.1f;    // PyTorch BatchNorm1d defaults
  float bn_eps = 1e-5f;
  float min_var = 1e-9f;       // spec: clamp of the pooled variance
  AamOptions aam;              // margin 0.2, scale 30
};

class StaticTdnn {
 public:
  StaticTdnn(const SubnetConfig &cfg, const StaticTdnnOptions &opts,
             Device device = Device::kCpu);

  const SubnetConfig &Config() const { return cfg_; }
  const StaticTdnnOptions &Options() const { return opts_; }
  const ParamTable &Params() const { return params_; }
  const ParamTable &State() const { return state_; }   // BN running_mean / running_var
  Buffer &ParamBuffer() { return param_buf_; }
  Buffer &GradBuffer() { return grad_buf_; }
  Buffer &StateBuffer() { return state_buf_; }
  const Buffer &ParamBuffer() const { return param_buf_; }
  const Buffer &GradBuffer() const { return grad_buf_; }
  const Buffer &StateBuffer() const { return state_buf_; }
  Tensor Param(const std::string &name) const;
  Tensor Grad(const std::string &name) const;
  Tensor StateTensor(const std::string &name) const;

  // PyTorch-style initialisation: conv/linear weights U(-1/sqrt(fan_in), +), linear biases the
  // same, BN gamma 1 beta 0, running stats (0, 1), AAM head Xavier-normal.
  void InitParams(uint64_t seed);
  void ZeroGrad() { grad_buf_.SetZero(); }

  // x: (B, input_dim, T). train: BN uses batch statistics and updates running stats.
  // Returns the embedding (B, embed_dim), valid until the next Forward.
  Tensor Forward(const Tensor &x, bool train);
  // Forward + AAM-softmax loss (mean over the batch); labels[B]. *num_correct may be null.
  double ForwardLoss(const Tensor &x, const int32_t *labels, bool train, int64_t *num_correct);
  // The same with labels[B] on the net's device and stats[0] = loss, stats[1] = number
  // correct written on the device (no host round trip: a step made of this, Backward() and
  // Adam::UpdateOnDevice can be captured in a CUDA graph; see nnet/trainer.h). The labels
  // must stay in place until Backward().
  void ForwardLossOnDevice(const Tensor &x, const int32_t *labels, bool train, double *stats);
  // After ForwardLoss[OnDevice]: grads += d(loss_scale * loss)/d params.
  void Backward(float loss_scale = 1.0f);
  // After Forward: grads += d(sum(emb * demb))/d params. demb: (B, embed_dim).
  void BackwardFromEmbedding(const Tensor &demb);

  // Floats of activation memory the last forward/backward used (for reports).
  int64_t ActivationFloats() const { return acts_.HighWater() + scratch_.HighWater(); }

 private:
  // conv -> ReLU -> BN, the unit every frame-level layer but the cat conv uses.
  struct ConvUnit {
    int w = -1, gamma = -1, beta = -1;   // param indices
    int rm = -1, rv = -1;                // state indices
    int dilation = 1;
    Tensor x, r, y, mean, invstd;        // saved by forward
    mutable ConvSaved conv;              // the conv's own saved work (ForwardForLoss only)
  };
  struct Block {
    ConvUnit conv1, conv3;
    std::vector<ConvUnit> res2;          // 7
    int fc1_w = -1, fc1_b = -1, fc2_w = -1, fc2_b = -1;
    int width = 0, group = 0;            // ci and ci / 8
    Tensor u, zcat, v, m, h1, a;         // saved by forward
  };
  struct BnUnit {
    int gamma = -1, beta = -1, rm = -1, rv = -1;
    Tensor x, mean, invstd;
  };

  void AddConvUnit(const std::string &name, int cout, int cin, int k, int dil, ConvUnit *u);
  void AddBn(const std::string &name, int c, int *gamma, int *beta, int *rm, int *rv);
  Tensor P(int i) const { return params_.View(param_buf_, i); }
  Tensor G(int i) const { return params_.View(grad_buf_, i); }
  Tensor S(int i) const { return state_.View(state_buf_, i); }

  // y = BN(relu(conv(x))); with addend, also sum = addend + y in the same pass.
  void ConvUnitForward(ConvUnit *u, const Tensor &x, Tensor *y, const Tensor *addend = nullptr,
                       Tensor *sum = nullptr);
  void ConvUnitBackward(const ConvUnit &u, const Tensor &dy, Tensor *dx);
  void BnForward(BnUnit *u, const Tensor &x, Tensor *y);
  void BnBackward(const BnUnit &u, const Tensor &dy, Tensor *dx);
  // Block output plus the dense residual step (y += s; s += y).
  void BlockForward(Block *blk, const Tensor &h, Tensor *y, Tensor *s);
  void BlockBackward(const Block &blk, const Tensor &dy, Tensor *dh);

  SubnetConfig cfg_;
  StaticTdnnOptions opts_;
  Device device_;
  const Kernels *k_;
  ParamTable params_, state_;
  Buffer param_buf_, grad_buf_, state_buf_;

  ConvUnit stem_;
  std::vector<Block> blocks_;
  int cat_w_ = -1, att1_w_ = -1, att2_w_ = -1, fc_w_ = -1, fc_b_ = -1, head_w_ = -1;
  BnUnit pool_bn_, embed_bn_;

  // Forward state.
  bool train_ = false, have_loss_ = false;
  Arena acts_, scratch_;
  Tensor ycat_, cat_h_, att_a1_, att_alpha_, pooled_, pooled_bn_, fc_out_, emb_;
  AamSaved aam_;
  std::vector<int32_t> labels_;            // ForwardLoss's labels (host)
  const int32_t *dev_labels_ = nullptr;    // ForwardLossOnDevice's (device), or null
  // Forward and the AAM head's saved tensors of a loss computation.
  void ForwardForLoss(const Tensor &x, bool train);
  // Set while ForwardForLoss trains: a backward will follow, so the convolutions may keep work
  // for it (Kernels::Conv1dForwardSaving). Plain Forward (recalibration, extraction) keeps none.
  bool saving_ = false;
  ConvSaved cat_conv_, att1_conv_, att2_conv_;
  // The convolution calls, saving or not.
  void ConvForward(const Tensor &x, const Tensor &w, int dilation, Tensor *y, ConvSaved *saved);
  void ConvBackward(const Tensor &x, const Tensor &w, int dilation, const Tensor &dy, Tensor *dx,
                    Tensor *dw, ConvSaved *saved);
};

}  // namespace nnet
}  // namespace tdnas

#endif  // TDNAS_NNET_STATIC_TDNN_H_
