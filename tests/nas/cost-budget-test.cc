// cost-budget-test.cc: budgets, the cheapest subnet (checked by brute force over the whole coarse
// space, which also checks that cost is monotone enough for "cheapest = smallest everything"),
// infeasible-budget errors and count parsing.
#include "nas/cost-budget.h"

#include <gtest/gtest.h>

#include "base/log.h"

namespace tdnas {
namespace {

TEST(CostBudget, CheapestSubnetIsTheBruteForceMinimum) {
  const SearchSpace coarse = SearchSpace::Named("coarse");
  EXPECT_EQ(CheapestSubnet(coarse).ToString(), "2-128-128-128-1-1-1-384");
  EXPECT_EQ(CheapestSubnet(SearchSpace::Named("fine")), ParseSubnetConfig("smallest"));
  EXPECT_EQ(CheapestSubnet(SearchSpace::Named("width1")).ToString(), "2-256-256-256-1-1-1-768");
  SubnetConfig cfg;
  int64 min_macs = INT64_MAX, min_params = INT64_MAX;
  for (uint64 i = 0; i < coarse.Size(); ++i) {
    coarse.ConfigAt(i, &cfg);
    SubnetCost c = CountSubnetCost(cfg, 301);
    min_macs = std::min(min_macs, c.macs);
    min_params = std::min(min_params, c.params);
  }
  SubnetCost cheapest = CountSubnetCost(CheapestSubnet(coarse), 301);
  EXPECT_EQ(min_macs, cheapest.macs);
  EXPECT_EQ(min_params, cheapest.params);
}

TEST(CostBudget, Meets) {
  CostBudget b;
  EXPECT_TRUE(b.Meets(ParseSubnetConfig("largest")));
  EXPECT_EQ(b.ToString(), "no cost limit");
  b.max_macs = 570984384;  // Mobile exactly
  EXPECT_TRUE(b.Meets(ParseSubnetConfig("mobile")));
  b.max_macs = 570984383;
  EXPECT_FALSE(b.Meets(ParseSubnetConfig("mobile")));
  b.max_macs = -1;
  b.max_params = 899200;  // Small exactly
  EXPECT_TRUE(b.Meets(ParseSubnetConfig("small")));
  EXPECT_FALSE(b.Meets(ParseSubnetConfig("mobile")));
  EXPECT_EQ(b.ToString(), "params <= 899.20K (899200)");
}

TEST(CostBudget, InfeasibleBudgetStatesTheSmallestCost) {
  const SearchSpace fine = SearchSpace::Named("fine");
  CostBudget b;
  b.frames = 300;
  b.max_macs = 83474560;  // exactly the smallest net: feasible
  CheckBudgetFeasible(fine, b);
  b.max_macs = 50000000;
  try {
    CheckBudgetFeasible(fine, b);
    FAIL() << "no error";
  } catch (const FatalError &e) {
    EXPECT_EQ(std::string(e.what()),
              "no subnet of search space 'fine' meets MACs <= 50.00M (50000000): the smallest "
              "achievable cost is 83474560 MACs (83.47M) at 300 frames and 443968 params "
              "(443.97K), by 2-128-128-128-1-1-1-384");
  }
  b.max_macs = -1;
  b.max_params = 443967;
  EXPECT_THROW(CheckBudgetFeasible(fine, b), FatalError);
}

TEST(CostBudget, ParseCount) {
  int64 v = 0;
  EXPECT_TRUE(ParseCount("570984384", &v)); EXPECT_EQ(v, 570984384);
  EXPECT_TRUE(ParseCount("570.98M", &v)); EXPECT_EQ(v, 570980000);
  EXPECT_TRUE(ParseCount("1.45G", &v)); EXPECT_EQ(v, 1450000000);
  EXPECT_TRUE(ParseCount("899.2k", &v)); EXPECT_EQ(v, 899200);
  EXPECT_TRUE(ParseCount("2e9", &v)); EXPECT_EQ(v, 2000000000);
  EXPECT_TRUE(ParseCount("0", &v)); EXPECT_EQ(v, 0);
  for (const char *bad : {"", "M", "1.5X", "-3", "1.5MM", "nan", "inf", "1e30"})
    EXPECT_FALSE(ParseCount(bad, &v)) << bad;
}

}  // namespace
}  // namespace tdnas
