// subnet-eval.h: measured accuracy of subnets of a supernet (spec section 4: "BN recalibration
// before evaluating any subnet ... Found subnets are re-evaluated for real"): materialise the
// subnet, recalibrate its BN statistics on training crops, embed the dev utterances, score the
// dev trials by cosine, and report EER (%) and minDCF. nnet-eval-subnets runs it over a list
// of configs, appending to a results file (nas/subnet-results.h).
//
// The evaluator holds the supernet, the recalibration utterances, the dev utterances and the
// trials in memory, so each subnet costs one materialisation, the recalibration batches and one
// forward per dev utterance. Everything is seeded: evaluating a subnet twice gives the same
// numbers.
#ifndef TDNAS_NAS_SUBNET_EVAL_H_
#define TDNAS_NAS_SUBNET_EVAL_H_

#include <string>
#include <utility>
#include <vector>

#include "matrix/kaldi-matrix.h"
#include "nas/subnet-results.h"
#include "nnet/mac-count.h"
#include "nnet/bn-recalibrate.h"
#include "nnet/embedding-extractor.h"
#include "nnet/model-io.h"
#include "nnet/supernet.h"
#include "sv/trials.h"
#include "util/options-itf.h"

namespace tdnas {

struct SubnetEvalOptions {
  nnet::BnRecalibrateOptions recalibrate;
  nnet::EmbeddingOptions embedding;
  double p_target = 0.01;   // minDCF target prior (the published numbers)
  // Where each materialised subnet is recalibrated and run: the supernet stays on the host
  // (gathering a subnet is cheap next to recalibration + embedding), its copy goes to the GPU.
  nnet::Device device = nnet::Device::kCpu;
  int32 frames = kDefaultMacFrames;  // MACs are counted at this many frames
  void Register(OptionsItf *opts);
  void Validate() const;
};

class SubnetEvaluator {
 public:
  // All references must outlive the evaluator. dev: (key, (T, dim) features) per utterance;
  // every key of the trials must be among them (TD_ERR otherwise, at construction).
  SubnetEvaluator(const nnet::Supernet &supernet, const nnet::FrontEndInfo &front_end,
                  const std::vector<Matrix<float>> &recal_utts,
                  const std::vector<std::pair<std::string, Matrix<float>>> &dev,
                  const std::vector<Trial> &trials, const SubnetEvalOptions &opts);

  // Materialise, recalibrate, embed, score.
  SubnetResult Evaluate(const SubnetConfig &cfg) const;

  // The same on an already materialised network (recalibrated in place).
  SubnetResult EvaluateNet(nnet::StaticTdnn *net) const;

 private:
  const nnet::Supernet &supernet_;
  const nnet::FrontEndInfo &front_end_;
  const std::vector<Matrix<float>> &recal_;
  const std::vector<std::pair<std::string, Matrix<float>>> &dev_;
  const std::vector<Trial> &trials_;
  SubnetEvalOptions opts_;
};

// Fills a supernet from a model file's network: a supernet model (of any shape: *supernet is
// rebuilt with the model's shape, keeping its options, e.g. no AAM head), or a static model of
// the paper's largest config (e.g. stage 0 of training), whose tensors are the supernet's
// shared weights (the kernel transforms stay at identity, so every subnet's kernels are centre
// slices).
// TD_ERR for a static model of any other config.
void SupernetFromModel(const nnet::NnetModel &model, nnet::Supernet *supernet);

}  // namespace tdnas

#endif  // TDNAS_NAS_SUBNET_EVAL_H_
