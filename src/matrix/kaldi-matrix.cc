// kaldi-matrix.cc: matrix storage, BLAS products and I/O in Kaldi's format.
#include "matrix/kaldi-matrix.h"

#include <cstdlib>
#include <string>

#include "matrix/compressed-matrix.h"
#include "matrix/text-float.h"

namespace tdnas {

template <typename Real> void Matrix<Real>::Resize(int32 rows, int32 cols) {
  TD_ASSERT(rows >= 0 && cols >= 0);
  if (rows == 0 || cols == 0) rows = cols = 0;
  rows_ = rows;
  cols_ = cols;
  data_.assign(static_cast<size_t>(rows) * cols, Real(0));
}

template <typename Real>
void Matrix<Real>::CopyFromSubMatrix(const Matrix<Real> &m, int32 r0, int32 nr, int32 c0,
                                     int32 nc) {
  TD_ASSERT(r0 >= 0 && nr >= 0 && r0 + nr <= m.NumRows());
  TD_ASSERT(c0 >= 0 && nc >= 0 && c0 + nc <= m.NumCols());
  Resize(nr, nc);
  for (int32 r = 0; r < rows_; r++)
    std::copy(m.RowData(r0 + r) + c0, m.RowData(r0 + r) + c0 + nc, RowData(r));
}

template <typename Real> void Matrix<Real>::CopyRowFromVec(const Vector<Real> &v, int32 r) {
  TD_ASSERT(v.Dim() == cols_);
  std::copy(v.Data(), v.Data() + cols_, RowData(r));
}

// Reads n raw values, growing the buffer 4M values at a time, so a truncated stream with a
// lying header fails after reading what is there instead of allocating the claimed size.
template <typename T>
static void ReadRawChunked(std::istream &is, size_t n, std::vector<T> *out) {
  const size_t kChunk = size_t(1) << 22;
  out->clear();
  while (out->size() < n) {
    size_t m = std::min(kChunk, n - out->size()), old = out->size();
    out->resize(old + m);
    is.read(reinterpret_cast<char *>(out->data() + old), sizeof(T) * m);
    if (is.fail())
      TD_ERR << "Reading matrix of " << n << " values: unexpected end of data after "
             << old + is.gcount() / sizeof(T) << " (truncated?)";
  }
}

template <typename Real> void Matrix<Real>::Write(std::ostream &os, bool binary) const {
  if (binary) {
    WriteToken(os, binary, sizeof(Real) == 4 ? "FM" : "DM");
    WriteBasicType(os, binary, rows_);
    WriteBasicType(os, binary, cols_);
    os.write(reinterpret_cast<const char *>(data_.data()), sizeof(Real) * data_.size());
  } else if (cols_ == 0) {
    os << " [ ]\n";
  } else {
    // std::to_chars in general format at the stream's precision prints exactly what
    // operator<< prints (Kaldi's text form), an order of magnitude faster.
    int precision = static_cast<int>(os.precision());
    std::string line;
    os << " [";
    for (int32 r = 0; r < rows_; r++) {
      line.assign("\n  ");
      const Real *row = RowData(r);
      for (int32 c = 0; c < cols_; c++) AppendTextFloat(row[c], precision, &line);
      os.write(line.data(), line.size());
    }
    os << "]\n";
  }
  if (os.fail()) TD_ERR << "Failed to write matrix to stream";
}

template <typename Real> void Matrix<Real>::Read(std::istream &is, bool binary) {
  if (!binary) {
    ReadText(is);
    return;
  }
  if (is.peek() == 'C') {  // CM, CM2, CM3
    CompressedMatrix cm;
    cm.Read(is, binary);
    cm.CopyToMat(this);
    return;
  }
  std::string token;
  ReadToken(is, binary, &token);
  bool is_float = token == "FM", is_double = token == "DM";
  if (!is_float && !is_double)
    TD_ERR << "Reading matrix: expected token FM, DM or CM*, got '" << token << "'";
  int32 rows, cols;
  ReadBasicType(is, binary, &rows);
  ReadBasicType(is, binary, &cols);
  if (rows < 0 || cols < 0 || (static_cast<int64>(rows) * cols > (int64(1) << 34)))
    TD_ERR << "Reading matrix: implausible size " << rows << " x " << cols;
  // Read before allocating all of it: a corrupt header must not cost a huge allocation.
  size_t n = static_cast<size_t>(rows) * cols;
  if (is_float == (sizeof(Real) == 4)) {
    // Same type: the chunked buffer becomes the matrix (no zero-fill, no second copy: this
    // was ~37% of copy-feats' time reading archives).
    std::vector<Real> tmp;
    ReadRawChunked(is, n, &tmp);
    Resize(0, 0);
    if (rows != 0 && cols != 0) {
      rows_ = rows;
      cols_ = cols;
      if (tmp.capacity() > tmp.size()) tmp.shrink_to_fit();  // only past one 16 MB chunk
      data_.swap(tmp);
    }
  } else if (is_float) {
    std::vector<float> tmp;
    ReadRawChunked(is, n, &tmp);
    Resize(rows, cols);
    for (size_t i = 0; i < tmp.size(); i++) data_[i] = tmp[i];
  } else {
    std::vector<double> tmp;
    ReadRawChunked(is, n, &tmp);
    Resize(rows, cols);
    for (size_t i = 0; i < tmp.size(); i++) data_[i] = static_cast<Real>(tmp[i]);
  }
}

// Text: "[" then rows separated by newlines, "]" at the end of the last row.
template <typename Real> void Matrix<Real>::ReadText(std::istream &is) {
  is >> std::ws;
  if (is.get() != '[') TD_ERR << "Reading text matrix: expected '['";
  std::vector<Real> vals;
  int32 rows = 0, cols = -1, cur = 0;
  std::string tok;
  auto end_row = [&]() {
    if (cur == 0) return;
    if (cols == -1) cols = cur;
    else if (cur != cols)
      TD_ERR << "Reading text matrix: row " << rows << " has " << cur << " values, expected " << cols;
    rows++;
    cur = 0;
  };
  while (true) {
    int c = is.peek();
    if (c == EOF) TD_ERR << "Reading text matrix: unexpected end of data (missing ']')";
    if (c == '\n') { is.get(); end_row(); continue; }
    if (c == ' ' || c == '\t' || c == '\r') { is.get(); continue; }
    if (c == ']') {
      is.get();
      end_row();
      break;
    }
    is >> tok;
    if (!tok.empty() && tok.back() == ']') {  // "1.5]" written without a space
      tok.pop_back();
      is.unget();
    }
    char *end = nullptr;
    double d = std::strtod(tok.c_str(), &end);
    if (end == tok.c_str() || *end != '\0')
      TD_ERR << "Reading text matrix: bad number '" << tok << "'";
    vals.push_back(static_cast<Real>(d));
    cur++;
  }
  while (is.peek() == ' ' || is.peek() == '\t' || is.peek() == '\r') is.get();
  if (is.peek() == '\n') is.get();
  if (cols <= 0) { Resize(0, 0); return; }
  Resize(rows, cols);
  std::copy(vals.begin(), vals.end(), data_.begin());
}

template class Matrix<float>;
template class Matrix<double>;

}  // namespace tdnas
