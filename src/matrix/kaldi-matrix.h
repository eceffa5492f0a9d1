// kaldi-matrix.h: dense row-major float/double matrices with Kaldi's on-disk format.
// Binary: "FM "/"DM " token, int32 rows, int32 cols, row-major values; a float reader also
// accepts DM and the compressed forms CM/CM2/CM3 (compressed-matrix.h).
// Text: " [" then "\n  v v ... " per row then "]\n"; an empty matrix is " [ ]\n".
// Rows are contiguous (stride == cols): archives and BLAS both want that layout.
#ifndef TDNAS_MATRIX_KALDI_MATRIX_H_
#define TDNAS_MATRIX_KALDI_MATRIX_H_

#include <algorithm>
#include <istream>
#include <ostream>
#include <vector>

#include "base/io-funcs.h"
#include "base/log.h"
#include "matrix/kaldi-vector.h"

namespace tdnas {

enum MatrixTransposeType { kNoTrans = 0, kTrans = 1 };

template <typename Real> class Matrix {
 public:
  Matrix() {}
  Matrix(int32 rows, int32 cols) { Resize(rows, cols); }
  template <typename Other> explicit Matrix(const Matrix<Other> &m) { CopyFromMat(m); }

  int32 NumRows() const { return rows_; }
  int32 NumCols() const { return cols_; }
  // Resizes and zeroes. A matrix with 0 rows or 0 cols is stored as 0x0 (Kaldi's convention).
  void Resize(int32 rows, int32 cols);
  void SetZero() { std::fill(data_.begin(), data_.end(), Real(0)); }
  Real *Data() { return data_.data(); }
  const Real *Data() const { return data_.data(); }
  Real *RowData(int32 r) { return data_.data() + static_cast<size_t>(CheckRow(r)) * cols_; }
  const Real *RowData(int32 r) const {
    return data_.data() + static_cast<size_t>(CheckRow(r)) * cols_;
  }
  Real &operator()(int32 r, int32 c) { return data_[Index(r, c)]; }
  Real operator()(int32 r, int32 c) const { return data_[Index(r, c)]; }

  template <typename Other> void CopyFromMat(const Matrix<Other> &m) {
    Resize(m.NumRows(), m.NumCols());
    const Other *src = m.Data();
    for (size_t i = 0; i < data_.size(); i++) data_[i] = static_cast<Real>(src[i]);
  }
  // Rows [r0, r0+nr) and columns [c0, c0+nc) of `m` (used for scp range specifiers).
  void CopyFromSubMatrix(const Matrix<Real> &m, int32 r0, int32 nr, int32 c0, int32 nc);
  void CopyRowFromVec(const Vector<Real> &v, int32 r);

  // this = beta * this + alpha * op(A) * op(B), via OpenBLAS.
  void AddMatMat(Real alpha, const Matrix<Real> &A, MatrixTransposeType ta,
                 const Matrix<Real> &B, MatrixTransposeType tb, Real beta);

  void Read(std::istream &is, bool binary);
  void Write(std::ostream &os, bool binary) const;

  bool operator==(const Matrix &o) const {
    return rows_ == o.rows_ && cols_ == o.cols_ && data_ == o.data_;
  }

 private:
  int32 CheckRow(int32 r) const {
    TD_ASSERT(r >= 0 && r < rows_);
    return r;
  }
  size_t Index(int32 r, int32 c) const {
    TD_ASSERT(r >= 0 && r < rows_ && c >= 0 && c < cols_);
    return static_cast<size_t>(r) * cols_ + c;
  }
  void ReadText(std::istream &is);

  int32 rows_ = 0, cols_ = 0;
  std::vector<Real> data_;
};

// Defined in matrix-blas.cc (the only file of this layer that calls BLAS).
template <>
void Matrix<float>::AddMatMat(float alpha, const Matrix<float> &A, MatrixTransposeType ta,
                              const Matrix<float> &B, MatrixTransposeType tb, float beta);
template <>
void Matrix<double>::AddMatMat(double alpha, const Matrix<double> &A, MatrixTransposeType ta,
                               const Matrix<double> &B, MatrixTransposeType tb, double beta);

}  // namespace tdnas

#endif  // TDNAS_MATRIX_KALDI_MATRIX_H_
