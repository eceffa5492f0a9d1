// compressed-matrix.cc: placeholder until the CompressedMatrix codec lands (issue 2).
#include "matrix/compressed-matrix.h"

namespace tdnas {

void CompressedMatrix::Read(std::istream &is, bool binary) {
  TD_ERR << "CompressedMatrix::Read: not implemented yet";
}
void CompressedMatrix::Write(std::ostream &os, bool binary) const {
  TD_ERR << "CompressedMatrix::Write: not implemented yet";
}
template <typename Real> void CompressedMatrix::CopyToMat(Matrix<Real> *m) const {
  TD_ERR << "CompressedMatrix::CopyToMat: not implemented yet";
}
template void CompressedMatrix::CopyToMat(Matrix<float> *m) const;
template void CompressedMatrix::CopyToMat(Matrix<double> *m) const;

}  // namespace tdnas
