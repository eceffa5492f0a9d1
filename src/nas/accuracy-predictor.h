// accuracy-predictor.h: the accuracy predictor of TDNN-NAS (spec section 4): an MLP
//   BN(in) -> 3 x (Linear 400 + ReLU) -> Linear(400, 1)
// over the one-hot architecture encoding of a search space (nnet/search-space.h: 48 dims for
// "coarse", 408 for "fine"), trained with MSE and Adam on (subnet, dev EER) pairs, the target
// normalised to zero mean and unit variance (mean and std stored in the model). The search
// calls it thousands of times, so prediction is batched (one GEMM per layer for a generation).
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
//   <AccuracyPredictor> <Version> 2 <Space> coarse <MaxWidth> 512 <MaxCatWidth> 1536
//   <HiddenDim> 400 <NumHidden> 3
//   <TargetMean> f <TargetStd> f <TrainInfo> "token" <Params> n (<T> name <Shape> [..] data)*
//   </Params> <State> ... </State> </AccuracyPredictor>
// (version 1 files, without <MaxWidth>/<MaxCatWidth>, are read as the 512/1536 shape).
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
  int32 seed = 777;            // weight init and batch order

  void Register(OptionsItf *opts);
  void Validate() const;
  std::string ToString() const;
};

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

  // True if Encode accepts cfg (see the top of the file); else false with *why.
  bool CanEncode(const SubnetConfig &cfg, std::string *why) const;
  // True if every config of `space` can be encoded (its sets lie within this space's).
  bool CanEncodeSpace(const SearchSpace &space, std::string *why) const;
  // Writes InputDim() values; TD_ERR unless CanEncode.
  void Encode(const SubnetConfig &cfg, float *out) const;

  // Trains from the current weights on (config, EER) pairs (at least 2). Sets the target
  // normalisation from eer. Returns the mean training loss (normalised MSE) of every epoch.
  std::vector<double> Train(const std::vector<SubnetConfig> &configs,
                            const std::vector<double> &eer, const PredictorTrainOptions &opts);

  // Predicted EER (de-normalised) of each config; batched, eval-mode BN. Not thread safe
  // (reuses one scratch arena).
  void Predict(const std::vector<SubnetConfig> &configs, std::vector<double> *eer) const;
  double Predict(const SubnetConfig &cfg) const;

  // For tests: mean squared error of the network output against targets y (normalised units)
  // for encoded inputs x (batch x InputDim, row-major); train selects BN batch statistics
  // (and updates running statistics). With backward, the gradient buffer is zeroed and filled
  // with d loss / d params.
  double Loss(const float *x, const float *y, int32 batch, bool train, bool backward);
  const nnet::ParamTable &Params() const { return params_; }
  nnet::Buffer &ParamBuffer() { return param_buf_; }
  nnet::Buffer &GradBuffer() { return grad_buf_; }

  void Write(std::ostream &os, bool binary) const;
  void Read(std::istream &is, bool binary);
  std::string Info() const;

 private:
  void Build();
  // Forward of x (B, InputDim) into the arena; returns the output (B, 1).
  nnet::Tensor Forward(const nnet::Tensor &x, bool train) const;
  void SetInputStatistics(const std::vector<float> &x, int32 n);

  std::string space_name_;
  SupernetShape shape_;
  std::unique_ptr<SearchSpace> space_;
  int32 input_dim_ = 0, hidden_dim_ = 0, num_hidden_ = 0;
  double target_mean_ = 0, target_std_ = 1;
  int32 unseen_inputs_ = 0;
  std::string train_info_ = "untrained";
  nnet::ParamTable params_, state_;
  nnet::Buffer param_buf_, grad_buf_, state_buf_;
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
