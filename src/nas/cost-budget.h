// cost-budget.h: the cost constraint of a subnet search (spec section 4: "subject to a cost
// constraint (MACs, params or latency)"): exact MAC / parameter limits, checked with the closed
// form of nnet/mac-count.h, the smallest cost a space can reach, and "1.45G"-style parsing.
//
// Both costs are monotone in every dimension of the architecture (more depth, width, kernel or
// cat width never costs less; nas/cost-budget-test.cc checks it on the whole coarse space), so
// the cheapest subnet of a space, for MACs and params alike, is the one taking the smallest
// value of every dimension. A budget is feasible iff that subnet meets it. Latency budgets
// (milliseconds predicted by a per-layer table, nas/latency-model.h) keep this property: the
// table is made monotone in every dimension when built or read.
#ifndef TDNAS_NAS_COST_BUDGET_H_
#define TDNAS_NAS_COST_BUDGET_H_

#include <string>

#include "nas/latency-model.h"
#include "nnet/mac-count.h"
#include "nnet/search-space.h"

namespace tdnas {

struct CostBudget {
  int64 max_macs = -1;    // -1: no limit
  int64 max_params = -1;  // -1: no limit
  int32 frames = kDefaultMacFrames;  // frames the MACs are counted at (3 s, as published)
  double max_latency_ms = -1;        // -1: no limit; else needs `latency`
  const LatencyModel *latency = nullptr;  // not owned

  // MACs and params only.
  bool Meets(const SubnetCost &cost) const {
    return (max_macs < 0 || cost.macs <= max_macs) && (max_params < 0 || cost.params <= max_params);
  }
  bool MeetsLatency(int32 depth, const int32 *widths, const int32 *kernels, int32 cat) const {
    return max_latency_ms < 0 || latency->PredictMs(depth, widths, kernels, cat) <= max_latency_ms;
  }
  // Exact check of every limit, no allocation: depth d, d+1 widths and kernels.
  bool Meets(int32 depth, const int32 *widths, const int32 *kernels, int32 cat_width) const {
    return Meets(CountSubnetCost(depth, widths, kernels, cat_width, frames)) &&
           MeetsLatency(depth, widths, kernels, cat_width);
  }
  bool Meets(const SubnetConfig &cfg) const {
    return Meets(cfg.depth, cfg.widths.data(), cfg.kernels.data(), cfg.cat_width);
  }
  // Predicted latency of cfg, or -1 without a latency model.
  double LatencyMs(const SubnetConfig &cfg) const {
    return latency == nullptr ? -1.0 : latency->PredictMs(cfg);
  }
  // "MACs <= 570.98M (570980000), params <= 2.42M (2420000), latency <= 20 ms" or "no cost
  // limit".
  std::string ToString() const;
};

// The cheapest subnet of the space (smallest value of every dimension).
SubnetConfig CheapestSubnet(const SearchSpace &space);

// TD_ERR unless some subnet of the space meets the budget; the message states the smallest
// achievable MACs and params and the subnet that achieves them, e.g.
//   "no subnet of search space 'fine' meets MACs <= 50.00M (50000000): the smallest
//    achievable cost is 83474560 MACs (83.47M) at 300 frames and 443968 params (443.97K),
//    by 2-128-128-128-1-1-1-384"
void CheckBudgetFeasible(const SearchSpace &space, const CostBudget &budget);

// Parses "570984384", "570.98M", "1.45G", "899.2K", "2e9" (suffixes K/M/G/T = 1e3..1e12,
// case-insensitive; rounded to the nearest integer). Returns false on anything else or a
// negative value.
bool ParseCount(const std::string &str, int64 *out);

}  // namespace tdnas

#endif  // TDNAS_NAS_COST_BUDGET_H_
