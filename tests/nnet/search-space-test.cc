// search-space-test.cc: sizes, membership, sampling, enumeration and encodings of the search
// spaces. Sizes are checked against a count written differently (enumerating depth blocks by
// repeated multiplication in the test) and, for small spaces, by brute-force enumeration.
#include "nnet/search-space.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "base/log.h"

namespace tdnas {
namespace {

// Independent size: product over the d+1 slots, summed over depths.
uint64 ExpectedSize(uint64 nw, uint64 nk, uint64 nc, const std::vector<int32> &depths) {
  uint64 total = 0;
  for (int32 d : depths) {
    uint64 n = nc;
    for (int32 i = 0; i <= d; ++i) n *= nw * nk;
    total += n;
  }
  return total;
}

TEST(SearchSpace, NamedSpaceSizes) {
  EXPECT_EQ(SearchSpace::Named("fine").Size(), 10021183582095ull);  // spec: ~10^13
  EXPECT_EQ(SearchSpace::Named("fine").Widths().size(), 49u);
  EXPECT_EQ(SearchSpace::Named("fine").CatWidths().size(), 145u);
  EXPECT_EQ(SearchSpace::Named("largest").Size(), 1u);
  EXPECT_EQ(SearchSpace::Named("kernel").Size(), 243u);   // 3^5
  EXPECT_EQ(SearchSpace::Named("depth").Size(), 351u);    // 3^3 + 3^4 + 3^5
  EXPECT_EQ(SearchSpace::Named("width1").Size(), ExpectedSize(3, 3, 3, {2, 3, 4}));
  EXPECT_EQ(SearchSpace::Named("width1").Size(), 199017u);
  EXPECT_EQ(SearchSpace::Named("width2").Size(), 4066875u);
  EXPECT_EQ(SearchSpace::Named("coarse").Size(), 4066875u);
  EXPECT_EQ(SearchSpace::Named("supernet").Size(), ExpectedSize(64, 3, 192, {2, 3, 4}));
  const SearchSpace fine = SearchSpace::Named("fine");
  EXPECT_EQ(fine.SizeAtDepth(2) + fine.SizeAtDepth(3) + fine.SizeAtDepth(4), fine.Size());
  EXPECT_EQ(fine.SizeAtDepth(1), 0u);
  EXPECT_EQ(SearchSpace::DescribeSet(fine.Widths()), "128:8:512");
  EXPECT_EQ(SearchSpace::DescribeSet(fine.CatWidths()), "384:8:1536");
  EXPECT_EQ(SearchSpace::DescribeSet(fine.Kernels()), "{1,3,5}");
  EXPECT_THROW(SearchSpace::Named("medium"), FatalError);
}

TEST(SearchSpace, TrainingStagesNest) {
  // Every config of stage s is in stage s+1 (progressive shrinking only adds choices).
  const char *stages[] = {"largest", "kernel", "depth", "width1", "width2"};
  for (int32 s = 0; s + 1 < 5; ++s) {
    SearchSpace a = SearchSpace::Named(stages[s]), b = SearchSpace::Named(stages[s + 1]);
    SubnetConfig cfg;
    for (uint64 i = 0; i < a.Size(); i += 1 + a.Size() / 500) {
      a.ConfigAt(i, &cfg);
      EXPECT_TRUE(b.Contains(cfg, nullptr)) << cfg.ToString() << " " << stages[s + 1];
    }
  }
  // And coarse is inside fine, fine inside supernet.
  SearchSpace coarse = SearchSpace::Named("coarse"), fine = SearchSpace::Named("fine"),
              super = SearchSpace::Named("supernet");
  std::mt19937_64 rng(1);
  SubnetConfig cfg;
  for (int32 n = 0; n < 2000; ++n) {
    coarse.SampleConfig(&rng, &cfg);
    EXPECT_TRUE(fine.Contains(cfg, nullptr)) << cfg.ToString();
    fine.SampleUniformConfig(&rng, &cfg);
    EXPECT_TRUE(super.Contains(cfg, nullptr)) << cfg.ToString();
  }
}

TEST(SearchSpace, ContainsExplainsWhatIsWrong) {
  const SearchSpace coarse = SearchSpace::Named("coarse");
  std::string why;
  EXPECT_TRUE(coarse.Contains(ParseSubnetConfig("base"), &why));
  EXPECT_FALSE(coarse.Contains(ParseSubnetConfig("small"), &why));  // C = 400: fine grid only
  EXPECT_EQ(why, "cat width 400 is not in {384,536,768,1152,1536}");
  EXPECT_FALSE(coarse.Contains(ParseSubnetConfig("3-512-512-200-512-5-3-3-3-1536"), &why));
  EXPECT_EQ(why, "width c2 = 200 is not in {128,176,256,384,512}");
  const SearchSpace kernel = SearchSpace::Named("kernel");
  EXPECT_FALSE(kernel.Contains(ParseSubnetConfig("base"), &why));
  EXPECT_EQ(why, "depth 3 is not in {4}");
  EXPECT_TRUE(SearchSpace::Named("fine").Contains(ParseSubnetConfig("small"), &why));
  try {
    coarse.Validate(ParseSubnetConfig("small"));
    FAIL();
  } catch (const FatalError &e) {
    EXPECT_EQ(std::string(e.what()),
              "subnet config 2-256-256-256-3-3-3-400 is not in search space 'coarse': "
              "cat width 400 is not in {384,536,768,1152,1536}");
  }
}

TEST(SearchSpace, EnumerationIsABijectionOnSmallSpaces) {
  for (const char *name : {"largest", "kernel", "depth", "width1"}) {
    const SearchSpace space = SearchSpace::Named(name);
    std::set<std::string> seen;
    SubnetConfig cfg;
    for (uint64 i = 0; i < space.Size(); ++i) {
      space.ConfigAt(i, &cfg);
      ASSERT_TRUE(space.Contains(cfg, nullptr)) << cfg.ToString();
      ASSERT_EQ(space.IndexOf(cfg), i) << cfg.ToString();
      seen.insert(cfg.ToString());
    }
    EXPECT_EQ(seen.size(), space.Size()) << name;
    EXPECT_THROW(space.ConfigAt(space.Size(), &cfg), FatalError);
  }
  // Brute force over the cartesian product agrees with the count for "depth".
  const SearchSpace depth = SearchSpace::Named("depth");
  uint64 brute = 0;
  for (int32 d = 2; d <= 4; ++d) {
    uint64 combos = 1;
    for (int32 i = 0; i <= d; ++i) combos *= 3;  // kernels; width and cat fixed
    brute += combos;
  }
  EXPECT_EQ(brute, depth.Size());
}

TEST(SearchSpace, EnumerationRoundTripsOnTheFineGrid) {
  const SearchSpace fine = SearchSpace::Named("fine");
  SubnetConfig cfg;
  fine.ConfigAt(0, &cfg);
  EXPECT_EQ(cfg.ToString(), "2-128-128-128-1-1-1-384");  // the smallest net is index 0
  fine.ConfigAt(fine.Size() - 1, &cfg);
  EXPECT_EQ(cfg.ToString(), "4-512-512-512-512-512-5-5-5-5-5-1536");
  EXPECT_EQ(fine.IndexOf(ParseSubnetConfig("smallest")), 0u);
  EXPECT_EQ(fine.IndexOf(ParseSubnetConfig("largest")), fine.Size() - 1);
  fine.ConfigAt(fine.SizeAtDepth(2), &cfg);
  EXPECT_EQ(cfg.ToString(), "3-128-128-128-128-1-1-1-1-384");
  std::mt19937_64 rng(7);
  for (int32 n = 0; n < 20000; ++n) {
    uint64 i = UniformInt(&rng, fine.Size());
    fine.ConfigAt(i, &cfg);
    ASSERT_EQ(fine.IndexOf(cfg), i);
  }
}

TEST(SearchSpace, SamplingIsReproducibleAndUniformPerDimension) {
  const SearchSpace coarse = SearchSpace::Named("coarse");
  std::mt19937_64 a(666), b(666);
  SubnetConfig ca, cb;
  for (int32 n = 0; n < 100; ++n) {
    coarse.SampleConfig(&a, &ca);
    coarse.SampleConfig(&b, &cb);
    ASSERT_EQ(ca, cb);
  }
  // Each dimension: every value drawn with frequency 1/|set| (chi-square style bound).
  const int32 kDraws = 60000;
  std::map<int32, int32> depth, c0, k1, cat;
  std::mt19937_64 rng(123);
  SubnetConfig cfg;
  for (int32 n = 0; n < kDraws; ++n) {
    coarse.SampleConfig(&rng, &cfg);
    ASSERT_TRUE(coarse.Contains(cfg, nullptr));
    depth[cfg.depth]++; c0[cfg.widths[0]]++; k1[cfg.kernels[1]]++; cat[cfg.cat_width]++;
  }
  auto check = [&](const std::map<int32, int32> &hist, size_t n_values, const char *what) {
    ASSERT_EQ(hist.size(), n_values) << what;
    double expected = double(kDraws) / n_values;
    for (const auto &kv : hist)  // 5 sigma of a binomial count
      EXPECT_NEAR(kv.second, expected, 5 * std::sqrt(expected)) << what << " " << kv.first;
  };
  check(depth, 3, "depth"); check(c0, 5, "c0"); check(k1, 3, "k1"); check(cat, 5, "cat");
  // Uniform over subnets instead: depth 4 holds 15^5/(15^3+15^4+15^5) of the coarse space.
  int32 deep = 0;
  for (int32 n = 0; n < kDraws; ++n) {
    coarse.SampleUniformConfig(&rng, &cfg);
    deep += cfg.depth == 4;
  }
  double p4 = 759375.0 / 813375.0;
  EXPECT_NEAR(deep, kDraws * p4, 5 * std::sqrt(kDraws * p4 * (1 - p4)));
}

TEST(SearchSpace, UniformIntIsInRangeAndUnbiased) {
  std::mt19937_64 rng(5);
  for (uint64 n : {1ull, 2ull, 3ull, 49ull, 145ull, 10021183582095ull})
    for (int32 i = 0; i < 1000; ++i) ASSERT_LT(UniformInt(&rng, n), n);
  std::vector<int32> hist(3, 0);
  for (int32 i = 0; i < 30000; ++i) hist[UniformInt(&rng, 3)]++;
  for (int32 h : hist) EXPECT_NEAR(h, 10000, 500);
}

TEST(SearchSpace, OneHotEncodingLayout) {
  const SearchSpace coarse = SearchSpace::Named("coarse"), fine = SearchSpace::Named("fine");
  EXPECT_EQ(coarse.EncodingDim(), 48);  // spec section 4
  EXPECT_EQ(fine.EncodingDim(), 408);
  // Mobile 3-384-256-256-256-5-3-3-3-768 in the coarse layout:
  // depth {2,3,4} -> slot 1; widths {128,176,256,384,512}; kernels {1,3,5}; cat 5 values.
  std::vector<float> enc;
  coarse.Encode(ParseSubnetConfig("mobile"), &enc);
  std::vector<int32> ones;
  for (int32 i = 0; i < 48; ++i) {
    ASSERT_TRUE(enc[i] == 0.0f || enc[i] == 1.0f);
    if (enc[i] == 1.0f) ones.push_back(i);
  }
  // depth: 1; c0=384 -> 3+0*5+3; c1..c3=256 -> 3+i*5+2; k0=5 -> 28+2; k1..3=3 -> 28+3i+1;
  // cat 768 -> 43+2.
  EXPECT_EQ(ones, (std::vector<int32>{1, 6, 10, 15, 20, 30, 32, 35, 38, 45}));
  EXPECT_EQ(coarse.Decode(enc.data()), ParseSubnetConfig("mobile"));
  // Fine: count of ones is d + 1 + 2 (d+1) + 1 = 2d + 4 and Decode inverts Encode.
  std::mt19937_64 rng(3);
  SubnetConfig cfg;
  for (int32 n = 0; n < 2000; ++n) {
    fine.SampleConfig(&rng, &cfg);
    fine.Encode(cfg, &enc);
    ASSERT_EQ(enc.size(), 408u);
    float sum = 0;
    for (float v : enc) sum += v;
    ASSERT_EQ(sum, 2 * cfg.depth + 4);
    ASSERT_EQ(fine.Decode(enc.data()), cfg);
  }
  enc.assign(408, 0.0f);
  EXPECT_THROW(fine.Decode(enc.data()), FatalError);
  EXPECT_THROW(coarse.Encode(ParseSubnetConfig("small"), &enc), FatalError);
}

TEST(SearchSpace, RejectsBadCustomSpaces) {
  EXPECT_THROW(SearchSpace("x", {2}, {512, 256}, {3}, {1536}), FatalError);  // unsorted
  EXPECT_THROW(SearchSpace("x", {2}, {500}, {3}, {1536}), FatalError);       // not /8
  EXPECT_THROW(SearchSpace("x", {5}, {512}, {3}, {1536}), FatalError);       // too deep
  EXPECT_THROW(SearchSpace("x", {2}, {512}, {}, {1536}), FatalError);        // empty
  EXPECT_EQ(SearchSpace("x", {2}, {256, 512}, {3}, {768}).Size(), 8u);
}

// Scaled supernets: the stage spaces scale with the shape; the paper's shape gives the
// paper's grids exactly; a quarter-width shape gives the documented rounding.
TEST(SearchSpace, ScaledShapes) {
  const SupernetShape paper, quarter(128, 384), tiny(32, 96);
  for (const std::string &n : SearchSpace::Names()) {
    const SearchSpace a = SearchSpace::Named(n), b = SearchSpace::Named(n, paper);
    EXPECT_EQ(a.Widths(), b.Widths()) << n;
    EXPECT_EQ(a.CatWidths(), b.CatWidths()) << n;
    EXPECT_EQ(a.Size(), b.Size()) << n;
  }
  EXPECT_EQ(SearchSpace::Named("width2").Widths(), (std::vector<int32>{128, 176, 256, 384, 512}));
  EXPECT_EQ(SearchSpace::Named("width2").CatWidths(),
            (std::vector<int32>{384, 536, 768, 1152, 1536}));
  EXPECT_EQ(SearchSpace::Named("width2", quarter).Widths(), (std::vector<int32>{32, 48, 64, 96, 128}));
  EXPECT_EQ(SearchSpace::Named("width2", quarter).CatWidths(),
            (std::vector<int32>{96, 136, 192, 288, 384}));
  EXPECT_EQ(SearchSpace::Named("width1", quarter).Widths(), (std::vector<int32>{64, 96, 128}));
  EXPECT_EQ(SearchSpace::Named("width1", quarter).CatWidths(), (std::vector<int32>{192, 288, 384}));
  EXPECT_EQ(SearchSpace::Named("depth", quarter).Widths(), (std::vector<int32>{128}));
  EXPECT_EQ(SearchSpace::Named("kernel", quarter).CatWidths(), (std::vector<int32>{384}));
  EXPECT_EQ(SearchSpace::Named("fine", quarter).Widths().front(), 32);
  EXPECT_EQ(SearchSpace::Named("supernet", quarter).CatWidths().back(), 384);
  // 32: 25% = 8 and 35% = 11.2 -> 8 coincide; the duplicate is dropped.
  EXPECT_EQ(SearchSpace::Named("width2", tiny).Widths(), (std::vector<int32>{8, 16, 24, 32}));
  EXPECT_EQ(SearchSpace::Named("width2", tiny).CatWidths(), (std::vector<int32>{24, 32, 48, 72, 96}));
  SubnetConfig largest = quarter.Largest();
  EXPECT_EQ(largest.ToString(), "4-128-128-128-128-128-5-5-5-5-5-384");
  EXPECT_TRUE(SearchSpace::Named("largest", quarter).Contains(largest, nullptr));
  std::mt19937_64 rng(1);
  SubnetConfig c;
  for (int i = 0; i < 200; i++) {
    SearchSpace::Named("width2", quarter).SampleConfig(&rng, &c);
    EXPECT_TRUE(quarter.Fits(c, nullptr)) << c.ToString();
  }
  EXPECT_THROW(SearchSpace::Named("width2", SupernetShape(100, 384)), FatalError);
  EXPECT_THROW(SearchSpace::Named("width2", SupernetShape(128, 2048)), FatalError);
}

}  // namespace
}  // namespace tdnas
