// select-columns.h: Kaldi's select-feats column lists ("0-2,5,10-12") and column selection.
#ifndef TDNAS_MATRIX_SELECT_COLUMNS_H_
#define TDNAS_MATRIX_SELECT_COLUMNS_H_

#include <string>
#include <vector>

#include "matrix/kaldi-matrix.h"

namespace tdnas {

// Parses a comma-separated list of 0-based columns and inclusive ranges, e.g. "1-80" or
// "0,3-5". Fails (TD_ERR) on syntax errors or empty/descending ranges. Columns may repeat.
std::vector<int32> ParseColumnList(const std::string &spec);

// out = the given columns of in, in that order. Fails when a column is >= in.NumCols().
void SelectColumns(const Matrix<float> &in, const std::vector<int32> &columns,
                   Matrix<float> *out);

}  // namespace tdnas

#endif  // TDNAS_MATRIX_SELECT_COLUMNS_H_
