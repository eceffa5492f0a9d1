// static-tdnn.cc: StaticTdnn construction, forward and backward.
#include "nnet/static-tdnn.h"

#include <cmath>
#include <random>

namespace tdnas {
namespace nnet {

StaticTdnn::StaticTdnn(const SubnetConfig &cfg, const StaticTdnnOptions &opts, Device device)
    : cfg_(cfg), opts_(opts), device_(device), k_(&KernelsFor(device)), acts_(device),
      scratch_(device) {
  std::string err;
  if (!CheckSubnetConfig(cfg, &err)) TD_ERR << "bad subnet config " << cfg.ToString() << ": " << err;
  const int d = cfg.depth, c0 = cfg.widths[0], cat = cfg.cat_width;
  AddConvUnit("stem", c0, opts.input_dim, cfg.kernels[0], 1, &stem_);
  blocks_.resize(d);
  for (int i = 0; i < d; i++) {
    Block &b = blocks_[i];
    const std::string p = "blocks." + std::to_string(i) + ".";
    b.width = cfg.widths[i + 1];
    b.group = b.width / kTdnnRes2Scale;
    AddConvUnit(p + "conv1", b.width, c0, 1, 1, &b.conv1);
    b.res2.resize(kTdnnRes2Scale - 1);
    for (int j = 0; j < kTdnnRes2Scale - 1; j++)
      AddConvUnit(p + "res2." + std::to_string(j), b.group, b.group, cfg.kernels[i + 1], i + 2,
                  &b.res2[j]);
    AddConvUnit(p + "conv3", c0, b.width, 1, 1, &b.conv3);
    const int se = c0 / kTdnnSeReduction;
    b.fc1_w = params_.Add(p + "se.fc1.weight", {se, c0});
    b.fc1_b = params_.Add(p + "se.fc1.bias", {se});
    b.fc2_w = params_.Add(p + "se.fc2.weight", {c0, se});
    b.fc2_b = params_.Add(p + "se.fc2.bias", {c0});
  }
  cat_w_ = params_.Add("cat.weight", {cat, d * c0, 1});
  att1_w_ = params_.Add("pool.att1.weight", {opts.attention_dim, cat, 1});
  att2_w_ = params_.Add("pool.att2.weight", {cat, opts.attention_dim, 1});
  AddBn("pool_bn", 2 * cat, &pool_bn_.gamma, &pool_bn_.beta, &pool_bn_.rm, &pool_bn_.rv);
  fc_w_ = params_.Add("fc.weight", {opts.embed_dim, 2 * cat});
  fc_b_ = params_.Add("fc.bias", {opts.embed_dim});
  AddBn("embed_bn", opts.embed_dim, &embed_bn_.gamma, &embed_bn_.beta, &embed_bn_.rm,
        &embed_bn_.rv);
  if (opts.num_classes > 0) head_w_ = params_.Add("head.weight", {opts.num_classes, opts.embed_dim});
  param_buf_.Resize(device, params_.TotalSize());
  grad_buf_.Resize(device, params_.TotalSize());
  state_buf_.Resize(device, state_.TotalSize());
  // A GPU model starts zeroed; its parameters and state are copied from a CPU model.
  if (device == Device::kCpu) InitParams(0);
}

void StaticTdnn::AddBn(const std::string &name, int c, int *gamma, int *beta, int *rm, int *rv) {
  *gamma = params_.Add(name + ".weight", {c});
  *beta = params_.Add(name + ".bias", {c});
  *rm = state_.Add(name + ".running_mean", {c});
  *rv = state_.Add(name + ".running_var", {c});
}

void StaticTdnn::AddConvUnit(const std::string &name, int cout, int cin, int k, int dil,
                             ConvUnit *u) {
  u->w = params_.Add(name + ".conv.weight", {cout, cin, k});
  u->dilation = dil;
  AddBn(name + ".bn", cout, &u->gamma, &u->beta, &u->rm, &u->rv);
}

Tensor StaticTdnn::Param(const std::string &name) const {
  int i = params_.Find(name);
  if (i < 0) TD_ERR << "no parameter " << name;
  return P(i);
}
Tensor StaticTdnn::Grad(const std::string &name) const {
  int i = params_.Find(name);
  if (i < 0) TD_ERR << "no parameter " << name;
  return G(i);
}
Tensor StaticTdnn::StateTensor(const std::string &name) const {
  int i = state_.Find(name);
  if (i < 0) TD_ERR << "no state tensor " << name;
  return S(i);
}

void StaticTdnn::InitParams(uint64_t seed) {
  TD_ASSERT(device_ == Device::kCpu);   // a GPU model is initialised on the CPU and copied
  std::mt19937_64 rng(seed);
  for (int i = 0; i < params_.Size(); i++) {
    const ParamEntry &e = params_.Entry(i);
    float *p = param_buf_.Data() + e.offset;
    const std::string &n = e.name;
    auto ends = [&](const std::string &s) {
      return n.size() >= s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0;
    };
    if (i == head_w_) {   // Xavier normal
      std::normal_distribution<float> nd(0.0f, std::sqrt(2.0f / (e.shape[0] + e.shape[1])));
      for (int64_t j = 0; j < e.size; j++) p[j] = nd(rng);
    } else if (e.shape.size() == 1 && (ends("bn.weight") || ends("_bn.weight"))) {
      std::fill(p, p + e.size, 1.0f);
    } else if (e.shape.size() == 1 && (ends("bn.bias") || ends("_bn.bias"))) {
      std::fill(p, p + e.size, 0.0f);
    } else {
      // fan_in: the weight's In*K, or for a bias the In of the weight just before it.
      int64_t fan_in = e.shape.size() == 1 ? params_.Entry(i - 1).shape[1] : e.size / e.shape[0];
      float bound = 1.0f / std::sqrt(static_cast<float>(fan_in));
      std::uniform_real_distribution<float> ud(-bound, bound);
      for (int64_t j = 0; j < e.size; j++) p[j] = ud(rng);
    }
  }
  for (int i = 0; i < state_.Size(); i++) {
    const ParamEntry &e = state_.Entry(i);
    float v = e.name.find("running_var") != std::string::npos ? 1.0f : 0.0f;
    std::fill(state_buf_.Data() + e.offset, state_buf_.Data() + e.offset + e.size, v);
  }
}

// ---- units ----

void StaticTdnn::ConvForward(const Tensor &x, const Tensor &w, int dilation, Tensor *y,
                             ConvSaved *saved) {
  if (saving_) {
    k_->Conv1dForwardSaving(x, w, dilation, y, saved);
  } else {
    saved->Release();
    k_->Conv1dForward(x, w, dilation, y);
  }
}

void StaticTdnn::ConvBackward(const Tensor &x, const Tensor &w, int dilation, const Tensor &dy,
                              Tensor *dx, Tensor *dw, ConvSaved *saved) {
  if (saved->data != nullptr)
    k_->Conv1dBackwardSaved(x, w, dilation, dy, dx, dw, saved);
  else
    k_->Conv1dBackward(x, w, dilation, dy, dx, dw);
}

void StaticTdnn::ConvUnitForward(ConvUnit *u, const Tensor &x, Tensor *y, const Tensor *addend,
                                 Tensor *sum) {
  // x: (B, Cin, T) -> r = conv(x): (B, Cout, T) -> y = BN(relu(r)) [-> sum = addend + y]
  Tensor w = P(u->w);
  u->x = x;
  u->r = acts_.Alloc({x.dim[0], w.dim[0], x.dim[2]}, false);
  u->mean = acts_.Alloc({w.dim[0]}, false);
  u->invstd = acts_.Alloc({w.dim[0]}, false);
  ConvForward(x, w, u->dilation, &u->r, &u->conv);
  Tensor rm = S(u->rm), rv = S(u->rv);
  // r keeps the pre-activation or becomes relu(r) (backend's choice); the backward takes both.
  if (addend != nullptr)
    k_->ReluBatchNormForwardAdd(&u->r, P(u->gamma), P(u->beta), train_, opts_.bn_momentum,
                                opts_.bn_eps, &rm, &rv, y, &u->mean, &u->invstd, *addend, sum);
  else
    k_->ReluBatchNormForward(&u->r, P(u->gamma), P(u->beta), train_, opts_.bn_momentum,
                             opts_.bn_eps, &rm, &rv, y, &u->mean, &u->invstd);
  u->y = *y;
}

void StaticTdnn::ConvUnitBackward(const ConvUnit &u, const Tensor &dy, Tensor *dx) {
  // dy: (B, Cout, T); dx: (B, Cin, T) += (null: input grad not needed)
  int64_t mark = scratch_.Mark();
  Tensor dr = scratch_.Alloc({u.r.dim[0], u.r.dim[1], u.r.dim[2]});
  Tensor dg = G(u.gamma), db = G(u.beta), dw = G(u.w);
  k_->ReluBatchNormBackward(u.r, P(u.gamma), u.mean, u.invstd, dy, train_, &dr, &dg, &db);
  ConvBackward(u.x, P(u.w), u.dilation, dr, dx, &dw, &u.conv);
  scratch_.Release(mark);
}

void StaticTdnn::BnForward(BnUnit *u, const Tensor &x, Tensor *y) {
  // x, y: (B, C)
  const int64_t c = x.dim[1];
  u->x = x;
  u->mean = acts_.Alloc({c}, false);
  u->invstd = acts_.Alloc({c}, false);
  Tensor rm = S(u->rm), rv = S(u->rv);
  k_->BatchNormForward(x, P(u->gamma), P(u->beta), train_, opts_.bn_momentum, opts_.bn_eps, &rm,
                       &rv, y, &u->mean, &u->invstd);
}

void StaticTdnn::BnBackward(const BnUnit &u, const Tensor &dy, Tensor *dx) {
  Tensor dg = G(u.gamma), db = G(u.beta);
  k_->BatchNormBackward(u.x, P(u.gamma), u.mean, u.invstd, dy, train_, dx, &dg, &db);
}

// ---- Res2Net block with squeeze-excitation ----

void StaticTdnn::BlockForward(Block *blk, const Tensor &h, Tensor *y, Tensor *s) {
  // h: (B, c0, T) -> y: (B, c0, T) = SE(conv3(res2(conv1(h)))) + s, then s += y (the dense
  // residual sum s of the earlier blocks' outputs)
  const int64_t nb = h.dim[0], c0 = h.dim[1], t = h.dim[2], w = blk->group;
  const int ng = kTdnnRes2Scale;
  blk->u = acts_.Alloc({nb, blk->width, t}, false);
  ConvUnitForward(&blk->conv1, h, &blk->u);
  blk->zcat = acts_.Alloc({nb, blk->width, t}, false);
  Tensor in = blk->u.Channels(0, w);
  for (int j = 0; j < ng - 1; j++) {
    Tensor z = blk->zcat.Channels(j * w, w);
    if (j + 1 < ng - 1) {   // the next group's input g_{j+1} + z_j, made in z_j's BN pass
      Tensor next = acts_.Alloc({nb, w, t}, false);
      const Tensor g_next = blk->u.Channels((j + 1) * w, w);
      ConvUnitForward(&blk->res2[j], in, &z, &g_next, &next);
      in = next;
    } else {
      ConvUnitForward(&blk->res2[j], in, &z);
    }
  }
  Tensor z_last = blk->zcat.Channels((ng - 1) * w, w);   // z8 = g8
  k_->Copy(blk->u.Channels((ng - 1) * w, w), &z_last);
  blk->v = acts_.Alloc({nb, c0, t}, false);
  ConvUnitForward(&blk->conv3, blk->zcat, &blk->v);
  // SE: a = sigmoid(fc2(relu(fc1(mean_t v))))
  const int64_t se = c0 / kTdnnSeReduction;
  blk->m = acts_.Alloc({nb, c0}, false);
  blk->h1 = acts_.Alloc({nb, se}, false);
  blk->a = acts_.Alloc({nb, c0}, false);
  k_->MeanOverTimeForward(blk->v, &blk->m);
  Tensor b1 = P(blk->fc1_b), b2 = P(blk->fc2_b);
  k_->LinearForward(blk->m, P(blk->fc1_w), &b1, &blk->h1);
  k_->ReluForward(blk->h1, &blk->h1);
  k_->LinearForward(blk->h1, P(blk->fc2_w), &b2, &blk->a);
  k_->SigmoidForward(blk->a, &blk->a);
  // y = v * a, then the dense residual step y += s; s += y, in one pass.
  k_->ScaleChannelsResidual(blk->v, blk->a, y, s);
}

void StaticTdnn::BlockBackward(const Block &blk, const Tensor &dy, Tensor *dh) {
  // dy: (B, c0, T) gradient of the block output; dh: (B, c0, T) +=
  const int64_t nb = dy.dim[0], c0 = dy.dim[1], t = dy.dim[2], w = blk.group;
  const int ng = kTdnnRes2Scale;
  int64_t mark = scratch_.Mark();
  Tensor dv = scratch_.Alloc({nb, c0, t});
  Tensor da = scratch_.Alloc({nb, c0});
  Tensor dh1 = scratch_.Alloc({nb, c0 / kTdnnSeReduction});
  Tensor dm = scratch_.Alloc({nb, c0});
  k_->ScaleChannelsBackward(blk.v, blk.a, dy, &dv, &da);
  k_->SigmoidBackwardInPlace(blk.a, &da);
  Tensor gw2 = G(blk.fc2_w), gb2 = G(blk.fc2_b), gw1 = G(blk.fc1_w), gb1 = G(blk.fc1_b);
  k_->LinearBackward(blk.h1, P(blk.fc2_w), da, &dh1, &gw2, &gb2);
  k_->ReluBackwardInPlace(blk.h1, &dh1);
  k_->LinearBackward(blk.m, P(blk.fc1_w), dh1, &dm, &gw1, &gb1);
  k_->MeanOverTimeBackward(dm, &dv);
  Tensor dzcat = scratch_.Alloc({nb, blk.width, t});
  ConvUnitBackward(blk.conv3, dv, &dzcat);
  Tensor du = scratch_.Alloc({nb, blk.width, t});
  Tensor du_last = du.Channels((ng - 1) * w, w);
  k_->Add(dzcat.Channels((ng - 1) * w, w), &du_last);
  for (int j = ng - 2; j >= 0; j--) {
    // dz_j is complete here: its two consumers (conv3, and g_{j+1} + z_j) are done.
    Tensor dz = dzcat.Channels(j * w, w);
    Tensor dgj = du.Channels(j * w, w);
    // dg_j is still zero and the group's input g_j + z_{j-1} is its only consumer, so the
    // input gradient goes straight into dg_j, then into dz_{j-1} as well.
    ConvUnitBackward(blk.res2[j], dz, &dgj);
    if (j > 0) {
      Tensor dzprev = dzcat.Channels((j - 1) * w, w);
      k_->Add(dgj, &dzprev);
    }
  }
  ConvUnitBackward(blk.conv1, du, dh);
  scratch_.Release(mark);
}

// ---- whole network ----

Tensor StaticTdnn::Forward(const Tensor &x, bool train) {
  TD_ASSERT(x.ndim == 3 && x.dim[1] == opts_.input_dim && x.device == device_);
  train_ = train;
  have_loss_ = false;
  acts_.Reset();
  scratch_.Reset();
  const int64_t nb = x.dim[0], t = x.dim[2];
  const int d = cfg_.depth, c0 = cfg_.widths[0], cat = cfg_.cat_width;
  const int att = opts_.attention_dim;
  // stem: x0 (B, c0, T)
  Tensor x0 = acts_.Alloc({nb, c0, t}, false);
  ConvUnitForward(&stem_, x, &x0);
  // blocks: y_i = Block_i(h) + s; s = s + y_i; h = y_i.  y_i live in ycat (B, d*c0, T).
  ycat_ = acts_.Alloc({nb, d * c0, t}, false);
  Tensor s = acts_.Alloc({nb, c0, t}, false);
  k_->Copy(x0, &s);
  Tensor h = x0;
  for (int i = 0; i < d; i++) {
    Tensor y = ycat_.Channels(i * c0, c0);
    BlockForward(&blocks_[i], h, &y, &s);   // (with y += s; s += y)
    h = y;
  }
  // cat conv: H = relu(conv1x1(ycat)) (B, C, T)
  cat_h_ = acts_.Alloc({nb, cat, t}, false);
  ConvForward(ycat_, P(cat_w_), 1, &cat_h_, &cat_conv_);
  k_->ReluForward(cat_h_, &cat_h_);
  // attention: alpha = softmax_t(conv(tanh(conv(H)))) (B, C, T)
  att_a1_ = acts_.Alloc({nb, att, t}, false);
  ConvForward(cat_h_, P(att1_w_), 1, &att_a1_, &att1_conv_);
  k_->TanhForward(att_a1_, &att_a1_);
  att_alpha_ = acts_.Alloc({nb, cat, t}, false);
  ConvForward(att_a1_, P(att2_w_), 1, &att_alpha_, &att2_conv_);
  k_->SoftmaxOverTimeForward(att_alpha_, &att_alpha_);
  pooled_ = acts_.Alloc({nb, 2 * cat}, false);
  k_->AttentiveStatsForward(cat_h_, att_alpha_, opts_.min_var, &pooled_);
  // BN_2C -> FC -> BN_192
  pooled_bn_ = acts_.Alloc({nb, 2 * cat}, false);
  BnForward(&pool_bn_, pooled_, &pooled_bn_);
  fc_out_ = acts_.Alloc({nb, opts_.embed_dim}, false);
  Tensor fcb = P(fc_b_);
  k_->LinearForward(pooled_bn_, P(fc_w_), &fcb, &fc_out_);
  emb_ = acts_.Alloc({nb, opts_.embed_dim}, false);
  BnForward(&embed_bn_, fc_out_, &emb_);
  return emb_;
}

void StaticTdnn::ForwardForLoss(const Tensor &x, bool train) {
  if (head_w_ < 0) TD_ERR << "ForwardLoss needs a model with an AAM head (num_classes > 0)";
  saving_ = train;
  try {
    Forward(x, train);
  } catch (...) {
    saving_ = false;
    throw;
  }
  saving_ = false;
  const int64_t nb = x.dim[0], n = opts_.num_classes, e = opts_.embed_dim;
  aam_.xn = acts_.Alloc({nb, e}, false);
  aam_.xnorm = acts_.Alloc({nb}, false);
  aam_.wn = acts_.Alloc({n, e}, false);
  aam_.wnorm = acts_.Alloc({n}, false);
  aam_.cosine = acts_.Alloc({nb, n}, false);
  aam_.prob = acts_.Alloc({nb, n}, false);
}

double StaticTdnn::ForwardLoss(const Tensor &x, const int32_t *labels, bool train,
                               int64_t *num_correct) {
  ForwardForLoss(x, train);
  labels_.assign(labels, labels + x.dim[0]);
  dev_labels_ = nullptr;
  int64_t correct = 0;
  double loss = k_->AamSoftmaxForward(emb_, P(head_w_), labels_.data(), opts_.aam, &aam_, &correct);
  if (num_correct != nullptr) *num_correct = correct;
  have_loss_ = true;
  return loss;
}

void StaticTdnn::ForwardLossOnDevice(const Tensor &x, const int32_t *labels, bool train,
                                     double *stats) {
  ForwardForLoss(x, train);
  dev_labels_ = labels;
  k_->AamSoftmaxForwardOnDevice(emb_, P(head_w_), labels, opts_.aam, &aam_, stats);
  have_loss_ = true;
}

void StaticTdnn::Backward(float loss_scale) {
  if (!have_loss_) TD_ERR << "Backward() needs a ForwardLoss() first";
  scratch_.Reset();
  Tensor demb = scratch_.Alloc({emb_.dim[0], emb_.dim[1]});
  Tensor gh = G(head_w_);
  if (dev_labels_ != nullptr)
    k_->AamSoftmaxBackwardOnDevice(emb_, P(head_w_), dev_labels_, opts_.aam, aam_, loss_scale,
                                   &demb, &gh);
  else
    k_->AamSoftmaxBackward(emb_, P(head_w_), labels_.data(), opts_.aam, aam_, loss_scale, &demb,
                           &gh);
  BackwardFromEmbedding(demb);
}

void StaticTdnn::BackwardFromEmbedding(const Tensor &demb) {
  const int64_t nb = emb_.dim[0], t = cat_h_.dim[2];
  const int d = cfg_.depth, c0 = cfg_.widths[0], cat = cfg_.cat_width;
  int64_t mark = scratch_.Mark();
  // BN_192 <- FC <- BN_2C
  Tensor dfc = scratch_.Alloc({nb, opts_.embed_dim});
  BnBackward(embed_bn_, demb, &dfc);
  Tensor dpbn = scratch_.Alloc({nb, 2 * cat});
  Tensor gfw = G(fc_w_), gfb = G(fc_b_);
  k_->LinearBackward(pooled_bn_, P(fc_w_), dfc, &dpbn, &gfw, &gfb);
  Tensor dpooled = scratch_.Alloc({nb, 2 * cat});
  BnBackward(pool_bn_, dpbn, &dpooled);
  // attentive pooling
  Tensor dh = scratch_.Alloc({nb, cat, t});
  Tensor dalpha = scratch_.Alloc({nb, cat, t});
  k_->AttentiveStatsBackward(cat_h_, att_alpha_, pooled_, opts_.min_var, dpooled, &dh, &dalpha);
  Tensor dlogit = scratch_.Alloc({nb, cat, t});
  k_->SoftmaxOverTimeBackward(att_alpha_, dalpha, &dlogit);
  Tensor da1 = scratch_.Alloc({nb, opts_.attention_dim, t});
  Tensor ga2 = G(att2_w_), ga1 = G(att1_w_), gcat = G(cat_w_);
  ConvBackward(att_a1_, P(att2_w_), 1, dlogit, &da1, &ga2, &att2_conv_);
  k_->TanhBackwardInPlace(att_a1_, &da1);
  ConvBackward(cat_h_, P(att1_w_), 1, da1, &dh, &ga1, &att1_conv_);
  // cat conv
  k_->ReluBackwardInPlace(cat_h_, &dh);
  Tensor dycat = scratch_.Alloc({nb, d * c0, t});
  ConvBackward(ycat_, P(cat_w_), 1, dh, &dycat, &gcat, &cat_conv_);
  // dense residual sums, backwards: gs holds dL/ds_i (s_d is unused, so gs starts at 0).
  //   dy_i(total) = dy_i(direct) + gs_i;  gs_{i-1} = gs_i + dy_i(total);
  //   Block_i's input grad goes to y_{i-1} (x0 for i = 1); finally dx0 += gs_0.
  Tensor gs = scratch_.Alloc({nb, c0, t});
  Tensor dx0 = scratch_.Alloc({nb, c0, t});
  for (int i = d - 1; i >= 0; i--) {
    Tensor dy = dycat.Channels(i * c0, c0);
    k_->ResidualAccumulate(&dy, &gs);   // dy += gs; gs += dy
    Tensor dprev = i > 0 ? dycat.Channels((i - 1) * c0, c0) : dx0;
    BlockBackward(blocks_[i], dy, &dprev);
  }
  k_->Add(gs, &dx0);
  ConvUnitBackward(stem_, dx0, nullptr);
  scratch_.Release(mark);
}

}  // namespace nnet
}  // namespace tdnas
