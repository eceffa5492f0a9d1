// Tests of util/kaldi-holder.h: on-disk forms of the holders and range specifiers.
#include "util/kaldi-holder.h"

#include <gtest/gtest.h>

#include <sstream>

#include "table-test-util.h"

namespace tdnas {
namespace {

using testutil::ErrorOf;

template <class Holder> std::string WriteToString(const typename Holder::T &t, bool binary) {
  std::ostringstream os;
  EXPECT_TRUE(Holder::Write(os, binary, t));
  return os.str();
}

template <class Holder> typename Holder::T ReadFromString(const std::string &s) {
  std::istringstream is(s);
  Holder h;
  EXPECT_TRUE(h.Read(is));
  return h.Value();
}

TEST(KaldiHolder, BasicHolderForms) {
  EXPECT_EQ(WriteToString<BasicHolder<int32>>(123, false), "123 \n");
  EXPECT_EQ(WriteToString<BasicHolder<int32>>(123, true), std::string("\0B\x04\x7b\0\0\0", 7));
  EXPECT_EQ(WriteToString<BasicHolder<float>>(0.25f, false), "0.25 \n");
  EXPECT_EQ(ReadFromString<BasicHolder<int32>>("123 \n"), 123);
  EXPECT_EQ(ReadFromString<BasicHolder<int32>>(std::string("\0B\x04\x7b\0\0\0", 7)), 123);
  EXPECT_FLOAT_EQ(ReadFromString<BasicHolder<float>>("2.5\n"), 2.5f);
  EXPECT_DOUBLE_EQ(ReadFromString<BasicHolder<double>>(WriteToString<BasicHolder<double>>(0.1, true)), 0.1);
  std::istringstream junk("12 13\n");
  BasicHolder<int32> h;
  EXPECT_FALSE(ErrorOf([&] { h.Read(junk); }).empty());
}

TEST(KaldiHolder, BasicVectorHolderForms) {
  std::vector<int32> v = {1, 2, 300};
  EXPECT_EQ(WriteToString<BasicVectorHolder<int32>>(v, false), "1 2 300 \n");
  std::string bin("\0B\x04\x03\0\0\0\x04\x01\0\0\0\x04\x02\0\0\0\x04\x2c\x01\0\0", 22);
  EXPECT_EQ(WriteToString<BasicVectorHolder<int32>>(v, true), bin);
  EXPECT_EQ(ReadFromString<BasicVectorHolder<int32>>(bin), v);
  EXPECT_EQ(ReadFromString<BasicVectorHolder<int32>>("1 2 300 \n"), v);
  EXPECT_TRUE(ReadFromString<BasicVectorHolder<int32>>("\n").empty());
}

TEST(KaldiHolder, TokenHolders) {
  EXPECT_EQ(WriteToString<TokenHolder>("spk1", true), "spk1\n");
  EXPECT_EQ(ReadFromString<TokenHolder>("spk1 \n"), "spk1");
  EXPECT_FALSE(ErrorOf([] { WriteToString<TokenHolder>("two words", false); }).empty());
  std::vector<std::string> toks = {"u1", "u2"};
  EXPECT_EQ(WriteToString<TokenVectorHolder>(toks, false), "u1 u2 \n");
  EXPECT_EQ(ReadFromString<TokenVectorHolder>("u1  u2\n"), toks);
}

TEST(KaldiHolder, MatrixHolderTextAndBinary) {
  Matrix<float> m(2, 3);
  for (int r = 0; r < 2; r++)
    for (int c = 0; c < 3; c++) m(r, c) = r * 10 + c + 0.5f;
  typedef KaldiObjectHolder<Matrix<float>> H;
  EXPECT_EQ(WriteToString<H>(m, false), " [\n  0.5 1.5 2.5 \n  10.5 11.5 12.5 ]\n");
  EXPECT_EQ(ReadFromString<H>(WriteToString<H>(m, true)), m);
  EXPECT_EQ(ReadFromString<H>(WriteToString<H>(m, false)), m);
  Matrix<float> empty;
  EXPECT_EQ(WriteToString<H>(empty, false), " [ ]\n");
  EXPECT_EQ(ReadFromString<H>(WriteToString<H>(empty, true)).NumRows(), 0);
  // A double reader takes float data.
  Matrix<double> d = ReadFromString<KaldiObjectHolder<Matrix<double>>>(WriteToString<H>(m, true));
  EXPECT_EQ(d(1, 2), 12.5);
}

TEST(KaldiHolder, MatrixRangeSpecifiers) {
  int32 r0, r1, c0, c1;
  ParseMatrixRangeSpecifier(":", 199, 13, &r0, &r1, &c0, &c1);
  EXPECT_EQ(std::vector<int32>({r0, r1, c0, c1}), std::vector<int32>({0, 198, 0, 12}));
  ParseMatrixRangeSpecifier("0:5", 199, 13, &r0, &r1, &c0, &c1);  // inclusive: 6 rows
  EXPECT_EQ(std::vector<int32>({r0, r1, c0, c1}), std::vector<int32>({0, 5, 0, 12}));
  ParseMatrixRangeSpecifier("20:30,7:12", 199, 13, &r0, &r1, &c0, &c1);
  EXPECT_EQ(std::vector<int32>({r0, r1, c0, c1}), std::vector<int32>({20, 30, 7, 12}));
  ParseMatrixRangeSpecifier(":,7:12", 199, 13, &r0, &r1, &c0, &c1);
  EXPECT_EQ(std::vector<int32>({r0, r1, c0, c1}), std::vector<int32>({0, 198, 7, 12}));
  ParseMatrixRangeSpecifier("190:200", 199, 13, &r0, &r1, &c0, &c1);  // 2 past the end: clamped
  EXPECT_EQ(r1, 198);
  // Kaldi rejects these (column 13 of a 13-column matrix; rows far past the end; junk).
  for (const char *bad : {":,7:13", "20:30,7:13", "0:202", "5:4", "a:b", "", "1:2,", "1"}) {
    std::string msg = ErrorOf([&] { ParseMatrixRangeSpecifier(bad, 199, 13, &r0, &r1, &c0, &c1); });
    EXPECT_NE(msg.find("Invalid range specifier"), std::string::npos) << bad;
  }
  EXPECT_EQ(ErrorOf([&] { ParseMatrixRangeSpecifier(":,7:13", 199, 13, &r0, &r1, &c0, &c1); }),
            "Invalid range specifier: :,7:13 for matrix of size 199x13");
  Matrix<float> m(4, 3), part;
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 3; c++) m(r, c) = r * 3 + c;
  ASSERT_TRUE(ExtractObjectRange(m, "1:2,1:2", &part));
  EXPECT_EQ(part.NumRows(), 2);
  EXPECT_EQ(part(1, 0), 7);
  Vector<float> v(5), vp;
  v(3) = 9;
  ASSERT_TRUE(ExtractObjectRange(v, "2:3", &vp));
  EXPECT_EQ(vp.Dim(), 2);
  EXPECT_EQ(vp(1), 9);
  BasicHolder<int32> a, b;
  EXPECT_FALSE(a.ExtractRange(b, "0:1"));
}

}  // namespace
}  // namespace tdnas
