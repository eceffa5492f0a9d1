// accuracy-predictor.cc: the TDNN-NAS accuracy predictor (MLP over the architecture one-hot).
#include "nas/accuracy-predictor.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <sstream>

#include "base/io-funcs.h"
#include "base/log.h"
#include "nnet/adam.h"
#include "nnet/kernels.h"
#include "nnet/model-io.h"
#include "util/kaldi-io.h"

namespace tdnas {

using nnet::Device;
using nnet::Tensor;

namespace {
constexpr int32 kSlots = kTdnnMaxDepth + 1;
constexpr int32 kVersion = 2;  // 2: <MaxWidth>/<MaxCatWidth> (1: 512/1536)
constexpr float kBnEps = 1e-5f, kBnMomentum = 0.1f;  // PyTorch BatchNorm1d defaults
constexpr int32 kPredictChunk = 1024;                // rows per batched forward

// Position weights of v in the sorted set: exact -> (i, 1); strictly between s[i] and s[i+1]
// -> (i, 1 - f), (i + 1, f). False if v lies outside [s.front(), s.back()].
bool Interpolate(const std::vector<int32> &s, int32 v, int32 *i, float *f) {
  if (v < s.front() || v > s.back()) return false;
  const int32 j = std::upper_bound(s.begin(), s.end(), v) - s.begin() - 1;  // s[j] <= v
  *i = j;
  *f = (s[j] == v) ? 0.0f : static_cast<float>(v - s[j]) / (s[j + 1] - s[j]);
  return true;
}
}  // namespace

void PredictorTrainOptions::Register(OptionsItf *opts) {
  opts->Register("epochs", &epochs, "Passes over the training subnets");
  opts->Register("batch-size", &batch_size, "Subnets per Adam step");
  opts->Register("learning-rate", &learning_rate, "Adam learning rate");
  opts->Register("weight-decay", &weight_decay, "L2 weight decay (Adam, torch convention)");
  opts->Register("seed", &seed, "Seed of the weight initialisation and batch order");
}

void PredictorTrainOptions::Validate() const {
  if (epochs < 1) TD_ERR << "--epochs must be >= 1, got " << epochs;
  if (batch_size < 2) TD_ERR << "--batch-size must be >= 2 (input batch norm), got " << batch_size;
  if (!(learning_rate > 0)) TD_ERR << "--learning-rate must be > 0, got " << learning_rate;
  if (!(weight_decay >= 0)) TD_ERR << "--weight-decay must be >= 0, got " << weight_decay;
}

std::string PredictorTrainOptions::ToString() const {
  std::ostringstream os;
  os << "epochs=" << epochs << ",batch-size=" << batch_size << ",lr=" << learning_rate
     << ",weight-decay=" << weight_decay << ",seed=" << seed;
  return os.str();
}

AccuracyPredictor::AccuracyPredictor(const std::string &space_name, uint64 seed,
                                     int32 hidden_dim, int32 num_hidden)
    : AccuracyPredictor(space_name, SupernetShape(), seed, hidden_dim, num_hidden) {}

AccuracyPredictor::AccuracyPredictor(const std::string &space_name, const SupernetShape &shape,
                                     uint64 seed, int32 hidden_dim, int32 num_hidden)
    : space_name_(space_name), shape_(shape), hidden_dim_(hidden_dim), num_hidden_(num_hidden) {
  if (hidden_dim < 1 || num_hidden < 1)
    TD_ERR << "predictor needs hidden_dim >= 1 and num_hidden >= 1";
  Build();
  // PyTorch defaults: Linear weight and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)); BN (1, 0).
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (size_t l = 0; l < w_.size(); ++l) {
    const Tensor w = params_.View(param_buf_, w_[l]), b = params_.View(param_buf_, b_[l]);
    const float bound = 1.0f / std::sqrt(static_cast<float>(w.dim[1]));
    for (int64_t i = 0; i < w.Numel(); ++i) w.data[i] = bound * u(rng);
    for (int64_t i = 0; i < b.Numel(); ++i) b.data[i] = bound * u(rng);
  }
  const Tensor g = params_.View(param_buf_, bn_gamma_), rv = state_.View(state_buf_, bn_rv_);
  for (int64_t i = 0; i < g.Numel(); ++i) g.data[i] = 1.0f;
  for (int64_t i = 0; i < rv.Numel(); ++i) rv.data[i] = 1.0f;
}

void AccuracyPredictor::Build() {
  space_.reset(new SearchSpace(SearchSpace::Named(space_name_, shape_)));
  input_dim_ = space_->EncodingDim();
  params_ = nnet::ParamTable();
  state_ = nnet::ParamTable();
  bn_gamma_ = params_.Add("bn.weight", {input_dim_});
  bn_beta_ = params_.Add("bn.bias", {input_dim_});
  w_.clear();
  b_.clear();
  int32 in = input_dim_;
  for (int32 l = 0; l <= num_hidden_; ++l) {
    const int32 out = (l == num_hidden_) ? 1 : hidden_dim_;
    const std::string name = (l == num_hidden_) ? "out" : "layers." + std::to_string(l);
    w_.push_back(params_.Add(name + ".weight", {out, in}));
    b_.push_back(params_.Add(name + ".bias", {out}));
    in = out;
  }
  bn_rm_ = state_.Add("bn.running_mean", {input_dim_});
  bn_rv_ = state_.Add("bn.running_var", {input_dim_});
  param_buf_.Resize(Device::kCpu, params_.TotalSize());
  grad_buf_.Resize(Device::kCpu, params_.TotalSize());
  state_buf_.Resize(Device::kCpu, state_.TotalSize());
  arena_.reset(new nnet::Arena(Device::kCpu));
}

const SearchSpace &AccuracyPredictor::Space() const {
  TD_ASSERT(space_ != nullptr);
  return *space_;
}

bool AccuracyPredictor::CanEncode(const SubnetConfig &cfg, std::string *why) const {
  const SearchSpace &s = Space();
  std::ostringstream os;
  int32 i;
  float f;
  std::string wide;
  if (!shape_.Fits(cfg, &wide)) {
    os << "it does not fit the predictor's supernet shape (" << shape_.ToString() << "): "
       << wide;
  } else if (SearchSpace::PositionOf(s.Depths(), cfg.depth) < 0) {
    os << "depth " << cfg.depth << " is not in " << SearchSpace::DescribeSet(s.Depths());
  } else {
    for (int32 j = 0; j <= cfg.depth && os.tellp() == 0; ++j) {
      if (!Interpolate(s.Widths(), cfg.widths[j], &i, &f))
        os << "width c" << j << " = " << cfg.widths[j] << " is outside "
           << SearchSpace::DescribeSet(s.Widths());
      else if (SearchSpace::PositionOf(s.Kernels(), cfg.kernels[j]) < 0)
        os << "kernel k" << j << " = " << cfg.kernels[j] << " is not in "
           << SearchSpace::DescribeSet(s.Kernels());
    }
    if (os.tellp() == 0 && !Interpolate(s.CatWidths(), cfg.cat_width, &i, &f))
      os << "cat width " << cfg.cat_width << " is outside " << SearchSpace::DescribeSet(s.CatWidths());
  }
  if (os.tellp() == 0) return true;
  if (why != nullptr) *why = os.str();
  return false;
}

bool AccuracyPredictor::CanEncodeSpace(const SearchSpace &other, std::string *why) const {
  const SearchSpace &s = Space();
  auto within = [](const std::vector<int32> &a, const std::vector<int32> &b) {
    return a.front() >= b.front() && a.back() <= b.back();
  };
  auto subset = [](const std::vector<int32> &a, const std::vector<int32> &b) {
    for (int32 v : a)
      if (SearchSpace::PositionOf(b, v) < 0) return false;
    return true;
  };
  if (subset(other.Depths(), s.Depths()) && subset(other.Kernels(), s.Kernels()) &&
      within(other.Widths(), s.Widths()) && within(other.CatWidths(), s.CatWidths()))
    return true;
  if (why != nullptr)
    *why = "search space '" + other.Name() + "' (" + other.Describe() +
           ") is not covered by the predictor's space '" + s.Name() + "' (" + s.Describe() + ")";
  return false;
}

void AccuracyPredictor::Encode(const SubnetConfig &cfg, float *out) const {
  std::string why;
  if (!CanEncode(cfg, &why))
    TD_ERR << "predictor over space '" << space_name_ << "' (supernet " << shape_.ToString()
           << ") cannot encode " << cfg.ToString() << ": " << why;
  const SearchSpace &s = Space();
  const int32 nd = s.Depths().size(), nw = s.Widths().size(), nk = s.Kernels().size();
  std::fill(out, out + input_dim_, 0.0f);
  out[SearchSpace::PositionOf(s.Depths(), cfg.depth)] = 1.0f;
  float *w = out + nd, *k = w + kSlots * nw, *c = k + kSlots * nk;
  int32 i;
  float f;
  auto put = [&](float *group, int32 pos, float frac) {
    group[pos] += 1.0f - frac;
    if (frac > 0) group[pos + 1] += frac;
  };
  for (int32 j = 0; j <= cfg.depth; ++j) {
    Interpolate(s.Widths(), cfg.widths[j], &i, &f);
    put(w + j * nw, i, f);
    k[j * nk + SearchSpace::PositionOf(s.Kernels(), cfg.kernels[j])] = 1.0f;
  }
  Interpolate(s.CatWidths(), cfg.cat_width, &i, &f);
  put(c, i, f);
}

Tensor AccuracyPredictor::Forward(const Tensor &x, bool train) const {
  const nnet::Kernels &k = nnet::KernelsFor(Device::kCpu);
  const int64_t batch = x.dim[0];
  nnet::Arena &a = *arena_;
  auto P = [&](int i) { return params_.View(param_buf_, i); };
  Tensor rm = state_.View(state_buf_, bn_rm_), rv = state_.View(state_buf_, bn_rv_);
  acts_.xb = a.Alloc({batch, input_dim_}, false);
  acts_.mean = a.Alloc({input_dim_}, false);
  acts_.invstd = a.Alloc({input_dim_}, false);
  k.BatchNormForward(x, P(bn_gamma_), P(bn_beta_), train, kBnMomentum, kBnEps, &rm, &rv,
                     &acts_.xb, &acts_.mean, &acts_.invstd);
  acts_.h.resize(num_hidden_);
  Tensor in = acts_.xb;
  for (int32 l = 0; l < num_hidden_; ++l) {
    acts_.h[l] = a.Alloc({batch, hidden_dim_}, false);
    const Tensor b = P(b_[l]);
    k.LinearForward(in, P(w_[l]), &b, &acts_.h[l]);
    k.ReluForward(acts_.h[l], &acts_.h[l]);
    in = acts_.h[l];
  }
  acts_.out = a.Alloc({batch, 1}, false);
  const Tensor bo = P(b_.back());
  k.LinearForward(in, P(w_.back()), &bo, &acts_.out);
  return acts_.out;
}

double AccuracyPredictor::Loss(const float *x, const float *y, int32 batch, bool train,
                               bool backward) {
  TD_ASSERT(batch >= 1 && (!train || batch >= 2));
  const nnet::Kernels &k = nnet::KernelsFor(Device::kCpu);
  nnet::Arena &a = *arena_;
  a.Reset();
  Tensor xt = a.Alloc({batch, input_dim_}, false);
  std::memcpy(xt.data, x, sizeof(float) * batch * input_dim_);
  const Tensor out = Forward(xt, train);
  double loss = 0;
  Tensor dout = a.Alloc({batch, 1}, false);
  for (int32 i = 0; i < batch; ++i) {
    const double e = static_cast<double>(out.data[i]) - y[i];
    loss += e * e;
    dout.data[i] = static_cast<float>(2.0 * e / batch);
  }
  loss /= batch;
  if (!backward) return loss;
  grad_buf_.SetZero();
  auto P = [&](int i) { return params_.View(param_buf_, i); };
  auto G = [&](int i) { return params_.View(grad_buf_, i); };
  Tensor dh = dout;
  for (int32 l = num_hidden_; l >= 0; --l) {
    const Tensor in = (l == 0) ? acts_.xb : acts_.h[l - 1];
    Tensor din = a.Alloc({batch, in.dim[1]});  // zeroed: backward adds
    Tensor dw = G(w_[l]), db = G(b_[l]);
    k.LinearBackward(in, P(w_[l]), dh, &din, &dw, &db);
    if (l > 0) k.ReluBackwardInPlace(acts_.h[l - 1], &din);
    dh = din;
  }
  Tensor dgamma = G(bn_gamma_), dbeta = G(bn_beta_);
  k.BatchNormBackward(xt, P(bn_gamma_), acts_.mean, acts_.invstd, dh, train, nullptr, &dgamma,
                      &dbeta);
  return loss;
}

void AccuracyPredictor::SetInputStatistics(const std::vector<float> &x, int32 n) {
  const Tensor rm = state_.View(state_buf_, bn_rm_), rv = state_.View(state_buf_, bn_rv_);
  // Floor: the unbiased variance of a 0/1 dimension that is 1 in exactly one of n rows.
  const double floor = 1.0 / n;
  unseen_inputs_ = 0;
  for (int32 j = 0; j < input_dim_; ++j) {
    double s = 0, s2 = 0;
    for (int32 i = 0; i < n; ++i) {
      const double v = x[static_cast<size_t>(i) * input_dim_ + j];
      s += v;
      s2 += v * v;
    }
    const double mean = s / n, var = std::max(0.0, (s2 - n * mean * mean) / (n - 1));
    if (s2 == 0) ++unseen_inputs_;
    rm.data[j] = static_cast<float>(mean);
    rv.data[j] = static_cast<float>(std::max(var, floor));
  }
}

std::vector<double> AccuracyPredictor::Train(const std::vector<SubnetConfig> &configs,
                                             const std::vector<double> &eer,
                                             const PredictorTrainOptions &opts) {
  opts.Validate();
  const int32 n = configs.size();
  if (n < 2 || eer.size() != configs.size())
    TD_ERR << "predictor training needs at least 2 (config, EER) pairs, got " << n;
  std::vector<float> x(static_cast<size_t>(n) * input_dim_);
  for (int32 i = 0; i < n; ++i) Encode(configs[i], &x[static_cast<size_t>(i) * input_dim_]);
  double s = 0, s2 = 0;
  for (double e : eer) {
    if (!std::isfinite(e)) TD_ERR << "non-finite EER in the predictor's training data";
    s += e;
    s2 += e * e;
  }
  target_mean_ = s / n;
  const double var = s2 / n - target_mean_ * target_mean_;
  target_std_ = var > 1e-24 ? std::sqrt(var) : 1.0;
  std::vector<float> y(n);
  for (int32 i = 0; i < n; ++i) y[i] = static_cast<float>((eer[i] - target_mean_) / target_std_);

  nnet::AdamOptions aopts;
  aopts.weight_decay = opts.weight_decay;
  nnet::Adam adam(aopts, Device::kCpu, params_.TotalSize());
  std::mt19937_64 rng(opts.seed);
  std::vector<int32> order(n);
  std::iota(order.begin(), order.end(), 0);
  const int32 bs = std::min(opts.batch_size, n);
  std::vector<float> bx(static_cast<size_t>(bs + 1) * input_dim_), by(bs + 1);
  std::vector<double> curve;
  for (int32 epoch = 0; epoch < opts.epochs; ++epoch) {
    for (int32 i = n - 1; i > 0; --i) std::swap(order[i], order[UniformInt(&rng, i + 1)]);
    double sum = 0;
    for (int32 b = 0; b < n;) {
      int32 e = std::min(n, b + bs);
      if (n - e == 1) e = n;  // no batch of one (batch norm needs two rows)
      const int32 m = e - b;
      if (static_cast<size_t>(m) > by.size()) {
        bx.resize(static_cast<size_t>(m) * input_dim_);
        by.resize(m);
      }
      for (int32 i = 0; i < m; ++i) {
        std::memcpy(&bx[static_cast<size_t>(i) * input_dim_],
                    &x[static_cast<size_t>(order[b + i]) * input_dim_], sizeof(float) * input_dim_);
        by[i] = y[order[b + i]];
      }
      const double loss = Loss(bx.data(), by.data(), m, true, true);
      if (!std::isfinite(loss)) TD_ERR << "predictor training diverged at epoch " << epoch;
      adam.Update(opts.learning_rate, grad_buf_, &param_buf_);
      sum += loss * m;
      b = e;
    }
    curve.push_back(sum / n);
    TD_VLOG(2) << "predictor epoch " << epoch << " loss " << curve.back();
  }
  SetInputStatistics(x, n);
  std::ostringstream info;
  info << "trained on " << n << " subnets (" << opts.ToString() << ")";
  train_info_ = info.str();
  return curve;
}

void AccuracyPredictor::Predict(const std::vector<SubnetConfig> &configs,
                                std::vector<double> *eer) const {
  eer->resize(configs.size());
  for (size_t b = 0; b < configs.size(); b += kPredictChunk) {
    const int32 m = std::min<size_t>(kPredictChunk, configs.size() - b);
    enc_.resize(static_cast<size_t>(m) * input_dim_);
    for (int32 i = 0; i < m; ++i) Encode(configs[b + i], &enc_[static_cast<size_t>(i) * input_dim_]);
    arena_->Reset();
    Tensor xt = arena_->Alloc({m, input_dim_}, false);
    std::memcpy(xt.data, enc_.data(), sizeof(float) * enc_.size());
    const Tensor out = Forward(xt, false);
    for (int32 i = 0; i < m; ++i) (*eer)[b + i] = out.data[i] * target_std_ + target_mean_;
  }
}

double AccuracyPredictor::Predict(const SubnetConfig &cfg) const {
  std::vector<double> out;
  Predict(std::vector<SubnetConfig>{cfg}, &out);
  return out[0];
}

void AccuracyPredictor::Write(std::ostream &os, bool binary) const {
  WriteToken(os, binary, "<AccuracyPredictor>");
  WriteToken(os, binary, "<Version>");
  WriteBasicType(os, binary, kVersion);
  WriteToken(os, binary, "<Space>");
  WriteToken(os, binary, space_name_);
  WriteToken(os, binary, "<MaxWidth>");
  WriteBasicType(os, binary, shape_.max_width);
  WriteToken(os, binary, "<MaxCatWidth>");
  WriteBasicType(os, binary, shape_.max_cat_width);
  WriteToken(os, binary, "<HiddenDim>");
  WriteBasicType(os, binary, hidden_dim_);
  WriteToken(os, binary, "<NumHidden>");
  WriteBasicType(os, binary, num_hidden_);
  WriteToken(os, binary, "<TargetMean>");
  WriteBasicType(os, binary, target_mean_);
  WriteToken(os, binary, "<TargetStd>");
  WriteBasicType(os, binary, target_std_);
  WriteToken(os, binary, "<UnseenInputs>");
  WriteBasicType(os, binary, unseen_inputs_);
  if (!binary) os << "\n";
  nnet::WriteTensorTable(os, binary, "Params", params_, param_buf_);
  nnet::WriteTensorTable(os, binary, "State", state_, state_buf_);
  WriteToken(os, binary, "</AccuracyPredictor>");
  if (!binary) os << "\n";
}

void AccuracyPredictor::Read(std::istream &is, bool binary) {
  ExpectToken(is, binary, "<AccuracyPredictor>");
  ExpectToken(is, binary, "<Version>");
  int32 version = 0;
  ReadBasicType(is, binary, &version);
  if (version != 1 && version != kVersion)
    TD_ERR << "accuracy predictor version " << version << ", this build reads 1.." << kVersion;
  ExpectToken(is, binary, "<Space>");
  ReadToken(is, binary, &space_name_);
  shape_ = SupernetShape();
  if (version >= 2) {
    ExpectToken(is, binary, "<MaxWidth>");
    ReadBasicType(is, binary, &shape_.max_width);
    ExpectToken(is, binary, "<MaxCatWidth>");
    ReadBasicType(is, binary, &shape_.max_cat_width);
    shape_.Validate();
  }
  ExpectToken(is, binary, "<HiddenDim>");
  ReadBasicType(is, binary, &hidden_dim_);
  ExpectToken(is, binary, "<NumHidden>");
  ReadBasicType(is, binary, &num_hidden_);
  if (hidden_dim_ < 1 || num_hidden_ < 1 || hidden_dim_ > 65536 || num_hidden_ > 64)
    TD_ERR << "accuracy predictor: bad sizes " << hidden_dim_ << " x " << num_hidden_;
  ExpectToken(is, binary, "<TargetMean>");
  ReadBasicType(is, binary, &target_mean_);
  ExpectToken(is, binary, "<TargetStd>");
  ReadBasicType(is, binary, &target_std_);
  ExpectToken(is, binary, "<UnseenInputs>");
  ReadBasicType(is, binary, &unseen_inputs_);
  Build();  // TD_ERR on an unknown space name
  nnet::ReadTensorTable(is, binary, "Params", params_, &param_buf_);
  nnet::ReadTensorTable(is, binary, "State", state_, &state_buf_);
  ExpectToken(is, binary, "</AccuracyPredictor>");
  train_info_ = "read from file";
}

std::string AccuracyPredictor::Info() const {
  std::ostringstream os;
  os << "accuracy predictor: space " << space_name_ << " of supernet " << shape_.ToString()
     << " (" << input_dim_ << "-dim one-hot), BN -> "
     << num_hidden_ << " x (Linear " << hidden_dim_ << " + ReLU) -> Linear 1, "
     << params_.NumElements() << " params; EER target mean " << target_mean_ << " std "
     << target_std_ << "; " << train_info_;
  return os.str();
}

void ReadAccuracyPredictor(const std::string &rxfilename, AccuracyPredictor *p) {
  bool binary = false;
  Input in(rxfilename, &binary);
  try {
    p->Read(in.Stream(), binary);
  } catch (const FatalError &e) {
    TD_ERR << "reading accuracy predictor '" << rxfilename << "': " << e.what();
  }
}

void WriteAccuracyPredictor(const AccuracyPredictor &p, const std::string &wxfilename,
                            bool binary) {
  Output out(wxfilename, binary);
  p.Write(out.Stream(), binary);
  out.Close();
}

}  // namespace tdnas
