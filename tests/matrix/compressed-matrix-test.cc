// Tests of the CompressedMatrix codec: byte-identical to real Kaldi on its own archives
// (encode and decode), all 7 compression methods against an independent float64 model of the
// quantisers, text mode, the empty matrix, and robustness on corrupt or truncated data.
#include "matrix/compressed-matrix.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <sstream>

#include "ark-test-util.h"

namespace tdnas {
namespace {

using testing_util::ReadArchiveFile;
using testing_util::ReadFileBytes;
using testing_util::SharedDir;
using testing_util::WriteArchive;
typedef std::vector<std::pair<std::string, Matrix<float>>> MatArchive;
typedef std::vector<std::pair<std::string, CompressedMatrix>> CmArchive;

std::string Path(const std::string &rel) { return SharedDir() + "/testdata/" + rel; }

// Index of the first differing byte, or -1.
long FirstDiff(const std::string &a, const std::string &b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; i++)
    if (a[i] != b[i]) return static_cast<long>(i);
  return a.size() == b.size() ? -1 : static_cast<long>(n);
}

// Kaldi's copy-feats --compress=true: read float matrices, write CompressedMatrix (method 1).
void ExpectCompressIdentical(const std::string &in, const std::string &expected) {
  MatArchive mats = ReadArchiveFile<Matrix<float>>(Path(in));
  CmArchive cms;
  for (const auto &e : mats) cms.emplace_back(e.first, CompressedMatrix(e.second));
  std::string got = WriteArchive(cms, true), want = ReadFileBytes(Path(expected));
  EXPECT_EQ(got.size(), want.size());
  EXPECT_EQ(FirstDiff(got, want), -1) << in << " -> " << expected;
}

// Kaldi's copy-feats without --compress: read (compressed) matrices, write float matrices.
void ExpectDecompressIdentical(const std::string &in, const std::string &expected) {
  MatArchive mats = ReadArchiveFile<Matrix<float>>(Path(in));
  std::string got = WriteArchive(mats, true), want = ReadFileBytes(Path(expected));
  EXPECT_EQ(got.size(), want.size());
  EXPECT_EQ(FirstDiff(got, want), -1) << in << " -> " << expected;
}

TEST(CompressedMatrix, KaldiIoArchivesEncodeByteIdentical) {
  ExpectCompressIdentical("kaldi-archives/feats.ark", "kaldi-archives/feats_compressed.ark");
}
TEST(CompressedMatrix, KaldiIoArchivesDecodeByteIdentical) {
  ExpectDecompressIdentical("kaldi-archives/feats_compressed.ark", "kaldi-archives/feats.ark");
}
// Golden fbank_80: CM for long utterances, CM2 for the 1-row one, a CM zero header for 0x0.
TEST(CompressedMatrix, GoldenFbankEncodeByteIdentical) {
  ExpectCompressIdentical("golden/fbank_80.ark", "golden/fbank_80_compressed.ark");
}
TEST(CompressedMatrix, GoldenFbankDecodeByteIdentical) {
  ExpectDecompressIdentical("golden/fbank_80_compressed.ark", "golden/fbank_80_compressed_decoded.ark");
}

TEST(CompressedMatrix, GoldenFbankHasAllThreeShapes) {
  std::string bytes = ReadFileBytes(Path("golden/fbank_80_compressed.ark"));
  EXPECT_NE(bytes.find("edge_400samp \0BCM2 ", 0, 19) , std::string::npos);
  std::string empty("edge_399samp \0BCM ", 18);
  empty += std::string(20, '\0');
  EXPECT_EQ(bytes.substr(bytes.size() - empty.size()), empty);
  CmArchive cms = ReadArchiveFile<CompressedMatrix>(Path("golden/fbank_80_compressed.ark"));
  ASSERT_EQ(cms.size(), 14u);
  EXPECT_EQ(cms.back().second.NumRows(), 0);
  EXPECT_EQ(cms.back().second.NumCols(), 0);
  // Re-writing the read objects reproduces the archive (the codec keeps the stored bytes).
  EXPECT_EQ(FirstDiff(WriteArchive(cms, true), bytes), -1);
}

// ---- Independent float64 model of the quantisers --------------------------------------------

Matrix<float> RandomMatrix(int32 rows, int32 cols, std::mt19937 *rng, float scale, float offset) {
  std::normal_distribution<float> g(0.0f, 1.0f);
  Matrix<float> m(rows, cols);
  for (int32 r = 0; r < rows; r++)
    for (int32 c = 0; c < cols; c++) m(r, c) = offset + scale * g(*rng) * (1 + c % 3);
  return m;
}

std::string Serialize(const CompressedMatrix &cm) {
  std::ostringstream os;
  cm.Write(os, true);
  return os.str();
}

struct Parsed {  // the bytes of a serialised CompressedMatrix, decoded by hand
  std::string token;
  float min_value, range;
  int32 rows, cols;
  std::string payload;
};
Parsed Parse(const std::string &s) {
  Parsed p;
  size_t sp = s.find(' ');
  p.token = s.substr(0, sp);
  const char *h = s.data() + sp + 1;
  std::memcpy(&p.min_value, h, 4);
  std::memcpy(&p.range, h + 4, 4);
  std::memcpy(&p.rows, h + 8, 4);
  std::memcpy(&p.cols, h + 12, 4);
  p.payload = s.substr(sp + 17);
  return p;
}

// Uniform methods (CM2/CM3): code = round((v - min) / range * levels), decode = min + code *
// range / levels, computed in double. Codes may differ by one where float rounding tips a tie.
void CheckUniform(const Matrix<float> &m, CompressionMethod method, const std::string &token,
                  int levels, double want_min, double want_range) {
  CompressedMatrix cm(m, method);
  Parsed p = Parse(Serialize(cm));
  ASSERT_EQ(p.token, token);
  ASSERT_EQ(p.rows, m.NumRows());
  ASSERT_EQ(p.cols, m.NumCols());
  if (want_range > 0) {
    EXPECT_EQ(p.min_value, static_cast<float>(want_min));
    EXPECT_EQ(p.range, static_cast<float>(want_range));
  }
  int bytes = levels == 65535 ? 2 : 1;
  ASSERT_EQ(p.payload.size(), static_cast<size_t>(bytes) * p.rows * p.cols);
  Matrix<float> back;
  cm.CopyToMat(&back);
  ASSERT_EQ(back.NumRows(), m.NumRows());
  double step = static_cast<double>(p.range) / levels;
  for (int32 r = 0; r < m.NumRows(); r++) {
    for (int32 c = 0; c < m.NumCols(); c++) {
      size_t i = static_cast<size_t>(r) * m.NumCols() + c;
      int code = 0;
      if (bytes == 2) {
        uint16 u;
        std::memcpy(&u, p.payload.data() + 2 * i, 2);
        code = u;
      } else {
        code = static_cast<uint8_t>(p.payload[i]);
      }
      double f = (m(r, c) - static_cast<double>(p.min_value)) / p.range;
      f = std::min(1.0, std::max(0.0, f));
      double want = std::floor(f * levels + 0.5);
      ASSERT_LE(std::fabs(code - want), 1.0) << "r=" << r << " c=" << c;
      double dec = p.min_value + code * step;
      ASSERT_NEAR(back(r, c), dec, 1e-6 * (std::fabs(dec) + p.range));
      // Inside the range the decoded value is within one quantisation step of the input.
      if (m(r, c) >= p.min_value && m(r, c) <= p.min_value + p.range) {
        ASSERT_LE(std::fabs(back(r, c) - m(r, c)), step * 1.01 + 1e-6 * std::fabs(m(r, c)));
      }
    }
  }
}

TEST(CompressedMatrix, TwoByteAndOneByteAutoMatchFloat64Model) {
  std::mt19937 rng(7);
  for (int32 rows : {1, 3, 8, 57}) {
    Matrix<float> m = RandomMatrix(rows, 13, &rng, 3.0f, -5.0f);
    CheckUniform(m, kTwoByteAuto, "CM2", 65535, 0, 0);
    CheckUniform(m, kOneByteAuto, "CM3", 255, 0, 0);
  }
}

TEST(CompressedMatrix, IntegerMethodsAreExact) {
  std::mt19937 rng(3);
  Matrix<float> s16(20, 7), u8(20, 7), zo(20, 7);
  for (int32 r = 0; r < 20; r++) {
    for (int32 c = 0; c < 7; c++) {
      s16(r, c) = static_cast<float>(static_cast<int>(rng() % 65536) - 32768);
      u8(r, c) = static_cast<float>(rng() % 256);
      zo(r, c) = static_cast<float>(rng() % 2);
    }
  }
  s16(0, 0) = -32768;
  s16(0, 1) = 32767;
  CheckUniform(s16, kTwoByteSignedInteger, "CM2", 65535, -32768, 65535);
  CheckUniform(u8, kOneByteUnsignedInteger, "CM3", 255, 0, 255);
  CheckUniform(zo, kOneByteZeroOne, "CM3", 255, 0, 1);
  for (const Matrix<float> *m : {&s16, &u8, &zo}) {
    CompressionMethod method = m == &s16 ? kTwoByteSignedInteger
                               : m == &u8 ? kOneByteUnsignedInteger : kOneByteZeroOne;
    Matrix<float> back;
    CompressedMatrix(*m, method).CopyToMat(&back);
    EXPECT_TRUE(back == *m) << "method " << method;
  }
}

// CM: per-column quantiles at sorted positions 0, n/4, 3(n/4), n-1 (float64 model computed with
// a full sort), then each value's byte from piecewise-linear interpolation in double.
void CheckSpeechFeature(const Matrix<float> &m, CompressionMethod method) {
  CompressedMatrix cm(m, method);
  Parsed p = Parse(Serialize(cm));
  ASSERT_EQ(p.token, "CM");
  const int32 rows = m.NumRows(), cols = m.NumCols();
  ASSERT_EQ(p.payload.size(), static_cast<size_t>(cols) * (8 + rows));
  Matrix<float> back;
  cm.CopyToMat(&back);
  auto to_code = [&](double v) {
    double f = std::min(1.0, std::max(0.0, (v - p.min_value) / p.range));
    return std::floor(f * 65535 + 0.5);
  };
  auto from_code = [&](double u) { return p.min_value + p.range * u / 65535.0; };
  for (int32 c = 0; c < cols; c++) {
    uint16 h[4];
    std::memcpy(h, p.payload.data() + 8 * c, 8);
    std::vector<double> col(rows);
    for (int32 r = 0; r < rows; r++) col[r] = m(r, c);
    std::sort(col.begin(), col.end());
    if (rows >= 5) {
      int32 q = rows / 4;
      double want[4] = {to_code(col[0]), to_code(col[q]), to_code(col[3 * q]), to_code(col[rows - 1])};
      // Clamping keeps the codes strictly increasing; otherwise they are the rounded quantiles.
      if (h[1] > h[0] + 1 && h[1] < 65533) { EXPECT_LE(std::fabs(h[1] - want[1]), 1); }
      if (h[2] > h[1] + 1 && h[2] < 65534) { EXPECT_LE(std::fabs(h[2] - want[2]), 1); }
      if (h[0] < 65532) { EXPECT_LE(std::fabs(h[0] - want[0]), 1); }
      if (h[3] > h[2] + 1) { EXPECT_LE(std::fabs(h[3] - want[3]), 1); }
    }
    EXPECT_TRUE(h[0] < h[1] && h[1] < h[2] && h[2] < h[3]);
    double q0 = from_code(h[0]), q1 = from_code(h[1]), q2 = from_code(h[2]), q3 = from_code(h[3]);
    const uint8_t *bytes = reinterpret_cast<const uint8_t *>(p.payload.data()) + 8 * cols + c * rows;
    for (int32 r = 0; r < rows; r++) {
      double v = m(r, c), want;
      if (v < q1) want = std::min(64.0, std::max(0.0, std::floor((v - q0) / (q1 - q0) * 64 + 0.5)));
      else if (v < q2) want = 64 + std::min(128.0, std::max(0.0, std::floor((v - q1) / (q2 - q1) * 128 + 0.5)));
      else want = 192 + std::min(63.0, std::max(0.0, std::floor((v - q2) / (q3 - q2) * 63 + 0.5)));
      ASSERT_LE(std::fabs(bytes[r] - want), 1.0) << "r=" << r << " c=" << c;
      int b = bytes[r];
      double dec = b <= 64 ? q0 + (q1 - q0) * b / 64.0
                   : b <= 192 ? q1 + (q2 - q1) * (b - 64) / 128.0
                              : q2 + (q3 - q2) * (b - 192) / 63.0;
      ASSERT_NEAR(back(r, c), dec, 1e-5 * (std::fabs(dec) + p.range));
    }
  }
}

TEST(CompressedMatrix, SpeechFeatureMatchesFloat64Model) {
  std::mt19937 rng(11);
  for (int32 rows : {1, 2, 3, 4, 5, 9, 10, 11, 199, 300}) {
    Matrix<float> m = RandomMatrix(rows, 6, &rng, 2.0f, 1.0f);
    CheckSpeechFeature(m, kSpeechFeature);
    if (rows > 8) CheckSpeechFeature(m, kAutomaticMethod);
  }
}

TEST(CompressedMatrix, AutomaticPicksTwoByteForShortMatrices) {
  std::mt19937 rng(5);
  Matrix<float> m = RandomMatrix(8, 4, &rng, 1.0f, 0.0f);
  EXPECT_EQ(Parse(Serialize(CompressedMatrix(m))).token, "CM2");
  Matrix<float> m9 = RandomMatrix(9, 4, &rng, 1.0f, 0.0f);
  EXPECT_EQ(Parse(Serialize(CompressedMatrix(m9))).token, "CM");
}

TEST(CompressedMatrix, ConstantMatrixAndConstantColumns) {
  Matrix<float> m(12, 3);
  for (int32 r = 0; r < 12; r++) {
    m(r, 0) = -2.5f;
    m(r, 1) = -2.5f;
    m(r, 2) = -2.5f;
  }
  for (int method = 1; method <= 5; method++) {
    if (method == kTwoByteSignedInteger) continue;
    CompressedMatrix cm(m, static_cast<CompressionMethod>(method));
    Parsed p = Parse(Serialize(cm));
    if (method != kTwoByteSignedInteger) {
      EXPECT_EQ(p.min_value, -2.5f);
      EXPECT_EQ(p.range, 3.5f);  // max = min + 1 + |min|
    }
    Matrix<float> back;
    cm.CopyToMat(&back);
    for (int32 r = 0; r < 12; r++)
      for (int32 c = 0; c < 3; c++) EXPECT_NEAR(back(r, c), -2.5f, 3.5 / 255) << method;
  }
}

TEST(CompressedMatrix, DoubleInputMatchesFloatInput) {
  std::mt19937 rng(9);
  Matrix<float> f = RandomMatrix(40, 5, &rng, 1.5f, 0.5f);
  Matrix<double> d(f);
  for (int method = 1; method <= 7; method++) {
    CompressionMethod cmethod = static_cast<CompressionMethod>(method);
    EXPECT_EQ(Serialize(CompressedMatrix(f, cmethod)), Serialize(CompressedMatrix(d, cmethod)));
    Matrix<float> bf;
    Matrix<double> bd;
    CompressedMatrix(f, cmethod).CopyToMat(&bf);
    CompressedMatrix(f, cmethod).CopyToMat(&bd);
    EXPECT_TRUE(Matrix<float>(bd) == bf);
  }
}

TEST(CompressedMatrix, EmptyMatrix) {
  Matrix<float> empty;
  CompressedMatrix cm(empty);
  // Kaldi writes its whole 20-byte in-memory header (format field included) for 0x0.
  EXPECT_EQ(Serialize(cm), std::string("CM ") + std::string(20, '\0'));
  std::istringstream is(Serialize(cm));
  CompressedMatrix back;
  back.Read(is, true);
  EXPECT_EQ(back.NumRows(), 0);
  Matrix<float> m(3, 3);
  back.CopyToMat(&m);
  EXPECT_EQ(m.NumRows(), 0);
  EXPECT_EQ(m.NumCols(), 0);
  std::ostringstream text;
  back.Write(text, false);
  EXPECT_EQ(text.str(), " [ ]\n");
}

// Kaldi itself cannot read past an empty CM (it leaves 4 of the 20 bytes); this reader can.
TEST(CompressedMatrix, EmptyMatrixInsideAnArchive) {
  std::mt19937 rng(8);
  CmArchive cms;
  cms.emplace_back("a", CompressedMatrix(Matrix<float>()));
  cms.emplace_back("b", CompressedMatrix(RandomMatrix(12, 2, &rng, 1, 0)));
  cms.emplace_back("c", CompressedMatrix(Matrix<float>()));
  std::string bytes = WriteArchive(cms, true);
  CmArchive back = testing_util::ReadArchive<CompressedMatrix>(bytes);
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[1].first, "b");
  EXPECT_EQ(back[1].second.NumRows(), 12);
  EXPECT_EQ(WriteArchive(back, true), bytes);
}

TEST(CompressedMatrix, TextModeIsAFloatMatrix) {
  std::mt19937 rng(1);
  Matrix<float> m = RandomMatrix(10, 3, &rng, 1.0f, 0.0f);
  CompressedMatrix cm(m);
  Matrix<float> dec;
  cm.CopyToMat(&dec);
  std::ostringstream a, b;
  InitOutputStream(a, false);
  InitOutputStream(b, false);
  cm.Write(a, false);
  dec.Write(b, false);
  EXPECT_EQ(a.str(), b.str());
  // Reading text compresses the values with the automatic method.
  std::istringstream is(a.str());
  CompressedMatrix from_text;
  from_text.Read(is, false);
  EXPECT_EQ(from_text.NumRows(), 10);
  Matrix<float> dec2;
  from_text.CopyToMat(&dec2);
  for (int32 r = 0; r < 10; r++)
    for (int32 c = 0; c < 3; c++) EXPECT_NEAR(dec2(r, c), m(r, c), 0.05);
}

TEST(CompressedMatrix, ReadAcceptsPlainMatrix) {
  std::mt19937 rng(2);
  Matrix<float> m = RandomMatrix(12, 4, &rng, 1.0f, 0.0f);
  std::ostringstream os;
  m.Write(os, true);
  std::istringstream is(os.str());
  CompressedMatrix cm;
  cm.Read(is, true);
  EXPECT_EQ(Serialize(cm), Serialize(CompressedMatrix(m)));
}

// ---- Robustness on corrupt data ---------------------------------------------------------------

std::string Header(const char *token, float mn, float range, int32 rows, int32 cols) {
  std::string s = std::string(token) + " ";
  char h[16];
  std::memcpy(h, &mn, 4);
  std::memcpy(h + 4, &range, 4);
  std::memcpy(h + 8, &rows, 4);
  std::memcpy(h + 12, &cols, 4);
  return s + std::string(h, 16);
}

void ExpectReadFails(const std::string &bytes) {
  std::istringstream is(bytes);
  CompressedMatrix cm;
  EXPECT_THROW(cm.Read(is, true), FatalError) << "size " << bytes.size();
}

TEST(CompressedMatrix, TruncatedDataIsAnError) {
  std::mt19937 rng(4);
  for (CompressionMethod method : {kSpeechFeature, kTwoByteAuto, kOneByteAuto}) {
    std::string full = Serialize(CompressedMatrix(RandomMatrix(10, 3, &rng, 1, 0), method));
    for (size_t cut = 0; cut < full.size(); cut++) ExpectReadFails(full.substr(0, cut));
    std::istringstream is(full);
    CompressedMatrix ok;
    ok.Read(is, true);
    EXPECT_EQ(ok.NumRows(), 10);
  }
}

TEST(CompressedMatrix, AbsurdSizesFailWithoutHugeAllocation) {
  for (const char *tok : {"CM", "CM2", "CM3"}) {
    ExpectReadFails(Header(tok, 0, 1, -1, 5));
    ExpectReadFails(Header(tok, 0, 1, 5, -1));
    ExpectReadFails(Header(tok, 0, 1, 2147483647, 2147483647));
    ExpectReadFails(Header(tok, 0, 1, 100000, 100000) + std::string(1000, 'x'));  // 1e10 bytes
    ExpectReadFails(Header(tok, 0, 1, 1000, 1000) + std::string(1000, 'x'));
  }
  ExpectReadFails(Header("CM4", 0, 1, 1, 1) + "xxxxxxxxxx");
  ExpectReadFails("CX ");
}

TEST(CompressedMatrix, RandomGarbageNeverCrashes) {
  std::mt19937 rng(6);
  for (int iter = 0; iter < 2000; iter++) {
    const char *toks[] = {"CM", "CM2", "CM3"};
    int32 rows = static_cast<int32>(rng() % 40) - 2, cols = static_cast<int32>(rng() % 40) - 2;
    float mn = std::uniform_real_distribution<float>(-1e3f, 1e3f)(rng);
    float range = std::uniform_real_distribution<float>(-1.0f, 1e3f)(rng);
    std::string s = Header(toks[rng() % 3], mn, range, rows, cols);
    size_t extra = rng() % 3000;
    for (size_t i = 0; i < extra; i++) s += static_cast<char>(rng());
    std::istringstream is(s);
    CompressedMatrix cm;
    try {
      cm.Read(is, true);
      Matrix<float> m;
      cm.CopyToMat(&m);
      EXPECT_EQ(m.NumRows(), std::max(0, cm.NumRows()) * (cm.NumCols() > 0));
    } catch (const FatalError &) {
    }
  }
}

}  // namespace
}  // namespace tdnas
