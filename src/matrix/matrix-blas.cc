// matrix-blas.cc: the Matrix operations that call OpenBLAS, kept apart from kaldi-matrix.cc so
// that binaries which only read and write matrices (compute-fbank, copy-feats) do not pull in
// OpenBLAS, whose pthread build starts a thread pool in every process that loads it.
#include <cblas.h>

#include "matrix/kaldi-matrix.h"

namespace tdnas {

template <>
void Matrix<float>::AddMatMat(float alpha, const Matrix<float> &A, MatrixTransposeType ta,
                              const Matrix<float> &B, MatrixTransposeType tb, float beta) {
  int32 m = ta ? A.cols_ : A.rows_, k = ta ? A.rows_ : A.cols_;
  int32 k2 = tb ? B.cols_ : B.rows_, n = tb ? B.rows_ : B.cols_;
  TD_ASSERT(k == k2 && m == rows_ && n == cols_);
  if (m == 0 || n == 0) return;
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              m, n, k, alpha, A.Data(), A.cols_ ? A.cols_ : 1, B.Data(), B.cols_ ? B.cols_ : 1,
              beta, Data(), cols_);
}

template <>
void Matrix<double>::AddMatMat(double alpha, const Matrix<double> &A, MatrixTransposeType ta,
                               const Matrix<double> &B, MatrixTransposeType tb, double beta) {
  int32 m = ta ? A.cols_ : A.rows_, k = ta ? A.rows_ : A.cols_;
  int32 k2 = tb ? B.cols_ : B.rows_, n = tb ? B.rows_ : B.cols_;
  TD_ASSERT(k == k2 && m == rows_ && n == cols_);
  if (m == 0 || n == 0) return;
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              m, n, k, alpha, A.Data(), A.cols_ ? A.cols_ : 1, B.Data(), B.cols_ ? B.cols_ : 1,
              beta, Data(), cols_);
}

}  // namespace tdnas
