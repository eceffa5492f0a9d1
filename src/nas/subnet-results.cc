// subnet-results.cc: the "CONFIG MACS PARAMS EER MINDCF" results file.
#include "nas/subnet-results.h"

#include <cmath>
#include <cstdio>
#include <sstream>
#include <unordered_set>

#include "base/log.h"
#include "util/kaldi-io.h"

namespace tdnas {

std::string FormatSubnetResult(const SubnetResult &r) {
  char buf[128];
  std::snprintf(buf, sizeof(buf), " %lld %lld %.6g %.6g", static_cast<long long>(r.macs),
                static_cast<long long>(r.params), r.eer, r.mindcf);
  return r.config.ToString() + buf;
}

bool ParseSubnetResult(const std::string &line, SubnetResult *r, std::string *error) {
  std::istringstream is(line);
  std::string cfg, extra;
  if (!(is >> cfg >> r->macs >> r->params >> r->eer >> r->mindcf)) {
    *error = "expected 5 fields: CONFIG MACS PARAMS EER MINDCF";
    return false;
  }
  if (is >> extra) {
    *error = "more than 5 fields";
    return false;
  }
  if (!std::isfinite(r->eer) || !std::isfinite(r->mindcf) || r->eer < 0) {
    *error = "EER/minDCF not finite and non-negative";
    return false;
  }
  std::string why;
  if (!ParseSubnetConfig(cfg, &r->config, &why)) {
    *error = "bad config '" + cfg + "': " + why;
    return false;
  }
  return true;
}

std::vector<SubnetResult> ReadSubnetResults(const std::string &rxfilename, bool strict) {
  Input in(rxfilename);
  std::vector<SubnetResult> out;
  std::unordered_set<std::string> seen;
  std::string line, error;
  for (int64 n = 1; std::getline(in.Stream(), line); ++n) {
    const size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos || line[b] == '#') continue;
    SubnetResult r;
    if (!ParseSubnetResult(line, &r, &error)) {
      if (strict) TD_ERR << rxfilename << " line " << n << ": " << error;
      TD_WARN << rxfilename << " line " << n << ": " << error << " (skipped)";
      continue;
    }
    if (!seen.insert(r.config.ToString()).second) {
      TD_WARN << rxfilename << " line " << n << ": " << r.config.ToString()
              << " already seen, keeping the first";
      continue;
    }
    out.push_back(r);
  }
  return out;
}

}  // namespace tdnas
