// kaldi-holder.cc: range specifiers for holders (see kaldi-holder.h).
#include "util/kaldi-holder.h"

namespace tdnas {

// One part of a range: ":" (whole dimension, given as -1 -1) or "first:last".
static bool ParseRangePart(const std::string &part, int32 *first, int32 *last) {
  if (part == ":") {
    *first = *last = -1;
    return true;
  }
  std::vector<std::string> ends;
  SplitStringToVector(part, ":", false, &ends);
  return ends.size() == 2 && ConvertStringToInteger(ends[0], first) &&
         ConvertStringToInteger(ends[1], last);
}

void ParseMatrixRangeSpecifier(const std::string &range, int32 rows, int32 cols, int32 *r0,
                               int32 *r1, int32 *c0, int32 *c1) {
  std::vector<std::string> parts;
  SplitStringToVector(range, ",", false, &parts);
  bool ok = (parts.size() == 1 || parts.size() == 2);
  for (const std::string &p : parts) ok = ok && !p.empty();
  *r0 = *r1 = *c0 = *c1 = -1;
  ok = ok && ParseRangePart(parts[0], r0, r1);
  if (ok && parts.size() == 2) ok = ParseRangePart(parts[1], c0, c1);
  if (ok) {
    if (*r0 == -1 && *r1 == -1) { *r0 = 0; *r1 = rows - 1; }
    if (*c0 == -1 && *c1 == -1) { *c0 = 0; *c1 = cols - 1; }
    // Rows may overshoot by up to 2 (segment-edge rounding); columns may not.
    const int32 kRowTolerance = 3;
    ok = *r0 >= 0 && *r0 <= *r1 && *r1 < rows + kRowTolerance && *c0 >= 0 && *c0 <= *c1 &&
         *c1 < cols;
  }
  if (!ok)
    TD_ERR << "Invalid range specifier: " << range << " for matrix of size " << rows << "x"
           << cols;
  if (*r1 >= rows) {
    TD_WARN << "Row range " << *r0 << ":" << *r1 << " goes beyond the number of rows of the "
            << "matrix " << rows << "; clamped";
    *r1 = rows - 1;
    if (*r0 > *r1)
      TD_ERR << "Invalid range specifier: " << range << " for matrix of size " << rows << "x"
             << cols;
  }
}

}  // namespace tdnas
