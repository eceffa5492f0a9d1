// subnet-results.h: the results file of subnet evaluation, one line per evaluated subnet:
//   CONFIG MACS PARAMS EER MINDCF
// e.g. "3-512-512-512-512-5-3-3-3-1536 1445211648 5789760 1.21 0.132" (EER in %, minDCF at
// P_target 0.01; MACs at 301 frames). nnet-eval-subnets appends to it (resumable: configs
// already present are skipped), nnet-train-predictor reads it. Blank lines and lines starting
// with '#' are ignored.
#ifndef TDNAS_NAS_SUBNET_RESULTS_H_
#define TDNAS_NAS_SUBNET_RESULTS_H_

#include <string>
#include <vector>

#include "nnet/subnet-config.h"

namespace tdnas {

struct SubnetResult {
  SubnetConfig config;
  int64 macs = 0;
  int64 params = 0;
  double eer = 0;     // percent
  double mindcf = 0;
};

// "CONFIG MACS PARAMS EER MINDCF" with %.6g numbers.
std::string FormatSubnetResult(const SubnetResult &r);
// Parses one line; false with *error on a malformed line.
bool ParseSubnetResult(const std::string &line, SubnetResult *r, std::string *error);

// Reads every result of a file (rxfilename). Malformed lines: TD_ERR naming file and line if
// strict, else a warning and the line is skipped (a line cut short by a killed job).
// A config appearing twice keeps its first line (warning).
std::vector<SubnetResult> ReadSubnetResults(const std::string &rxfilename, bool strict);

}  // namespace tdnas

#endif  // TDNAS_NAS_SUBNET_RESULTS_H_
