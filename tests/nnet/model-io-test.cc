// model-io-test.cc: NnetModel files: binary and text round trips keep every parameter and BN
// statistic (binary bit-exact), speakers, front end and training state; a file whose tensors do
// not match its config, or a bad header, is an ERROR.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <sstream>

#include "nnet/model-io.h"

namespace tdnas {
namespace nnet {
namespace {

NnetModel MakeModel() {
  StaticTdnnOptions o;
  o.num_classes = 3;
  NnetModel m(ParseSubnetConfig("2-32-32-32-3-1-5-64"), o, 7);
  m.Speakers() = {"a", "b", "c"};
  m.FrontEnd().feature_config = {"--num-mel-bins=80", "--dither=0"};
  // Non-trivial BN statistics (the alignment padding between tensors stays zero).
  const ParamTable &st = m.Net().State();
  for (int k = 0; k < st.Size(); k++) {
    float *p = m.Net().StateBuffer().Data() + st.Entry(k).offset;
    for (int64_t i = 0; i < st.Entry(k).size; i++) p[i] = 0.25f + 0.001f * (i % 97);
  }
  return m;
}

std::string Serialize(const NnetModel &m, bool binary) {
  std::ostringstream os;
  if (binary) InitOutputStream(os, true);
  m.Write(os, binary);
  return os.str();
}

NnetModel Deserialize(const std::string &s) {
  std::istringstream is(s);
  bool binary = InitInputStream(is);
  NnetModel m;
  m.Read(is, binary);
  return m;
}

TEST(ModelIo, BinaryRoundTripIsExact) {
  NnetModel m = MakeModel();
  m.Train().present = true;
  m.Train().step = 5;
  m.Train().total_steps = 9;
  m.Train().adam_t = 5;
  m.Train().options = "--lr=0.001 --seed=3";
  m.Train().adam_m.assign(m.Net().ParamBuffer().Size(), 0.5f);
  m.Train().adam_v.assign(m.Net().ParamBuffer().Size(), 1e-7f);
  std::string s = Serialize(m, true);
  NnetModel r = Deserialize(s);
  EXPECT_EQ(r.Config(), m.Config());
  EXPECT_EQ(r.Speakers(), m.Speakers());
  EXPECT_EQ(r.FrontEnd().feature_config, m.FrontEnd().feature_config);
  EXPECT_EQ(r.Net().Options().num_classes, 3);
  ASSERT_EQ(r.Net().ParamBuffer().Size(), m.Net().ParamBuffer().Size());
  EXPECT_EQ(0, std::memcmp(r.Net().ParamBuffer().Data(), m.Net().ParamBuffer().Data(),
                           m.Net().ParamBuffer().Size() * sizeof(float)));
  EXPECT_EQ(0, std::memcmp(r.Net().StateBuffer().Data(), m.Net().StateBuffer().Data(),
                           m.Net().StateBuffer().Size() * sizeof(float)));
  EXPECT_TRUE(r.Train().present);
  EXPECT_EQ(r.Train().step, 5);
  EXPECT_EQ(r.Train().options, "--lr=0.001 --seed=3");
  EXPECT_EQ(r.Train().adam_m, m.Train().adam_m);
  EXPECT_EQ(r.Train().adam_v, m.Train().adam_v);
  EXPECT_EQ(Serialize(r, true), s);   // writing again gives the same bytes
}

TEST(ModelIo, TextRoundTripWithinPrintPrecision) {
  NnetModel m = MakeModel();
  std::string t = Serialize(m, false);
  EXPECT_NE(t.find("<Config> 2-32-32-32-3-1-5-64"), std::string::npos);
  EXPECT_NE(t.find("stem.conv.weight"), std::string::npos);
  NnetModel r = Deserialize(t);
  const Buffer &a = m.Net().ParamBuffer(), &b = r.Net().ParamBuffer();
  for (int64_t i = 0; i < a.Size(); i++)
    ASSERT_NEAR(a.Data()[i], b.Data()[i], 1e-6 * (1 + std::fabs(a.Data()[i])));
  EXPECT_FALSE(r.Train().present);
}

TEST(ModelIo, MismatchedTensorIsAnError) {
  NnetModel m = MakeModel();
  std::string t = Serialize(m, false);
  // Claim another config: the tensors no longer match it.
  size_t p = t.find("2-32-32-32-3-1-5-64");
  t.replace(p, 19, "2-32-32-32-3-3-5-64");
  EXPECT_THROW(Deserialize(t), FatalError);
  std::string bad = Serialize(m, true);
  bad.replace(bad.find("<TdnasNnet>"), 11, "<TdnasNnex>");
  EXPECT_THROW(Deserialize(bad), FatalError);
  std::string trunc = Serialize(m, true);
  trunc.resize(trunc.size() / 2);
  EXPECT_THROW(Deserialize(trunc), FatalError);
}

TEST(ModelIo, FrontEndDimensionIsChecked) {
  NnetModel m = MakeModel();
  EXPECT_NO_THROW(m.FrontEnd().CheckFeatureDim(80, "x"));
  EXPECT_THROW(m.FrontEnd().CheckFeatureDim(40, "x"), FatalError);
}

}  // namespace
}  // namespace nnet
}  // namespace tdnas
