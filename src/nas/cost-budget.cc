// cost-budget.cc: budgets, the cheapest subnet, feasibility errors, count parsing.
#include "nas/cost-budget.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "base/log.h"

namespace tdnas {

std::string CostBudget::ToString() const {
  std::ostringstream os;
  if (max_macs >= 0) os << "MACs <= " << HumanCount(max_macs) << " (" << max_macs << ")";
  if (max_params >= 0)
    os << (max_macs >= 0 ? ", " : "") << "params <= " << HumanCount(max_params) << " ("
       << max_params << ")";
  if (max_latency_ms >= 0)
    os << (max_macs >= 0 || max_params >= 0 ? ", " : "") << "latency <= " << max_latency_ms
       << " ms";
  if (max_macs < 0 && max_params < 0 && max_latency_ms < 0) os << "no cost limit";
  return os.str();
}

SubnetConfig CheapestSubnet(const SearchSpace &space) {
  const int32 d = space.Depths().front();
  return SubnetConfig(d, std::vector<int32>(d + 1, space.Widths().front()),
                      std::vector<int32>(d + 1, space.Kernels().front()),
                      space.CatWidths().front());
}

void CheckBudgetFeasible(const SearchSpace &space, const CostBudget &budget) {
  const SubnetConfig cheapest = CheapestSubnet(space);
  if (budget.max_latency_ms >= 0 && budget.latency == nullptr)
    TD_ERR << "a latency budget needs a latency table";
  const SubnetCost cost = CountSubnetCost(cheapest, budget.frames);
  if (budget.Meets(cheapest)) return;
  std::ostringstream lat;
  if (budget.latency != nullptr)
    lat << " and " << budget.latency->PredictMs(cheapest) << " ms (" << budget.latency->Describe()
        << ")";
  TD_ERR << "no subnet of search space '" << space.Name() << "' meets " << budget.ToString()
         << ": the smallest achievable cost is " << cost.macs << " MACs ("
         << HumanCount(cost.macs) << ") at " << budget.frames << " frames and " << cost.params
         << " params (" << HumanCount(cost.params) << ")" << lat.str() << ", by "
         << cheapest.ToString();
}

bool ParseCount(const std::string &str, int64 *out) {
  if (str.empty()) return false;
  const char *b = str.c_str();
  char *end = nullptr;
  errno = 0;
  double v = std::strtod(b, &end);
  if (end == b || errno != 0 || !std::isfinite(v) || v < 0) return false;
  std::string suffix(end);
  double scale = 1;
  if (suffix == "K" || suffix == "k") scale = 1e3;
  else if (suffix == "M" || suffix == "m") scale = 1e6;
  else if (suffix == "G" || suffix == "g") scale = 1e9;
  else if (suffix == "T" || suffix == "t") scale = 1e12;
  else if (!suffix.empty()) return false;
  double x = std::round(v * scale);
  if (x > 9e18) return false;
  *out = static_cast<int64>(x);
  return true;
}

}  // namespace tdnas
