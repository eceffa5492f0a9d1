// mac-count.cc: closed-form MAC and parameter counts (rules in mac-count.h).
#include "nnet/mac-count.h"

#include <cstdio>

#include "base/log.h"

namespace tdnas {

SubnetCost CountSubnetCost(int32 depth, const int32 *widths, const int32 *kernels,
                           int32 cat_width, int32 frames) {
  const int64 T = frames, c0 = widths[0], C = cat_width, d = depth;
  const int64 in = kTdnnInputDim, att = kTdnnAttentionDim, emb = kTdnnEmbeddingDim;
  const int64 se = c0 / kTdnnSeReduction;
  // Per-frame MACs (multiplied by T at the end) and batch-1 MACs counted separately.
  int64 frame_macs = c0 * (in * kernels[0] + 2);         // stem conv + BN
  int64 params = c0 * (in * kernels[0] + 2);
  for (int32 i = 1; i <= depth; ++i) {
    const int64 ci = widths[i], w = ci / kTdnnRes2Scale, ki = kernels[i];
    const int64 res2 = (kTdnnRes2Scale - 1) * w * (w * ki + 2);  // 7 convs + BNs
    frame_macs += ci * (c0 + 2) + res2 + c0 * (ci + 2);
    params += ci * (c0 + 2) + res2 + c0 * (ci + 2) + 2 * c0 * se + se + c0;
  }
  frame_macs += C * d * c0 + 2 * att * C;                 // cat conv + attention convs
  params += C * d * c0 + 2 * att * C;
  const int64 pool_macs = 4 * C + 2 * C * emb + 2 * emb;  // BN(2C), FC, BN(192)
  params += 4 * C + 2 * C * emb + emb + 2 * emb;
  SubnetCost cost;
  cost.macs = T * frame_macs + d * 2 * c0 * se + pool_macs;  // + SE linears, batch 1
  cost.params = params;
  return cost;
}

SubnetCost CountSubnetCost(const SubnetConfig &cfg, int32 frames) {
  TD_ASSERT(cfg.depth >= 1 && cfg.depth <= kTdnnMaxDepth &&
            static_cast<int32>(cfg.widths.size()) > cfg.depth &&
            static_cast<int32>(cfg.kernels.size()) > cfg.depth);
  return CountSubnetCost(cfg.depth, cfg.widths.data(), cfg.kernels.data(), cfg.cat_width, frames);
}

int64 CountSubnetMacs(const SubnetConfig &cfg, int32 frames) {
  return CountSubnetCost(cfg, frames).macs;
}

int64 CountSubnetParams(const SubnetConfig &cfg) { return CountSubnetCost(cfg, 1).params; }

std::string HumanCount(int64 n) {
  static const struct { double scale; char suffix; } kUnits[] = {
      {1e12, 'T'}, {1e9, 'G'}, {1e6, 'M'}, {1e3, 'K'}};
  char buf[64];
  for (const auto &u : kUnits) {
    // 999,996 is "1.00M", not "1000.00K".
    if (static_cast<double>(n) / u.scale >= 0.999995) {
      std::snprintf(buf, sizeof(buf), "%.2f%c", n / u.scale, u.suffix);
      return buf;
    }
  }
  std::snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(n));
  return buf;
}

}  // namespace tdnas
