// table-test-util.h: helpers shared by the util table/IO tests (temp dirs, files, test data).
#ifndef TDNAS_TESTS_UTIL_TABLE_TEST_UTIL_H_
#define TDNAS_TESTS_UTIL_TABLE_TEST_UTIL_H_

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "base/log.h"

namespace tdnas {
namespace testutil {

inline std::string SharedDir() {
  const char *s = std::getenv("TDNAS_SHARED");
  return s ? s : "../shared";
}
inline std::string ArchiveDir() { return SharedDir() + "/testdata/kaldi-archives"; }
inline std::string GoldenDir() { return SharedDir() + "/testdata/golden"; }

inline std::string ReadFile(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}
inline void WriteFile(const std::string &path, const std::string &data) {
  std::ofstream f(path, std::ios::binary);
  f << data;
}
inline bool FileExists(const std::string &path) { return access(path.c_str(), F_OK) == 0; }

// A fresh directory under /tmp, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/tdnas-util-test.XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + dir_ + "'").c_str()); }
  std::string operator()(const std::string &name) const { return dir_ + "/" + name; }
  const std::string &Path() const { return dir_; }

 private:
  std::string dir_;
};

// Runs f and returns the FatalError message it throws ("" when it does not throw).
template <class F> std::string ErrorOf(F f) {
  try {
    f();
  } catch (const FatalError &e) {
    return e.what();
  }
  return "";
}

}  // namespace testutil
}  // namespace tdnas

#endif  // TDNAS_TESTS_UTIL_TABLE_TEST_UTIL_H_
