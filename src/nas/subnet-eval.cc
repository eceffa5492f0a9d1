// subnet-eval.cc: materialise + BN recalibration + embeddings + cosine EER/minDCF of a subnet.
#include "nas/subnet-eval.h"

#include <cstring>
#include <unordered_set>

#include "base/log.h"
#include "nnet/device-copy.h"
#include "nnet/mac-count.h"
#include "sv/cosine-scoring.h"
#include "sv/eer.h"
#include "sv/min-dcf.h"
#include "sv/scores.h"

namespace tdnas {

void SubnetEvalOptions::Register(OptionsItf *opts) {
  recalibrate.Register(opts);
  embedding.Register(opts);
  opts->Register("p-target", &p_target, "Target prior of minDCF");
  opts->Register("frames", &frames, "Frames the reported MACs are counted at (301 = 3 s)");
}

void SubnetEvalOptions::Validate() const {
  recalibrate.Validate();
  embedding.Validate();
  if (!(p_target > 0 && p_target < 1)) TD_ERR << "--p-target must be in (0, 1), got " << p_target;
  if (frames < 1) TD_ERR << "--frames must be >= 1";
}

SubnetEvaluator::SubnetEvaluator(const nnet::Supernet &supernet,
                                 const nnet::FrontEndInfo &front_end,
                                 const std::vector<Matrix<float>> &recal_utts,
                                 const std::vector<std::pair<std::string, Matrix<float>>> &dev,
                                 const std::vector<Trial> &trials, const SubnetEvalOptions &opts)
    : supernet_(supernet), front_end_(front_end), recal_(recal_utts), dev_(dev), trials_(trials),
      opts_(opts) {
  opts_.Validate();
  if (recal_.empty()) TD_ERR << "no BN recalibration utterances";
  if (trials_.empty()) TD_ERR << "no trials";
  std::unordered_set<std::string> keys;
  for (const auto &kv : dev_) keys.insert(kv.first);
  for (const Trial &t : trials_)
    for (const std::string *k : {&t.enroll, &t.test})
      if (keys.count(*k) == 0) TD_ERR << "trial utterance '" << *k << "' has no dev features";
}

SubnetResult SubnetEvaluator::EvaluateNet(nnet::StaticTdnn *net) const {
  nnet::RecalibrateBn(recal_, front_end_.cmn, opts_.recalibrate, net);
  nnet::EmbeddingExtractor extractor(net, front_end_, opts_.embedding);
  EmbeddingTable table;
  Vector<float> emb;
  for (const auto &kv : dev_) {
    extractor.Extract(kv.second, &emb);
    table.Add(kv.first, emb);
  }
  std::vector<float> scores, target, nontarget;
  ScoreTrialsCosine(table, table, trials_, false, &scores);
  SplitScoresByLabel(trials_, scores, &target, &nontarget);
  if (target.empty() || nontarget.empty()) TD_ERR << "need target and nontarget trials";
  SortScores(&target);
  SortScores(&nontarget);
  float threshold = 0;
  SubnetResult r;
  r.config = net->Config();
  r.eer = 100.0 * ComputeEerSorted(target, nontarget, &threshold);
  r.mindcf = ComputeMinDcfSorted(target, nontarget, opts_.p_target).min_dcf;
  const SubnetCost cost = CountSubnetCost(r.config, opts_.frames);
  r.macs = cost.macs;
  r.params = cost.params;
  return r;
}

SubnetResult SubnetEvaluator::Evaluate(const SubnetConfig &cfg) const {
  nnet::StaticTdnnOptions nopts = supernet_.Options();
  nopts.num_classes = 0;  // no head: embeddings only
  nnet::StaticTdnn net(cfg, nopts);
  supernet_.Materialize(&net);
  if (opts_.device == nnet::Device::kCpu) return EvaluateNet(&net);
  nnet::StaticTdnn dev_net(cfg, nopts, opts_.device);
  nnet::CopyNetParamsAndState(net, &dev_net);
  return EvaluateNet(&dev_net);
}

void SupernetFromModel(const nnet::NnetModel &model, nnet::Supernet *supernet) {
  if (model.IsSupernet()) {
    // A supernet model: its shape decides (a scaled supernet replaces *supernet, keeping its
    // options); every tensor but the AAM head (when *supernet has none) is copied.
    const nnet::Supernet &src = model.Super();
    if (supernet->Shape() != src.Shape())
      *supernet = nnet::Supernet(supernet->Options(), src.Shape());
    nnet::Supernet &s = const_cast<nnet::Supernet &>(src);
    for (int pass = 0; pass < 2; ++pass) {
      const nnet::ParamTable &ft = pass ? src.State() : src.Params();
      const nnet::ParamTable &tt = pass ? supernet->State() : supernet->Params();
      const nnet::Buffer &fb = pass ? s.StateBuffer() : s.ParamBuffer();
      nnet::Buffer &tb = pass ? supernet->StateBuffer() : supernet->ParamBuffer();
      for (int i = 0; i < tt.Size(); ++i) {
        const int j = ft.Find(tt.Entry(i).name);
        if (j < 0 || ft.Entry(j).shape != tt.Entry(i).shape)
          TD_ERR << "supernet tensor " << tt.Entry(i).name << " is missing or has another shape";
        std::memcpy(tb.Data() + tt.Entry(i).offset, fb.Data() + ft.Entry(j).offset,
                    sizeof(float) * tt.Entry(i).size);
      }
    }
    TD_VLOG(1) << "supernet (" << src.Shape().ToString() << ") from a supernet model";
    return;
  }
  const nnet::StaticTdnn &net = model.Net();
  if (!model.IsStatic() || net.Config() != nnet::Supernet::LargestConfig())
    TD_ERR << "need a supernet or a static model of the largest config ("
           << nnet::Supernet::LargestConfig().ToString() << "), got a "
           << nnet::ModelKindName(model.Kind()) << " model of " << net.Config().ToString();
  auto copy = [](const nnet::ParamTable &from_t, const nnet::Buffer &from_b,
                 const nnet::ParamTable &to_t, nnet::Buffer *to_b) {
    int copied = 0;
    for (int i = 0; i < to_t.Size(); ++i) {
      const int j = from_t.Find(to_t.Entry(i).name);
      if (j < 0) continue;  // kernel transforms, AAM head
      if (from_t.Entry(j).shape != to_t.Entry(i).shape)
        TD_ERR << "tensor " << to_t.Entry(i).name << ": shapes differ";
      std::memcpy(to_b->Data() + to_t.Entry(i).offset, from_b.Data() + from_t.Entry(j).offset,
                  sizeof(float) * to_t.Entry(i).size);
      ++copied;
    }
    return copied;
  };
  nnet::StaticTdnn &src = const_cast<nnet::StaticTdnn &>(net);
  const int np = copy(src.Params(), src.ParamBuffer(), supernet->Params(),
                      &supernet->ParamBuffer());
  copy(src.State(), src.StateBuffer(), supernet->State(), &supernet->StateBuffer());
  TD_VLOG(1) << "supernet: " << np << " tensors from the largest static model";
}

}  // namespace tdnas
