// nnet-search-subnet.cc: evolutionary or random search of the subnet minimising an objective
// under exact MAC / parameter budgets (library: nas/subnet-search.h).
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "base/log.h"
#include "nas/subnet-search.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

namespace tdnas {
namespace {

// Splits "570.98M,1.45G" into counts; "" gives one entry -1 (no limit).
std::vector<int64> ParseBudgetList(const std::string &list, const char *option) {
  std::vector<int64> out;
  if (list.empty()) return {-1};
  size_t b = 0;
  while (true) {
    size_t e = list.find(',', b);
    std::string item = list.substr(b, e == std::string::npos ? std::string::npos : e - b);
    int64 v;
    if (!ParseCount(item, &v))
      TD_ERR << "--" << option << ": '" << item << "' is not a count (e.g. 570984384, 570.98M, 1.45G)";
    out.push_back(v);
    if (e == std::string::npos) break;
    b = e + 1;
  }
  return out;
}

}  // namespace
}  // namespace tdnas

int main(int argc, char *argv[]) {
  return tdnas::RunMain(argc, argv, [&]() -> int {
    using namespace tdnas;
    const char *usage =
        "Search the subnet space for the subnets minimising an objective under exact cost\n"
        "budgets. Prints, for each budget, the --num-best subnets: CONFIG SCORE MACS PARAMS.\n"
        "Budgets are comma-separated lists (one search per entry; when both lists have several\n"
        "entries they are paired). Objectives: macs-proxy / params-proxy (1 - cost/cost(largest):\n"
        "the biggest subnet that fits; stand-ins until a trained accuracy predictor exists).\n"
        "Usage:  nnet-search-subnet [options]\n"
        "e.g.:\n"
        " nnet-search-subnet --space=fine --max-macs=204.07M,570.98M,1.45G --front-out=front.txt\n"
        " nnet-search-subnet --method=random --num-random=10000 --max-params=2.42M\n";
    ParseOptions po(usage);
    SubnetSearchOptions search_opts;
    std::string space_name = "fine", objective_name = "macs-proxy", max_macs, max_params,
                front_out;
    int32 frames = kDefaultMacFrames;
    search_opts.Register(&po);
    po.Register("space", &space_name, "Search space: fine|coarse|width1|depth|kernel|supernet");
    po.Register("objective", &objective_name, "Objective to minimise: macs-proxy|params-proxy");
    po.Register("max-macs", &max_macs, "MAC budget(s), e.g. 570.98M or 200M,570M,1.45G");
    po.Register("max-params", &max_params, "Parameter budget(s), e.g. 2.42M");
    po.Register("frames", &frames, "Frames the MACs are counted at (301 = 3 s, as published)");
    po.Register("front-out", &front_out,
                "Write the best subnet per budget here: MAX_MACS MAX_PARAMS CONFIG SCORE MACS "
                "PARAMS (-1 = no limit)");
    po.Read(argc, argv);
    if (po.NumArgs() != 0) {
      po.PrintUsage();
      return 1;
    }
    if (frames < 1) TD_ERR << "--frames must be >= 1, got " << frames;
    search_opts.Validate();
    const SearchSpace space = SearchSpace::Named(space_name);
    const SubnetObjective objective = MakeProxyObjective(objective_name, space, frames);
    std::vector<int64> macs_list = ParseBudgetList(max_macs, "max-macs"),
                       params_list = ParseBudgetList(max_params, "max-params");
    if (macs_list.size() > 1 && params_list.size() > 1 && macs_list.size() != params_list.size())
      TD_ERR << "--max-macs and --max-params have " << macs_list.size() << " and "
             << params_list.size() << " entries; give one of them a single value or pair them";
    const size_t n_budgets = std::max(macs_list.size(), params_list.size());
    std::vector<CostBudget> budgets(n_budgets);
    for (size_t i = 0; i < n_budgets; ++i) {
      budgets[i].max_macs = macs_list[macs_list.size() == 1 ? 0 : i];
      budgets[i].max_params = params_list[params_list.size() == 1 ? 0 : i];
      budgets[i].frames = frames;
      CheckBudgetFeasible(space, budgets[i]);  // all errors before any work
    }
    std::ofstream front;
    if (!front_out.empty()) {
      front.open(front_out);
      if (!front) TD_ERR << "cannot open --front-out file '" << front_out << "'";
    }
    TD_LOG << "Searching " << space.Describe() << " by " << search_opts.method << " for "
           << objective_name;
    for (const CostBudget &budget : budgets) {
      SearchStats stats;
      std::vector<ScoredSubnet> best = SearchSubnets(space, budget, objective, search_opts, &stats);
      TD_LOG << budget.ToString() << ": " << stats.candidates << " candidates, "
             << stats.objective_calls << " distinct subnets evaluated, " << stats.repairs
             << " repaired; best " << best[0].config.ToString() << " score " << best[0].score
             << " (" << HumanCount(best[0].cost.macs) << " MACs, "
             << HumanCount(best[0].cost.params) << " params)";
      for (const ScoredSubnet &s : best)
        std::printf("%s %.6g %lld %lld\n", s.config.ToString().c_str(), s.score,
                    static_cast<long long>(s.cost.macs), static_cast<long long>(s.cost.params));
      if (front.is_open())
        front << budget.max_macs << ' ' << budget.max_params << ' ' << best[0].config.ToString()
              << ' ' << best[0].score << ' ' << best[0].cost.macs << ' ' << best[0].cost.params
              << '\n';
    }
    if (front.is_open() && !front.flush()) TD_ERR << "error writing '" << front_out << "'";
    TD_LOG << "Done " << n_budgets << " out of " << n_budgets << " budgets";
    return 0;
  });
}
