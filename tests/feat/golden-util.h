// golden-util.h: helpers for the feature tests: where the shared test data lives, reading
// Kaldi archives of matrices/vectors (a small key + object loop, independent of the table
// library) and the test audio, and comparing feature matrices.
#ifndef TDNAS_TESTS_FEAT_GOLDEN_UTIL_H_
#define TDNAS_TESTS_FEAT_GOLDEN_UTIL_H_

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "base/io-funcs.h"
#include "feat/wave-reader.h"
#include "matrix/kaldi-matrix.h"
#include "matrix/kaldi-vector.h"

namespace tdnas {
namespace test {

inline std::string SharedDir() {
  const char *s = std::getenv("TDNAS_SHARED");
  return s ? s : "../shared";
}
inline std::string GoldenDir() { return SharedDir() + "/testdata/golden"; }
inline std::string AudioDir() { return SharedDir() + "/testdata/audio"; }

// Reads an archive of Holder objects (Matrix/Vector) in file order.
template <class T>
std::vector<std::pair<std::string, T>> ReadArchive(const std::string &path) {
  std::ifstream is(path, std::ios::binary);
  EXPECT_TRUE(is.good()) << "cannot open " << path;
  std::vector<std::pair<std::string, T>> out;
  std::string key;
  while (is >> key) {
    int c = is.peek();
    if (c == ' ' || c == '\t') is.get();
    bool binary = InitInputStream(is);
    T obj;
    obj.Read(is, binary);
    out.emplace_back(key, obj);
  }
  return out;
}

// (key, path) pairs of testdata/audio/wav.scp with paths made absolute.
inline std::vector<std::pair<std::string, std::string>> WavScp() {
  std::ifstream is(AudioDir() + "/wav.scp");
  std::vector<std::pair<std::string, std::string>> out;
  std::string k, p;
  while (is >> k >> p) out.emplace_back(k, AudioDir() + "/" + p);
  return out;
}

inline WaveData ReadWaveFile(const std::string &path) {
  std::ifstream is(path, std::ios::binary);
  WaveData w;
  w.Read(is);
  return w;
}

struct Diff {
  double max_abs = 0, sum_abs = 0;
  int64 count = 0;
  double Mean() const { return count ? sum_abs / count : 0.0; }
  void Add(const Diff &d) { max_abs = std::max(max_abs, d.max_abs); sum_abs += d.sum_abs;
                            count += d.count; }
};

inline Diff CompareMatrices(const Matrix<float> &a, const Matrix<float> &b) {
  Diff d;
  EXPECT_EQ(a.NumRows(), b.NumRows());
  EXPECT_EQ(a.NumCols(), b.NumCols());
  if (a.NumRows() != b.NumRows() || a.NumCols() != b.NumCols()) {
    d.max_abs = 1e30;
    return d;
  }
  const size_t n = static_cast<size_t>(a.NumRows()) * a.NumCols();
  for (size_t i = 0; i < n; i++) {
    double e = std::fabs(double(a.Data()[i]) - b.Data()[i]);
    d.max_abs = std::max(d.max_abs, e);
    d.sum_abs += e;
  }
  d.count += n;
  return d;
}

}  // namespace test
}  // namespace tdnas

#endif  // TDNAS_TESTS_FEAT_GOLDEN_UTIL_H_
