// subnet-config-test.cc: string form, aliases and well-formedness checks of SubnetConfig.
#include "nnet/subnet-config.h"

#include <gtest/gtest.h>

#include "base/log.h"

namespace tdnas {
namespace {

TEST(SubnetConfig, ParsesAndPrintsTheSpecExample) {
  SubnetConfig cfg = ParseSubnetConfig("3-512-512-512-512-5-5-3-3-1536");
  EXPECT_EQ(cfg.depth, 3);
  EXPECT_EQ(cfg.widths, (std::vector<int32>{512, 512, 512, 512}));
  EXPECT_EQ(cfg.kernels, (std::vector<int32>{5, 5, 3, 3}));
  EXPECT_EQ(cfg.cat_width, 1536);
  EXPECT_EQ(cfg.ToString(), "3-512-512-512-512-5-5-3-3-1536");
  EXPECT_EQ(ParseSubnetConfig("  2-256-256-256-3-3-3-400\n").ToString(), "2-256-256-256-3-3-3-400");
}

TEST(SubnetConfig, NamedAliasesMatchTheSpecTable) {
  const std::pair<const char *, const char *> expected[] = {
      {"largest", "4-512-512-512-512-512-5-5-5-5-5-1536"},
      {"smallest", "2-128-128-128-1-1-1-384"},
      {"base", "3-512-512-512-512-5-3-3-3-1536"},
      {"mobile", "3-384-256-256-256-5-3-3-3-768"},
      {"small", "2-256-256-256-3-3-3-400"},
  };
  ASSERT_EQ(NamedSubnetConfigNames().size(), 5u);
  for (const auto &e : expected) {
    SubnetConfig cfg;
    ASSERT_TRUE(LookupNamedSubnetConfig(e.first, &cfg)) << e.first;
    EXPECT_EQ(cfg.ToString(), e.second);
    EXPECT_EQ(ParseSubnetConfig(e.first), cfg);
    EXPECT_EQ(ParseSubnetConfig(e.second), cfg);
  }
}

// Each bad string must fail, with an error message containing `needle`.
TEST(SubnetConfig, RejectsMalformedStringsWithAReason) {
  const std::pair<const char *, const char *> bad[] = {
      {"", "empty"},
      {"   ", "empty"},
      {"huge", "unknown config name"},
      {"1-512-512-5-5-1536", "depth 1"},
      {"5-512-512-512-512-512-512-5-5-5-5-5-5-1536", "depth 5"},
      {"3-512-512-512-5-3-3-3-1536", "needs 10 fields"},
      {"3-512-512-512-512-5-3-3-3-1536-7", "needs 10 fields"},
      {"3-512-512-512-512-5-3-3-3", "needs 10 fields"},
      {"3-512-512-512-512-5-3-3-3-", "field 10 ''"},
      {"3-512-512-512-51x-5-3-3-3-1536", "field 5 '51x'"},
      {"3--512-512-512-5-3-3-3-1536", "field 2 ''"},
      {"3-512-512-520-512-5-3-3-3-1536", "width c2 = 520"},
      {"3-512-500-512-512-5-3-3-3-1536", "width c1 = 500"},
      {"3-0-512-512-512-5-3-3-3-1536", "width c0 = 0"},
      {"3-512-512-512-512-5-3-4-3-1536", "kernel k2 = 4"},
      {"3-512-512-512-512-7-3-3-3-1536", "kernel k0 = 7"},
      {"3-512-512-512-512-5-3-3-3-1544", "cat width 1544"},
      {"3-512-512-512-512-5-3-3-3-1530", "cat width 1530"},
      {"3-512-512-512-512-5-3-3-3-99999999999", "field 10"},
      {"1-2-3-4-5-6-7-8-9-10-11-12-13", "depth 1"},
  };
  for (const auto &b : bad) {
    SubnetConfig cfg;
    std::string error;
    EXPECT_FALSE(ParseSubnetConfig(b.first, &cfg, &error)) << "'" << b.first << "'";
    EXPECT_NE(error.find(b.second), std::string::npos)
        << "'" << b.first << "' gave '" << error << "', expected it to mention '" << b.second << "'";
  }
  std::string many = "4";
  for (int32 i = 0; i < 100; ++i) many += "-8";
  SubnetConfig cfg;
  std::string error;
  EXPECT_FALSE(ParseSubnetConfig(many, &cfg, &error));
  EXPECT_NE(error.find("too many fields"), std::string::npos) << error;
}

TEST(SubnetConfig, ThrowingParseNamesTheString) {
  try {
    ParseSubnetConfig("3-512-512-512-512-5-3-4-3-1536");
    FAIL() << "no error";
  } catch (const FatalError &e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("3-512-512-512-512-5-3-4-3-1536"), std::string::npos) << msg;
    EXPECT_NE(msg.find("kernel k2 = 4"), std::string::npos) << msg;
  }
}

TEST(SubnetConfig, CheckCatchesInconsistentStructs) {
  std::string error;
  SubnetConfig cfg(3, {512, 512, 512}, {5, 3, 3, 3}, 1536);
  EXPECT_FALSE(CheckSubnetConfig(cfg, &error));
  EXPECT_NE(error.find("needs 4 widths, got 3"), std::string::npos) << error;
  cfg.widths.push_back(512);
  EXPECT_TRUE(CheckSubnetConfig(cfg, &error));
  cfg.kernels.pop_back();
  EXPECT_FALSE(CheckSubnetConfig(cfg, &error));
  EXPECT_NE(error.find("needs 4 kernels, got 3"), std::string::npos) << error;
}

TEST(SubnetConfig, ParseReusesStorageAcrossCalls) {
  SubnetConfig cfg;
  std::string error;
  ASSERT_TRUE(ParseSubnetConfig("largest", &cfg, &error));
  const int32 *w = cfg.widths.data();
  ASSERT_TRUE(ParseSubnetConfig("2-128-136-144-1-3-5-392", &cfg, &error));
  EXPECT_EQ(cfg.widths.data(), w);  // no reallocation when shrinking
  EXPECT_EQ(cfg.ToString(), "2-128-136-144-1-3-5-392");
}

TEST(SupernetShape, RoundingFitsAndErrors) {
  const int32 pct[] = {25, 35, 50, 75, 100};
  const int32 w512[] = {128, 176, 256, 384, 512}, w1536[] = {384, 536, 768, 1152, 1536};
  const int32 w128[] = {32, 48, 64, 96, 128}, w384[] = {96, 136, 192, 288, 384};
  for (int i = 0; i < 5; i++) {
    EXPECT_EQ(SupernetShape::ScaledWidth(512, pct[i]), w512[i]);
    EXPECT_EQ(SupernetShape::ScaledWidth(1536, pct[i]), w1536[i]);
    EXPECT_EQ(SupernetShape::ScaledWidth(128, pct[i]), w128[i]);
    EXPECT_EQ(SupernetShape::ScaledWidth(384, pct[i]), w384[i]);
  }
  EXPECT_EQ(SupernetShape::ScaledWidth(8, 25), 8);   // never below the quantum
  EXPECT_EQ(SupernetShape::ScaledWidth(80, 35), 32);  // 28 is half way: rounds up
  SupernetShape q(128, 384);
  EXPECT_TRUE(SupernetShape().IsDefault());
  EXPECT_FALSE(q.IsDefault());
  EXPECT_EQ(SupernetShape().Largest(), ParseSubnetConfig("largest"));
  EXPECT_TRUE(q.Fits(ParseSubnetConfig("2-128-64-96-3-1-5-384"), nullptr));
  std::string why;
  EXPECT_FALSE(q.Fits(ParseSubnetConfig("2-128-136-96-3-1-5-384"), &why));
  EXPECT_NE(why.find("c1 = 136"), std::string::npos) << why;
  EXPECT_FALSE(q.Fits(ParseSubnetConfig("2-128-64-96-3-1-5-392"), &why));
  EXPECT_NE(why.find("cat width 392"), std::string::npos) << why;
  EXPECT_THROW(q.CheckFits(ParseSubnetConfig("small")), FatalError);
  EXPECT_THROW(SupernetShape(12, 384).Validate(), FatalError);
  EXPECT_THROW(SupernetShape(520, 384).Validate(), FatalError);
  EXPECT_THROW(SupernetShape(128, 0).Validate(), FatalError);
  SupernetShape(8, 8).Validate();
}

}  // namespace
}  // namespace tdnas
