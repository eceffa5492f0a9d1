// subnet-search-test.cc: evolutionary and random search on synthetic objectives with known
// optima, exact budget handling (every result meets it; tight budgets; infeasible budgets),
// memoisation and reproducibility.
#include "nas/subnet-search.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "base/log.h"

namespace tdnas {
namespace {

// Distance (in grid steps) from cfg to a target subnet of the fine grid; 0 only at the target.
SubnetObjective DistanceTo(const SubnetConfig &target, int64 *calls) {
  return [target, calls](const SubnetConfig &cfg) {
    ++*calls;
    double s = 20.0 * std::abs(cfg.depth - target.depth);
    for (int32 i = 0; i <= std::min(cfg.depth, target.depth); ++i)
      s += std::abs(cfg.widths[i] - target.widths[i]) / 8.0 +
           std::abs(cfg.kernels[i] - target.kernels[i]) / 2.0;
    return s + std::abs(cfg.cat_width - target.cat_width) / 8.0;
  };
}

TEST(SubnetSearch, EvolutionFindsTheOptimumAndBeatsRandom) {
  const SearchSpace fine = SearchSpace::Named("fine");
  const SubnetConfig target = ParseSubnetConfig("3-344-200-456-296-3-5-1-3-936");
  CostBudget budget;  // unconstrained
  int64 calls = 0;
  SubnetSearchOptions opts;
  opts.generations = 300;
  SearchStats stats;
  std::vector<ScoredSubnet> evo = SearchSubnets(fine, budget, DistanceTo(target, &calls), opts,
                                                &stats);
  ASSERT_EQ(evo.size(), 5u);
  EXPECT_EQ(calls, stats.objective_calls);  // memoised: one call per distinct subnet
  EXPECT_LE(stats.objective_calls, stats.candidates);
  for (size_t i = 1; i < evo.size(); ++i) EXPECT_LE(evo[i - 1].score, evo[i].score);
  EXPECT_LE(evo[0].score, 2.0) << evo[0].config.ToString();  // within 2 grid steps of the target
  opts.method = "random";
  opts.num_random = static_cast<int32>(stats.candidates);  // same number of proposals
  std::vector<ScoredSubnet> rnd = SearchSubnets(fine, budget, DistanceTo(target, &calls), opts,
                                                &stats);
  EXPECT_LT(evo[0].score + 10, rnd[0].score);
  TD_LOG << "distance to target after " << stats.candidates << " proposals: evolution "
         << evo[0].score << " (" << evo[0].config.ToString() << "), random " << rnd[0].score;
}

TEST(SubnetSearch, ProxyUnderAMacBudgetFillsTheBudget) {
  const SearchSpace fine = SearchSpace::Named("fine");
  for (const char *method : {"evolution", "random"}) {
    CostBudget budget;
    budget.max_macs = 570984384;  // Mobile's MACs
    SubnetSearchOptions opts;
    opts.method = method;
    SearchStats stats;
    std::vector<ScoredSubnet> best = SearchSubnets(
        fine, budget, MakeProxyObjective("macs-proxy", fine, budget.frames), opts, &stats);
    ASSERT_FALSE(best.empty());
    for (const ScoredSubnet &s : best) {
      EXPECT_TRUE(fine.Contains(s.config, nullptr));
      EXPECT_LE(s.cost.macs, budget.max_macs);
      EXPECT_EQ(s.cost.macs, CountSubnetMacs(s.config, 301));
    }
    EXPECT_GT(best[0].cost.macs, 0.99 * budget.max_macs) << method;
  }
}

TEST(SubnetSearch, TightBudgetsAreRepairedAndStillMet) {
  const SearchSpace fine = SearchSpace::Named("fine");
  CostBudget budget;
  budget.frames = 300;
  budget.max_macs = 83474560 + 3000000;  // barely above the smallest net
  budget.max_params = 460000;
  SubnetSearchOptions opts;
  opts.generations = 20;
  SearchStats stats;
  std::vector<ScoredSubnet> best = SearchSubnets(
      fine, budget, MakeProxyObjective("params-proxy", fine, 300), opts, &stats);
  EXPECT_GT(stats.repairs, 0);
  for (const ScoredSubnet &s : best) EXPECT_TRUE(budget.Meets(s.cost)) << s.config.ToString();
  budget.max_macs = 83474560;  // only the smallest net itself
  budget.max_params = -1;
  best = SearchSubnets(fine, budget, MakeProxyObjective("macs-proxy", fine, 300), opts, &stats);
  ASSERT_EQ(best.size(), 1u);
  EXPECT_EQ(best[0].config.ToString(), "2-128-128-128-1-1-1-384");
}

TEST(SubnetSearch, InfeasibleBudgetIsAClearError) {
  const SearchSpace coarse = SearchSpace::Named("coarse");
  CostBudget budget;
  budget.max_params = 100000;
  SubnetSearchOptions opts;
  try {
    SearchSubnets(coarse, budget, MakeProxyObjective("macs-proxy", coarse, 301), opts, nullptr);
    FAIL() << "no error";
  } catch (const FatalError &e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("smallest achievable cost is"), std::string::npos) << msg;
    EXPECT_NE(msg.find("443968 params"), std::string::npos) << msg;
  }
}

TEST(SubnetSearch, ReproducibleForASeed) {
  const SearchSpace fine = SearchSpace::Named("fine");
  CostBudget budget;
  budget.max_macs = 1000000000;
  SubnetSearchOptions opts;
  opts.generations = 30;
  // An objective with many near-ties, so that the search path matters.
  auto objective = [](const SubnetConfig &cfg) {
    return static_cast<double>((cfg.widths[0] * 7 + cfg.cat_width * 3 + cfg.depth) % 101);
  };
  auto a = SearchSubnets(fine, budget, objective, opts, nullptr);
  auto b = SearchSubnets(fine, budget, objective, opts, nullptr);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].config, b[i].config);
}

TEST(SubnetSearch, FiftyByTwoHundredIsFast) {
  // The issue asks for 50 x 200 predictor evaluations with exact cost checks in seconds; with
  // a cheap objective the search overhead itself must stay well under a second.
  const SearchSpace fine = SearchSpace::Named("fine");
  CostBudget budget;
  budget.max_macs = 1450000000;
  SubnetSearchOptions opts;
  auto t0 = std::chrono::steady_clock::now();
  SearchStats stats;
  SearchSubnets(fine, budget, MakeProxyObjective("macs-proxy", fine, 301), opts, &stats);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(secs, 2.0);
  TD_LOG << "50 x 200 evolution: " << secs << " s, " << stats.candidates << " candidates, "
         << stats.objective_calls << " distinct";
}

TEST(SubnetSearch, BadOptionsAndObjectives) {
  const SearchSpace fine = SearchSpace::Named("fine");
  SubnetSearchOptions opts;
  opts.method = "annealing";
  EXPECT_THROW(opts.Validate(), FatalError);
  opts = SubnetSearchOptions();
  opts.parent_ratio = 0.8;
  EXPECT_THROW(opts.Validate(), FatalError);
  EXPECT_THROW(MakeProxyObjective("eer", fine, 301), FatalError);
}

}  // namespace
}  // namespace tdnas

namespace tdnas {
namespace {

TEST(SubnetSearch, ParetoFrontDropsDominatedPoints) {
  // (cost, score): B dominates D (cheaper and better); C duplicates A's cost with a worse score.
  const std::vector<double> cost = {1.0, 2.0, 1.0, 3.0, 4.0}, score = {5.0, 3.0, 6.0, 3.5, 1.0};
  EXPECT_EQ(ParetoFront(cost, score), (std::vector<size_t>{0, 1, 4}));
  EXPECT_TRUE(ParetoFront({}, {}).empty());
}

TEST(SubnetSearch, BatchObjectiveEqualsScalarObjective) {
  const SearchSpace fine = SearchSpace::Named("fine");
  CostBudget budget;
  budget.max_macs = 570984384;
  SubnetSearchOptions opts;
  opts.generations = 40;
  const SubnetObjective scalar = MakeProxyObjective("params-proxy", fine, 301);
  int64 batches = 0;
  const SubnetBatchObjective batch = [&](const std::vector<SubnetConfig> &c,
                                         std::vector<double> *s) {
    ++batches;
    s->resize(c.size());
    for (size_t i = 0; i < c.size(); ++i) (*s)[i] = scalar(c[i]);
  };
  SearchStats a, b;
  const auto ra = SearchSubnets(fine, budget, scalar, opts, &a);
  const auto rb = SearchSubnets(fine, budget, batch, opts, &b);
  ASSERT_EQ(ra.size(), rb.size());
  for (size_t i = 0; i < ra.size(); ++i) EXPECT_EQ(ra[i].config, rb[i].config);
  EXPECT_EQ(a.objective_calls, b.objective_calls);
  EXPECT_LE(batches, opts.generations + 1);  // one call per generation at most
}

}  // namespace
}  // namespace tdnas
