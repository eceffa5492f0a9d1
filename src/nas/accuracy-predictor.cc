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
#include "nnet/mac-count.h"
#include "nnet/model-io.h"
#include "util/kaldi-io.h"

namespace tdnas {

using nnet::Device;
using nnet::Tensor;

namespace {
constexpr int32 kSlots = kTdnnMaxDepth + 1;
constexpr int32 kVersion = 3;  // 3: base, cost features, ensemble; 2: <MaxWidth>/<MaxCatWidth>
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

// Solves the symmetric positive definite system a x = b (n x n, row-major) by Gaussian
// elimination with partial pivoting; a and b are overwritten.
void SolveSmall(int32 n, std::vector<double> *a, std::vector<double> *b, std::vector<double> *x) {
  std::vector<double> &m = *a, &r = *b;
  for (int32 c = 0; c < n; ++c) {
    int32 piv = c;
    for (int32 i = c + 1; i < n; ++i)
      if (std::abs(m[i * n + c]) > std::abs(m[piv * n + c])) piv = i;
    if (!(std::abs(m[piv * n + c]) > 1e-300)) TD_ERR << "singular system in the ridge fit";
    if (piv != c) {
      for (int32 j = 0; j < n; ++j) std::swap(m[c * n + j], m[piv * n + j]);
      std::swap(r[c], r[piv]);
    }
    for (int32 i = c + 1; i < n; ++i) {
      const double f = m[i * n + c] / m[c * n + c];
      for (int32 j = c; j < n; ++j) m[i * n + j] -= f * m[c * n + j];
      r[i] -= f * r[c];
    }
  }
  x->assign(n, 0.0);
  for (int32 i = n - 1; i >= 0; --i) {
    double v = r[i];
    for (int32 j = i + 1; j < n; ++j) v -= m[i * n + j] * (*x)[j];
    (*x)[i] = v / m[i * n + i];
  }
}

void WriteDoubles(std::ostream &os, bool binary, const char *token, const std::vector<double> &v) {
  WriteToken(os, binary, token);
  WriteBasicType(os, binary, static_cast<int32>(v.size()));
  for (double d : v) WriteBasicType(os, binary, d);
}

void ReadDoubles(std::istream &is, bool binary, const char *token, int32 expect,
                 std::vector<double> *v) {
  ExpectToken(is, binary, token);
  int32 n = 0;
  ReadBasicType(is, binary, &n);
  if (n != expect) TD_ERR << token << " has " << n << " values, expected " << expect;
  v->resize(n);
  for (double &d : *v) ReadBasicType(is, binary, &d);
}
}  // namespace

void SubnetCostFeatures(const SubnetConfig &cfg, const SupernetShape &shape, double *out) {
  const double w = shape.max_width, cw = shape.max_cat_width;
  out[0] = std::log(static_cast<double>(CountSubnetMacs(cfg, kDefaultMacFrames)));
  out[1] = std::log(static_cast<double>(CountSubnetParams(cfg)));
  out[2] = cfg.depth;
  out[3] = std::log(cfg.widths[0] / w);
  double lw = 0, k = 0;
  for (int32 i = 1; i <= cfg.depth; ++i) {
    lw += std::log(cfg.widths[i] / w);
    k += cfg.kernels[i];
  }
  out[4] = lw / cfg.depth;
  out[5] = cfg.kernels[0];
  out[6] = k / cfg.depth;
  out[7] = std::log(cfg.cat_width / cw);
}

const char *CostFeatureName(int32 i) {
  static const char *kNames[kNumCostFeatures] = {
      "log-macs", "log-params", "depth", "log-c0", "mean-log-ci", "k0", "mean-ki", "log-cat"};
  TD_ASSERT(i >= 0 && i < kNumCostFeatures);
  return kNames[i];
}

void PredictorTrainOptions::Register(OptionsItf *opts) {
  opts->Register("epochs", &epochs, "Passes over the training subnets");
  opts->Register("batch-size", &batch_size, "Subnets per Adam step");
  opts->Register("learning-rate", &learning_rate, "Adam learning rate");
  opts->Register("weight-decay", &weight_decay, "L2 weight decay (Adam, torch convention)");
  opts->Register("seed", &seed, "Seed of the weight initialisation and batch order (member m "
                 "of an ensemble: seed + m)");
  opts->Register("base", &base, "Linear model fitted first, the MLP learns its residual: cost "
                 "(ridge on the 8 cost features) | macs (ridge on log MACs) | none (spec)");
  opts->Register("ridge", &ridge, "L2 penalty of the linear base (per subnet, standardised "
                 "features)");
  opts->Register("cost-features", &cost_features, "Append the standardised cost features "
                 "(log MACs, log params, depth, widths, kernels) to the MLP's one-hot input");
  opts->Register("ensemble", &ensemble, "Number of MLPs (seeds seed, seed+1, ..) whose "
                 "predictions are averaged; 0 = the linear base alone");
}

void PredictorTrainOptions::Validate() const {
  if (epochs < 1) TD_ERR << "--epochs must be >= 1, got " << epochs;
  if (batch_size < 2) TD_ERR << "--batch-size must be >= 2 (input batch norm), got " << batch_size;
  if (!(learning_rate > 0)) TD_ERR << "--learning-rate must be > 0, got " << learning_rate;
  if (!(weight_decay >= 0)) TD_ERR << "--weight-decay must be >= 0, got " << weight_decay;
  if (base != "cost" && base != "macs" && base != "none")
    TD_ERR << "--base must be cost, macs or none, got '" << base << "'";
  if (!(ridge >= 0)) TD_ERR << "--ridge must be >= 0, got " << ridge;
  if (ensemble < 0 || ensemble > 100) TD_ERR << "--ensemble must be in [0, 100], got " << ensemble;
  if (ensemble == 0 && base == "none") TD_ERR << "--ensemble=0 needs a linear --base";
}

std::string PredictorTrainOptions::ToString() const {
  std::ostringstream os;
  os << "epochs=" << epochs << ",batch-size=" << batch_size << ",lr=" << learning_rate
     << ",weight-decay=" << weight_decay << ",seed=" << seed << ",base=" << base
     << ",ridge=" << ridge << ",cost-features=" << (cost_features ? "true" : "false")
     << ",ensemble=" << ensemble;
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
  feat_mean_.assign(kNumCostFeatures, 0.0);
  feat_std_.assign(kNumCostFeatures, 1.0);
  base_w_.assign(kNumCostFeatures, 0.0);
  Build(1);
  InitMember(0, seed);
}

void AccuracyPredictor::InitMember(int32 m, uint64 seed) {
  // PyTorch defaults: Linear weight and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)); BN (1, 0).
  const nnet::Buffer &pb = param_bufs_.at(m), &sb = state_bufs_.at(m);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (size_t l = 0; l < w_.size(); ++l) {
    const Tensor w = params_.View(pb, w_[l]), b = params_.View(pb, b_[l]);
    const float bound = 1.0f / std::sqrt(static_cast<float>(w.dim[1]));
    for (int64_t i = 0; i < w.Numel(); ++i) w.data[i] = bound * u(rng);
    for (int64_t i = 0; i < b.Numel(); ++i) b.data[i] = bound * u(rng);
  }
  const Tensor g = params_.View(pb, bn_gamma_), beta = params_.View(pb, bn_beta_);
  const Tensor rm = state_.View(sb, bn_rm_), rv = state_.View(sb, bn_rv_);
  for (int64_t i = 0; i < g.Numel(); ++i) {
    g.data[i] = 1.0f;
    beta.data[i] = 0.0f;
    rm.data[i] = 0.0f;
    rv.data[i] = 1.0f;
  }
}

void AccuracyPredictor::Build(int32 num_members) {
  space_.reset(new SearchSpace(SearchSpace::Named(space_name_, shape_)));
  onehot_dim_ = space_->EncodingDim();
  input_dim_ = onehot_dim_ + (cost_features_ ? kNumCostFeatures : 0);
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
  param_bufs_.clear();
  state_bufs_.clear();
  for (int32 m = 0; m < num_members; ++m) {
    param_bufs_.emplace_back(Device::kCpu, params_.TotalSize());
    state_bufs_.emplace_back(Device::kCpu, state_.TotalSize());
    const Tensor rv = state_.View(state_bufs_.back(), bn_rv_);
    for (int64_t i = 0; i < rv.Numel(); ++i) rv.data[i] = 1.0f;
  }
  grad_buf_.Resize(Device::kCpu, params_.TotalSize());
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
  if (cost_features_) {
    double z[kNumCostFeatures];
    StandardisedCost(cfg, z);
    for (int32 j = 0; j < kNumCostFeatures; ++j) out[onehot_dim_ + j] = static_cast<float>(z[j]);
  }
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

void AccuracyPredictor::StandardisedCost(const SubnetConfig &cfg, double *z) const {
  SubnetCostFeatures(cfg, shape_, z);
  for (int32 j = 0; j < kNumCostFeatures; ++j) z[j] = (z[j] - feat_mean_[j]) / feat_std_[j];
}

double AccuracyPredictor::BasePredict(const SubnetConfig &cfg) const {
  if (base_ == "none") return 0.0;
  double z[kNumCostFeatures], y = base_b_;
  StandardisedCost(cfg, z);
  for (int32 j = 0; j < kNumCostFeatures; ++j) y += base_w_[j] * z[j];
  return y;
}

// Ridge regression in closed form on the standardised features (only log MACs for "macs"):
//   minimise 1/n sum (y - b - w.z)^2 + ridge |w|^2  ->  b = mean(y), (Z'Z/n + ridge I) w = Z'y/n
// (z has zero mean over the training set, so the intercept decouples).
void AccuracyPredictor::FitBase(const std::vector<SubnetConfig> &configs,
                                const std::vector<double> &eer,
                                const PredictorTrainOptions &opts) {
  const int32 n = configs.size(), nf = kNumCostFeatures;
  std::vector<double> f(static_cast<size_t>(n) * nf);
  for (int32 i = 0; i < n; ++i) SubnetCostFeatures(configs[i], shape_, &f[i * nf]);
  for (int32 j = 0; j < nf; ++j) {
    double s = 0, s2 = 0;
    for (int32 i = 0; i < n; ++i) s += f[i * nf + j];
    const double mean = s / n;
    for (int32 i = 0; i < n; ++i) s2 += (f[i * nf + j] - mean) * (f[i * nf + j] - mean);
    const double sd = std::sqrt(s2 / n);
    feat_mean_[j] = mean;
    feat_std_[j] = sd > 1e-12 * std::max(1.0, std::abs(mean)) ? sd : 1.0;  // constant -> z = 0
  }
  base_w_.assign(nf, 0.0);
  base_b_ = 0;
  if (base_ == "none") return;
  const int32 p = (base_ == "macs") ? 1 : nf;  // log MACs is feature 0
  double ym = 0;
  for (double e : eer) ym += e;
  ym /= n;
  std::vector<double> a(p * p, 0.0), b(p, 0.0), w;
  for (int32 i = 0; i < n; ++i) {
    double z[kNumCostFeatures];
    for (int32 j = 0; j < p; ++j) z[j] = (f[i * nf + j] - feat_mean_[j]) / feat_std_[j];
    for (int32 j = 0; j < p; ++j) {
      b[j] += z[j] * (eer[i] - ym) / n;
      for (int32 l = 0; l < p; ++l) a[j * p + l] += z[j] * z[l] / n;
    }
  }
  // A tiny floor keeps the system solvable at ridge 0 with collinear or constant features.
  for (int32 j = 0; j < p; ++j) a[j * p + j] += std::max(static_cast<double>(opts.ridge), 1e-9);
  SolveSmall(p, &a, &b, &w);
  for (int32 j = 0; j < p; ++j) base_w_[j] = w[j];
  base_b_ = ym;
}

Tensor AccuracyPredictor::Forward(const Tensor &x, bool train, int32 m) const {
  const nnet::Kernels &k = nnet::KernelsFor(Device::kCpu);
  const int64_t batch = x.dim[0];
  nnet::Arena &a = *arena_;
  const nnet::Buffer &pb = param_bufs_.at(m), &sb = state_bufs_.at(m);
  auto P = [&](int i) { return params_.View(pb, i); };
  Tensor rm = state_.View(sb, bn_rm_), rv = state_.View(sb, bn_rv_);
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
  return MemberLoss(x, y, batch, train, backward, 0);
}

double AccuracyPredictor::MemberLoss(const float *x, const float *y, int32 batch, bool train,
                                     bool backward, int32 m) {
  TD_ASSERT(batch >= 1 && (!train || batch >= 2));
  const nnet::Kernels &k = nnet::KernelsFor(Device::kCpu);
  nnet::Arena &a = *arena_;
  a.Reset();
  Tensor xt = a.Alloc({batch, input_dim_}, false);
  std::memcpy(xt.data, x, sizeof(float) * batch * input_dim_);
  const Tensor out = Forward(xt, train, m);
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
  auto P = [&](int i) { return params_.View(param_bufs_[m], i); };
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
    for (const nnet::Buffer &sb : state_bufs_) {
      state_.View(sb, bn_rm_).data[j] = static_cast<float>(mean);
      state_.View(sb, bn_rv_).data[j] = static_cast<float>(std::max(var, floor));
    }
  }
}

std::vector<double> AccuracyPredictor::Train(const std::vector<SubnetConfig> &configs,
                                             const std::vector<double> &eer,
                                             const PredictorTrainOptions &opts) {
  opts.Validate();
  const int32 n = configs.size();
  if (n < 2 || eer.size() != configs.size())
    TD_ERR << "predictor training needs at least 2 (config, EER) pairs, got " << n;
  std::string why;
  for (const SubnetConfig &c : configs)
    if (!CanEncode(c, &why))
      TD_ERR << "predictor over space '" << space_name_ << "' (supernet " << shape_.ToString()
             << ") cannot encode " << c.ToString() << ": " << why;
  for (double e : eer)
    if (!std::isfinite(e)) TD_ERR << "non-finite EER in the predictor's training data";
  base_ = opts.base;
  cost_features_ = opts.cost_features;
  FitBase(configs, eer, opts);
  Build(opts.ensemble);
  std::vector<double> resid(n);
  for (int32 i = 0; i < n; ++i) resid[i] = eer[i] - BasePredict(configs[i]);
  double s = 0, s2 = 0;
  for (double r : resid) {
    s += r;
    s2 += r * r;
  }
  target_mean_ = s / n;
  const double var = s2 / n - target_mean_ * target_mean_;
  target_std_ = var > 1e-24 ? std::sqrt(var) : 1.0;
  std::ostringstream info;
  info << "trained on " << n << " subnets (" << opts.ToString() << ")";
  train_info_ = info.str();
  std::vector<double> curve;
  if (opts.ensemble == 0) return curve;

  std::vector<float> x(static_cast<size_t>(n) * input_dim_);
  for (int32 i = 0; i < n; ++i) Encode(configs[i], &x[static_cast<size_t>(i) * input_dim_]);
  std::vector<float> y(n);
  for (int32 i = 0; i < n; ++i) y[i] = static_cast<float>((resid[i] - target_mean_) / target_std_);
  const int32 bs = std::min(opts.batch_size, n);
  std::vector<float> bx(static_cast<size_t>(bs + 1) * input_dim_), by(bs + 1);
  curve.assign(opts.epochs, 0.0);
  for (int32 m = 0; m < opts.ensemble; ++m) {
    InitMember(m, static_cast<uint64>(opts.seed) + m);
    nnet::AdamOptions aopts;
    aopts.weight_decay = opts.weight_decay;
    nnet::Adam adam(aopts, Device::kCpu, params_.TotalSize());
    std::mt19937_64 rng(static_cast<uint64>(opts.seed) + m);
    std::vector<int32> order(n);
    std::iota(order.begin(), order.end(), 0);
    for (int32 epoch = 0; epoch < opts.epochs; ++epoch) {
      for (int32 i = n - 1; i > 0; --i) std::swap(order[i], order[UniformInt(&rng, i + 1)]);
      double sum = 0;
      for (int32 b = 0; b < n;) {
        int32 e = std::min(n, b + bs);
        if (n - e == 1) e = n;  // no batch of one (batch norm needs two rows)
        const int32 mb = e - b;
        if (static_cast<size_t>(mb) > by.size()) {
          bx.resize(static_cast<size_t>(mb) * input_dim_);
          by.resize(mb);
        }
        for (int32 i = 0; i < mb; ++i) {
          std::memcpy(&bx[static_cast<size_t>(i) * input_dim_],
                      &x[static_cast<size_t>(order[b + i]) * input_dim_],
                      sizeof(float) * input_dim_);
          by[i] = y[order[b + i]];
        }
        const double loss = MemberLoss(bx.data(), by.data(), mb, true, true, m);
        if (!std::isfinite(loss)) TD_ERR << "predictor training diverged at epoch " << epoch;
        adam.Update(opts.learning_rate, grad_buf_, &param_bufs_[m]);
        sum += loss * mb;
        b = e;
      }
      curve[epoch] += sum / n / opts.ensemble;
      TD_VLOG(2) << "predictor member " << m << " epoch " << epoch << " loss " << sum / n;
    }
  }
  SetInputStatistics(x, n);
  return curve;
}

void AccuracyPredictor::Predict(const std::vector<SubnetConfig> &configs,
                                std::vector<double> *eer) const {
  eer->resize(configs.size());
  const int32 members = EnsembleSize();
  for (size_t b = 0; b < configs.size(); b += kPredictChunk) {
    const int32 m = std::min<size_t>(kPredictChunk, configs.size() - b);
    for (int32 i = 0; i < m; ++i) (*eer)[b + i] = BasePredict(configs[b + i]);
    if (members == 0) continue;
    enc_.resize(static_cast<size_t>(m) * input_dim_);
    for (int32 i = 0; i < m; ++i) Encode(configs[b + i], &enc_[static_cast<size_t>(i) * input_dim_]);
    std::vector<double> sum(m, 0.0);
    for (int32 k = 0; k < members; ++k) {
      arena_->Reset();
      Tensor xt = arena_->Alloc({m, input_dim_}, false);
      std::memcpy(xt.data, enc_.data(), sizeof(float) * enc_.size());
      const Tensor out = Forward(xt, false, k);
      for (int32 i = 0; i < m; ++i) sum[i] += out.data[i];
    }
    for (int32 i = 0; i < m; ++i)
      (*eer)[b + i] += sum[i] / members * target_std_ + target_mean_;
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
  WriteToken(os, binary, "<Base>");
  WriteToken(os, binary, base_);
  WriteToken(os, binary, "<CostFeatures>");
  WriteBasicType(os, binary, cost_features_);
  WriteDoubles(os, binary, "<FeatureMean>", feat_mean_);
  WriteDoubles(os, binary, "<FeatureStd>", feat_std_);
  WriteDoubles(os, binary, "<BaseWeights>", base_w_);
  WriteToken(os, binary, "<BaseBias>");
  WriteBasicType(os, binary, base_b_);
  WriteToken(os, binary, "<Ensemble>");
  WriteBasicType(os, binary, EnsembleSize());
  if (!binary) os << "\n";
  for (int32 m = 0; m < EnsembleSize(); ++m) {
    nnet::WriteTensorTable(os, binary, "Params", params_, param_bufs_[m]);
    nnet::WriteTensorTable(os, binary, "State", state_, state_bufs_[m]);
  }
  WriteToken(os, binary, "</AccuracyPredictor>");
  if (!binary) os << "\n";
}

void AccuracyPredictor::Read(std::istream &is, bool binary) {
  ExpectToken(is, binary, "<AccuracyPredictor>");
  ExpectToken(is, binary, "<Version>");
  int32 version = 0;
  ReadBasicType(is, binary, &version);
  if (version < 1 || version > kVersion)
    TD_ERR << "accuracy predictor version " << version << ", this build reads 1.." << kVersion
           << (version > kVersion ? " (written by a newer tdnas: rebuild)" : "");
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
  int32 members = 1;
  base_ = "none";
  cost_features_ = false;
  feat_mean_.assign(kNumCostFeatures, 0.0);
  feat_std_.assign(kNumCostFeatures, 1.0);
  base_w_.assign(kNumCostFeatures, 0.0);
  base_b_ = 0;
  if (version >= 3) {
    ExpectToken(is, binary, "<Base>");
    ReadToken(is, binary, &base_);
    if (base_ != "cost" && base_ != "macs" && base_ != "none")
      TD_ERR << "accuracy predictor: unknown base '" << base_ << "'";
    ExpectToken(is, binary, "<CostFeatures>");
    ReadBasicType(is, binary, &cost_features_);
    ReadDoubles(is, binary, "<FeatureMean>", kNumCostFeatures, &feat_mean_);
    ReadDoubles(is, binary, "<FeatureStd>", kNumCostFeatures, &feat_std_);
    ReadDoubles(is, binary, "<BaseWeights>", kNumCostFeatures, &base_w_);
    ExpectToken(is, binary, "<BaseBias>");
    ReadBasicType(is, binary, &base_b_);
    ExpectToken(is, binary, "<Ensemble>");
    ReadBasicType(is, binary, &members);
    if (members < 0 || members > 100 || (members == 0 && base_ == "none"))
      TD_ERR << "accuracy predictor: bad ensemble size " << members << " (base " << base_ << ")";
  }
  Build(members);  // TD_ERR on an unknown space name
  for (int32 m = 0; m < members; ++m) {
    nnet::ReadTensorTable(is, binary, "Params", params_, &param_bufs_[m]);
    nnet::ReadTensorTable(is, binary, "State", state_, &state_bufs_[m]);
  }
  ExpectToken(is, binary, "</AccuracyPredictor>");
  train_info_ = "read from file";
}

std::string AccuracyPredictor::Info() const {
  std::ostringstream os;
  os << "accuracy predictor: space " << space_name_ << " of supernet " << shape_.ToString()
     << " (" << onehot_dim_ << "-dim one-hot" << (cost_features_ ? " + 8 cost features" : "")
     << "), linear base " << base_ << ", " << EnsembleSize() << " x [BN -> " << num_hidden_
     << " x (Linear " << hidden_dim_ << " + ReLU) -> Linear 1] of " << params_.NumElements()
     << " params; residual target mean " << target_mean_ << " std " << target_std_ << "; "
     << train_info_;
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
