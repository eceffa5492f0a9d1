// text-utils.h: small string helpers for specifiers, scp lines and text archives.
#ifndef TDNAS_UTIL_TEXT_UTILS_H_
#define TDNAS_UTIL_TEXT_UTILS_H_

#include <string>
#include <vector>

#include "base/io-funcs.h"

namespace tdnas {

// A valid table key / token: non-empty, no whitespace, no control characters.
bool IsToken(const std::string &s);

// Splits on any character of `delim`; with omit_empty, empty pieces are dropped.
void SplitStringToVector(const std::string &s, const char *delim, bool omit_empty,
                         std::vector<std::string> *out);

// Whole-string integer conversion (optional leading sign, no trailing junk, in range).
bool ConvertStringToInteger(const std::string &s, int32 *out);
bool ConvertStringToInteger(const std::string &s, int64 *out);

// Removes leading and trailing whitespace.
void Trim(std::string *s);

// "key  rest of line " -> key = "key", rest = "rest of line" (rest trimmed). The key ends at
// the first space or tab. False when the line has no key.
bool SplitFirstToken(const std::string &line, std::string *first, std::string *rest);

}  // namespace tdnas

#endif  // TDNAS_UTIL_TEXT_UTILS_H_
