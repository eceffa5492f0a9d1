// ark-test-util.h: minimal Kaldi archive reading/writing for matrix tests, without the table
// library (a test of the matrix layer may only use matrix and base): `key` + one space, then
// an object read with InitInputStream + T::Read, repeated until end of file.
#ifndef TDNAS_TESTS_MATRIX_ARK_TEST_UTIL_H_
#define TDNAS_TESTS_MATRIX_ARK_TEST_UTIL_H_

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "base/io-funcs.h"
#include "base/log.h"

namespace tdnas {
namespace testing_util {

// $TDNAS_SHARED, else ../shared relative to the repo root (tests run from the repo root).
inline std::string SharedDir() {
  const char *s = std::getenv("TDNAS_SHARED");
  return s ? s : "../shared";
}

inline std::string ReadFileBytes(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) TD_ERR << "cannot open " << path;
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Reads every `key object` entry of an archive held in `bytes`.
template <class T> std::vector<std::pair<std::string, T>> ReadArchive(const std::string &bytes) {
  std::istringstream is(bytes);
  std::vector<std::pair<std::string, T>> out;
  while (is.peek() != EOF) {
    std::string key;
    is >> key;
    if (key.empty()) break;
    int c = is.get();
    if (c != ' ' && c != '\t') TD_ERR << "archive: no space after key " << key;
    T obj;
    bool binary = InitInputStream(is);
    obj.Read(is, binary);
    out.emplace_back(key, std::move(obj));
    if (!binary) is >> std::ws;
  }
  return out;
}

template <class T>
std::vector<std::pair<std::string, T>> ReadArchiveFile(const std::string &path) {
  return ReadArchive<T>(ReadFileBytes(path));
}

// Writes entries the way Kaldi's archive writer does: `key ` + (\0B if binary) + object.
template <class T>
std::string WriteArchive(const std::vector<std::pair<std::string, T>> &entries, bool binary) {
  std::ostringstream os;
  for (const auto &e : entries) {
    os << e.first << ' ';
    InitOutputStream(os, binary);
    e.second.Write(os, binary);
  }
  return os.str();
}

}  // namespace testing_util
}  // namespace tdnas

#endif  // TDNAS_TESTS_MATRIX_ARK_TEST_UTIL_H_
