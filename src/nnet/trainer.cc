// trainer.cc: Trainer, the Adam step and the cyclic learning rate.
#include "nnet/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <sstream>

#include "gpu/gpu-api.h"
#include "nnet/batch-prefetcher.h"
#include "nnet/device-copy.h"
#include "nnet/parallel.h"
#include "nnet/train-data.h"
#include "util/options-itf.h"

namespace tdnas {
namespace nnet {

void TrainerOptions::Register(OptionsItf *opts) {
  opts->Register("stage", &stage,
                 "Progressive-shrinking stage (space sampled each step): "
                 "largest|kernel|depth|width1|width2");
  opts->Register("dynamic-walks", &dynamic_walks,
                 "Subnets sampled per step, gradients accumulated before one optimizer step");
  opts->Register("sandwich", &sandwich,
                 "Also train these subnets at every step of an elastic stage: \"\" (none, "
                 "the reference), \"largest\" or \"largest,smallest\" of the stage's space "
                 "(gradients added to the sampled subnets')");
  opts->Register("num-epochs", &num_epochs, "Passes over the training data");
  opts->Register("lr", &lr, "Maximum learning rate of the cyclic schedule");
  opts->Register("lr-min", &lr_min, "Base (minimum) learning rate of the cyclic schedule");
  opts->Register("cycle-steps", &cycle_steps,
                 "Half cycle of the triangular2 schedule in steps (0 = 8 epochs)");
  opts->Register("weight-decay", &weight_decay,
                 "Adam weight decay (L2 added to the gradients, or decoupled with --adamw)");
  opts->Register("adamw", &adamw, "Decoupled weight decay (AdamW) instead of L2");
  opts->Register("aam-margin", &aam_margin, "AAM-softmax additive angular margin");
  opts->Register("aam-scale", &aam_scale, "AAM-softmax scale");
  opts->Register("seed", &seed, "Seed of data order, crops and subnet sampling");
  opts->Register("log-every", &log_every, "Progress LOG line every N steps");
  opts->Register("checkpoint-every", &checkpoint_every,
                 "Write the checkpoint every N steps (0 = only at the end)");
  opts->Register("checkpoint", &checkpoint,
                 "Checkpoint file (model + optimizer state); default <supernet-out>.ckpt");
  opts->Register("max-steps", &max_steps,
                 "Stop after this many steps in total (0 = train all epochs); the checkpoint "
                 "then continues the run with --resume");
  opts->Register("gpu-prefetch", &gpu_prefetch,
                 "With --use-gpu: upload the next batch from pinned memory on a copy stream "
                 "while the current step computes (results are the same either way)");
  opts->Register("gpu-graph", &gpu_graph,
                 "With --use-gpu and --gpu-prefetch, when every step trains the same networks "
                 "(a static model, stage largest): capture the step in a CUDA graph and replay "
                 "it (results are the same either way)");
}

void TrainerOptions::Validate() const {
  if (dynamic_walks < 1) TD_ERR << "--dynamic-walks must be >= 1";
  if (!sandwich.empty() && sandwich != "largest" && sandwich != "largest,smallest")
    TD_ERR << "--sandwich=" << sandwich << ": expected \"\", largest or largest,smallest";
  if (num_epochs < 1) TD_ERR << "--num-epochs must be >= 1";
  if (!(lr > 0) || !(lr_min >= 0) || lr_min > lr) TD_ERR << "need 0 <= --lr-min <= --lr, --lr > 0";
  if (cycle_steps < 0) TD_ERR << "--cycle-steps must be >= 0";
  if (weight_decay < 0) TD_ERR << "--weight-decay must be >= 0";
  if (log_every < 1) TD_ERR << "--log-every must be >= 1";
  if (checkpoint_every < 0 || max_steps < 0) TD_ERR << "negative step count";
}

std::string TrainerOptions::ToString() const {
  std::ostringstream os;
  os << "--stage=" << stage << " --dynamic-walks=" << dynamic_walks << " --num-epochs="
     << num_epochs << " --lr=" << lr << " --lr-min=" << lr_min << " --cycle-steps="
     << cycle_steps << " --weight-decay=" << weight_decay << " --aam-margin=" << aam_margin
     << " --aam-scale=" << aam_scale << " --seed=" << seed << " --adamw=" << (adamw ? 1 : 0);
  // Only when set, so checkpoints written before the option existed still resume.
  if (!sandwich.empty()) os << " --sandwich=" << sandwich;
  return os.str();
}

Trainer::Trainer(const TrainerOptions &opts, NnetModel *model, BatchSource *data,
                 bool resume, Device device)
    : opts_(opts), device_(device), model_(model), data_(data) {
  opts_.Validate();
  const StaticTdnnOptions &nopts = model_->NetOptions();
  if (nopts.num_classes <= 0) TD_ERR << "the model has no AAM head: cannot train it";
  if (static_cast<int32>(data_->Speakers().size()) != nopts.num_classes)
    TD_ERR << "data has " << data_->Speakers().size() << " speakers, the model's head has "
           << nopts.num_classes << " classes";
  if (model_->IsSupernet())
    space_.reset(new SearchSpace(SearchSpace::Named(opts_.stage, model_->Super().Shape())));
  model_->FrontEnd().CheckFeatureDim(data_->Dim(), "training data");
  const int64 bpe = data_->BatchesPerEpoch();
  total_steps_ = bpe * opts_.num_epochs;
  CyclicLrOptions lro;
  lro.base_lr = opts_.lr_min;
  lro.max_lr = opts_.lr;
  lro.step_size = opts_.cycle_steps > 0 ? opts_.cycle_steps : 8 * bpe;
  lr_.reset(new CyclicLr(lro));
  AdamOptions ao;
  ao.weight_decay = opts_.weight_decay;
  ao.decoupled = opts_.adamw;
  const int64 np = model_->ParamBuffer().Size();
  if (device_ == Device::kCpu) {
    params_ = &model_->ParamBuffer();
    grads_ = &model_->GradBuffer();
    if (model_->IsSupernet()) state_ = &model_->Super().StateBuffer();
  } else if (model_->IsSupernet()) {
    Supernet &sn = model_->Super();
    dev_params_.Resize(device_, np);
    dev_grads_.Resize(device_, np);
    dev_state_.Resize(device_, sn.StateBuffer().Size());
    CopyBuffer(sn.ParamBuffer(), &dev_params_);
    CopyBuffer(sn.StateBuffer(), &dev_state_);
    params_ = &dev_params_;
    grads_ = &dev_grads_;
    state_ = &dev_state_;
  } else {
    const StaticTdnn &host = model_->Net();
    dev_net_.reset(new StaticTdnn(host.Config(), host.Options(), device_));
    CopyNetParamsAndState(host, dev_net_.get());
    params_ = &dev_net_->ParamBuffer();
    grads_ = &dev_net_->GradBuffer();
  }
  adam_.reset(new Adam(ao, device_, np));
  if (model_->IsStatic() && opts_.dynamic_walks > 1)
    TD_WARN << "--dynamic-walks=" << opts_.dynamic_walks
            << " has no effect on a static model (one network per step)";
  if (resume) {
    TrainState &ts = model_->Train();
    if (!ts.present || ts.adam_m.empty()) TD_ERR << "--resume: the model has no optimizer state";
    if (ts.options != opts_.ToString())
      TD_ERR << "--resume: options differ from the checkpoint's.\n  checkpoint: " << ts.options
             << "\n  now:        " << opts_.ToString();
    if (ts.total_steps != total_steps_)
      TD_ERR << "--resume: the checkpoint's run has " << ts.total_steps << " steps, this one "
             << total_steps_ << " (different data or batch size?)";
    if (static_cast<int64>(ts.adam_m.size()) != np) TD_ERR << "--resume: optimizer state size";
    step_ = ts.step;
    adam_->SetStep(ts.adam_t);
    CopyFloats(ts.adam_m.data(), Device::kCpu, adam_->FirstMoment().Data(), device_, np);
    CopyFloats(ts.adam_v.data(), Device::kCpu, adam_->SecondMoment().Data(), device_, np);
    ts.adam_m.clear();
    ts.adam_v.clear();
    TD_LOG << "resuming at step " << step_ << " of " << total_steps_;
  }
}

void Trainer::SyncModelToHost() {
  if (device_ == Device::kCpu) return;
  if (model_->IsSupernet()) {
    CopyBuffer(dev_params_, &model_->Super().ParamBuffer());
    CopyBuffer(dev_state_, &model_->Super().StateBuffer());
  } else {
    CopyNetParamsAndState(*dev_net_, &model_->Net());
  }
}

void Trainer::WriteCheckpoint(const std::string &wxfilename) {
  SyncModelToHost();
  TrainState &ts = model_->Train();
  ts.present = true;
  ts.stage = model_->IsStatic() ? "static" : opts_.stage;
  ts.seed = static_cast<uint64>(opts_.seed);
  ts.step = step_;
  ts.total_steps = total_steps_;
  ts.adam_t = adam_->Step();
  ts.options = opts_.ToString();
  const Buffer &m = adam_->FirstMoment(), &v = adam_->SecondMoment();
  ts.adam_m.resize(m.Size());
  ts.adam_v.resize(v.Size());
  CopyFloats(m.Data(), m.GetDevice(), ts.adam_m.data(), Device::kCpu, m.Size());
  CopyFloats(v.Data(), v.GetDevice(), ts.adam_v.data(), Device::kCpu, v.Size());
  try {
    WriteNnetModel(*model_, wxfilename, true);
  } catch (...) {
    ts.adam_m.clear();
    ts.adam_v.clear();
    throw;
  }
  ts.adam_m.clear();
  ts.adam_v.clear();
}

namespace {
std::string FormatSeconds(double s) {
  long t = static_cast<long>(s + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
  return buf;
}
double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// The device path's per-slot state (trainer.h, "CUDA graph"): where each step's walk losses
// land on the device (loss, number correct: two doubles per walk), their pinned host copies
// and the event after the copy, and each slot's captured step.
struct DeviceStepState {
  bool use_graph = false, warmed_up = false;
  int walks = 0;
  Buffer stats[2];
  double *host[2] = {nullptr, nullptr};
  gpu::StreamEvent fetched[2];
  gpu::StreamGraph graphs[2];   // last: destroyed first (it syncs the stream)
  void Init(Device device, int num_walks) {
    walks = num_walks;
    for (int k = 0; k < 2; k++) {
      stats[k].Resize(device, 4 * walks);
      host[k] = static_cast<double *>(gpu::AllocPinned(Bytes()));
    }
  }
  ~DeviceStepState() {
    for (int k = 0; k < 2; k++) {
      if (host[k] == nullptr) continue;
      fetched[k].HostWait();
      gpu::FreePinned(host[k]);
    }
  }
  size_t Bytes() const { return 2 * sizeof(double) * walks; }
  double *StatsOnDevice(int k) { return reinterpret_cast<double *>(stats[k].Data()); }
  // Queues the copy of slot k's step results to the host.
  void FetchStats(int k) {
    gpu::CopyDeviceToHostAsync(host[k], stats[k].Data(), Bytes());
    fetched[k].Record(gpu::StreamId::kCompute);
  }
  // Waits for them: mean loss over the walks and the number correct.
  void ReadStats(int k, int num_walks, double *loss, int64 *correct) {
    TD_ASSERT(num_walks == walks);
    fetched[k].HostWait();
    *loss = 0;
    *correct = 0;
    for (int w = 0; w < walks; w++) {
      *loss += host[k][2 * w] / walks;
      *correct += static_cast<int64>(host[k][2 * w + 1]);
    }
  }
};

std::string DescribeConfigs(const std::vector<SubnetConfig> &cfgs) {
  std::string s;
  for (const SubnetConfig &c : cfgs) s += (s.empty() ? "" : ", ") + c.ToString();
  return s;
}

// Nets --sandwich adds at every step: none in stage largest (its space is one net).
size_t NumSandwichNets(const TrainerOptions &opts, const SearchSpace &space) {
  if (opts.sandwich.empty() || space.Size() == 1) return 0;
  return opts.sandwich == "largest" ? 1 : 2;
}

}  // namespace

void Trainer::StepConfigs(std::mt19937_64 *rng, std::vector<SubnetConfig> *cfgs) const {
  cfgs->clear();
  const SearchSpace &sp = *space_;
  const size_t extra = NumSandwichNets(opts_, sp);
  // The first and last value of each sorted dimension: the space's largest and smallest.
  for (size_t e = 0; e < extra; e++) {
    const bool large = e == 0;
    const int32 d = large ? sp.Depths().back() : sp.Depths().front();
    const int32 c = large ? sp.Widths().back() : sp.Widths().front();
    const int32 k = large ? sp.Kernels().back() : sp.Kernels().front();
    const int32 cat = large ? sp.CatWidths().back() : sp.CatWidths().front();
    cfgs->emplace_back(d, std::vector<int32>(d + 1, c), std::vector<int32>(d + 1, k), cat);
  }
  for (int32 w = 0; w < opts_.dynamic_walks; w++) {
    cfgs->emplace_back();
    sp.SampleConfig(rng, &cfgs->back());
  }
}

void Trainer::QueueStep(const Tensor &x, const TrainBatch &batch,
                        const BatchPrefetcher::DeviceSlot *dev,
                        const std::vector<SubnetConfig> &cfgs, double *dev_stats, double *loss,
                        int64 *correct) {
  const bool super = model_->IsSupernet();
  grads_->SetZero();
  const int walks = super ? static_cast<int>(cfgs.size()) : 1;
  for (int w = 0; w < walks; w++) {
    StaticTdnn *net = nullptr;
    const Supernet::Slices *walk_slices = nullptr;
    if (super) {
      CachedNet *c = NetFor(cfgs[w]);
      net = c->net.get();
      model_->Super().MaterializeFrom(c->slices, *params_, *state_, net);
      net->ZeroGrad();
      walk_slices = &c->slices;
    } else {
      net = dev_net_ ? dev_net_.get() : &model_->Net();
    }
    if (dev != nullptr) {
      net->ForwardLossOnDevice(x, dev->labels, true, dev_stats + 2 * w);
    } else {
      int64 c = 0;
      const double l = net->ForwardLoss(x, batch.labels.data(), true, &c);
      if (!std::isfinite(l))
        TD_ERR << "loss is " << l << " at step " << step_ + 1 << " (epoch " << batch.epoch + 1
               << ", batch " << batch.index + 1 << ")"
               << (super ? " of subnet " + cfgs[w].ToString() : std::string())
               << ": diverged; lower --lr or check the data";
      *loss += l / walks;
      *correct += c;
    }
    net->Backward(1.0f);
    if (super) {
      model_->Super().ScatterGradTo(*walk_slices, *net, *params_, grads_);
      model_->Super().ScatterStateTo(*walk_slices, *net, state_);
    }
  }
  // The flat gradient buffer is complete here (every walk scattered into it).
  if (grad_hook_) grad_hook_(grads_);
  if (dev != nullptr)
    adam_->UpdateOnDevice(dev->coef, *grads_, params_);
  else
    adam_->Update(static_cast<float>(lr_->At(step_)), *grads_, params_);
}

bool Trainer::CaptureStep(gpu::StreamGraph *graph, const std::function<void()> &queue) {
  try {
    if (graph->Capture(queue)) {
      if (log_progress_)
        TD_LOG << "step " << step_ + 1 << " captured in a CUDA graph; later steps replay it";
      return true;
    }
  } catch (const FatalError &e) {
    TD_WARN << "cannot capture the training step in a CUDA graph (" << e.what()
            << "); running the steps eagerly";
  }
  return false;
}

Trainer::CachedNet *Trainer::NetFor(const SubnetConfig &cfg) {
  const std::string key = cfg.ToString();
  cache_clock_++;
  for (CachedNet &c : cache_)
    if (c.key == key) {
      c.last_used = cache_clock_;
      return &c;
    }
  // At most `walks` nets: each holds its activation arena (~800 MB for the 128/384 largest
  // at batch 64 x 200), and outside stage largest a config rarely comes back; the old net is
  // freed before the new one is built.
  const size_t cap = static_cast<size_t>(opts_.dynamic_walks) + NumSandwichNets(opts_, *space_);
  if (cache_.size() >= cap) {
    size_t lru = 0;
    for (size_t i = 1; i < cache_.size(); i++)
      if (cache_[i].last_used < cache_[lru].last_used) lru = i;
    cache_.erase(cache_.begin() + lru);
  }
  CachedNet c;
  c.key = key;
  c.net.reset(new StaticTdnn(cfg, model_->Super().Options(), device_));
  c.slices = model_->Super().BuildSlices(*c.net);
  c.last_used = cache_clock_;
  cache_.push_back(std::move(c));
  return &cache_.back();
}

std::vector<EpochSummary> Trainer::Run() {
  std::vector<EpochSummary> epochs;
  const bool super = model_->IsSupernet();
  if (super)
    TD_LOG << "training the supernet (" << model_->Super().Shape().ToString() << "), stage "
           << space_->Describe() << "; " << opts_.dynamic_walks << " subnet(s) per step"
           << (NumSandwichNets(opts_, *space_) > 0 ? " + the " + opts_.sandwich : std::string());
  else
    TD_LOG << "training the " << model_->Describe();
  const int64 bpe = data_->BatchesPerEpoch();
  const int64 end = opts_.max_steps > 0 ? std::min(opts_.max_steps, total_steps_) : total_steps_;
  if (step_ >= end) {
    TD_LOG << "nothing to do: step " << step_ << " of " << end;
    return epochs;
  }
  const int32 nb = data_->Options().batch_size, dim = data_->Dim();
  const int32 nf = data_->Options().crop_frames;
  data_->Start(step_);
  const double t_start = Now();
  double t_epoch = t_start;
  const int64 first_step = step_;
  double t_prev_step = t_start;
  double win_loss = 0, win_correct = 0, ep_loss = 0, ep_correct = 0;
  int64 win_steps = 0, ep_steps = 0;
  TrainBatch own_batch;
  std::vector<SubnetConfig> walk_cfgs;
  const int64 numel = static_cast<int64>(nb) * dim * nf;
  // GPU: the prefetched batch's device copies feed the "on device" step (no host round trip
  // inside the step; its losses come back after it), which a CUDA graph can capture.
  // (Declared before prefetch, destroyed after it: ds's destructor waits for the device.)
  std::unique_ptr<DeviceStepState> dss;
  std::unique_ptr<BatchPrefetcher> prefetch;
  if (device_ != Device::kCpu && opts_.gpu_prefetch) {
    prefetch.reset(new BatchPrefetcher(data_, device_, numel, model_->NetOptions().num_classes));
    prefetch->Stage(0, adam_->NextCoefficients(static_cast<float>(lr_->At(step_))));
    dss.reset(new DeviceStepState);
    dss->Init(device_, super ? static_cast<int>(opts_.dynamic_walks +
                                                NumSandwichNets(opts_, *space_)) : 1);
    // Every step the same networks and shapes: capture each slot's step once, replay after.
    dss->use_graph = opts_.gpu_graph && !grad_hook_ && (!super || space_->Size() == 1);
  }
  DeviceStepState *ds = dss.get();
  while (step_ < end) {
    const int slot = static_cast<int>((step_ - first_step) % 2);
    const TrainBatch *bp = &own_batch;
    Tensor x;
    BatchPrefetcher::DeviceSlot dev;
    if (prefetch) {
      bp = &prefetch->Acquire(slot, &dev);
      x = Tensor(dev.feats, {nb, dim, nf}, device_);
    } else {
      data_->Next(&own_batch);
      x = Tensor(own_batch.feats.data(), {nb, dim, nf});
      if (device_ != Device::kCpu) {
        if (dev_x_.Size() != numel) dev_x_.Resize(device_, numel);
        CopyFloats(own_batch.feats.data(), Device::kCpu, dev_x_.Data(), device_, numel);
        x = dev_x_.View({nb, dim, nf});
      }
    }
    const TrainBatch &batch = *bp;
    TD_ASSERT(batch.index == step_ % bpe && batch.epoch == step_ / bpe);
    const double t_step = Now();
    const double lr = lr_->At(step_);
    // The step's subnets: a generator seeded by (seed, step), so a resumed run draws the same.
    std::mt19937_64 rng(MixSeed(static_cast<uint64>(opts_.seed), 7, static_cast<uint64>(step_)));
    if (super) {
      StepConfigs(&rng, &walk_cfgs);
      step_cfgs_.push_back(walk_cfgs);
    }
    const int walks = super ? static_cast<int>(walk_cfgs.size()) : 1;
    double loss = 0;
    int64 correct = 0;
    if (prefetch) {
      const int64 t = adam_->Step();
      auto queue = [&]() { QueueStep(x, batch, &dev, walk_cfgs, ds->StatsOnDevice(slot)); };
      if (!ds->use_graph || !ds->warmed_up) {
        queue();   // (the first step also sets up what a capture must find in place)
        ds->warmed_up = true;
      } else {
        if (!ds->graphs[slot].Ready() && !CaptureStep(&ds->graphs[slot], queue)) {
          ds->use_graph = false;
          adam_->SetStep(t);
          queue();
        }
        if (ds->use_graph) ds->graphs[slot].Launch();
      }
      adam_->SetStep(t + 1);   // (a capture counted a step that only its launch runs)
      ds->FetchStats(slot);
      graph_steps_ += ds->use_graph && ds->graphs[slot].Ready() ? 1 : 0;
    } else {
      QueueStep(x, batch, nullptr, walk_cfgs, nullptr, &loss, &correct);
    }
    step_++;
    // Batch step_ goes up while this step's backward and Adam run on the device.
    if (prefetch) {
      prefetch->Release(slot);
      if (step_ < end)
        prefetch->Stage(1 - slot, adam_->NextCoefficients(static_cast<float>(lr_->At(step_))));
      ds->ReadStats(slot, walks, &loss, &correct);
      if (!std::isfinite(loss))
        TD_ERR << "loss is " << loss << " at step " << step_ << " (epoch " << batch.epoch + 1
               << ", batch " << batch.index + 1 << ")"
               << (super ? " of subnet(s) " + DescribeConfigs(walk_cfgs) : std::string())
               << ": diverged; lower --lr or check the data";
    }
    const double acc = static_cast<double>(correct) / (static_cast<double>(nb) * walks);
    step_losses_.push_back(loss);
    if (step_ - first_step > 1) step_secs_.push_back(t_step - t_prev_step);
    t_prev_step = t_step;
    step_accs_.push_back(acc);
    win_loss += loss; win_correct += acc; win_steps++;
    ep_loss += loss; ep_correct += acc; ep_steps++;
    if (log_progress_ && (step_ % opts_.log_every == 0 || step_ == end)) {
      const double el = Now() - t_start;
      const double done = static_cast<double>(step_ - first_step);
      const double ups = done * nb / std::max(el, 1e-9);
      const double eta = el / done * static_cast<double>(end - step_);
      char buf[256];
      std::snprintf(buf, sizeof(buf),
                    "step %lld/%lld epoch %lld loss %.4f acc %.2f%% lr %.3g utt/s %.1f ETA %s",
                    static_cast<long long>(step_), static_cast<long long>(total_steps_),
                    static_cast<long long>(batch.epoch + 1), win_loss / win_steps,
                    100.0 * win_correct / win_steps, lr, ups, FormatSeconds(eta).c_str());
      TD_LOG << buf;
      win_loss = win_correct = 0;
      win_steps = 0;
    }
    if (step_ % bpe == 0) {
      EpochSummary s;
      s.epoch = step_ / bpe;
      s.steps = ep_steps;
      s.loss = ep_loss / ep_steps;
      s.accuracy = ep_correct / ep_steps;
      s.seconds = Now() - t_epoch;
      epochs.push_back(s);
      char buf[200];
      std::snprintf(buf, sizeof(buf), "epoch %lld/%d done: %lld steps, loss %.4f, acc %.2f%%, %.1f s",
                    static_cast<long long>(s.epoch), opts_.num_epochs,
                    static_cast<long long>(s.steps), s.loss, 100.0 * s.accuracy, s.seconds);
      if (log_progress_) TD_LOG << buf;
      ep_loss = ep_correct = 0;
      ep_steps = 0;
      t_epoch = Now();
    }
    if (!opts_.checkpoint.empty() && opts_.checkpoint_every > 0 &&
        step_ % opts_.checkpoint_every == 0 && step_ < end) {
      WriteCheckpoint(opts_.checkpoint);
      TD_VLOG(1) << "checkpoint at step " << step_ << " written to " << opts_.checkpoint;
    }
  }
  data_->Stop();
  if (step_secs_.size() >= 3) {
    std::vector<double> s = step_secs_;
    std::nth_element(s.begin(), s.begin() + s.size() / 2, s.end());
    char buf[160];
    std::snprintf(buf, sizeof(buf), "median step time %.2f ms over %zu steps (%s)",
                  1e3 * s[s.size() / 2], s.size(), DeviceName(device_));
    TD_LOG << buf;
  }
  SyncModelToHost();
  if (!opts_.checkpoint.empty()) WriteCheckpoint(opts_.checkpoint);
  return epochs;
}

}  // namespace nnet
}  // namespace tdnas
