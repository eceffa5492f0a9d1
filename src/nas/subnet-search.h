// subnet-search.h: random and evolutionary search for the subnet minimising an objective (e.g.
// predicted EER) under an exact cost budget (spec section 4, "TDNN-NAS"; the genetic algorithm of
// the paper: population 50, a few hundred generations, mutation 0.1).
//
// The objective is any function SubnetConfig -> double, lower is better; it is called once per
// distinct subnet (results are memoised by the subnet's index in the space). Every subnet the
// search evaluates meets the budget: random draws that do not are redrawn, and after
// 100 failed draws (tight budgets, where almost nothing is feasible) a draw is repaired by
// lowering random genes, each to a random smaller value, until it fits, which always ends because
// the cheapest subnet fits (CheckBudgetFeasible is called first, with a clear ERROR otherwise).
//
// Evolution, one generation: sort the population by objective; the best parent_ratio * P are
// the parents and survive; mutation_ratio * P children are mutations of random parents (depth,
// each width slot, each kernel slot and the cat width independently redrawn with probability
// mutation_prob); the rest are crossovers of two random parents (each of those genes taken
// from either parent with probability 1/2). A genome holds kTdnnMaxDepth+1 width and kernel
// slots whatever its depth, so genes of unused blocks survive a depth change (as in
// Once-for-All's search). Sampling draws each dimension independently and uniformly (as the
// training schedule does).
#ifndef TDNAS_NAS_SUBNET_SEARCH_H_
#define TDNAS_NAS_SUBNET_SEARCH_H_

#include <functional>
#include <string>
#include <vector>

#include "nas/cost-budget.h"
#include "nnet/search-space.h"
#include "util/options-itf.h"

namespace tdnas {

using SubnetObjective = std::function<double(const SubnetConfig &)>;
// Scores a batch of configs at once (*scores resized to configs.size()): what a predictor
// wants (one GEMM per layer per generation). The search hands it each generation's distinct,
// not yet memoised subnets; the result is the same as calling a scalar objective one by one.
using SubnetBatchObjective =
    std::function<void(const std::vector<SubnetConfig> &configs, std::vector<double> *scores)>;

struct SubnetSearchOptions {
  std::string method = "evolution";  // evolution | random
  int32 population = 50;             // the paper's GA population
  int32 generations = 200;           // "a few hundred generations"
  float mutation_prob = 0.1;         // per gene, the paper's mutation rate
  float parent_ratio = 0.25;         // survivors per generation (Once-for-All's default)
  float mutation_ratio = 0.5;        // share of the population made by mutation
  int32 num_random = 10000;          // --method=random: subnets drawn (= 50 x 200 evolution)
  int32 num_best = 5;                // how many best distinct subnets to return
  int32 seed = 666;

  void Register(OptionsItf *opts);
  void Validate() const;  // TD_ERR on out-of-range values
};

struct ScoredSubnet {
  SubnetConfig config;
  double score = 0;   // objective, lower is better
  SubnetCost cost;
  double latency_ms = -1;  // predicted by the budget's latency model, -1 without one
};

struct SearchStats {
  int64 objective_calls = 0;  // distinct subnets evaluated
  int64 candidates = 0;       // subnets proposed (incl. repeats served from the memo)
  int64 repairs = 0;          // draws repaired by shrinking to meet the budget
};

// Runs opts.method. Returns up to opts.num_best distinct subnets, best first, all meeting the
// budget. TD_ERR if the budget is infeasible for the space (message: smallest achievable cost).
std::vector<ScoredSubnet> SearchSubnets(const SearchSpace &space, const CostBudget &budget,
                                        const SubnetObjective &objective,
                                        const SubnetSearchOptions &opts, SearchStats *stats);
std::vector<ScoredSubnet> SearchSubnets(const SearchSpace &space, const CostBudget &budget,
                                        const SubnetBatchObjective &objective,
                                        const SubnetSearchOptions &opts, SearchStats *stats);

// The Pareto front of points (cost, score), both lower-better: the indices of the points no
// other point dominates (cost <= and score <=, one of them strictly), sorted by cost; of exact
// duplicates the first is kept.
std::vector<size_t> ParetoFront(const std::vector<double> &cost, const std::vector<double> &score);

// Scores configs by an accuracy predictor's predicted EER (batched). The predictor must
// outlive the objective.
class AccuracyPredictor;
SubnetBatchObjective MakePredictorObjective(const AccuracyPredictor &predictor);

// Proxy objectives until a trained accuracy predictor exists: bigger nets tend to have lower
// EER, so the proxy prefers the subnet using most of the budget. "macs-proxy" scores
// 1 - MACs / MACs(largest of the space); "params-proxy" the same with parameters. Lower is
// better, in [0, 1). TD_ERR on an unknown name.
SubnetObjective MakeProxyObjective(const std::string &name, const SearchSpace &space,
                                   int32 frames);

}  // namespace tdnas

#endif  // TDNAS_NAS_SUBNET_SEARCH_H_
