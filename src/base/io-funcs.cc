// io-funcs.cc: floats, bools and tokens in Kaldi's encoding (see io-funcs.h).
#include "base/io-funcs.h"

#include <cctype>
#include <cstdio>

namespace tdnas {

template <> void WriteBasicType<bool>(std::ostream &os, bool binary, bool b) {
  os << (b ? "T" : "F");
  if (!binary) os << " ";
  if (os.fail()) TD_ERR << "Write failure in WriteBasicType<bool>";
}

template <> void ReadBasicType<bool>(std::istream &is, bool binary, bool *b) {
  if (!binary) is >> std::ws;
  int c = is.get();
  if (c == 'T') *b = true;
  else if (c == 'F') *b = false;
  else TD_ERR << "Read failure in ReadBasicType<bool>, expected T or F, got " << c;
  if (!binary && is.peek() != EOF && std::isspace(is.peek())) is.get();
}

template <class F> static void WriteFloatType(std::ostream &os, bool binary, F f) {
  if (binary) {
    char c = sizeof(f);
    os.put(c);
    os.write(reinterpret_cast<const char *>(&f), sizeof(f));
  } else {
    os << f << " ";
  }
  if (os.fail()) TD_ERR << "Write failure in WriteBasicType<float/double>";
}

template <> void WriteBasicType<float>(std::ostream &os, bool binary, float f) {
  WriteFloatType(os, binary, f);
}
template <> void WriteBasicType<double>(std::ostream &os, bool binary, double d) {
  WriteFloatType(os, binary, d);
}

// A float reader accepts doubles and vice versa (Kaldi does the same).
template <class F> static void ReadFloatType(std::istream &is, bool binary, F *f) {
  if (binary) {
    int c = is.get();
    if (c == 4) {
      float x;
      is.read(reinterpret_cast<char *>(&x), 4);
      *f = static_cast<F>(x);
    } else if (c == 8) {
      double x;
      is.read(reinterpret_cast<char *>(&x), 8);
      *f = static_cast<F>(x);
    } else {
      TD_ERR << "ReadBasicType: expected float/double size byte 4 or 8, got " << c
             << " at file position " << is.tellg();
    }
  } else {
    // operator>> does not read "inf"/"nan" that Kaldi may print; handle them by hand.
    is >> std::ws;
    std::string tok;
    is >> tok;
    if (is.fail()) TD_ERR << "ReadBasicType: failed to read float (end of stream?)";
    char *end = nullptr;
    double d = std::strtod(tok.c_str(), &end);
    if (end == tok.c_str() || *end != '\0')
      TD_ERR << "ReadBasicType: could not parse '" << tok << "' as a number";
    *f = static_cast<F>(d);
  }
  if (is.fail()) TD_ERR << "Read failure in ReadBasicType<float/double> (truncated?)";
}

template <> void ReadBasicType<float>(std::istream &is, bool binary, float *f) {
  ReadFloatType(is, binary, f);
}
template <> void ReadBasicType<double>(std::istream &is, bool binary, double *d) {
  ReadFloatType(is, binary, d);
}

void WriteToken(std::ostream &os, bool binary, const std::string &token) {
  if (token.empty() || token.find_first_of(" \t\n\r") != std::string::npos)
    TD_ERR << "WriteToken: invalid token '" << token << "'";
  os << token << " ";
  if (os.fail()) TD_ERR << "Write failure in WriteToken.";
}

void ReadToken(std::istream &is, bool binary, std::string *token) {
  if (!binary) is >> std::ws;
  is >> *token;
  if (is.fail()) TD_ERR << "ReadToken: failed to read token at file position " << is.tellg();
  int c = is.peek();
  if (c != EOF && !std::isspace(c))
    TD_ERR << "ReadToken: expected whitespace after token " << *token << ", got " << c;
  if (c != EOF) is.get();
}

void ExpectToken(std::istream &is, bool binary, const std::string &token) {
  std::string got;
  ReadToken(is, binary, &got);
  if (got != token) TD_ERR << "Expected token \"" << token << "\", got instead \"" << got << "\".";
}

int Peek(std::istream &is, bool binary) {
  if (!binary) is >> std::ws;
  return is.peek();
}

int PeekToken(std::istream &is, bool binary) {
  if (!binary) is >> std::ws;
  bool read_bracket;
  if (static_cast<char>(is.peek()) == '<') {
    read_bracket = true;
    is.get();
  } else {
    read_bracket = false;
  }
  int ans = is.peek();
  if (read_bracket && !is.unget()) TD_ERR << "PeekToken: error ungetting '<'";
  return ans;
}

bool InitInputStream(std::istream &is) {
  if (is.peek() == '\0') {
    is.get();
    if (is.peek() != 'B') TD_ERR << "Binary header \\0 not followed by 'B'";
    is.get();
    return true;
  }
  return false;
}

void InitOutputStream(std::ostream &os, bool binary) {
  if (binary) {
    os.put('\0');
    os.put('B');
  }
  os.precision(7);
}

std::string DescribeNextBytes(std::istream &is) {
  if (!is.good()) return "(end of stream or bad stream)";
  std::string out;
  for (int i = 0; i < 8; i++) {
    int c = is.get();
    if (c == EOF) break;
    if (std::isprint(c)) out += static_cast<char>(c);
    else { char buf[8]; std::snprintf(buf, sizeof(buf), "\\%03o", c); out += buf; }
  }
  return "'" + out + "'";
}

}  // namespace tdnas
