// compressed-matrix.h: Kaldi's CompressedMatrix (tokens CM, CM2, CM3), read and written
// byte-identically to Kaldi (see ../shared/spec/kaldi-compat.md section 1).
//   CM  (kSpeechFeature): per-column uint16 quantiles + one byte per value, column-major.
//   CM2 (kTwoByte*):      one uint16 per value, row-major.
//   CM3 (kOneByte*):      one uint8 per value, row-major.
#ifndef TDNAS_MATRIX_COMPRESSED_MATRIX_H_
#define TDNAS_MATRIX_COMPRESSED_MATRIX_H_

#include <istream>
#include <ostream>
#include <vector>

#include "matrix/kaldi-matrix.h"

namespace tdnas {

// Same numbering as Kaldi's --compression-method.
enum CompressionMethod {
  kAutomaticMethod = 1,        // CM if rows > 8, else CM2
  kSpeechFeature = 2,          // CM
  kTwoByteAuto = 3,            // CM2, range from the data
  kTwoByteSignedInteger = 4,   // CM2, min -32768, range 65535 (integers stored exactly)
  kOneByteAuto = 5,            // CM3, range from the data
  kOneByteUnsignedInteger = 6, // CM3, min 0, range 255
  kOneByteZeroOne = 7          // CM3, min 0, range 1
};

class CompressedMatrix {
 public:
  CompressedMatrix() {}
  template <typename Real>
  explicit CompressedMatrix(const Matrix<Real> &m, CompressionMethod method = kAutomaticMethod) {
    CopyFromMat(m, method);
  }
  template <typename Real>
  void CopyFromMat(const Matrix<Real> &m, CompressionMethod method = kAutomaticMethod);
  template <typename Real> void CopyToMat(Matrix<Real> *m) const;

  int32 NumRows() const { return num_rows_; }
  int32 NumCols() const { return num_cols_; }

  // Binary: reads CM/CM2/CM3 (token already peeked as 'C'); text: reads a float matrix and
  // compresses it (as Kaldi does).
  void Read(std::istream &is, bool binary);
  void Write(std::ostream &os, bool binary) const;

 private:
  enum DataFormat { kOneByteWithColHeaders = 1, kTwoByte = 2, kOneByte = 3 };
  DataFormat format_ = kOneByteWithColHeaders;
  float min_value_ = 0, range_ = 0;
  int32 num_rows_ = 0, num_cols_ = 0;
  // Payload after the 16-byte global header, exactly as stored on disk.
  std::vector<uint8_t> data_;
};

}  // namespace tdnas

#endif  // TDNAS_MATRIX_COMPRESSED_MATRIX_H_
