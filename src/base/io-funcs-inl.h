// io-funcs-inl.h: template definitions for io-funcs.h (integer types).
#ifndef TDNAS_BASE_IO_FUNCS_INL_H_
#define TDNAS_BASE_IO_FUNCS_INL_H_

#include "base/log.h"

namespace tdnas {

template <class T> void WriteBasicType(std::ostream &os, bool binary, T t) {
  static_assert(std::is_integral<T>::value, "WriteBasicType: integer types only here");
  if (binary) {
    char len_c = std::is_signed<T>::value ? static_cast<char>(sizeof(t))
                                          : static_cast<char>(-static_cast<int>(sizeof(t)));
    os.put(len_c);
    os.write(reinterpret_cast<const char *>(&t), sizeof(t));
  } else {
    if (sizeof(t) == 1) os << static_cast<int16>(t) << " ";
    else os << t << " ";
  }
  if (os.fail()) TD_ERR << "Write failure in WriteBasicType.";
}

template <class T> void ReadBasicType(std::istream &is, bool binary, T *t) {
  static_assert(std::is_integral<T>::value, "ReadBasicType: integer types only here");
  if (binary) {
    int len_c_in = is.get();
    if (len_c_in == -1)
      TD_ERR << "ReadBasicType: encountered end of stream.";
    char len_c = static_cast<char>(len_c_in),
         len_c_expected = std::is_signed<T>::value
                              ? static_cast<char>(sizeof(*t))
                              : static_cast<char>(-static_cast<int>(sizeof(*t)));
    if (len_c != len_c_expected)
      TD_ERR << "ReadBasicType: did not get expected integer type, "
             << static_cast<int>(len_c) << " vs. " << static_cast<int>(len_c_expected)
             << ". You can change this code to successfully read it later, if needed.";
    is.read(reinterpret_cast<char *>(t), sizeof(*t));
  } else {
    if (sizeof(*t) == 1) {
      int16 i;
      is >> i;
      *t = static_cast<T>(i);
    } else {
      is >> *t;
    }
  }
  if (is.fail())
    TD_ERR << "Read failure in ReadBasicType, file position is " << is.tellg()
           << ", next char is " << DescribeNextBytes(is);
}

template <class T>
void WriteIntegerVector(std::ostream &os, bool binary, const std::vector<T> &v) {
  if (binary) {
    char sz = sizeof(T);
    os.write(&sz, 1);
    int32 vecsz = static_cast<int32>(v.size());
    os.write(reinterpret_cast<const char *>(&vecsz), sizeof(vecsz));
    // Each element carries its own size byte, as Kaldi writes them.
    for (const T &x : v) WriteBasicType(os, true, x);
  } else {
    os << "[ ";
    for (const T &x : v) os << x << " ";
    os << "]\n";
  }
  if (os.fail()) TD_ERR << "Write failure in WriteIntegerVector.";
}

template <class T>
void ReadIntegerVector(std::istream &is, bool binary, std::vector<T> *v) {
  if (binary) {
    int sz = is.peek();
    if (sz != static_cast<int>(sizeof(T)))
      TD_ERR << "ReadIntegerVector: expected to see type of size " << sizeof(T)
             << ", saw instead " << sz << ", at file position " << is.tellg();
    is.get();
    int32 vecsz;
    is.read(reinterpret_cast<char *>(&vecsz), sizeof(vecsz));
    if (is.fail() || vecsz < 0) TD_ERR << "ReadIntegerVector: bad size " << vecsz;
    v->resize(vecsz);
    for (int32 i = 0; i < vecsz; i++) ReadBasicType(is, true, &((*v)[i]));
  } else {
    std::vector<T> tmp;
    is >> std::ws;
    if (is.peek() != '[') TD_ERR << "ReadIntegerVector: expected '[', got " << DescribeNextBytes(is);
    is.get();
    is >> std::ws;
    while (is.peek() != ']') {
      T x;
      is >> x;
      if (is.fail()) TD_ERR << "ReadIntegerVector: failed reading element";
      tmp.push_back(x);
      is >> std::ws;
    }
    is.get();
    *v = std::move(tmp);
  }
  if (is.fail()) TD_ERR << "ReadIntegerVector: read failure at position " << is.tellg();
}

}  // namespace tdnas

#endif  // TDNAS_BASE_IO_FUNCS_INL_H_
