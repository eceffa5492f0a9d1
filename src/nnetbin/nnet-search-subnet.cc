// nnet-search-subnet.cc: evolutionary or random search of the subnet minimising predicted EER
// (or a cost proxy) under exact MAC / parameter / latency budgets, with the Pareto front over
// a list of budgets (library: nas/subnet-search.h, nas/accuracy-predictor.h,
// nas/latency-model.h).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "base/log.h"
#include "nas/accuracy-predictor.h"
#include "nas/latency-model.h"
#include "nas/subnet-search.h"
#include "nnet/parallel.h"
#include "util/kaldi-io.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

namespace tdnas {
namespace {

// Splits "570.98M,1.45G" (counts) or "12.5,20" (milliseconds); "" gives one entry -1.
std::vector<double> ParseBudgetList(const std::string &list, const char *option, bool count) {
  std::vector<double> out;
  if (list.empty()) return {-1};
  size_t b = 0;
  while (true) {
    size_t e = list.find(',', b);
    std::string item = list.substr(b, e == std::string::npos ? std::string::npos : e - b);
    int64 v = 0;
    char *end = nullptr;
    const double ms = std::strtod(item.c_str(), &end);
    if (count ? !ParseCount(item, &v) : (item.empty() || *end != '\0' || !(ms > 0)))
      TD_ERR << "--" << option << ": '" << item << "' is not "
             << (count ? "a count (e.g. 570984384, 570.98M, 1.45G)" : "a positive number");
    out.push_back(count ? static_cast<double>(v) : ms);
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
        "budgets. Prints, for each budget, the --num-best subnets:\n"
        "  CONFIG SCORE MACS PARAMS [LATENCY_MS]   (latency with --latency-table)\n"
        "Budgets are comma-separated lists (one search per entry; lists with several entries\n"
        "are paired, a single entry applies to all). Objectives: predictor (predicted EER of\n"
        "--predictor, from nnet-train-predictor), macs-proxy / params-proxy (1 - cost /\n"
        "cost(largest): the biggest subnet that fits). --front-out writes the Pareto front of\n"
        "the budgets' best subnets (cost vs score; dominated points dropped), one line each:\n"
        "  MAX_MACS MAX_PARAMS MAX_LATENCY_MS CONFIG SCORE MACS PARAMS LATENCY_MS (-1 = none)\n"
        "The space is that of a supernet of --max-width/--max-cat-width (a scaled supernet,\n"
        "e.g. 128/384, searches widths 32..128); unset, the shape is the predictor's, or\n"
        "512/1536 without one; a shape other than the predictor's is an ERROR.\n"
        "Usage:  nnet-search-subnet [options]\n"
        "e.g.:\n"
        " nnet-search-subnet --objective=predictor --predictor=exp/nas/predictor.mdl \\\n"
        "   --space=fine --max-macs=204.07M,570.98M,1.45G --front-out=front.txt\n"
        " nnet-search-subnet --latency-table=exp/latency-cpu1.txt --max-latency-ms=10,20,40 \\\n"
        "   --objective=predictor --predictor=exp/nas/predictor.mdl\n"
        " nnet-search-subnet --method=random --num-random=10000 --max-params=2.42M\n"
        " nnet-search-subnet --max-width=128 --max-cat-width=384 --space=coarse --max-macs=40M\n";
    ParseOptions po(usage);
    SubnetSearchOptions search_opts;
    std::string space_name = "fine", objective_name = "macs-proxy", max_macs, max_params,
                max_latency, front_out, predictor_rx, latency_rx;
    int32 frames = kDefaultMacFrames, max_width = 0, max_cat_width = 0;
    search_opts.Register(&po);
    po.Register("max-width", &max_width,
                "Supernet width the space is scaled to (0: the predictor's, else 512)");
    po.Register("max-cat-width", &max_cat_width,
                "Supernet cat width the space is scaled to (0: the predictor's, else 1536)");
    po.Register("space", &space_name, "Search space: fine|coarse|width1|depth|kernel|supernet");
    po.Register("objective", &objective_name,
                "Objective to minimise: predictor|macs-proxy|params-proxy");
    po.Register("predictor", &predictor_rx, "Accuracy predictor (--objective=predictor)");
    po.Register("max-macs", &max_macs, "MAC budget(s), e.g. 570.98M or 200M,570M,1.45G");
    po.Register("max-params", &max_params, "Parameter budget(s), e.g. 2.42M");
    po.Register("max-latency-ms", &max_latency,
                "Latency budget(s) in ms, predicted by --latency-table, e.g. 10,20,40");
    po.Register("latency-table", &latency_rx, "Per-layer latency table (nnet-measure-latency)");
    po.Register("frames", &frames, "Frames the MACs are counted at (301 = 3 s, as published)");
    po.Register("front-out", &front_out, "Write the Pareto front of the budgets' best subnets");
    po.Read(argc, argv);
    if (po.NumArgs() != 0) {
      po.PrintUsage();
      return 1;
    }
    if (frames < 1) TD_ERR << "--frames must be >= 1, got " << frames;
    search_opts.Validate();
    nnet::SetNumThreads(1);
    if (max_width < 0 || max_cat_width < 0)
      TD_ERR << "--max-width/--max-cat-width must be >= 0 (0 = unset)";
    AccuracyPredictor predictor;
    SupernetShape shape;
    if (objective_name == "predictor") {
      if (predictor_rx.empty()) TD_ERR << "--objective=predictor needs --predictor=FILE";
      ReadAccuracyPredictor(predictor_rx, &predictor);
      shape = predictor.Shape();
    }
    const SupernetShape given(max_width > 0 ? max_width : shape.max_width,
                              max_cat_width > 0 ? max_cat_width : shape.max_cat_width);
    if (objective_name == "predictor" && given != shape)
      TD_ERR << "--max-width/--max-cat-width give " << given.ToString() << " but the predictor "
             << predictor_rx << " is for a supernet of " << shape.ToString();
    shape = given;
    shape.Validate();
    const SearchSpace space = SearchSpace::Named(space_name, shape);

    SubnetBatchObjective objective;
    if (objective_name == "predictor") {
      std::string why;
      if (!predictor.CanEncodeSpace(space, &why)) TD_ERR << "--predictor: " << why;
      objective = MakePredictorObjective(predictor);
    } else {
      const SubnetObjective proxy = MakeProxyObjective(objective_name, space, frames);
      objective = [proxy](const std::vector<SubnetConfig> &c, std::vector<double> *s) {
        s->resize(c.size());
        for (size_t i = 0; i < c.size(); ++i) (*s)[i] = proxy(c[i]);
      };
    }
    std::unique_ptr<LatencyModel> latency;
    if (!latency_rx.empty()) {
      latency.reset(new LatencyModel());
      latency->Read(latency_rx);
    } else if (!max_latency.empty()) {
      TD_ERR << "--max-latency-ms needs --latency-table (made by nnet-measure-latency)";
    }

    std::vector<std::vector<double>> lists = {ParseBudgetList(max_macs, "max-macs", true),
                                              ParseBudgetList(max_params, "max-params", true),
                                              ParseBudgetList(max_latency, "max-latency-ms", false)};
    size_t n_budgets = 1;
    int vary = 0;  // which cost the budgets vary over (the front's cost axis)
    for (int j = 0; j < 3; ++j) {
      if (lists[j].size() == 1) continue;
      if (n_budgets > 1 && lists[j].size() != n_budgets)
        TD_ERR << "budget lists have " << n_budgets << " and " << lists[j].size()
               << " entries; give one of them a single value or pair them";
      n_budgets = lists[j].size();
      vary = j;
    }
    if (n_budgets == 1) vary = lists[2][0] >= 0 ? 2 : lists[1][0] >= 0 ? 1 : 0;
    std::vector<CostBudget> budgets(n_budgets);
    for (size_t i = 0; i < n_budgets; ++i) {
      auto at = [&](int j) { return lists[j][lists[j].size() == 1 ? 0 : i]; };
      budgets[i].max_macs = static_cast<int64>(at(0));
      budgets[i].max_params = static_cast<int64>(at(1));
      budgets[i].max_latency_ms = at(2);
      budgets[i].latency = latency.get();
      budgets[i].frames = frames;
      CheckBudgetFeasible(space, budgets[i]);  // all errors before any work
    }
    TD_LOG << "Searching " << space.Describe() << " (supernet " << shape.ToString() << ") by " << search_opts.method << " for "
           << objective_name
           << (objective_name == "predictor" ? " (" + predictor.Info() + ")" : std::string())
           << (latency ? "; latency table: " + latency->Describe() : std::string());
    std::vector<ScoredSubnet> winners;
    for (const CostBudget &budget : budgets) {
      SearchStats stats;
      std::vector<ScoredSubnet> best = SearchSubnets(space, budget, objective, search_opts, &stats);
      TD_LOG << budget.ToString() << ": " << stats.candidates << " candidates, "
             << stats.objective_calls << " distinct subnets evaluated, " << stats.repairs
             << " repaired; best " << best[0].config.ToString() << " score " << best[0].score
             << " (" << HumanCount(best[0].cost.macs) << " MACs, "
             << HumanCount(best[0].cost.params) << " params"
             << (latency ? ", " + std::to_string(best[0].latency_ms) + " ms" : std::string())
             << ")";
      for (const ScoredSubnet &s : best) {
        std::printf("%s %.6g %lld %lld", s.config.ToString().c_str(), s.score,
                    static_cast<long long>(s.cost.macs), static_cast<long long>(s.cost.params));
        if (latency) std::printf(" %.4f", s.latency_ms);
        std::printf("\n");
      }
      winners.push_back(best[0]);
    }
    if (!front_out.empty()) {
      std::vector<double> cost, score;
      for (const ScoredSubnet &w : winners) {
        cost.push_back(vary == 0 ? w.cost.macs : vary == 1 ? w.cost.params : w.latency_ms);
        score.push_back(w.score);
      }
      const std::vector<size_t> front = ParetoFront(cost, score);
      Output out(front_out, false, false);
      char buf[256];
      for (size_t i : front) {
        const ScoredSubnet &w = winners[i];
        std::snprintf(buf, sizeof(buf), "%lld %lld %g %s %.6g %lld %lld %.4f\n",
                      static_cast<long long>(budgets[i].max_macs),
                      static_cast<long long>(budgets[i].max_params), budgets[i].max_latency_ms,
                      w.config.ToString().c_str(), w.score, static_cast<long long>(w.cost.macs),
                      static_cast<long long>(w.cost.params), w.latency_ms);
        out.Stream() << buf;
      }
      out.Close();
      if (front.size() < winners.size())
        TD_LOG << winners.size() - front.size() << " budget winner(s) dominated (a cheaper "
               << "budget found a subnet at least as good), left out of the front";
    }
    TD_LOG << "Done " << n_budgets << " out of " << n_budgets << " budgets";
    return 0;
  });
}
