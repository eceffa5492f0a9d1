// scores.h: reading score files fast, and sorting scores.
//
// Two text formats:
//   compute-eer input   "<score> target|nontarget" per line (Kaldi's compute-eer)
//   trial scores        "<enroll> <test> <score>" per line (Kaldi's scoring output)
// Fields are separated by spaces or tabs; every line must have exactly the expected fields
// (an empty line is an error, as in Kaldi). Scores are parsed as float with correct rounding
// (the same value Kaldi's `istream >> float` gives), with a fast path for plain decimals.
// Throughput matters: evaluation lists have millions of lines, and the EER binaries spend most
// of their time here, so parsing works on large buffers, never per-line std::string.
#ifndef TDNAS_SV_SCORES_H_
#define TDNAS_SV_SCORES_H_

#include <istream>
#include <string>
#include <vector>

#include "base/io-funcs.h"

namespace tdnas {

// Parses one number (the whole of [begin, end)) as float. False if it is not a number.
bool ParseScore(const char *begin, const char *end, float *out);

// Appends the scores of "<score> target|nontarget" lines read from `is` (to the end of the
// stream). `name` is used in error messages. TD_ERR on a malformed line.
void ReadScoreLabels(std::istream &is, const std::string &name, std::vector<float> *target,
                     std::vector<float> *nontarget);

// Same, on text in memory (complete lines; a last line without '\n' is fine).
void ParseScoreLabels(const char *data, size_t size, const std::string &name,
                      std::vector<float> *target, std::vector<float> *nontarget);

struct TrialScore {
  std::string enroll, test;
  float score = 0;
};
// Reads "<enroll> <test> <score>" lines. TD_ERR on a malformed line.
void ReadTrialScores(std::istream &is, const std::string &name, std::vector<TrialScore> *out);

// Sorts ascending: the order of std::sort for scores without NaN (a NaN is an error), in
// linear time (radix sort on the float bit patterns); -0 sorts just before +0.
void SortScores(std::vector<float> *scores);

}  // namespace tdnas

#endif  // TDNAS_SV_SCORES_H_
