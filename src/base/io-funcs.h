// io-funcs.h: Kaldi's on-disk encoding of basic types and tokens, binary and text.
//
// Binary integers: one size byte (sizeof(T), negated for unsigned types) then little-endian
// bytes. float: 0x04 + 4 bytes, double: 0x08 + 8 bytes; a float reader accepts a double and
// vice versa. bool: 'T'/'F'. Tokens: the characters then one space (both modes).
// Text: values printed with operator<< followed by a space.
#ifndef TDNAS_BASE_IO_FUNCS_H_
#define TDNAS_BASE_IO_FUNCS_H_

#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

namespace tdnas {

typedef int32_t int32;
typedef int64_t int64;
typedef uint32_t uint32;
typedef uint64_t uint64;
typedef int16_t int16;
typedef uint16_t uint16;

// Integer types (int8..int64, unsigned too).
template <class T> void WriteBasicType(std::ostream &os, bool binary, T t);
template <class T> void ReadBasicType(std::istream &is, bool binary, T *t);

template <> void WriteBasicType<bool>(std::ostream &os, bool binary, bool b);
template <> void ReadBasicType<bool>(std::istream &is, bool binary, bool *b);
template <> void WriteBasicType<float>(std::ostream &os, bool binary, float f);
template <> void WriteBasicType<double>(std::ostream &os, bool binary, double d);
template <> void ReadBasicType<float>(std::istream &is, bool binary, float *f);
template <> void ReadBasicType<double>(std::istream &is, bool binary, double *d);

// std::vector<int32>-style integer vectors: binary = size (int32) then each element with its
// size byte; text = "[ 1 2 3 ]\n".
template <class T> void WriteIntegerVector(std::ostream &os, bool binary, const std::vector<T> &v);
template <class T> void ReadIntegerVector(std::istream &is, bool binary, std::vector<T> *v);

// Tokens are whitespace-free strings, e.g. "<Nnet>" or "FM". Written as token + ' '.
void WriteToken(std::ostream &os, bool binary, const std::string &token);
void ReadToken(std::istream &is, bool binary, std::string *token);
// Reads a token and fails (TD_ERR) unless it equals `token`.
void ExpectToken(std::istream &is, bool binary, const std::string &token);
// Next non-whitespace char (text) or next char (binary), not consumed; -1 at EOF.
int Peek(std::istream &is, bool binary);
// For '<Token>'-style tokens: returns the first char after '<' without consuming the token.
int PeekToken(std::istream &is, bool binary);

// Binary objects start with "\0B". Reads the header if present and returns true (binary);
// in text mode leading whitespace is skipped.
bool InitInputStream(std::istream &is);
// Writes "\0B" for binary; in text mode sets precision 7 (Kaldi's text float precision).
void InitOutputStream(std::ostream &os, bool binary);

// Short printable rendering of the next bytes of a stream for error messages.
std::string DescribeNextBytes(std::istream &is);

}  // namespace tdnas

#include "base/io-funcs-inl.h"

#endif  // TDNAS_BASE_IO_FUNCS_H_
