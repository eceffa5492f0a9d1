// subnet-search.cc: random and evolutionary subnet search under an exact cost budget.
#include "nas/subnet-search.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <unordered_map>

#include "base/log.h"
#include "nas/accuracy-predictor.h"

namespace tdnas {

void SubnetSearchOptions::Register(OptionsItf *opts) {
  opts->Register("method", &method, "Search method: evolution|random");
  opts->Register("population", &population, "Evolution: population size");
  opts->Register("generations", &generations, "Evolution: number of generations");
  opts->Register("mutation-prob", &mutation_prob,
                 "Evolution: probability that each gene of a mutated child is redrawn");
  opts->Register("parent-ratio", &parent_ratio,
                 "Evolution: share of the population kept as parents each generation");
  opts->Register("mutation-ratio", &mutation_ratio,
                 "Evolution: share of the population made by mutation (the rest: crossover)");
  opts->Register("num-random", &num_random, "Random search: number of subnets drawn");
  opts->Register("num-best", &num_best, "Number of best distinct subnets to report");
  opts->Register("seed", &seed, "Random seed of the search");
}

void SubnetSearchOptions::Validate() const {
  if (method != "evolution" && method != "random")
    TD_ERR << "--method must be evolution or random, got '" << method << "'";
  if (population < 2) TD_ERR << "--population must be >= 2, got " << population;
  if (generations < 0) TD_ERR << "--generations must be >= 0, got " << generations;
  if (!(mutation_prob >= 0 && mutation_prob <= 1))
    TD_ERR << "--mutation-prob must be in [0, 1], got " << mutation_prob;
  if (!(parent_ratio > 0 && parent_ratio < 1))
    TD_ERR << "--parent-ratio must be in (0, 1), got " << parent_ratio;
  if (!(mutation_ratio >= 0 && parent_ratio + mutation_ratio <= 1))
    TD_ERR << "--mutation-ratio must be in [0, 1 - parent-ratio], got " << mutation_ratio;
  if (num_random < 1) TD_ERR << "--num-random must be >= 1, got " << num_random;
  if (num_best < 1) TD_ERR << "--num-best must be >= 1, got " << num_best;
}

namespace {

constexpr int32 kSlots = kTdnnMaxDepth + 1;
constexpr int32 kMaxDraws = 100;  // random draws before repairing one

// An architecture with every slot filled (only the first depth+1 are used).
struct Genome {
  int32 depth;
  int32 w[kSlots];
  int32 k[kSlots];
  int32 cat;
};

class Searcher {
 public:
  Searcher(const SearchSpace &space, const CostBudget &budget,
           const SubnetBatchObjective &objective,
           const SubnetSearchOptions &opts, SearchStats *stats)
      : space_(space), budget_(budget), objective_(objective), opts_(opts), rng_(opts.seed),
        stats_(stats) {}

  std::vector<ScoredSubnet> Run() {
    if (opts_.method == "random") {
      // Drawn in chunks (the draws never depend on scores, so this equals one by one).
      const int32 kChunk = 1024;
      std::vector<Genome> batch;
      std::vector<double> scores;
      for (int32 n = 0; n < opts_.num_random; n += kChunk) {
        batch.clear();
        for (int32 i = n; i < std::min(opts_.num_random, n + kChunk); ++i) batch.push_back(Draw());
        ScoreAll(batch, &scores);
      }
    } else {
      Evolve();
    }
    return Best();
  }

 private:
  double Uniform01() { return (rng_() >> 11) * 0x1.0p-53; }
  int32 Pick(const std::vector<int32> &set) { return set[UniformInt(&rng_, set.size())]; }
  bool Feasible(const Genome &g) const { return budget_.Meets(g.depth, g.w, g.k, g.cat); }

  Genome Random() {
    Genome g;
    g.depth = Pick(space_.Depths());
    for (int32 i = 0; i < kSlots; ++i) g.w[i] = Pick(space_.Widths());
    for (int32 i = 0; i < kSlots; ++i) g.k[i] = Pick(space_.Kernels());
    g.cat = Pick(space_.CatWidths());
    return g;
  }

  // Lowers random dimensions (each time one used gene to a random smaller value) until g
  // meets the budget; terminates because the cheapest subnet meets it (checked up front).
  void Repair(Genome *g) {
    ++stats_->repairs;
    struct Gene { int32 *value; const std::vector<int32> *set; };
    Gene genes[2 * kSlots + 2];
    while (!Feasible(*g)) {
      int32 n = 0;
      auto add = [&](int32 *v, const std::vector<int32> &set) {
        if (SearchSpace::PositionOf(set, *v) > 0) genes[n++] = {v, &set};
      };
      add(&g->depth, space_.Depths());
      for (int32 i = 0; i <= g->depth; ++i) {
        add(&g->w[i], space_.Widths());
        add(&g->k[i], space_.Kernels());
      }
      add(&g->cat, space_.CatWidths());
      TD_ASSERT(n > 0);  // at the cheapest subnet, which is feasible
      Gene &gene = genes[UniformInt(&rng_, n)];
      int32 pos = SearchSpace::PositionOf(*gene.set, *gene.value);
      *gene.value = (*gene.set)[UniformInt(&rng_, pos)];
    }
  }

  Genome Draw() {
    Genome g;
    for (int32 t = 0; t < kMaxDraws; ++t) {
      g = Random();
      if (Feasible(g)) return g;
    }
    Repair(&g);
    return g;
  }

  Genome Mutate(const Genome &parent) {
    const double p = opts_.mutation_prob;
    Genome g;
    for (int32 t = 0; t < kMaxDraws; ++t) {
      g = parent;
      if (Uniform01() < p) g.depth = Pick(space_.Depths());
      for (int32 i = 0; i < kSlots; ++i)
        if (Uniform01() < p) g.w[i] = Pick(space_.Widths());
      for (int32 i = 0; i < kSlots; ++i)
        if (Uniform01() < p) g.k[i] = Pick(space_.Kernels());
      if (Uniform01() < p) g.cat = Pick(space_.CatWidths());
      if (Feasible(g)) return g;
    }
    Repair(&g);
    return g;
  }

  Genome Crossover(const Genome &a, const Genome &b) {
    Genome g;
    for (int32 t = 0; t < kMaxDraws; ++t) {
      auto either = [&](int32 x, int32 y) { return (rng_() & 1) ? x : y; };
      g.depth = either(a.depth, b.depth);
      for (int32 i = 0; i < kSlots; ++i) g.w[i] = either(a.w[i], b.w[i]);
      for (int32 i = 0; i < kSlots; ++i) g.k[i] = either(a.k[i], b.k[i]);
      g.cat = either(a.cat, b.cat);
      if (Feasible(g)) return g;
    }
    Repair(&g);
    return g;
  }

  // Objectives of gs into *scores, memoised by the subnet's index in the space; the distinct
  // subnets not seen before go to the objective in one batch.
  void ScoreAll(const std::vector<Genome> &gs, std::vector<double> *scores) {
    std::vector<uint64> index(gs.size());
    std::vector<size_t> fresh;  // positions in gs of first occurrences of unseen subnets
    pending_.clear();
    for (size_t i = 0; i < gs.size(); ++i) {
      ++stats_->candidates;
      ToConfig(gs[i], &scratch_);
      index[i] = space_.IndexOf(scratch_);
      if (memo_.count(index[i]) == 0 && pending_.emplace(index[i], 0.0).second) {
        fresh.push_back(i);
        configs_.resize(fresh.size());
        configs_.back() = scratch_;
      }
    }
    if (!fresh.empty()) {
      stats_->objective_calls += fresh.size();
      configs_.resize(fresh.size());
      objective_(configs_, &fresh_scores_);
      TD_ASSERT(fresh_scores_.size() == fresh.size());
      for (size_t j = 0; j < fresh.size(); ++j) {
        if (std::isnan(fresh_scores_[j]))
          TD_ERR << "objective returned NaN for " << configs_[j].ToString();
        memo_.emplace(index[fresh[j]], fresh_scores_[j]);
      }
    }
    scores->resize(gs.size());
    for (size_t i = 0; i < gs.size(); ++i) (*scores)[i] = memo_.at(index[i]);
  }

  static void ToConfig(const Genome &g, SubnetConfig *cfg) {
    cfg->depth = g.depth;
    cfg->widths.assign(g.w, g.w + g.depth + 1);
    cfg->kernels.assign(g.k, g.k + g.depth + 1);
    cfg->cat_width = g.cat;
  }

  void Evolve() {
    const int32 P = opts_.population;
    const int32 n_parents = std::max<int32>(1, std::lround(opts_.parent_ratio * P));
    const int32 n_mutants = std::min<int32>(P - n_parents, std::lround(opts_.mutation_ratio * P));
    std::vector<std::pair<double, Genome>> pop, next;
    std::vector<Genome> children;
    std::vector<double> scores;
    for (int32 i = 0; i < P; ++i) children.push_back(Draw());
    ScoreAll(children, &scores);
    for (int32 i = 0; i < P; ++i) pop.emplace_back(scores[i], children[i]);
    auto by_score = [](const std::pair<double, Genome> &a, const std::pair<double, Genome> &b) {
      return a.first < b.first;
    };
    for (int32 gen = 0; gen < opts_.generations; ++gen) {
      std::stable_sort(pop.begin(), pop.end(), by_score);
      next.assign(pop.begin(), pop.begin() + n_parents);
      children.clear();
      for (int32 i = 0; i < n_mutants; ++i)
        children.push_back(Mutate(pop[UniformInt(&rng_, n_parents)].second));
      while (n_parents + static_cast<int32>(children.size()) < P) {
        const Genome &a = pop[UniformInt(&rng_, n_parents)].second;
        const Genome &b = pop[UniformInt(&rng_, n_parents)].second;
        children.push_back(Crossover(a, b));
      }
      ScoreAll(children, &scores);
      for (size_t i = 0; i < children.size(); ++i) next.emplace_back(scores[i], children[i]);
      pop.swap(next);
      TD_VLOG(2) << "generation " << gen << ": best " << std::min_element(pop.begin(), pop.end(),
                                                                          by_score)->first;
    }
  }

  // The num_best best distinct subnets seen (ties broken by index, for determinism).
  std::vector<ScoredSubnet> Best() const {
    std::vector<std::pair<double, uint64>> all;
    all.reserve(memo_.size());
    for (const auto &kv : memo_) all.emplace_back(kv.second, kv.first);
    const size_t n = std::min<size_t>(opts_.num_best, all.size());
    std::partial_sort(all.begin(), all.begin() + n, all.end());
    std::vector<ScoredSubnet> best(n);
    for (size_t i = 0; i < n; ++i) {
      space_.ConfigAt(all[i].second, &best[i].config);
      best[i].score = all[i].first;
      best[i].cost = CountSubnetCost(best[i].config, budget_.frames);
      best[i].latency_ms = budget_.LatencyMs(best[i].config);
      TD_ASSERT(budget_.Meets(best[i].config));
    }
    return best;
  }

  const SearchSpace &space_;
  const CostBudget &budget_;
  const SubnetBatchObjective &objective_;
  const SubnetSearchOptions &opts_;
  std::mt19937_64 rng_;
  SearchStats *stats_;
  std::unordered_map<uint64, double> memo_;
  SubnetConfig scratch_;
  std::unordered_map<uint64, double> pending_;  // this batch's unseen subnets (dedup)
  std::vector<SubnetConfig> configs_;
  std::vector<double> fresh_scores_;
};

}  // namespace

std::vector<ScoredSubnet> SearchSubnets(const SearchSpace &space, const CostBudget &budget,
                                        const SubnetObjective &objective,
                                        const SubnetSearchOptions &opts, SearchStats *stats) {
  const SubnetBatchObjective batch = [&objective](const std::vector<SubnetConfig> &configs,
                                                  std::vector<double> *scores) {
    scores->resize(configs.size());
    for (size_t i = 0; i < configs.size(); ++i) (*scores)[i] = objective(configs[i]);
  };
  return SearchSubnets(space, budget, batch, opts, stats);
}

std::vector<size_t> ParetoFront(const std::vector<double> &cost, const std::vector<double> &score) {
  TD_ASSERT(cost.size() == score.size());
  std::vector<size_t> order(cost.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return cost[a] < cost[b] || (cost[a] == cost[b] && score[a] < score[b]);
  });
  std::vector<size_t> front;
  for (size_t i : order)  // by cost: kept iff strictly better than every cheaper kept point
    if (front.empty() || score[i] < score[front.back()]) front.push_back(i);
  return front;
}

std::vector<ScoredSubnet> SearchSubnets(const SearchSpace &space, const CostBudget &budget,
                                        const SubnetBatchObjective &objective,
                                        const SubnetSearchOptions &opts, SearchStats *stats) {
  opts.Validate();
  CheckBudgetFeasible(space, budget);
  SearchStats local;
  if (stats == nullptr) stats = &local;
  *stats = SearchStats();
  Searcher searcher(space, budget, objective, opts, stats);
  return searcher.Run();
}

SubnetBatchObjective MakePredictorObjective(const AccuracyPredictor &predictor) {
  return [&predictor](const std::vector<SubnetConfig> &configs, std::vector<double> *scores) {
    predictor.Predict(configs, scores);
  };
}

SubnetObjective MakeProxyObjective(const std::string &name, const SearchSpace &space,
                                   int32 frames) {
  const int32 d = space.Depths().back();
  const SubnetConfig largest(d, std::vector<int32>(d + 1, space.Widths().back()),
                             std::vector<int32>(d + 1, space.Kernels().back()),
                             space.CatWidths().back());
  const SubnetCost top = CountSubnetCost(largest, frames);
  if (name == "macs-proxy")
    return [top, frames](const SubnetConfig &cfg) {
      return 1.0 - static_cast<double>(CountSubnetCost(cfg, frames).macs) / (top.macs + 1.0);
    };
  if (name == "params-proxy")
    return [top, frames](const SubnetConfig &cfg) {
      return 1.0 - static_cast<double>(CountSubnetCost(cfg, frames).params) / (top.params + 1.0);
    };
  TD_ERR << "unknown objective '" << name << "' (known: macs-proxy, params-proxy)";
  return nullptr;
}

}  // namespace tdnas
