// select-columns.cc: see select-columns.h.
#include "matrix/select-columns.h"

#include <cstdlib>

namespace tdnas {

static int32 ParseColumnNumber(const std::string &tok, const std::string &spec) {
  char *end = nullptr;
  long v = std::strtol(tok.c_str(), &end, 10);
  if (tok.empty() || *end != '\0' || v < 0 || v > (1L << 30))
    TD_ERR << "Bad column list '" << spec << "': '" << tok << "' is not a column number";
  return static_cast<int32>(v);
}

std::vector<int32> ParseColumnList(const std::string &spec) {
  std::vector<int32> cols;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string item = spec.substr(start, comma == std::string::npos ? std::string::npos
                                                                     : comma - start);
    size_t dash = item.find('-');
    if (dash == std::string::npos) {
      cols.push_back(ParseColumnNumber(item, spec));
    } else {
      int32 a = ParseColumnNumber(item.substr(0, dash), spec),
            b = ParseColumnNumber(item.substr(dash + 1), spec);
      if (b < a) TD_ERR << "Bad column list '" << spec << "': range " << item << " is descending";
      for (int32 c = a; c <= b; c++) cols.push_back(c);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return cols;
}

void SelectColumns(const Matrix<float> &in, const std::vector<int32> &columns,
                   Matrix<float> *out) {
  for (int32 c : columns)
    if (c >= in.NumCols())
      TD_ERR << "Column " << c << " selected but the matrix has only " << in.NumCols()
             << " columns";
  out->Resize(in.NumRows(), static_cast<int32>(columns.size()));
  for (int32 r = 0; r < in.NumRows(); r++) {
    const float *src = in.RowData(r);
    float *dst = out->RowData(r);
    for (size_t j = 0; j < columns.size(); j++) dst[j] = src[columns[j]];
  }
}

}  // namespace tdnas
