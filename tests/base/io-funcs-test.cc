// Tests of Kaldi's basic-type and token encoding (base/io-funcs.h) and the logging macros.
#include "base/io-funcs.h"

#include <gtest/gtest.h>

#include <sstream>

namespace tdnas {
namespace {

TEST(IoFuncs, BinaryIntegerLayoutIsKaldis) {
  std::ostringstream os;
  WriteBasicType<int32>(os, true, 285);
  WriteBasicType<uint16>(os, true, 7);
  std::string s = os.str();
  ASSERT_EQ(s.size(), 5u + 3u);
  EXPECT_EQ(s[0], 4);
  EXPECT_EQ(static_cast<unsigned char>(s[1]), 285 & 0xff);
  EXPECT_EQ(static_cast<unsigned char>(s[2]), 285 >> 8);
  EXPECT_EQ(static_cast<signed char>(s[5]), -2);  // unsigned: negated size
}

TEST(IoFuncs, FloatReaderAcceptsDoubleAndViceVersa) {
  std::ostringstream os;
  WriteBasicType<double>(os, true, 0.25);
  WriteBasicType<float>(os, true, -1.5f);
  std::istringstream is(os.str());
  float f;
  double d;
  ReadBasicType(is, true, &f);
  ReadBasicType(is, true, &d);
  EXPECT_EQ(f, 0.25f);
  EXPECT_EQ(d, -1.5);
}

TEST(IoFuncs, TextRoundTripAndTokens) {
  std::ostringstream os;
  InitOutputStream(os, false);
  WriteToken(os, false, "<Nnet>");
  WriteBasicType<int32>(os, false, -12);
  WriteBasicType<float>(os, false, 3.25f);
  WriteBasicType<bool>(os, false, true);
  std::istringstream is(os.str());
  EXPECT_FALSE(InitInputStream(is));
  EXPECT_EQ(PeekToken(is, false), 'N');
  ExpectToken(is, false, "<Nnet>");
  int32 i;
  float f;
  bool b;
  ReadBasicType(is, false, &i);
  ReadBasicType(is, false, &f);
  ReadBasicType(is, false, &b);
  EXPECT_EQ(i, -12);
  EXPECT_EQ(f, 3.25f);
  EXPECT_TRUE(b);
}

TEST(IoFuncs, ErrorsOnWrongTypeAndTruncation) {
  std::ostringstream os;
  WriteBasicType<int32>(os, true, 5);
  {
    std::istringstream is(os.str());
    int64 x;
    EXPECT_THROW(ReadBasicType(is, true, &x), FatalError);
  }
  {
    std::istringstream is(os.str().substr(0, 3));
    int32 x;
    EXPECT_THROW(ReadBasicType(is, true, &x), FatalError);
  }
  {
    std::istringstream is("FM ");
    EXPECT_THROW(ExpectToken(is, true, "DM"), FatalError);
  }
}

TEST(IoFuncs, IntegerVectorBinaryMatchesKaldiLayout) {
  std::vector<int32> v = {1, 11204, -3};
  std::ostringstream os;
  WriteIntegerVector(os, true, v);
  EXPECT_EQ(os.str().size(), 1u + 4u + 3u * 5u);
  std::istringstream is(os.str());
  std::vector<int32> w;
  ReadIntegerVector(is, true, &w);
  EXPECT_EQ(v, w);
}

TEST(Log, ErrorThrowsWithLocation) {
  try {
    TD_ERR << "bad thing " << 42;
    FAIL();
  } catch (const FatalError &e) {
    EXPECT_STREQ(e.what(), "bad thing 42");
    EXPECT_NE(e.location().find("io-funcs-test.cc"), std::string::npos);
  }
  EXPECT_THROW(TD_ASSERT(1 + 1 == 3), FatalError);
}

}  // namespace
}  // namespace tdnas
