// mac-count-test.cc: the closed-form MAC/param counts against (1) the spec's published figures,
// as exact integers, and (2) an independent layer-by-layer count: the test walks the spec's
// forward pass, emitting one record per layer with its tensor shapes, and counts each record with
// the generic rules (conv T*Cout*Cin*K, BN 2*numel, Linear in*out ...), on many random configs;
// (3) the parameter count of the materialised static network (nnet/static-tdnn.h).
#include "nnet/mac-count.h"

#include <gtest/gtest.h>

#include <random>

#include "nnet/search-space.h"
#include "nnet/static-tdnn.h"

namespace tdnas {
namespace {

// One layer of the network, as the spec's pseudo-code builds it.
struct Layer {
  enum Kind { kConv, kBatchNorm, kLinear } kind;
  int64 in, out, kernel;  // conv: Cin, Cout, K; linear: in, out; BN: channels (in)
  int64 frames;           // time steps the layer runs over (1 for batch-1 vector layers)
  bool bias;              // linear only
};

std::vector<Layer> BuildLayers(const SubnetConfig &cfg, int64 T) {
  std::vector<Layer> net;
  auto conv = [&](int64 cin, int64 cout, int64 k) {
    net.push_back({Layer::kConv, cin, cout, k, T, false});
  };
  auto bn = [&](int64 c, int64 frames) { net.push_back({Layer::kBatchNorm, c, c, 0, frames, false}); };
  auto linear = [&](int64 in, int64 out) { net.push_back({Layer::kLinear, in, out, 0, 1, true}); };
  const int64 c0 = cfg.widths[0];
  conv(80, c0, cfg.kernels[0]);  // stem: conv -> ReLU -> BN
  bn(c0, T);
  for (int32 i = 1; i <= cfg.depth; ++i) {
    const int64 ci = cfg.widths[i], w = ci / 8;
    conv(c0, ci, 1);
    bn(ci, T);
    for (int32 j = 1; j <= 7; ++j) {  // z1..z7; z8 = g8 is a pass-through
      conv(w, w, cfg.kernels[i]);
      bn(w, T);
    }
    conv(ci, c0, 1);
    bn(c0, T);
    linear(c0, c0 / 4);  // squeeze-excitation
    linear(c0 / 4, c0);
  }
  conv(cfg.depth * c0, cfg.cat_width, 1);  // cat conv, no BN
  conv(cfg.cat_width, 128, 1);             // attention
  conv(128, cfg.cat_width, 1);
  bn(2 * cfg.cat_width, 1);                // pooling BN on [mu; sd]
  linear(2 * cfg.cat_width, 192);          // embedding FC
  bn(192, 1);
  return net;
}

SubnetCost CountLayerByLayer(const SubnetConfig &cfg, int64 T) {
  SubnetCost cost;
  for (const Layer &l : BuildLayers(cfg, T)) {
    switch (l.kind) {
      case Layer::kConv:
        cost.macs += l.frames * l.out * l.in * l.kernel;
        cost.params += l.out * l.in * l.kernel;
        break;
      case Layer::kBatchNorm:
        cost.macs += 2 * l.in * l.frames;
        cost.params += 2 * l.in;  // gamma, beta
        break;
      case Layer::kLinear:
        cost.macs += l.in * l.out;
        cost.params += l.in * l.out + (l.bias ? l.out : 0);
        break;
    }
  }
  return cost;
}

TEST(MacCount, PublishedFiguresExactly) {
  struct Row { const char *name; int32 frames; int64 macs, params; const char *hm, *hp; };
  const Row rows[] = {
      {"largest", 300, 1929261440, 7550528, "1.93G", "7.55M"},
      {"smallest", 300, 83474560, 443968, "83.47M", "443.97K"},
      {"base", 301, 1445211648, 5789760, "1.45G", "5.79M"},
      {"mobile", 301, 570984384, 2416416, "570.98M", "2.42M"},
      {"small", 301, 204072768, 899200, "204.07M", "899.20K"},
  };
  for (const Row &r : rows) {
    SubnetConfig cfg = ParseSubnetConfig(r.name);
    SubnetCost cost = CountSubnetCost(cfg, r.frames);
    EXPECT_EQ(cost.macs, r.macs) << r.name;
    EXPECT_EQ(cost.params, r.params) << r.name;
    EXPECT_EQ(HumanCount(cost.macs), r.hm) << r.name;    // the spec's table, as printed
    EXPECT_EQ(HumanCount(cost.params), r.hp) << r.name;
    SubnetCost ref = CountLayerByLayer(cfg, r.frames);
    EXPECT_EQ(ref.macs, r.macs) << r.name;
    EXPECT_EQ(ref.params, r.params) << r.name;
  }
}

TEST(MacCount, ClosedFormMatchesLayerByLayerOnRandomConfigs) {
  std::mt19937_64 rng(2024);
  SubnetConfig cfg;
  for (const char *space_name : {"fine", "supernet"}) {
    const SearchSpace space = SearchSpace::Named(space_name);
    for (int32 n = 0; n < 5000; ++n) {
      space.SampleConfig(&rng, &cfg);
      const int32 T = 1 + static_cast<int32>(UniformInt(&rng, 1000));
      SubnetCost a = CountSubnetCost(cfg, T), b = CountLayerByLayer(cfg, T);
      ASSERT_EQ(a.macs, b.macs) << cfg.ToString() << " T=" << T;
      ASSERT_EQ(a.params, b.params) << cfg.ToString();
      ASSERT_EQ(CountSubnetParams(cfg), a.params);
      ASSERT_EQ(CountSubnetMacs(cfg, T), a.macs);
    }
  }
}

TEST(MacCount, ParamsEqualTheMaterialisedNetwork) {
  // The static network (nnet/static-tdnn.h, no AAM head) holds exactly the counted parameters.
  std::vector<SubnetConfig> cfgs;
  for (const std::string &name : NamedSubnetConfigNames()) cfgs.push_back(ParseSubnetConfig(name));
  std::mt19937_64 rng(77);
  const SearchSpace fine = SearchSpace::Named("fine");
  for (int32 n = 0; n < 8; ++n) {  // ~90 ms per network construction
    cfgs.emplace_back();
    fine.SampleConfig(&rng, &cfgs.back());
  }
  for (const SubnetConfig &cfg : cfgs) {
    nnet::StaticTdnn net(cfg, nnet::StaticTdnnOptions());
    EXPECT_EQ(net.Params().NumElements(), CountSubnetParams(cfg)) << cfg.ToString();
  }
}

TEST(MacCount, MonotoneInEveryDimension) {
  // Growing any width, kernel or the cat width never lowers MACs or params.
  const SearchSpace fine = SearchSpace::Named("fine");
  std::mt19937_64 rng(9);
  SubnetConfig cfg, big;
  for (int32 n = 0; n < 2000; ++n) {
    fine.SampleConfig(&rng, &cfg);
    SubnetCost c = CountSubnetCost(cfg, 301);
    for (int32 i = 0; i <= cfg.depth; ++i) {
      big = cfg;
      big.widths[i] = std::min(512, big.widths[i] + 8);
      EXPECT_GE(CountSubnetCost(big, 301).macs, c.macs);
      big = cfg;
      big.kernels[i] = std::min(5, big.kernels[i] + 2);
      EXPECT_GE(CountSubnetCost(big, 301).macs, c.macs);
    }
    big = cfg;
    big.cat_width = std::min(1536, big.cat_width + 8);
    EXPECT_GE(CountSubnetCost(big, 301).params, c.params);
  }
}

TEST(MacCount, HumanCount) {
  EXPECT_EQ(HumanCount(0), "0");
  EXPECT_EQ(HumanCount(999), "999");
  EXPECT_EQ(HumanCount(1000), "1.00K");
  EXPECT_EQ(HumanCount(999996), "1.00M");
  EXPECT_EQ(HumanCount(1500000000000), "1.50T");
}

}  // namespace
}  // namespace tdnas
