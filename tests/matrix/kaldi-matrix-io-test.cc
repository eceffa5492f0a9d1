// Tests of Matrix/Vector I/O in Kaldi's format: text output byte-identical to Kaldi's on real
// archives, binary round trips, float <-> double conversion, the empty matrix, text parsing,
// and errors on truncated data.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>

#include "ark-test-util.h"
#include "matrix/kaldi-matrix.h"
#include "matrix/kaldi-vector.h"

namespace tdnas {
namespace {

using testing_util::ReadArchive;
using testing_util::ReadArchiveFile;
using testing_util::ReadFileBytes;
using testing_util::SharedDir;
using testing_util::WriteArchive;

std::string Path(const std::string &rel) { return SharedDir() + "/testdata/" + rel; }

// Reading a Kaldi binary archive and writing it in `binary` mode must give `expected` exactly.
template <class T>
void ExpectRewriteIdentical(const std::string &in, const std::string &expected, bool binary,
                            size_t max_entries = 1000000) {
  auto entries = ReadArchiveFile<T>(Path(in));
  if (entries.size() > max_entries) entries.resize(max_entries);
  std::string got = WriteArchive(entries, binary), want = ReadFileBytes(Path(expected));
  ASSERT_EQ(got.size(), want.size()) << in << " -> " << expected;
  EXPECT_TRUE(got == want) << in << " -> " << expected;
}

TEST(MatrixIo, BinaryArchivesRewriteIdentically) {
  ExpectRewriteIdentical<Matrix<float>>("kaldi-archives/feats.ark", "kaldi-archives/feats.ark", true);
  ExpectRewriteIdentical<Matrix<float>>("golden/fbank_80.ark", "golden/fbank_80.ark", true);
  ExpectRewriteIdentical<Vector<float>>("kaldi-archives/conf.ark", "kaldi-archives/conf.ark", true);
}

// Kaldi's `copy-feats ark:x ark,t:-` output, byte for byte (precision 7, "key  [", rows
// indented by two spaces, each value followed by a space, " ]" closing the last row).
TEST(MatrixIo, TextOutputMatchesKaldi) {
  ExpectRewriteIdentical<Matrix<float>>("kaldi-archives/feats.ark", "kaldi-archives/feats_ascii.ark",
                                        false, 2);
  ExpectRewriteIdentical<Matrix<float>>("golden/fbank_80.ark", "golden/fbank_80.txt", false);
  ExpectRewriteIdentical<Matrix<float>>("golden/fbank_default.ark", "golden/fbank_default.txt", false);
  ExpectRewriteIdentical<Matrix<float>>("golden/mfcc_default.ark", "golden/mfcc_default.txt", false);
}

TEST(MatrixIo, VectorTextMatchesKaldi) {
  ExpectRewriteIdentical<Vector<float>>("kaldi-archives/conf.ark", "kaldi-archives/conf_ascii.ark", false);
  ExpectRewriteIdentical<Vector<float>>("kaldi-archives/conf_ascii.ark", "kaldi-archives/conf.ark", true);
  ExpectRewriteIdentical<Vector<float>>("golden/vad_mfcc_default.ark", "golden/vad_mfcc_default.txt", false);
}

// Text loses bits: parsed values agree with the binary ones to 7 significant digits.
TEST(MatrixIo, TextArchiveParsesToBinaryValues) {
  auto text = ReadArchiveFile<Matrix<float>>(Path("kaldi-archives/feats_ascii.ark"));
  auto bin = ReadArchiveFile<Matrix<float>>(Path("kaldi-archives/feats.ark"));
  ASSERT_EQ(text.size(), 2u);
  for (size_t i = 0; i < text.size(); i++) {
    EXPECT_EQ(text[i].first, bin[i].first);
    const Matrix<float> &a = text[i].second, &b = bin[i].second;
    ASSERT_EQ(a.NumRows(), b.NumRows());
    ASSERT_EQ(a.NumCols(), b.NumCols());
    for (int32 r = 0; r < a.NumRows(); r++)
      for (int32 c = 0; c < a.NumCols(); c++)
        ASSERT_NEAR(a(r, c), b(r, c), 5e-7 * std::fabs(b(r, c)) + 1e-30);
  }
  // fbank_80.txt includes the 1-row and the empty matrix.
  auto t80 = ReadArchiveFile<Matrix<float>>(Path("golden/fbank_80.txt"));
  auto b80 = ReadArchiveFile<Matrix<float>>(Path("golden/fbank_80.ark"));
  ASSERT_EQ(t80.size(), b80.size());
  EXPECT_EQ(t80.back().second.NumRows(), 0);
  EXPECT_EQ(t80[t80.size() - 2].second.NumRows(), 1);
}

Matrix<float> Random(int32 rows, int32 cols, int seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g;
  Matrix<float> m(rows, cols);
  for (int32 r = 0; r < rows; r++)
    for (int32 c = 0; c < cols; c++) m(r, c) = g(rng) * 100;
  return m;
}

template <class T> std::string ToString(const T &obj, bool binary) {
  std::ostringstream os;
  InitOutputStream(os, binary);
  obj.Write(os, binary);
  return os.str();
}

template <class T> T FromString(const std::string &s) {
  std::istringstream is(s);
  T obj;
  bool binary = InitInputStream(is);
  obj.Read(is, binary);
  return obj;
}

TEST(MatrixIo, BinaryRoundTripAndFloatDoubleConversion) {
  Matrix<float> m = Random(7, 5, 1);
  EXPECT_TRUE(FromString<Matrix<float>>(ToString(m, true)) == m);
  Matrix<double> d(m);
  std::string dm = ToString(d, true);
  EXPECT_EQ(dm.substr(0, 5), std::string("\0BDM ", 5));
  EXPECT_EQ(dm.size(), 2 + 3 + 5 + 5 + 7 * 5 * 8u);
  EXPECT_TRUE(FromString<Matrix<float>>(dm) == m);  // DM read as float
  EXPECT_TRUE(FromString<Matrix<double>>(ToString(m, true)) == d);  // FM read as double
  Vector<float> v(4);
  for (int32 i = 0; i < 4; i++) v(i) = 0.25f * i - 1;
  EXPECT_TRUE(FromString<Vector<float>>(ToString(Vector<double>(v), true)) == v);
  EXPECT_EQ(ToString(v, false), " [ -1 -0.75 -0.5 -0.25 ]\n");
}

TEST(MatrixIo, TextFormatAndRoundTrip) {
  Matrix<float> m(2, 3);
  m(0, 0) = 1.5f;
  m(0, 1) = -2;
  m(0, 2) = 3.14159265f;
  m(1, 0) = 1e-8f;
  m(1, 1) = 12.0630712f;
  m(1, 2) = 0;
  EXPECT_EQ(ToString(m, false), " [\n  1.5 -2 3.141593 \n  1e-08 12.06307 0 ]\n");
  Matrix<float> back = FromString<Matrix<float>>(ToString(m, false));
  ASSERT_EQ(back.NumRows(), 2);
  EXPECT_FLOAT_EQ(back(0, 2), 3.141593f);
  Matrix<float> r = Random(9, 4, 2);
  Matrix<float> rb = FromString<Matrix<float>>(ToString(r, false));
  for (int32 i = 0; i < 9; i++)
    for (int32 c = 0; c < 4; c++) EXPECT_NEAR(rb(i, c), r(i, c), 1e-6 * std::fabs(r(i, c)));
}

TEST(MatrixIo, EmptyMatrix) {
  Matrix<float> empty;
  EXPECT_EQ(ToString(empty, false), " [ ]\n");
  EXPECT_EQ(ToString(empty, true), std::string("\0BFM \4\0\0\0\0\4\0\0\0\0", 15));
  Matrix<float> m(0, 80);  // Kaldi's convention: stored as 0x0
  EXPECT_EQ(m.NumCols(), 0);
  Matrix<float> a = FromString<Matrix<float>>(" [ ]\n");
  EXPECT_EQ(a.NumRows(), 0);
  auto entries = ReadArchive<Matrix<float>>(std::string("x  [ ]\ny  [\n  1 2 ]\n"));
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].second.NumCols(), 2);
}

TEST(MatrixIo, CorruptDataIsAnError) {
  std::string full = ToString(Random(3, 4, 3), true);
  for (size_t cut = 2; cut < full.size(); cut++)
    EXPECT_THROW(FromString<Matrix<float>>(full.substr(0, cut)), FatalError) << cut;
  std::string vec = ToString(Vector<float>(5), true);
  for (size_t cut = 2; cut < vec.size(); cut++)
    EXPECT_THROW(FromString<Vector<float>>(vec.substr(0, cut)), FatalError) << cut;
  EXPECT_THROW(FromString<Matrix<float>>(std::string("\0BXM ", 5)), FatalError);
  EXPECT_THROW(FromString<Matrix<float>>(" [\n 1 2 \n 3 ]\n"), FatalError);  // ragged
  EXPECT_THROW(FromString<Matrix<float>>(" [\n 1 2 \n 3 4"), FatalError);    // no ']'
  EXPECT_THROW(FromString<Matrix<float>>(" [\n 1 x ]\n"), FatalError);
}

}  // namespace
}  // namespace tdnas
