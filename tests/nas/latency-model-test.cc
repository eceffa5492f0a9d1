// latency-model-test.cc: the per-layer latency model on synthetic tables: multi-linear
// interpolation (exact for tables linear in the widths), end-segment extrapolation, the
// monotone fix-up, the sum over a subnet's layers, the file round trip, latency budgets
// (infeasible-budget ERROR with the smallest latency), and a tiny real measurement.
#include "nas/latency-model.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <unistd.h>

#include "base/log.h"
#include "nas/cost-budget.h"
#include "nas/subnet-search.h"

namespace tdnas {
namespace {

// Fills every grid with a function linear in each width axis (kernel/dilation enter as
// constants), so interpolation must reproduce it exactly.
double Linear(const LatencyGrid &g, const int32 *key) {
  double v = 0.01 * (1 + g.layer.size());
  for (size_t a = 0; a < g.axes.size(); ++a) v += 0.001 * (a + 1) * key[a];
  return v;
}

LatencyModel SyntheticModel() {
  LatencyModel m({128, 256, 512}, {16, 64}, {256, 1024, 2048}, {384, 1536});
  for (LatencyGrid &g : m.Grids()) {
    std::vector<size_t> idx(g.axes.size(), 0);
    for (int64 p = 0; p < g.NumPoints(); ++p) {
      int32 key[3];
      for (size_t a = 0; a < idx.size(); ++a) key[a] = g.axes[a][idx[a]];
      g.ms[p] = Linear(g, key);
      for (int a = static_cast<int>(idx.size()) - 1; a >= 0; --a) {
        if (++idx[a] < g.axes[a].size()) break;
        idx[a] = 0;
      }
    }
  }
  m.MakeMonotone();
  return m;
}

TEST(LatencyModel, InterpolatesLinearTablesExactlyAndSumsLayers) {
  const LatencyModel m = SyntheticModel();
  for (const LatencyGrid &g : m.Grids()) {
    int32 key[3] = {g.exact[0] ? g.axes[0][1] : 200, 3, 40};
    if (g.axes.size() > 1 && !g.exact[1]) key[1] = 700;
    if (g.layer == "res2") key[1] = 3;
    EXPECT_NEAR(g.Lookup(key), Linear(g, key), 1e-9) << g.layer;
    if (g.layer == "conv1x1") {  // below the grid: extrapolated from the first segment
      int32 low[2] = {64, 300};
      EXPECT_NEAR(g.Lookup(low), Linear(g, low), 1e-9);
    }
  }
  const SubnetConfig cfg = ParseSubnetConfig("3-200-136-512-344-5-3-1-5-1000");
  const auto &G = m.Grids();
  auto at = [&](int i, std::vector<int32> key) { return G[i].Lookup(key.data()); };
  double want = at(0, {5, 200}) + at(4, {600, 1000}) + at(5, {1000});
  for (int i = 1; i <= 3; ++i)
    want += at(1, {200, cfg.widths[i]}) + at(1, {cfg.widths[i], 200}) +
            at(2, {cfg.kernels[i], i + 1, cfg.widths[i] / 8}) + at(3, {200});
  EXPECT_NEAR(m.PredictMs(cfg), want, 1e-9);
  EXPECT_LT(m.PredictMs(ParseSubnetConfig("smallest")), m.PredictMs(cfg));
  EXPECT_LT(m.PredictMs(cfg), m.PredictMs(ParseSubnetConfig("largest")));
}

TEST(LatencyModel, MonotoneFixUpAndRoundTrip) {
  LatencyModel m = SyntheticModel();
  LatencyGrid &se = m.Grids()[3];
  se.ms = {0.5, 0.3, 0.9};  // a noisy dip at width 256
  se.MakeMonotone();
  EXPECT_EQ(se.ms, (std::vector<double>{0.5, 0.5, 0.9}));
  LatencyGrid &stem = m.Grids()[0];  // kernels 1, 3, 5 x widths 128, 256, 512
  stem.ms[3] = 0.0;                  // kernel 3, width 128 below kernel 1's
  stem.MakeMonotone();
  EXPECT_EQ(stem.ms[3], stem.ms[0]);
  m.device = "test device";
  char path[] = "/tmp/latency-model-test.XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  m.Write(path);
  LatencyModel r;
  r.Read(path);
  std::remove(path);
  EXPECT_EQ(r.device, "test device");
  for (const char *c : {"smallest", "small", "mobile", "largest", "3-200-136-512-344-5-3-1-5-1000"})
    EXPECT_NEAR(r.PredictMs(ParseSubnetConfig(c)), m.PredictMs(ParseSubnetConfig(c)), 1e-6) << c;
}

TEST(LatencyModel, BudgetsSearchAndInfeasibleError) {
  const LatencyModel m = SyntheticModel();
  const SearchSpace fine = SearchSpace::Named("fine");
  CostBudget budget;
  budget.latency = &m;
  const double lo = m.PredictMs(ParseSubnetConfig("smallest")),
               hi = m.PredictMs(ParseSubnetConfig("largest"));
  budget.max_latency_ms = lo + 0.3 * (hi - lo);
  SubnetSearchOptions opts;
  opts.generations = 30;
  std::vector<ScoredSubnet> best =
      SearchSubnets(fine, budget, MakeProxyObjective("macs-proxy", fine, 301), opts, nullptr);
  for (const ScoredSubnet &s : best) {
    EXPECT_LE(s.latency_ms, budget.max_latency_ms);
    EXPECT_NEAR(s.latency_ms, m.PredictMs(s.config), 1e-9);
  }
  budget.max_latency_ms = 0.5 * lo;
  try {
    CheckBudgetFeasible(fine, budget);
    FAIL() << "expected an error";
  } catch (const FatalError &e) {
    EXPECT_NE(std::string(e.what()).find("smallest achievable cost"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find(" ms ("), std::string::npos) << e.what();
  }
}

TEST(LatencyModel, DefaultGridsFollowTheSupernetShape) {
  LatencyMeasureOptions opts;
  EXPECT_EQ(opts.WidthGrid(), (std::vector<int32>{128, 256, 384, 512}));
  EXPECT_EQ(opts.GroupGrid(), (std::vector<int32>{16, 32, 48, 64}));
  EXPECT_EQ(opts.CatInGrid(), (std::vector<int32>{256, 512, 1024, 1536, 2048}));
  EXPECT_EQ(opts.CatGrid(), (std::vector<int32>{384, 768, 1152, 1536}));
  opts.max_width = 128;
  opts.max_cat_width = 384;
  EXPECT_EQ(opts.WidthGrid(), (std::vector<int32>{32, 64, 96, 128}));
  EXPECT_EQ(opts.GroupGrid(), (std::vector<int32>{4, 8, 12, 16}));
  EXPECT_EQ(opts.CatInGrid(), (std::vector<int32>{64, 128, 256, 384, 512}));
  EXPECT_EQ(opts.CatGrid(), (std::vector<int32>{96, 192, 288, 384}));
  opts.width_grid = "16,128";  // an explicit grid wins
  EXPECT_EQ(opts.WidthGrid(), (std::vector<int32>{16, 128}));
  EXPECT_EQ(opts.GroupGrid(), (std::vector<int32>{2, 16}));
  opts.max_width = 100;  // not a multiple of 8
  EXPECT_THROW(opts.Validate(), FatalError);
}

TEST(LatencyModel, TinyMeasurementIsPositiveAndMonotone) {
  LatencyMeasureOptions opts;
  opts.frames = 50;
  opts.warmup = 1;
  opts.repeats = 3;
  opts.width_grid = "128,512";
  opts.group_grid = "16,64";
  opts.cat_in_grid = "256,2048";
  opts.cat_grid = "384,1536";
  const LatencyModel m = MeasureLatencyTable(opts, nnet::Device::kCpu);
  const double small = m.PredictMs(ParseSubnetConfig("smallest")),
               large = m.PredictMs(ParseSubnetConfig("largest"));
  EXPECT_GT(small, 0);
  EXPECT_GT(large, small);
  const double direct = TimeStaticTdnnMs(ParseSubnetConfig("smallest"), opts, nnet::Device::kCpu);
  std::printf("tiny table (50 frames): smallest predicted %.3f ms, direct %.3f ms; largest "
              "predicted %.3f ms\n", small, direct, large);
  EXPECT_GT(direct, 0);
}

}  // namespace
}  // namespace tdnas
