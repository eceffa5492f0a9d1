// htk-holder.h: HtkMatrixHolder, the table holder for HTK-format feature matrices
// (Kaldi's HtkMatrixHolder): compute-fbank --output-format=htk writes with it and
// copy-feats --htk-in reads with it. The held object is (matrix, header); the on-disk form
// after "key " is the bare HTK file image of matrix/htk-matrix.h (no "\0B", no newline).
// Binary only: writing to a text table (ark,t:) is an error, as in Kaldi. No scp ranges.
#ifndef TDNAS_UTIL_HTK_HOLDER_H_
#define TDNAS_UTIL_HTK_HOLDER_H_

#include <istream>
#include <ostream>
#include <string>
#include <utility>

#include "base/log.h"
#include "matrix/htk-matrix.h"
#include "util/kaldi-table.h"

namespace tdnas {

class HtkMatrixHolder {
 public:
  typedef std::pair<Matrix<float>, HtkHeader> T;

  static bool Write(std::ostream &os, bool binary, const T &t) {
    if (!binary) TD_ERR << "Non-binary HTK-format write not supported.";
    WriteHtk(os, t.first, t.second);
    return os.good();
  }
  bool Read(std::istream &is) {
    ReadHtk(is, &t_.first, &t_.second);
    return true;
  }
  static bool IsReadInBinary() { return true; }
  T &Value() { return t_; }
  const T &Value() const { return t_; }
  void Clear() { t_ = T(); }
  void Swap(HtkMatrixHolder *other) { std::swap(t_, other->t_); }
  bool ExtractRange(const HtkMatrixHolder &, const std::string &) { return false; }

 private:
  T t_;
};

typedef SequentialTableReader<HtkMatrixHolder> SequentialHtkMatrixReader;
typedef RandomAccessTableReader<HtkMatrixHolder> RandomAccessHtkMatrixReader;
typedef TableWriter<HtkMatrixHolder> HtkMatrixWriter;

}  // namespace tdnas

#endif  // TDNAS_UTIL_HTK_HOLDER_H_
