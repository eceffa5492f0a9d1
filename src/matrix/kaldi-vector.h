// kaldi-vector.h: dense float/double vectors with Kaldi's on-disk format.
// Binary: "FV "/"DV " token, int32 dim, raw values. Text: " [ v v ... ]\n" (precision 7).
#ifndef TDNAS_MATRIX_KALDI_VECTOR_H_
#define TDNAS_MATRIX_KALDI_VECTOR_H_

#include <istream>
#include <ostream>
#include <vector>

#include "base/io-funcs.h"
#include "base/log.h"

namespace tdnas {

template <typename Real> class Vector {
 public:
  Vector() {}
  explicit Vector(int32 dim) : data_(dim, Real(0)) {}
  template <typename Other> explicit Vector(const Vector<Other> &v) { CopyFromVec(v); }

  int32 Dim() const { return static_cast<int32>(data_.size()); }
  // Resizes; new elements are zero. Existing contents are kept up to the new size.
  void Resize(int32 dim) { data_.assign(dim, Real(0)); }
  void SetZero() { std::fill(data_.begin(), data_.end(), Real(0)); }
  Real *Data() { return data_.data(); }
  const Real *Data() const { return data_.data(); }
  Real &operator()(int32 i) { return data_[CheckIndex(i)]; }
  Real operator()(int32 i) const { return data_[CheckIndex(i)]; }

  template <typename Other> void CopyFromVec(const Vector<Other> &v) {
    data_.resize(v.Dim());
    for (int32 i = 0; i < v.Dim(); i++) data_[i] = static_cast<Real>(v.Data()[i]);
  }
  void CopyFromPtr(const Real *p, int32 n) { data_.assign(p, p + n); }

  // Reads FV, DV or text; converts between float and double.
  void Read(std::istream &is, bool binary);
  void Write(std::ostream &os, bool binary) const;

  bool operator==(const Vector &o) const { return data_ == o.data_; }

 private:
  int32 CheckIndex(int32 i) const {
    TD_ASSERT(static_cast<uint32>(i) < data_.size());
    return i;
  }
  std::vector<Real> data_;
};

}  // namespace tdnas

#endif  // TDNAS_MATRIX_KALDI_VECTOR_H_
