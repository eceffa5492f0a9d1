// nnet-eval-eer: EER and minDCF of a trial list, from a scores file or from embeddings
// (cosine, optionally AS-Norm), on one parseable stdout line.
#include <cstdio>
#include <limits>
#include <unordered_map>

#include "gpu/gpu-api.h"
#include "sv/as-norm.h"
#include "sv/cosine-scoring.h"
#include "sv/eer.h"
#include "sv/min-dcf.h"
#include "sv/scores.h"
#include "sv/trials.h"
#include "util/kaldi-io.h"
#include "util/kaldi-table.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

namespace {
using namespace tdnas;

bool IsRspecifier(const std::string &s) {
  std::string rx;
  RspecifierOptions o;
  return ClassifyRspecifier(s, &rx, &o) != RspecifierType::kNone;
}

void ReadEmbeddings(const std::string &rspecifier, EmbeddingTable *table) {
  for (SequentialBaseFloatVectorReader reader(rspecifier); !reader.Done(); reader.Next())
    table->Add(reader.Key(), reader.Value());
  if (table->NumRows() == 0) TD_ERR << "no embeddings in " << rspecifier;
}
}  // namespace

int main(int argc, char *argv[]) {
  return tdnas::RunMain(argc, argv, [&]() -> int {
    const char *usage =
        "Evaluate a trial list: EER (%) and minDCF (C_miss = C_fa = 1) for each --p-target,\n"
        "printed on one stdout line of key=value fields:\n"
        "  eer=1.2345 mindcf@0.01=0.1234 [mindcf@0.001=...] trials=N targets=T nontargets=N\n"
        "from a scores file (\"<enroll> <test> <score>\" lines) or from embeddings (cosine\n"
        "scoring of L2-normalised vectors; one rspecifier for both sides or enroll + test),\n"
        "optionally AS-Norm with --cohort-rspecifier. --transform maps every embedding\n"
        "(trial and cohort sides) by a matrix first, e.g. compute-wccn's WCCN transform.\n"
        "Usage: nnet-eval-eer [options] <trials> <scores-rxfilename>\n"
        "   or: nnet-eval-eer [options] <trials> <embeddings-rspecifier> [<test-embeddings-rspecifier>]\n"
        "e.g.: nnet-eval-eer --p-target=0.01,0.001 data/test/trials ark:exp/emb.ark\n"
        "      nnet-eval-eer --transform=exp/wccn.mat --cohort-rspecifier=ark:exp/cohort.ark \\\n"
        "        data/test/trials ark:exp/emb.ark\n";
    ParseOptions po(usage);
    std::string p_target = "0.01", cohort, use_gpu = "no", transform;
    bool permissive = false;
    AsNormOptions asopts;
    po.Register("p-target", &p_target, "Target prior(s) of minDCF, comma separated");
    po.Register("cohort-rspecifier", &cohort, "Cohort embeddings: apply AS-Norm to the scores");
    po.Register("permissive", &permissive,
                "Skip trials whose keys are missing (counted) instead of failing");
    po.Register("transform", &transform,
                "Matrix (rxfilename) applied to every L2-normalised embedding, trial and cohort "
                "sides, before cosine scoring (e.g. the output of compute-wccn)");
    po.Register("use-gpu", &use_gpu, "no|yes|optional (scoring runs on the CPU)");
    asopts.Register(&po);
    po.Read(argc, argv);
    if (po.NumArgs() < 2 || po.NumArgs() > 3) {
      po.PrintUsage();
      return 1;
    }
    gpu::SelectDevice(use_gpu);
    std::vector<double> p_targets = ParsePTargets(p_target);
    std::vector<Trial> trials;
    {
      Input in(po.GetArg(1));
      ReadTrials(in.Stream(), po.GetArg(1), &trials);
    }
    if (trials.empty()) TD_ERR << "no trials in " << po.GetArg(1);
    std::vector<float> scores(trials.size());
    int64 missing = 0;
    const bool embeddings = IsRspecifier(po.GetArg(2));
    if (!embeddings) {
      if (po.NumArgs() != 2) TD_ERR << "a scores file takes no third argument";
      if (!cohort.empty()) TD_ERR << "--cohort-rspecifier needs embeddings, not scores";
      if (!transform.empty()) TD_ERR << "--transform needs embeddings, not scores";
      std::vector<TrialScore> ts;
      {
        Input in(po.GetArg(2));
        ReadTrialScores(in.Stream(), po.GetArg(2), &ts);
      }
      std::unordered_map<std::string, float> by_pair;
      for (const auto &t : ts) by_pair[t.enroll + ' ' + t.test] = t.score;
      for (size_t i = 0; i < trials.size(); i++) {
        auto it = by_pair.find(trials[i].enroll + ' ' + trials[i].test);
        if (it != by_pair.end()) { scores[i] = it->second; continue; }
        if (!permissive)
          TD_ERR << "no score for trial " << trials[i].enroll << " " << trials[i].test << " in "
                 << po.GetArg(2) << " (use --permissive to skip such trials)";
        scores[i] = std::numeric_limits<float>::quiet_NaN();
        missing++;
      }
    } else {
      Matrix<float> transform_mat;
      if (!transform.empty()) ReadKaldiObject(transform, &transform_mat);
      auto read = [&](const std::string &rspecifier, EmbeddingTable *table) {
        ReadEmbeddings(rspecifier, table);
        if (!transform.empty()) table->Transform(transform_mat, transform);
      };
      EmbeddingTable enroll, test;
      read(po.GetArg(2), &enroll);
      const bool two = po.NumArgs() == 3;
      if (two) read(po.GetArg(3), &test);
      const EmbeddingTable &t = two ? test : enroll;
      missing = ScoreTrialsCosine(enroll, t, trials, permissive, &scores);
      if (!cohort.empty()) {
        EmbeddingTable cohort_table;
        read(cohort, &cohort_table);
        AsNorm asnorm(cohort_table, asopts.top_n);
        ApplyAsNorm(asnorm, enroll, t, trials, &scores);
      }
    }
    if (missing > 0) TD_WARN << "skipped " << missing << " trials with missing keys";
    std::vector<float> target, nontarget;
    SplitScoresByLabel(trials, scores, &target, &nontarget);
    if (target.empty() || nontarget.empty())
      TD_ERR << "need both target and nontarget trials (have " << target.size() << " and "
             << nontarget.size() << ")";
    SortScores(&target);
    SortScores(&nontarget);
    float threshold = 0;
    const float eer = ComputeEerSorted(target, nontarget, &threshold);
    std::vector<DcfResult> dcf = ComputeMinDcfSorted(target, nontarget, p_targets);
    std::printf("eer=%.4f", 100.0 * eer);
    for (const auto &d : dcf) std::printf(" mindcf@%g=%.4f", d.p_target, d.min_dcf);
    std::printf(" trials=%zu targets=%zu nontargets=%zu", target.size() + nontarget.size(),
                target.size(), nontarget.size());
    if (missing > 0) std::printf(" skipped=%lld", static_cast<long long>(missing));
    std::printf("\n");
    TD_LOG << "EER " << 100.0 * eer << "% at threshold " << threshold << (cohort.empty() ? "" : " (AS-Norm)");
    return 0;
  });
}
