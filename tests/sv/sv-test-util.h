// sv-test-util.h: shared helpers of the sv tests (test data location, random scores).
#ifndef TDNAS_TESTS_SV_SV_TEST_UTIL_H_
#define TDNAS_TESTS_SV_SV_TEST_UTIL_H_

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "base/log.h"
#include "sv/scores.h"

namespace tdnas {
namespace sv_test {

inline std::string GoldenPath(const std::string &name) {
  const char *s = std::getenv("TDNAS_SHARED");
  return std::string(s ? s : "../shared") + "/testdata/golden/" + name;
}

inline void ReadGoldenScores(const std::string &name, std::vector<float> *target,
                             std::vector<float> *nontarget) {
  std::ifstream is(GoldenPath(name), std::ios::binary);
  if (!is) TD_ERR << "cannot open " << GoldenPath(name);
  ReadScoreLabels(is, name, target, nontarget);
}

// Gaussian target/nontarget scores; with `round_to` > 0, rounded to that step (many ties).
inline void RandomScores(int nt, int nn, double round_to, std::mt19937 *rng,
                         std::vector<float> *target, std::vector<float> *nontarget) {
  std::normal_distribution<double> g;
  auto draw = [&](double mean) {
    double v = mean + g(*rng);
    if (round_to > 0) v = std::round(v / round_to) * round_to;
    return static_cast<float>(v);
  };
  target->clear();
  nontarget->clear();
  for (int i = 0; i < nt; i++) target->push_back(draw(1.5));
  for (int i = 0; i < nn; i++) nontarget->push_back(draw(0.0));
}

}  // namespace sv_test
}  // namespace tdnas

#endif  // TDNAS_TESTS_SV_SV_TEST_UTIL_H_
