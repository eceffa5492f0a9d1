// kaldi-vector.cc: vector I/O in Kaldi's format (see kaldi-vector.h).
#include "matrix/kaldi-vector.h"

#include "matrix/text-float.h"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace tdnas {

template <typename Real> static const char *VecToken() {
  return sizeof(Real) == 4 ? "FV" : "DV";
}

template <typename Real> void Vector<Real>::Write(std::ostream &os, bool binary) const {
  if (binary) {
    WriteToken(os, binary, VecToken<Real>());
    int32 dim = Dim();
    WriteBasicType(os, binary, dim);
    os.write(reinterpret_cast<const char *>(data_.data()), sizeof(Real) * data_.size());
  } else {
    std::string line(" [ ");
    int precision = static_cast<int>(os.precision());
    for (const Real &x : data_) AppendTextFloat(x, precision, &line);
    line += "]\n";
    os.write(line.data(), line.size());
  }
  if (os.fail()) TD_ERR << "Failed to write vector to stream";
}

template <typename Real> void Vector<Real>::Read(std::istream &is, bool binary) {
  if (binary) {
    std::string token;
    ReadToken(is, binary, &token);
    bool is_float = token == "FV", is_double = token == "DV";
    if (!is_float && !is_double)
      TD_ERR << "Reading vector: expected token FV or DV, got " << token;
    int32 dim;
    ReadBasicType(is, binary, &dim);
    if (dim < 0) TD_ERR << "Reading vector: negative dimension " << dim;
    // Grow while reading: a corrupt dimension must not cost a huge allocation up front.
    const int32 kChunk = 1 << 22;
    data_.clear();
    for (int32 done = 0; done < dim && !is.fail();) {
      int32 m = std::min(kChunk, dim - done);
      data_.resize(done + m);
      if (is_float == (sizeof(Real) == 4)) {
        is.read(reinterpret_cast<char *>(data_.data() + done), sizeof(Real) * m);
      } else if (is_float) {
        std::vector<float> tmp(m);
        is.read(reinterpret_cast<char *>(tmp.data()), sizeof(float) * m);
        for (int32 i = 0; i < m; i++) data_[done + i] = tmp[i];
      } else {
        std::vector<double> tmp(m);
        is.read(reinterpret_cast<char *>(tmp.data()), sizeof(double) * m);
        for (int32 i = 0; i < m; i++) data_[done + i] = static_cast<Real>(tmp[i]);
      }
      done += m;
    }
    if (is.fail()) TD_ERR << "Reading vector of dimension " << dim << ": unexpected end of data";
    return;
  }
  is >> std::ws;
  if (is.get() != '[') TD_ERR << "Reading text vector: expected '['";
  std::vector<Real> tmp;
  std::string tok;
  while (true) {
    is >> tok;
    if (is.fail()) TD_ERR << "Reading text vector: unexpected end of data (missing ']')";
    if (tok == "]") break;
    char *end = nullptr;
    double d = std::strtod(tok.c_str(), &end);
    if (end == tok.c_str() || *end != '\0')
      TD_ERR << "Reading text vector: bad number '" << tok << "'";
    tmp.push_back(static_cast<Real>(d));
  }
  // Consume the rest of the line (the newline after ']').
  while (is.peek() == ' ' || is.peek() == '\t' || is.peek() == '\r') is.get();
  if (is.peek() == '\n') is.get();
  data_.swap(tmp);
}

template class Vector<float>;
template class Vector<double>;

}  // namespace tdnas
