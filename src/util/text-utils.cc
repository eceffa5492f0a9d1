// text-utils.cc: see text-utils.h.
#include "util/text-utils.h"

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace tdnas {

bool IsToken(const std::string &s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (std::isspace(c) || std::iscntrl(c)) return false;
  return true;
}

void SplitStringToVector(const std::string &s, const char *delim, bool omit_empty,
                         std::vector<std::string> *out) {
  out->clear();
  size_t start = 0;
  while (true) {
    size_t end = s.find_first_of(delim, start);
    std::string piece = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!omit_empty || !piece.empty()) out->push_back(piece);
    if (end == std::string::npos) break;
    start = end + 1;
  }
}

bool ConvertStringToInteger(const std::string &s, int64 *out) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return false;
  errno = 0;
  char *end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end != s.c_str() + s.size()) return false;
  *out = v;
  return true;
}

bool ConvertStringToInteger(const std::string &s, int32 *out) {
  int64 v;
  if (!ConvertStringToInteger(s, &v) || v < INT32_MIN || v > INT32_MAX) return false;
  *out = static_cast<int32>(v);
  return true;
}

void Trim(std::string *s) {
  size_t b = 0, e = s->size();
  while (b < e && std::isspace(static_cast<unsigned char>((*s)[b]))) b++;
  while (e > b && std::isspace(static_cast<unsigned char>((*s)[e - 1]))) e--;
  *s = s->substr(b, e - b);
}

bool SplitFirstToken(const std::string &line, std::string *first, std::string *rest) {
  size_t b = line.find_first_not_of(" \t\r");
  if (b == std::string::npos) return false;
  size_t e = line.find_first_of(" \t\r", b);
  *first = line.substr(b, e == std::string::npos ? std::string::npos : e - b);
  *rest = e == std::string::npos ? "" : line.substr(e);
  Trim(rest);
  return true;
}

}  // namespace tdnas
