// kaldi-holder.h: holders, the adapters between table readers/writers and object types.
//
// The holder concept (every holder, including WaveHolder in src/feat and model holders, has
// these members; table code in kaldi-table.h uses nothing else):
//
//   typedef ... T;                        // the object type held
//   static bool Write(std::ostream &os, bool binary, const T &t);
//       Writes one object as it appears after "key " in an archive: for binary, the "\0B"
//       header first (InitOutputStream), then the object. True on success; may TD_ERR.
//   bool Read(std::istream &is);
//       Reads one object, deciding binary/text per object with InitInputStream (a "\0B"
//       header means binary). Must consume the object's trailing newline in text mode so the
//       next key can follow. Returns false or throws FatalError on bad data; the table reader
//       adds the file and key to the message.
//   static bool IsReadInBinary();         // kept for Kaldi parity (Windows text mode); unused
//   T &Value();
//   void Clear();                          // frees memory held by the object
//   void Swap(Holder *other);
//   bool ExtractRange(const Holder &other, const std::string &range);
//       For scp lines "file:offset[range]": sets this object to the part of other.Value()
//       named by range. Holders that do not support ranges return false.
//
// Holders here:
//   KaldiObjectHolder<T>       any T with Read(is, binary) / Write(os, binary): Matrix<float|
//                              double>, Vector<float|double>, CompressedMatrix, model classes.
//                              Matrix ranges "r1:r2", "r1:r2,c1:c2", ":,c1:c2", ":" (0-based,
//                              inclusive); Vector ranges "i1:i2".
//   BasicHolder<T>             int32, float, double, bool. Text "123 \n" (trailing space).
//   BasicVectorHolder<T>       std::vector<int32> etc. Binary "\0B", int32 count, each element
//                              with its size byte; text: elements each followed by ' ', '\n'.
//   TokenHolder                std::string without whitespace, one per line; text only.
//   TokenVectorHolder          std::vector<std::string>, "a b c \n"; text only.
#ifndef TDNAS_UTIL_KALDI_HOLDER_H_
#define TDNAS_UTIL_KALDI_HOLDER_H_

#include <istream>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "base/io-funcs.h"
#include "base/log.h"
#include "matrix/kaldi-matrix.h"
#include "matrix/kaldi-vector.h"
#include "util/text-utils.h"

namespace tdnas {

// Parses a matrix range as Kaldi does for scp lines: "r1:r2" or "r1:r2,c1:c2", each part
// may be ":" for the whole dimension; 0-based inclusive. The last row may exceed the matrix
// by up to 2 (frame-count rounding at segment edges; clamped with a WARNING); columns must be
// in range. TD_ERR "Invalid range specifier: <range> for matrix of size RxC" otherwise.
void ParseMatrixRangeSpecifier(const std::string &range, int32 rows, int32 cols, int32 *r0,
                               int32 *r1, int32 *c0, int32 *c1);

// Range extraction for the types that support it; the generic one says no.
template <class T> bool ExtractObjectRange(const T &, const std::string &, T *) {
  return false;
}
template <class Real>
bool ExtractObjectRange(const Matrix<Real> &in, const std::string &range, Matrix<Real> *out) {
  int32 r0, r1, c0, c1;
  ParseMatrixRangeSpecifier(range, in.NumRows(), in.NumCols(), &r0, &r1, &c0, &c1);
  out->CopyFromSubMatrix(in, r0, r1 - r0 + 1, c0, c1 - c0 + 1);
  return true;
}
template <class Real>
bool ExtractObjectRange(const Vector<Real> &in, const std::string &range, Vector<Real> *out) {
  std::vector<std::string> parts;
  SplitStringToVector(range, ":", false, &parts);
  int32 i0, i1;
  if (parts.size() != 2 || !ConvertStringToInteger(parts[0], &i0) ||
      !ConvertStringToInteger(parts[1], &i1) || i0 < 0 || i0 > i1 || i1 >= in.Dim())
    TD_ERR << "Invalid range specifier: " << range << " for vector of size " << in.Dim();
  out->CopyFromPtr(in.Data() + i0, i1 - i0 + 1);
  return true;
}

template <class KaldiType> class KaldiObjectHolder {
 public:
  typedef KaldiType T;
  static bool Write(std::ostream &os, bool binary, const T &t) {
    InitOutputStream(os, binary);
    t.Write(os, binary);
    return os.good();
  }
  // Reads into the held object, reusing its memory (on failure the old value is lost).
  bool Read(std::istream &is) {
    bool binary = InitInputStream(is);
    t_.Read(is, binary);
    return true;
  }
  static bool IsReadInBinary() { return true; }
  T &Value() { return t_; }
  const T &Value() const { return t_; }
  void Clear() { t_ = T(); }
  void Swap(KaldiObjectHolder *other) { std::swap(t_, other->t_); }
  bool ExtractRange(const KaldiObjectHolder &other, const std::string &range) {
    return ExtractObjectRange(other.t_, range, &t_);
  }

 private:
  T t_;
};

// Reads the rest of the current line (the newline is consumed, not returned).
inline bool ReadLineOfObject(std::istream &is, std::string *line) {
  std::getline(is, *line);
  if (is.fail()) return false;
  if (!line->empty() && line->back() == '\r') line->pop_back();
  return true;
}

template <class BasicType> class BasicHolder {
 public:
  typedef BasicType T;
  static bool Write(std::ostream &os, bool binary, const T &t) {
    InitOutputStream(os, binary);
    WriteBasicType(os, binary, t);
    if (!binary) os << '\n';
    return os.good();
  }
  bool Read(std::istream &is) {
    if (InitInputStream(is)) {
      ReadBasicType(is, true, &t_);
      return true;
    }
    std::string line;
    if (!ReadLineOfObject(is, &line)) TD_ERR << "BasicHolder: unexpected end of data";
    std::istringstream iss(line);
    ReadBasicType(iss, false, &t_);
    iss >> std::ws;
    if (!iss.eof()) TD_ERR << "BasicHolder: junk after the value in line '" << line << "'";
    return true;
  }
  static bool IsReadInBinary() { return true; }
  T &Value() { return t_; }
  const T &Value() const { return t_; }
  void Clear() {}
  void Swap(BasicHolder *other) { std::swap(t_, other->t_); }
  bool ExtractRange(const BasicHolder &, const std::string &) { return false; }

 private:
  T t_ = T();
};

template <class BasicType> class BasicVectorHolder {
 public:
  typedef std::vector<BasicType> T;
  static bool Write(std::ostream &os, bool binary, const T &t) {
    InitOutputStream(os, binary);
    if (binary) {
      WriteBasicType(os, true, static_cast<int32>(t.size()));
      for (const BasicType &x : t) WriteBasicType(os, true, x);
    } else {
      for (const BasicType &x : t) WriteBasicType(os, false, x);
      os << '\n';
    }
    return os.good();
  }
  bool Read(std::istream &is) {
    T tmp;
    if (InitInputStream(is)) {
      int32 size;
      ReadBasicType(is, true, &size);
      if (size < 0 || size > (1 << 30)) TD_ERR << "BasicVectorHolder: bad size " << size;
      tmp.resize(size);
      for (int32 i = 0; i < size; i++) ReadBasicType(is, true, &tmp[i]);
    } else {
      std::string line;
      if (!ReadLineOfObject(is, &line)) TD_ERR << "BasicVectorHolder: unexpected end of data";
      std::istringstream iss(line);
      iss >> std::ws;
      while (!iss.eof()) {
        BasicType x;
        ReadBasicType(iss, false, &x);
        tmp.push_back(x);
        iss >> std::ws;
      }
    }
    t_.swap(tmp);
    return true;
  }
  static bool IsReadInBinary() { return true; }
  T &Value() { return t_; }
  const T &Value() const { return t_; }
  void Clear() { T().swap(t_); }
  void Swap(BasicVectorHolder *other) { t_.swap(other->t_); }
  bool ExtractRange(const BasicVectorHolder &, const std::string &) { return false; }

 private:
  T t_;
};

class TokenHolder {
 public:
  typedef std::string T;
  static bool Write(std::ostream &os, bool binary, const T &t) {
    if (!IsToken(t)) TD_ERR << "TokenHolder: not a valid token: '" << t << "'";
    os << t << '\n';  // text form in both modes, as Kaldi
    return os.good();
  }
  bool Read(std::istream &is) {
    std::string line;
    if (!ReadLineOfObject(is, &line)) TD_ERR << "TokenHolder: unexpected end of data";
    std::string tok, rest;
    if (!SplitFirstToken(line, &tok, &rest) || !rest.empty())
      TD_ERR << "TokenHolder: expected one token on the line, got '" << line << "'";
    t_ = tok;
    return true;
  }
  static bool IsReadInBinary() { return false; }
  T &Value() { return t_; }
  const T &Value() const { return t_; }
  void Clear() { t_.clear(); }
  void Swap(TokenHolder *other) { t_.swap(other->t_); }
  bool ExtractRange(const TokenHolder &, const std::string &) { return false; }

 private:
  T t_;
};

class TokenVectorHolder {
 public:
  typedef std::vector<std::string> T;
  static bool Write(std::ostream &os, bool binary, const T &t) {
    for (const std::string &s : t) {
      if (!IsToken(s)) TD_ERR << "TokenVectorHolder: not a valid token: '" << s << "'";
      os << s << ' ';
    }
    os << '\n';
    return os.good();
  }
  bool Read(std::istream &is) {
    std::string line;
    if (!ReadLineOfObject(is, &line)) TD_ERR << "TokenVectorHolder: unexpected end of data";
    SplitStringToVector(line, " \t\r", true, &t_);
    return true;
  }
  static bool IsReadInBinary() { return false; }
  T &Value() { return t_; }
  const T &Value() const { return t_; }
  void Clear() { T().swap(t_); }
  void Swap(TokenVectorHolder *other) { t_.swap(other->t_); }
  bool ExtractRange(const TokenVectorHolder &, const std::string &) { return false; }

 private:
  T t_;
};

}  // namespace tdnas

#endif  // TDNAS_UTIL_KALDI_HOLDER_H_
