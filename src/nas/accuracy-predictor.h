// accuracy-predictor.h: the accuracy predictor of TDNN-NAS (spec section 4): an MLP
//   BN(in) -> 3 x (Linear 400 + ReLU) -> Linear(400, 1)
// over the one-hot architecture encoding of a search space (nnet/search-space.h: 48 dims for
// "coarse", 408 for "fine"), trained with MSE and Adam on (subnet, dev EER) pairs, the target
// normalised to zero mean and unit variance (mean and std stored in the model). The search
// calls it thousands of times, so prediction is batched (one GEMM per layer for a generation).
//
// What is added around the spec's MLP, and why. The spec's predictor is trained on thousands
// of subnets; a small recipe has a few dozen, with EERs measured on a few hundred utterances.
// There the bare one-hot MLP interpolates its training points (loss -> 1e-6) and ranks
// held-out subnets no better than MACs alone. egs/mini, 4-fold x 5 cross-validation, Kendall
// tau mean +- std over folds (tests/bench/predictor-bench.sh has the table):
//   24 subnets, 1,600 trials:  MACs 0.389 +- 0.281, bare MLP 0.353 +- 0.280,
//                              ridge base alone 0.560 +- 0.227, default 0.587 +- 0.198
//   40 subnets, 20,000 trials: MACs 0.349 +- 0.172, bare MLP 0.473 +- 0.175,
//                              ridge base alone 0.624 +- 0.108, default 0.678 +- 0.115
// So, by PredictorTrainOptions (each can be switched off; all off = the spec's model):
//  - cost features (SubnetCostFeatures): log MACs, log params, depth, log(c0/W), mean over
//    blocks of log(ci/W), k0, mean block kernel, log(C/CW): 8 numbers that say how big the
//    net is, which a one-hot over 48 dims can only learn from many examples. Standardised
//    with the training set's mean and std (stored), they are appended to the MLP's input.
//    (They carry most of the gain: the MLP with them and no base: 0.562 on the 24 subnets.)
//  - a linear base (--base=cost | macs | none): ridge regression of EER on the standardised
//    cost features (or on log MACs alone), fitted in closed form first; the MLP learns the
//    residual (its target normalisation is that of the residual). With few subnets the
//    linear part carries the ranking, and the MLP adds what the data support.
//  - an ensemble (--ensemble=N): N MLPs from seeds seed..seed+N-1, predictions averaged
//    (the residual MLPs fit noise differently; the mean is smoother). N = 0: the linear base
//    alone (a diagnostic, needs a base).
// Caveat: a linear base extrapolates. On egs/mini the dev speakers' EER falls steeply with
// the cat width C (11.5% at C=96, 7.2% at 384), so the search picks large C with thin
// blocks; on the eval speakers C matters much less (15.1% -> 13.8-14.1%). The predictor ranks well on the speakers it was fitted on;
// across speaker sets of ~10 speakers, no ranking (MACs included) transfers well.
// Train() builds the network for these options and initialises every member afresh from
// opts.seed; the constructor makes the spec's bare model (one MLP, one-hot input only).
//
// Layers are the nnet library's CPU kernels (LinearForward/Backward, BatchNorm, ReLU through
// KernelsFor(Device::kCpu)) and the optimizer is nnet::Adam over one flat parameter buffer.
//
// Input BN: trained in train mode (batch statistics). After training its running statistics
// are set to the exact mean and unbiased variance of the whole training set (rather than the
// momentum average of the last batches), with the variance floored at that of a dimension seen
// once, so a one-hot dimension never active in training (fine encoding, few subnets) is not
// blown up by 1/sqrt(eps) at prediction time. Train() counts such dimensions (UnseenInputs()).
//
// Configs outside the predictor's space: a config whose depth and kernels are in the space and
// whose widths / cat width lie within the space's ranges is encoded by linear interpolation
// between the two neighbouring grid values (width 200 between 176 and 256 sets 0.7 at 176 and
// 0.3 at 256). So a predictor trained on the coarse training grid can rank subnets of the fine
// search grid; inside its space the encoding is exactly SearchSpace::Encode's one-hot.
//
// Supernet shape: the encoding is over SearchSpace::Named(space, shape), i.e. the grids of a
// scaled supernet (SupernetShape, nnet/subnet-config.h; coarse for 128/384: widths
// {32,48,64,96,128}, cat {96,136,192,288,384}; fine: 32:8:128, 96:8:384). A config wider
// than the shape, or one from another shape's grids (e.g. widths under 25% of max), is refused
// with an ERROR naming the predictor's shape.
//
// File (Kaldi object style, tokens + Kaldi vectors/matrices, binary or text):
//   <AccuracyPredictor> <Version> 3 <Space> coarse <MaxWidth> 512 <MaxCatWidth> 1536
//   <HiddenDim> 400 <NumHidden> 3
//   <TargetMean> f <TargetStd> f <UnseenInputs> n
//   <Base> cost|macs|none <CostFeatures> T|F <FeatureMean> 8 f.. <FeatureStd> 8 f..
//   <BaseWeights> 8 f.. <BaseBias> f <Ensemble> N
//   N x (<Params> n (<T> name <Shape> [..] data)* </Params> <State> ... </State>)
//   </AccuracyPredictor>
// Versions 1 and 2 (no <Base>..<Ensemble>: the bare model, one member) still read; version 1,
// without <MaxWidth>/<MaxCatWidth>, as the 512/1536 shape.
#ifndef TDNAS_NAS_ACCURACY_PREDICTOR_H_
#define TDNAS_NAS_ACCURACY_PREDICTOR_H_

#include <istream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "nnet/param-table.h"
#include "nnet/search-space.h"
#include "nnet/tensor.h"
#include "util/options-itf.h"

namespace tdnas {

struct PredictorTrainOptions {
  int32 epochs = 300;          // a few hundred passes: the data set is tens to thousands of nets
  int32 batch_size = 64;       // OFA's predictor trains on mini-batches; a smaller set is one batch
  float learning_rate = 1e-3;  // Adam's usual rate
  float weight_decay = 1e-4;   // light L2: dozens of points, 300k weights
  int32 seed = 777;            // weight init and batch order (member m of an ensemble: seed + m)
  // Additions for small, noisy data sets (see the top of the file); all off = the spec's model.
  std::string base = "cost";   // linear base the MLP corrects: cost | macs | none
  float ridge = 0.1;           // L2 of the base per subnet, on standardised features: shrinks
                               // the 8 coefficients when there are ~20 subnets
  bool cost_features = true;   // append the standardised cost features to the MLP input
  int32 ensemble = 3;          // MLPs averaged (0: the linear base alone); 5 ranked no better
                               // in egs/mini's CV (tau 0.684 vs 0.678) at 5/3 the time

  void Register(OptionsItf *opts);
  void Validate() const;
  std::string ToString() const;
};

// Cost features of a config on a supernet of the given shape (see the top of the file):
// log MACs (at kDefaultMacFrames), log params, depth, log(c0 / max width), mean over blocks
// of log(ci / max width), k0, mean block kernel, log(C / max cat width).
constexpr int32 kNumCostFeatures = 8;
void SubnetCostFeatures(const SubnetConfig &cfg, const SupernetShape &shape, double *out);
const char *CostFeatureName(int32 i);

class AccuracyPredictor {
 public:
  static constexpr int32 kDefaultHiddenDim = 400;  // spec section 4
  static constexpr int32 kDefaultNumHidden = 3;

  AccuracyPredictor() {}
  // Untrained predictor over the encoding of SearchSpace::Named(space_name); weights from seed.
  AccuracyPredictor(const std::string &space_name, uint64 seed,
                    int32 hidden_dim = kDefaultHiddenDim, int32 num_hidden = kDefaultNumHidden);
  // The same over SearchSpace::Named(space_name, shape) (a scaled supernet's grids).
  AccuracyPredictor(const std::string &space_name, const SupernetShape &shape, uint64 seed,
                    int32 hidden_dim = kDefaultHiddenDim, int32 num_hidden = kDefaultNumHidden);
  AccuracyPredictor(AccuracyPredictor &&) = default;
  AccuracyPredictor &operator=(AccuracyPredictor &&) = default;

  const SearchSpace &Space() const;
  const SupernetShape &Shape() const { return shape_; }
  int32 InputDim() const { return input_dim_; }
  int32 HiddenDim() const { return hidden_dim_; }
  int32 NumHidden() const { return num_hidden_; }
  double TargetMean() const { return target_mean_; }
  double TargetStd() const { return target_std_; }
  int32 UnseenInputs() const { return unseen_inputs_; }
  // One-hot dims (EncodingDim of the space); InputDim() adds kNumCostFeatures with them.
  int32 OneHotDim() const { return onehot_dim_; }
  bool UsesCostFeatures() const { return cost_features_; }
  const std::string &Base() const { return base_; }
  int32 EnsembleSize() const { return static_cast<int32>(param_bufs_.size()); }
  // The linear base's prediction (0 without a base).
  double BasePredict(const SubnetConfig &cfg) const;

  // True if Encode accepts cfg (see the top of the file); else false with *why.
  bool CanEncode(const SubnetConfig &cfg, std::string *why) const;
  // True if every config of `space` can be encoded (its sets lie within this space's).
  bool CanEncodeSpace(const SearchSpace &space, std::string *why) const;
  // Writes InputDim() values (the one-hot, then the standardised cost features if used);
  // TD_ERR unless CanEncode.
  void Encode(const SubnetConfig &cfg, float *out) const;

  // Trains on (config, EER) pairs (at least 2): fits the base, then builds the MLP(s) for
  // opts and trains each from fresh weights on the residual, normalised. Returns the mean
  // training loss (normalised MSE) of every epoch, averaged over members (empty with
  // ensemble 0).
  std::vector<double> Train(const std::vector<SubnetConfig> &configs,
                            const std::vector<double> &eer, const PredictorTrainOptions &opts);

  // Predicted EER (de-normalised) of each config; batched, eval-mode BN. Not thread safe
  // (reuses one scratch arena).
  void Predict(const std::vector<SubnetConfig> &configs, std::vector<double> *eer) const;
  double Predict(const SubnetConfig &cfg) const;

  // For tests: mean squared error of member 0's output against targets y (normalised units)
  // for encoded inputs x (batch x InputDim, row-major); train selects BN batch statistics
  // (and updates running statistics). With backward, the gradient buffer is zeroed and filled
  // with d loss / d params.
  double Loss(const float *x, const float *y, int32 batch, bool train, bool backward);
  const nnet::ParamTable &Params() const { return params_; }
  nnet::Buffer &ParamBuffer() { return param_bufs_.at(0); }
  nnet::Buffer &GradBuffer() { return grad_buf_; }

  void Write(std::ostream &os, bool binary) const;
  void Read(std::istream &is, bool binary);
  std::string Info() const;

 private:
  // Builds num_members networks of the current input dim (weights zero, BN var 1).
  void Build(int32 num_members);
  void InitMember(int32 m, uint64 seed);
  // Forward of x (B, InputDim) through member m into the arena; returns the output (B, 1).
  nnet::Tensor Forward(const nnet::Tensor &x, bool train, int32 m) const;
  double MemberLoss(const float *x, const float *y, int32 batch, bool train, bool backward,
                    int32 m);
  void SetInputStatistics(const std::vector<float> &x, int32 n);
  void FitBase(const std::vector<SubnetConfig> &configs, const std::vector<double> &eer,
               const PredictorTrainOptions &opts);
  void StandardisedCost(const SubnetConfig &cfg, double *z) const;

  std::string space_name_;
  SupernetShape shape_;
  std::unique_ptr<SearchSpace> space_;
  int32 onehot_dim_ = 0, input_dim_ = 0, hidden_dim_ = 0, num_hidden_ = 0;
  std::string base_ = "none";
  bool cost_features_ = false;
  std::vector<double> feat_mean_, feat_std_, base_w_;  // kNumCostFeatures each
  double base_b_ = 0;
  double target_mean_ = 0, target_std_ = 1;
  int32 unseen_inputs_ = 0;
  std::string train_info_ = "untrained";
  nnet::ParamTable params_, state_;
  std::vector<nnet::Buffer> param_bufs_, state_bufs_;  // one per ensemble member
  nnet::Buffer grad_buf_;
  int bn_gamma_ = -1, bn_beta_ = -1, bn_rm_ = -1, bn_rv_ = -1;
  std::vector<int> w_, b_;  // num_hidden + 1 linear layers (the last one 1 output)

  // Forward activations (kept for Loss's backward), in a scratch arena.
  struct Acts {
    nnet::Tensor xb, mean, invstd;
    std::vector<nnet::Tensor> h;  // post-ReLU hidden outputs
    nnet::Tensor out;
  };
  mutable std::unique_ptr<nnet::Arena> arena_;
  mutable Acts acts_;
  mutable std::vector<float> enc_;
};

// Whole-file I/O (binary or text detected on read; atomic write).
void ReadAccuracyPredictor(const std::string &rxfilename, AccuracyPredictor *p);
void WriteAccuracyPredictor(const AccuracyPredictor &p, const std::string &wxfilename,
                            bool binary);

}  // namespace tdnas

#endif  // TDNAS_NAS_ACCURACY_PREDICTOR_H_
