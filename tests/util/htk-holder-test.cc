// Tests of matrix/htk-matrix.h and util/htk-holder.h: the exact bytes of an HTK object
// (checked against hand-written big-endian hex, not against our own reader), archives and
// scp files of HTK objects, and the reader's refusals.
#include "util/htk-holder.h"

#include <gtest/gtest.h>

#include <sstream>

#include "table-test-util.h"

namespace tdnas {
namespace {

using testutil::ErrorOf;
using testutil::ReadFile;
using testutil::TempDir;

Matrix<float> SmallMatrix() {  // values with short, known IEEE-754 encodings
  Matrix<float> m(2, 3);
  m(0, 0) = 1.0f;    // 3f800000
  m(0, 1) = -2.5f;   // c0200000
  m(0, 2) = 0.5f;    // 3f000000
  m(1, 0) = 0.0f;    // 00000000
  m(1, 1) = 100.0f;  // 42c80000
  m(1, 2) = -0.25f;  // be800000
  return m;
}

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

const std::string kSmallImage = Bytes({
    0x00, 0x00, 0x00, 0x02,  // 2 samples
    0x00, 0x01, 0x86, 0xa0,  // period 100000
    0x00, 0x0c,              // 12 bytes per frame
    0x20, 0x07,              // FBANK | _0 = 020007 octal
    0x3f, 0x80, 0x00, 0x00, 0xc0, 0x20, 0x00, 0x00, 0x3f, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x42, 0xc8, 0x00, 0x00, 0xbe, 0x80, 0x00, 0x00});

TEST(HtkMatrix, FbankHeaderAsKaldi) {
  HtkHeader h = FbankHtkHeader(7, 80, false);
  EXPECT_EQ(h.num_samples, 7);
  EXPECT_EQ(h.sample_period, 100000);
  EXPECT_EQ(h.sample_size, 320);
  EXPECT_EQ(h.sample_kind, 8199);  // 020007
  EXPECT_EQ(FbankHtkHeader(7, 81, true).sample_kind, 71);  // 0107: FBANK_E
  EXPECT_FALSE(ErrorOf([] { FbankHtkHeader(1, 9000, false); }).empty());
}

TEST(HtkMatrix, WriteBytesAreBigEndian) {
  Matrix<float> m = SmallMatrix();
  std::ostringstream os;
  WriteHtk(os, m, FbankHtkHeader(2, 3, false));
  EXPECT_EQ(os.str(), kSmallImage);
  std::ostringstream os_d;  // a double matrix is written as float32 too
  WriteHtk(os_d, Matrix<double>(m), FbankHtkHeader(2, 3, false));
  EXPECT_EQ(os_d.str(), kSmallImage);
  std::ostringstream bad;
  EXPECT_NE(ErrorOf([&] { WriteHtk(bad, m, FbankHtkHeader(3, 3, false)); }), "");
}

TEST(HtkMatrix, ReadKnownBytes) {
  std::istringstream is(kSmallImage + "next");
  Matrix<float> m;
  HtkHeader h;
  ReadHtk(is, &m, &h);
  EXPECT_TRUE(m == SmallMatrix());
  EXPECT_EQ(h.num_samples, 2);
  EXPECT_EQ(h.sample_period, 100000);
  EXPECT_EQ(h.sample_size, 12);
  EXPECT_EQ(h.sample_kind, 020007);
  std::string rest;
  is >> rest;
  EXPECT_EQ(rest, "next");  // nothing beyond the object was consumed
  std::istringstream is_d(kSmallImage);
  Matrix<double> md;
  ReadHtk(is_d, &md, nullptr);
  EXPECT_EQ(md(1, 1), 100.0);
}

std::string WithKind(std::string image, int kind) {
  image[10] = static_cast<char>(kind >> 8);
  image[11] = static_cast<char>(kind & 0xff);
  return image;
}

TEST(HtkMatrix, ReadChecksumAndRefusals) {
  Matrix<float> m;
  HtkHeader h;
  {  // _K: the 2-byte CRC after the data is consumed; the flag is cleared as in Kaldi
    std::istringstream is(WithKind(kSmallImage, 07 | 010000) + Bytes({0x12, 0x34}) + "X");
    ReadHtk(is, &m, &h);
    EXPECT_EQ(h.sample_kind, 07);
    EXPECT_EQ(is.get(), 'X');
  }
  for (int kind : {07 | 02000, 07 | 040000, 0, 5, 10}) {
    std::istringstream is(WithKind(kSmallImage, kind));
    EXPECT_NE(ErrorOf([&] { ReadHtk(is, &m, &h); }), "") << "kind " << kind;
  }
  std::istringstream truncated(kSmallImage.substr(0, 20));
  EXPECT_NE(ErrorOf([&] { ReadHtk(truncated, &m, &h); }).find("frame 0 of 2"),
            std::string::npos);
  std::istringstream short_header(kSmallImage.substr(0, 5));
  EXPECT_NE(ErrorOf([&] { ReadHtk(short_header, &m, &h); }), "");
  std::string odd_size = kSmallImage;
  odd_size[9] = 0x0b;
  std::istringstream odd(odd_size);
  EXPECT_NE(ErrorOf([&] { ReadHtk(odd, &m, &h); }), "");
}

TEST(HtkHolder, ArchiveScpAndTextRefusal) {
  TempDir tmp;
  Matrix<float> a = SmallMatrix(), b(5, 4), empty;
  for (int32 r = 0; r < 5; r++)
    for (int32 c = 0; c < 4; c++) b(r, c) = 0.125f * r - c;
  {
    HtkMatrixWriter w("ark,scp:" + tmp("h.ark") + "," + tmp("h.scp"));
    w.Write("utt-a", {a, FbankHtkHeader(2, 3, false)});
    w.Write("utt-b", {b, FbankHtkHeader(5, 4, true)});
    w.Write("utt-empty", {empty, FbankHtkHeader(0, 0, false)});
    w.Close();
  }
  // Archive bytes: "key " then the bare HTK image, nothing else.
  const std::string ark = ReadFile(tmp("h.ark"));
  EXPECT_EQ(ark.substr(0, 6 + kSmallImage.size()), "utt-a " + kSmallImage);
  EXPECT_EQ(ark.size(), 6 + kSmallImage.size() + 6 + 12 + 80 + 10 + 12);

  SequentialHtkMatrixReader seq("ark:" + tmp("h.ark"));
  ASSERT_FALSE(seq.Done());
  EXPECT_EQ(seq.Key(), "utt-a");
  EXPECT_TRUE(seq.Value().first == a);
  seq.Next();
  EXPECT_EQ(seq.Key(), "utt-b");
  EXPECT_TRUE(seq.Value().first == b);
  EXPECT_EQ(seq.Value().second.sample_kind, 0107);
  seq.Next();
  EXPECT_EQ(seq.Key(), "utt-empty");
  EXPECT_EQ(seq.Value().first.NumRows(), 0);
  seq.Next();
  EXPECT_TRUE(seq.Done());

  RandomAccessHtkMatrixReader ra("scp:" + tmp("h.scp"));
  ASSERT_TRUE(ra.HasKey("utt-b"));
  EXPECT_TRUE(ra.Value("utt-b").first == b);
  EXPECT_TRUE(ra.Value("utt-a").first == a);

  EXPECT_NE(ErrorOf([&] {
              HtkMatrixWriter t("ark,t:" + tmp("t.ark"));
              t.Write("x", {a, FbankHtkHeader(2, 3, false)});
            }).find("Non-binary HTK"),
            std::string::npos);
}

}  // namespace
}  // namespace tdnas
