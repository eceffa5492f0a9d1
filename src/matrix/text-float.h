// text-float.h: fast text formatting of floats, identical to `os << x << " "` on a stream
// with default float format and the given precision (Kaldi's text archives use 7).
#ifndef TDNAS_MATRIX_TEXT_FLOAT_H_
#define TDNAS_MATRIX_TEXT_FLOAT_H_

#include <charconv>
#include <string>

namespace tdnas {

// Appends x and one space to *out. General format with `precision` significant digits is
// what operator<< uses by default (printf's %g); to_chars gives the same characters,
// including "inf", "-inf" and "nan".
template <typename Real>
inline void AppendTextFloat(Real x, int precision, std::string *out) {
  char buf[64];
  std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), x, std::chars_format::general,
                                         precision);
  out->append(buf, r.ptr - buf);
  out->push_back(' ');
}

}  // namespace tdnas

#endif  // TDNAS_MATRIX_TEXT_FLOAT_H_
