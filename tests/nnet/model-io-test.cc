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

// A scaled supernet: binary round trip bit-exact (params incl. k53/k31, BN state, shape,
// speakers, train state); text readable and reloadable; the shape is stored; Net() of a
// supernet is an ERROR naming --subnet; CutSubnet gives the materialised static model.
TEST(ModelIo, SupernetRoundTripAndCut) {
  StaticTdnnOptions o;
  o.num_classes = 3;
  NnetModel m(SupernetShape(32, 96), o, 11);
  m.Speakers() = {"a", "b", "c"};
  EXPECT_TRUE(m.IsSupernet());
  EXPECT_THROW(m.Net(), FatalError);
  Supernet &sn = m.Super();
  // Non-identity kernel transforms and non-trivial BN statistics.
  // (Only the tensors' elements: the alignment padding between them is not stored.)
  for (int k = 0; k < sn.Params().Size(); k++)
    for (int64_t i = 0; i < sn.Params().Entry(k).size; i++)
      sn.ParamBuffer().Data()[sn.Params().Entry(k).offset + i] += 1e-3f * (i % 13);
  for (int k = 0; k < sn.State().Size(); k++)
    for (int64_t i = 0; i < sn.State().Entry(k).size; i++)
      sn.StateBuffer().Data()[sn.State().Entry(k).offset + i] = 0.5f + 1e-3f * (i % 29);
  m.Train().present = true;
  m.Train().stage = "width1";
  m.Train().adam_m.assign(sn.ParamBuffer().Size(), 0.25f);
  m.Train().adam_v.assign(sn.ParamBuffer().Size(), 1e-6f);
  const std::string s = Serialize(m, true);
  NnetModel r = Deserialize(s);
  ASSERT_TRUE(r.IsSupernet());
  EXPECT_EQ(r.Super().Shape(), SupernetShape(32, 96));
  EXPECT_EQ(r.Speakers(), m.Speakers());
  ASSERT_EQ(r.Super().ParamBuffer().Size(), sn.ParamBuffer().Size());
  EXPECT_EQ(0, std::memcmp(r.Super().ParamBuffer().Data(), sn.ParamBuffer().Data(),
                           sn.ParamBuffer().Size() * sizeof(float)));
  EXPECT_EQ(0, std::memcmp(r.Super().StateBuffer().Data(), sn.StateBuffer().Data(),
                           sn.StateBuffer().Size() * sizeof(float)));
  EXPECT_EQ(r.Train().adam_m, m.Train().adam_m);
  EXPECT_EQ(Serialize(r, true), s);
  const std::string t = Serialize(m, false);
  EXPECT_NE(t.find("<Kind> supernet <Shape> <MaxWidth> 32 <MaxCatWidth> 96 </Shape>"), std::string::npos);
  EXPECT_NE(t.find("stem.conv.k53"), std::string::npos);
  NnetModel rt = Deserialize(t);
  for (int64_t i = 0; i < sn.ParamBuffer().Size(); i++)
    ASSERT_NEAR(rt.Super().ParamBuffer().Data()[i], sn.ParamBuffer().Data()[i], 1e-6);
  const std::string info = r.Info();
  EXPECT_NE(info.find("kind supernet"), std::string::npos);
  EXPECT_NE(info.find("largest 4-32-32-32-32-32-5-5-5-5-5-96"), std::string::npos);
  EXPECT_NE(info.find("kernel transforms"), std::string::npos);
  EXPECT_NE(info.find("space width2: depth {2,3,4}, widths 8:8:32"), std::string::npos) << info;
  // Cut: equals Materialize; train state dropped; a too-wide config is an ERROR.
  const SubnetConfig cfg = ParseSubnetConfig("3-24-16-8-32-3-1-5-3-48");
  StaticTdnn ref(cfg, o);
  r.Super().Materialize(&ref);
  EXPECT_THROW(r.CutSubnet(ParseSubnetConfig("2-40-16-16-3-3-3-48")), FatalError);
  r.CutSubnet(cfg);
  ASSERT_TRUE(r.IsStatic());
  EXPECT_EQ(r.Config(), cfg);
  EXPECT_FALSE(r.Train().present);
  EXPECT_EQ(0, std::memcmp(r.Net().ParamBuffer().Data(), ref.ParamBuffer().Data(),
                           ref.ParamBuffer().Size() * sizeof(float)));
  EXPECT_EQ(0, std::memcmp(r.Net().StateBuffer().Data(), ref.StateBuffer().Data(),
                           ref.StateBuffer().Size() * sizeof(float)));
  EXPECT_THROW(r.CutSubnet(ParseSubnetConfig("2-24-16-16-3-3-3-48")), FatalError);
  r.CutSubnet(cfg);   // the same config: nothing to do
  // A corrupt shape is an ERROR.
  std::string bad = t;
  bad.replace(bad.find("<MaxWidth> 32"), 13, "<MaxWidth> 36");
  EXPECT_THROW(Deserialize(bad), FatalError);
}

}  // namespace
}  // namespace nnet
}  // namespace tdnas
