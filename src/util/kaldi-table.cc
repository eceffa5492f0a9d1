// kaldi-table.cc: non-template helpers of the table readers (see kaldi-table.h).
#include "util/kaldi-table.h"

#include <cctype>
#include <cstdio>

namespace tdnas {

ArchiveKeyStatus ReadArchiveKey(std::istream &is, std::string *key, std::string *error) {
  key->clear();
  is >> *key;
  if (is.fail()) {
    if (is.eof() && key->empty() && !is.bad()) return ArchiveKeyStatus::kEof;
    *error = "read error while reading a key";
    return ArchiveKeyStatus::kError;
  }
  if (!IsToken(*key)) {
    std::string shown;
    for (unsigned char ch : *key) {
      char b[8];
      if (ch < 32 || ch == 127) snprintf(b, sizeof(b), "\\x%02x", ch);
      else snprintf(b, sizeof(b), "%c", ch);
      shown += b;
    }
    *error = "invalid key '" + shown + "' (control characters; not an archive, or a corrupt one?)";
    return ArchiveKeyStatus::kError;
  }
  int c = is.peek();
  if (c == ' ' || c == '\t') {
    is.get();
  } else if (c != '\n') {
    if (c == EOF)
      *error = "unexpected end of data after key '" + *key + "' (truncated archive?)";
    else
      *error = "expected a space after key '" + *key + "', got " + DescribeNextBytes(is) +
               " (not an archive, or a corrupt one?)";
    return ArchiveKeyStatus::kError;
  }
  return ArchiveKeyStatus::kKey;
}

bool SplitScpLine(const std::string &line, std::string *key, std::string *rxfilename,
                  std::string *range, std::string *error) {
  std::string rest;
  if (!SplitFirstToken(line, key, &rest)) {
    *error = "empty line";
    return false;
  }
  if (rest.empty()) {
    *error = "no filename after key '" + *key + "'";
    return false;
  }
  range->clear();
  if (rest.back() == ']') {
    size_t open = rest.rfind('[');
    if (open == std::string::npos || open == 0 || open + 2 == rest.size()) {
      *error = "bad range specifier in '" + rest + "'";
      return false;
    }
    *range = rest.substr(open + 1, rest.size() - open - 2);
    rest = rest.substr(0, open);
  }
  if (ClassifyRxfilename(rest) == InputType::kNone) {
    *error = "invalid input filename '" + rest + "'";
    return false;
  }
  *rxfilename = rest;
  return true;
}

void ReadScriptFile(const std::string &rxfilename,
                    std::vector<std::pair<std::string, std::string>> *lines) {
  lines->clear();
  Input in(rxfilename);
  std::string line;
  int64 n = 0;
  while (std::getline(in.Stream(), line)) {
    n++;
    std::string key, rest;
    if (!SplitFirstToken(line, &key, &rest)) continue;  // blank line
    if (rest.empty())
      TD_ERR << "Bad line " << n << " of scp " << PrintableRxfilename(rxfilename)
             << ": no filename after key '" << key << "'";
    lines->emplace_back(key, rest);
  }
  in.Close();
}

void CloseDataInput(Input *input) {
  if (!input->IsOpen()) return;
  if (ClassifyRxfilename(input->Name()) == InputType::kPipe) {
    std::istream &is = input->Stream();
    is.clear();
    char buf[65536];
    while (is.read(buf, sizeof(buf)) || is.gcount() > 0) {}
  }
  input->Close();
}

}  // namespace tdnas
