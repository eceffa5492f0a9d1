// nnet-train-predictor.cc: trains the TDNN-NAS accuracy predictor on evaluated subnets and
// reports how well it ranks held-out subnets, next to a MACs-only baseline: one seeded split,
// repeated K-fold cross-validation, and optionally another results file
// (library: nas/accuracy-predictor.h, nas/predictor-cv.h, nas/rank-correlation.h).
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "base/log.h"
#include "nas/accuracy-predictor.h"
#include "nas/predictor-cv.h"
#include "nas/rank-correlation.h"
#include "nas/subnet-results.h"
#include "nnet/parallel.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

int main(int argc, char *argv[]) {
  return tdnas::RunMain(argc, argv, [&]() -> int {
    using namespace tdnas;
    const char *usage =
        "Train the accuracy predictor (BN -> 3 x (Linear 400 + ReLU) -> Linear 1 over the\n"
        "one-hot architecture encoding; target = EER normalised; MSE; Adam) on a results file\n"
        "of evaluated subnets (lines CONFIG MACS PARAMS EER MINDCF, as nnet-eval-subnets\n"
        "writes). A seeded --holdout share is kept out of training; on it the program reports\n"
        "Kendall tau, Spearman rho and RMSE of the predictor, and the rank correlations of a\n"
        "MACs-only baseline (more MACs = lower EER). With --cv-repeats > 0 it also reports\n"
        "repeated --cv-folds cross-validation over all subnets (mean +- std over folds, same\n"
        "folds for both), and with --test-results the ranking of another results file (e.g.\n"
        "subnets measured on other speakers) by the written predictor and by MACs.\n"
        "For a few dozen noisy EERs the spec's MLP is wrapped (defaults; all off with\n"
        "--base=none --cost-features=false --ensemble=1): 8 cost features (log MACs, log\n"
        "params, depth, log widths, kernels) appended to the one-hot; a ridge-regression base\n"
        "on them whose residual the MLP learns; an ensemble of MLPs over seeds, averaged.\n"
        "Reason: on egs/mini's 24 subnets the bare one-hot MLP fits its training points\n"
        "exactly and ranks held-out ones worse than MACs (see nas/accuracy-predictor.h).\n"
        "The encoding's grids are those of a supernet of --max-width/--max-cat-width (a scaled\n"
        "supernet, e.g. 128/384, has coarse widths {32,48,64,96,128}); the shape is stored in\n"
        "the predictor, and a config wider than it is an ERROR.\n"
        "Usage:  nnet-train-predictor [options] <results-rxfilename> <predictor-wxfilename>\n"
        "e.g.:\n"
        " nnet-train-predictor --encoding=coarse --holdout=0.2 exp/nas/results.txt "
        "exp/nas/predictor.mdl\n"
        " nnet-train-predictor --max-width=128 --max-cat-width=384 exp/nas/results.txt "
        "exp/nas/predictor.mdl\n"
        " nnet-train-predictor --cv-folds=4 --cv-repeats=5 --test-results=exp/nas/eval_results.txt "
        "exp/nas/dev_results.txt exp/nas/predictor.mdl\n";
    ParseOptions po(usage);
    PredictorTrainOptions opts;
    std::string encoding = "coarse";
    float holdout = 0.2;
    int32 split_seed = 1, num_threads = 1, cv_folds = 4, cv_repeats = 0, cv_seed = 1;
    std::string test_results;
    bool binary = true, train_on_all = false;
    SupernetShape shape;
    opts.Register(&po);
    po.Register("max-width", &shape.max_width,
                "Width of the supernet the results come from (scales the encoding's grids)");
    po.Register("max-cat-width", &shape.max_cat_width,
                "Cat width of the supernet the results come from");
    po.Register("encoding", &encoding,
                "Input encoding = search space of the one-hot: coarse (48 dims) | fine (408)");
    po.Register("holdout", &holdout, "Share of the subnets held out for the report (0 = none)");
    po.Register("split-seed", &split_seed, "Seed of the train / held-out split");
    po.Register("cv-folds", &cv_folds, "Folds of the cross-validation report");
    po.Register("cv-repeats", &cv_repeats,
                "Repeats (reshuffles) of the cross-validation report (0 = none)");
    po.Register("cv-seed", &cv_seed, "Seed of the cross-validation shuffles (repeat r: seed + r)");
    po.Register("test-results", &test_results,
                "Another results file to rank with the written predictor and by MACs "
                "(e.g. subnets evaluated on other speakers); empty = none");
    po.Register("train-on-all", &train_on_all,
                "After the held-out report, retrain on every subnet and write that predictor");
    po.Register("num-threads", &num_threads, "CPU threads of the nnet kernels");
    po.Register("binary", &binary, "Write the predictor in binary mode");
    po.Read(argc, argv);
    if (po.NumArgs() != 2) {
      po.PrintUsage();
      return 1;
    }
    if (!(holdout >= 0 && holdout < 1)) TD_ERR << "--holdout must be in [0, 1), got " << holdout;
    opts.Validate();
    shape.Validate();
    if (cv_repeats < 0 || (cv_repeats > 0 && cv_folds < 2))
      TD_ERR << "--cv-repeats must be >= 0 and --cv-folds >= 2";
    nnet::SetNumThreads(std::max(1, num_threads));
    const std::string results_rx = po.GetArg(1), predictor_wx = po.GetArg(2);

    std::vector<SubnetResult> all = ReadSubnetResults(results_rx, false);
    AccuracyPredictor predictor(encoding, shape, opts.seed);
    std::vector<SubnetResult> usable;
    std::string why;
    for (const SubnetResult &r : all) {
      if (!shape.Fits(r.config, &why))
        TD_ERR << results_rx << ": " << r.config.ToString() << " does not fit the supernet ("
               << shape.ToString() << "): " << why
               << "; give the shape of its supernet with --max-width/--max-cat-width";
      if (predictor.CanEncode(r.config, &why)) usable.push_back(r);
      else TD_WARN << r.config.ToString() << " cannot be encoded (" << why << "), skipped";
    }
    const int32 n = usable.size(), n_test = static_cast<int32>(holdout * n + 0.5);
    if (n - n_test < 2)
      TD_ERR << "need at least 2 training subnets, have " << n - n_test
             << (n < static_cast<int32>(all.size())
                     ? " (configs outside the " + predictor.Space().Describe() +
                           ": results of a smaller supernet? see --max-width/--max-cat-width)"
                     : std::string());
    if (n_test > 0 && n_test < 2) TD_ERR << "held-out set of " << n_test << " subnet: use more data or --holdout=0";
    std::mt19937_64 rng(split_seed);
    for (int32 i = n - 1; i > 0; --i) std::swap(usable[i], usable[UniformInt(&rng, i + 1)]);
    auto split = [](const std::vector<SubnetResult> &v, size_t b, size_t e,
                    std::vector<SubnetConfig> *c, std::vector<double> *eer) {
      c->clear();
      eer->clear();
      for (size_t i = b; i < e; ++i) {
        c->push_back(v[i].config);
        eer->push_back(v[i].eer);
      }
    };
    std::vector<SubnetConfig> train_cfg, test_cfg;
    std::vector<double> train_eer, test_eer;
    split(usable, n_test, n, &train_cfg, &train_eer);
    split(usable, 0, n_test, &test_cfg, &test_eer);
    std::vector<double> curve = predictor.Train(train_cfg, train_eer, opts);
    if (curve.empty())
      TD_LOG << "Fitted the linear base on " << train_cfg.size() << " subnets (no MLP)";
    else
      TD_LOG << "Trained on " << train_cfg.size() << " subnets, " << opts.ToString()
             << ": loss (normalised MSE) " << curve.front() << " -> " << curve.back();
    if (predictor.UnseenInputs() > 0)
      TD_WARN << predictor.UnseenInputs() << " of " << predictor.InputDim()
              << " encoding dims were never active in training (predictions for subnets "
                 "using them are extrapolations; consider --encoding=coarse)";
    if (n_test > 0) {
      std::vector<double> pred, macs;
      predictor.Predict(test_cfg, &pred);
      for (int32 i = 0; i < n_test; ++i) macs.push_back(-static_cast<double>(usable[i].macs));
      std::printf("held-out %d subnets: predictor kendall_tau %.4f spearman %.4f rmse %.4f | "
                  "macs-only kendall_tau %.4f spearman %.4f\n", n_test,
                  KendallTau(pred, test_eer), SpearmanRho(pred, test_eer), Rmse(pred, test_eer),
                  KendallTau(macs, test_eer), SpearmanRho(macs, test_eer));
    }
    if (cv_repeats > 0 && n < 2 * cv_folds) {
      TD_WARN << "no cross-validation: " << n << " subnets for " << cv_folds << " folds";
    } else if (cv_repeats > 0) {
      const PredictorCvResult cv =
          CrossValidatePredictor(usable, encoding, shape, opts, cv_folds, cv_repeats, cv_seed);
      std::printf("%s\n", cv.ToString().c_str());
    }
    if (train_on_all && n_test > 0) {
      predictor = AccuracyPredictor(encoding, shape, opts.seed);
      split(usable, 0, n, &train_cfg, &train_eer);
      curve = predictor.Train(train_cfg, train_eer, opts);
      if (!curve.empty())
        TD_LOG << "Retrained on all " << n << " subnets: loss " << curve.front() << " -> "
               << curve.back();
    }
    WriteAccuracyPredictor(predictor, predictor_wx, binary);
    if (!test_results.empty()) {
      std::vector<SubnetConfig> cfg;
      std::vector<double> eer, pred, macs;
      for (const SubnetResult &r : ReadSubnetResults(test_results, false)) {
        if (!predictor.CanEncode(r.config, &why)) {
          TD_WARN << test_results << ": " << r.config.ToString() << " skipped: " << why;
          continue;
        }
        cfg.push_back(r.config);
        eer.push_back(r.eer);
        macs.push_back(-static_cast<double>(r.macs));
      }
      if (cfg.size() < 2) TD_ERR << test_results << ": fewer than 2 usable subnets";
      predictor.Predict(cfg, &pred);
      std::printf("test-results %zu subnets: predictor kendall_tau %.4f spearman %.4f | "
                  "macs-only kendall_tau %.4f spearman %.4f\n", cfg.size(),
                  KendallTau(pred, eer), SpearmanRho(pred, eer), KendallTau(macs, eer),
                  SpearmanRho(macs, eer));
    }
    TD_LOG << predictor.Info();
    TD_LOG << "Done " << n << " out of " << all.size() << " subnets used";
    return n > 0 ? 0 : 1;
  });
}
