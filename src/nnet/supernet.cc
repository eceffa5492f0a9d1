// supernet.cc: Supernet tables, gathers (materialisation) and their transposes.
#include "nnet/supernet.h"

#include <random>
#include <sstream>

#include "nnet/kernels.h"

namespace tdnas {
namespace nnet {

namespace {

std::vector<int> First(int n) {
  std::vector<int> v(n);
  for (int i = 0; i < n; i++) v[i] = i;
  return v;
}
// Res2Net mid width ci: the first ci/8 channels of each (max_width/8)-channel group.
std::vector<int> Mid(int ci, const SupernetShape &shape) {
  const int group_width = shape.max_width / kTdnnRes2Scale;   // 64 in the paper's supernet
  std::vector<int> v;
  for (int g = 0; g < kTdnnRes2Scale; g++)
    for (int j = 0; j < ci / kTdnnRes2Scale; j++) v.push_back(g * group_width + j);
  return v;
}
// Pool BN / FC input: mean part m and std part max_cat_width + m (1536 + m in the paper's).
std::vector<int> PoolIdx(int cat, const SupernetShape &shape) {
  std::vector<int> v = First(cat);
  for (int m = 0; m < cat; m++) v.push_back(shape.max_cat_width + m);
  return v;
}
// Cat conv input: the first c0 channels of each block's max_width-wide slot.
std::vector<int> CatIn(int d, int c0, const SupernetShape &shape) {
  std::vector<int> v;
  for (int j = 0; j < d; j++)
    for (int m = 0; m < c0; m++) v.push_back(j * shape.max_width + m);
  return v;
}

std::vector<std::string> Split(const std::string &s) {
  std::vector<std::string> parts;
  std::stringstream ss(s);
  std::string p;
  while (std::getline(ss, p, '.')) parts.push_back(p);
  return parts;
}

}  // namespace

SubnetConfig Supernet::LargestConfig() {
  return SubnetConfig(kTdnnMaxDepth, std::vector<int32>(kTdnnMaxDepth + 1, kTdnnMaxWidth),
                      std::vector<int32>(kTdnnMaxDepth + 1, kTdnnMaxKernel), kTdnnMaxCatWidth);
}

Supernet::Supernet(const StaticTdnnOptions &opts, const SupernetShape &shape)
    : opts_(opts), shape_(shape) {
  shape_.Validate();
  StaticTdnn largest(Largest(), opts);   // its tables, and its seed-0 initial weights
  params_ = largest.Params();
  state_ = largest.State();
  // Kernel transforms of every conv whose largest kernel is 5, after the shared weights.
  std::vector<std::string> convs = {"stem.conv"};
  for (int i = 0; i < kTdnnMaxDepth; i++)
    for (int j = 0; j < kTdnnRes2Scale - 1; j++)
      convs.push_back("blocks." + std::to_string(i) + ".res2." + std::to_string(j) + ".conv");
  for (const std::string &c : convs) {
    params_.Add(c + ".k53", {3, 3});
    params_.Add(c + ".k31", {1, 1});
  }
  param_buf_.Resize(Device::kCpu, params_.TotalSize());
  grad_buf_.Resize(Device::kCpu, params_.TotalSize());
  state_buf_.Resize(Device::kCpu, state_.TotalSize());
  CopyFromLargest(largest);
}

void Supernet::InitParams(uint64_t seed) {
  StaticTdnn largest(Largest(), opts_);
  largest.InitParams(seed);
  CopyFromLargest(largest);
}

void Supernet::CopyFromLargest(const StaticTdnn &largest) {
  const ParamTable &lp = largest.Params();
  // The shared tensors come first in params_ with the same layout as the largest net's table.
  std::copy(largest.ParamBuffer().Data(), largest.ParamBuffer().Data() + lp.TotalSize(),
            param_buf_.Data());
  std::copy(largest.StateBuffer().Data(), largest.StateBuffer().Data() + state_.TotalSize(),
            state_buf_.Data());
  for (int i = lp.Size(); i < params_.Size(); i++) {   // k53 = I, k31 = 1
    const ParamEntry &e = params_.Entry(i);
    float *p = param_buf_.Data() + e.offset;
    if (e.size == 9) {
      std::fill(p, p + 9, 0.0f);
      p[0] = p[4] = p[8] = 1.0f;
    } else {
      p[0] = 1.0f;
    }
  }
}

std::vector<Supernet::Gather> Supernet::BuildGathers(const StaticTdnn &net, bool state) const {
  const SubnetConfig &cfg = net.Config();
  shape_.CheckFits(cfg);
  const ParamTable &dst_table = state ? net.State() : net.Params();
  const ParamTable &src_table = state ? state_ : params_;
  const int c0 = cfg.widths[0], cat = cfg.cat_width;
  const int emb = opts_.embed_dim, att = opts_.attention_dim;
  std::vector<Gather> gathers;
  for (int t = 0; t < dst_table.Size(); t++) {
    const ParamEntry &e = dst_table.Entry(t);
    Gather g;
    g.dst = t;
    g.src = src_table.Find(e.name);
    if (g.src < 0) TD_ERR << "supernet has no tensor " << e.name;
    std::vector<std::string> p = Split(e.name);
    const std::string &last = p.back();
    const bool weight2d = last == "weight" && e.shape.size() >= 2;
    if (p[0] == "stem") {
      g.out = First(c0);
      if (weight2d) { g.in = First(opts_.input_dim); g.k_dst = cfg.kernels[0]; }
    } else if (p[0] == "blocks") {
      const int i = std::stoi(p[1]), ci = cfg.widths[i + 1], w = ci / kTdnnRes2Scale;
      if (p[2] == "conv1") {
        g.out = Mid(ci, shape_);
        if (weight2d) g.in = First(c0);
      } else if (p[2] == "res2") {
        g.out = First(w);
        if (weight2d) { g.in = First(w); g.k_dst = cfg.kernels[i + 1]; }
      } else if (p[2] == "conv3") {
        g.out = First(c0);
        if (weight2d) g.in = Mid(ci, shape_);
      } else if (p[2] == "se") {
        const int se = c0 / kTdnnSeReduction;
        const bool fc1 = p[3] == "fc1";
        g.out = First(fc1 ? se : c0);
        if (weight2d) g.in = First(fc1 ? c0 : se);
      } else {
        TD_ERR << "unknown block tensor " << e.name;
      }
    } else if (p[0] == "cat") {
      g.out = First(cat);
      g.in = CatIn(cfg.depth, c0, shape_);
    } else if (p[0] == "pool") {
      const bool att1 = p[1] == "att1";
      g.out = First(att1 ? att : cat);
      g.in = First(att1 ? cat : att);
    } else if (p[0] == "pool_bn") {
      g.out = PoolIdx(cat, shape_);
    } else if (p[0] == "fc") {
      g.out = First(emb);
      if (weight2d) g.in = PoolIdx(cat, shape_);
    } else if (p[0] == "embed_bn") {
      g.out = First(emb);
    } else if (p[0] == "head") {
      g.out = First(opts_.num_classes);
      g.in = First(emb);
    } else {
      TD_ERR << "unknown tensor " << e.name;
    }
    const ParamEntry &s = src_table.Entry(g.src);
    if (e.shape.size() == 3) {
      g.k_src = static_cast<int>(s.shape[2]);
      g.k_dst = static_cast<int>(e.shape[2]);
      if (g.k_src != g.k_dst) {
        const std::string conv = e.name.substr(0, e.name.size() - std::string(".weight").size());
        g.k53 = params_.Find(conv + ".k53");
        g.k31 = params_.Find(conv + ".k31");
        TD_ASSERT(g.k53 >= 0 && g.k31 >= 0);
      }
    }
    TD_ASSERT(static_cast<int64_t>(g.out.size()) == e.shape[0]);
    if (e.shape.size() >= 2) TD_ASSERT(static_cast<int64_t>(g.in.size()) == e.shape[1]);
    gathers.push_back(std::move(g));
  }
  return gathers;
}

Supernet::Slices Supernet::BuildSlices(const StaticTdnn &net) const {
  Slices sl;
  for (int pass = 0; pass < 2; pass++) {
    const bool state = pass == 1;
    const ParamTable &dt = state ? net.State() : net.Params();
    const ParamTable &stab = state ? state_ : params_;
    SlicePlan &plan = state ? sl.state : sl.params;
    for (const Gather &g : BuildGathers(net, state)) {
      const ParamEntry &de = dt.Entry(g.dst), &se = stab.Entry(g.src);
      SliceCopy c;
      c.sub = de.offset;
      c.super = se.offset;
      c.n_out = static_cast<int32_t>(g.out.size());
      c.out_idx = static_cast<int32_t>(plan.index.size());
      plan.index.insert(plan.index.end(), g.out.begin(), g.out.end());
      c.in_idx = static_cast<int32_t>(plan.index.size());
      if (de.shape.size() == 1) {
        plan.index.push_back(0);
      } else {
        c.n_in = static_cast<int32_t>(g.in.size());
        c.super_in = static_cast<int32_t>(se.shape[1]);
        c.sub_in = static_cast<int32_t>(de.shape[1]);
        c.k_super = g.k_src;
        c.k_sub = g.k_dst;
        plan.index.insert(plan.index.end(), g.in.begin(), g.in.end());
        if (g.k53 >= 0) c.k53 = params_.Entry(g.k53).offset;
        if (g.k31 >= 0) c.k31 = params_.Entry(g.k31).offset;
      }
      plan.copies.push_back(c);
    }
  }
  return sl;
}

namespace {
Tensor Flat(const Buffer &b) { return b.View({b.Size()}); }
}  // namespace

void Supernet::MaterializeFrom(const Slices &sl, const Buffer &params, const Buffer &state,
                               StaticTdnn *net) const {
  TD_ASSERT(params.Size() == params_.TotalSize() && state.Size() == state_.TotalSize());
  const Kernels &k = KernelsFor(net->ParamBuffer().GetDevice());
  Tensor sp = Flat(params), ss = Flat(state);
  Tensor dp = Flat(net->ParamBuffer()), ds = Flat(net->StateBuffer());
  k.SliceGather(sl.params, sp, sp, &dp);
  k.SliceGather(sl.state, ss, sp, &ds);
}

void Supernet::ScatterGradTo(const Slices &sl, const StaticTdnn &net, const Buffer &params,
                             Buffer *grads) const {
  TD_ASSERT(params.Size() == params_.TotalSize() && grads->Size() == params_.TotalSize());
  const Kernels &k = KernelsFor(net.GradBuffer().GetDevice());
  Tensor g = Flat(*grads);
  k.SliceScatterAdd(sl.params, Flat(net.GradBuffer()), Flat(params), &g);
}

void Supernet::ScatterStateTo(const Slices &sl, const StaticTdnn &net, Buffer *state) const {
  TD_ASSERT(state->Size() == state_.TotalSize());
  const Kernels &k = KernelsFor(net.StateBuffer().GetDevice());
  Tensor s = Flat(*state);
  k.SliceScatter(sl.state, Flat(net.StateBuffer()), &s);
}

void Supernet::Materialize(StaticTdnn *net) const {
  MaterializeFrom(BuildSlices(*net), param_buf_, state_buf_, net);
}

void Supernet::ScatterGrad(const StaticTdnn &net) {
  ScatterGradTo(BuildSlices(net), net, param_buf_, &grad_buf_);
}

void Supernet::ScatterState(const StaticTdnn &net) {
  ScatterStateTo(BuildSlices(net), net, &state_buf_);
}

}  // namespace nnet
}  // namespace tdnas
