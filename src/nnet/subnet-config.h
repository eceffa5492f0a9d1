// subnet-config.h: one EfficientTDNN subnet architecture, (d, [c0..cd], [k0..kd], C), and its
// command-line string form.
//
// String form (spec section 2, "Encodings"): "depth-widths-kernels-cat", i.e. d, then the d+1
// widths c0..cd, then the d+1 kernels k0..kd, then the cat width C, joined by '-':
//   3-512-512-512-512-5-3-3-3-1536      (d = 3: 4 widths, 4 kernels)
// c0 is the stem output (the residual stream), ci (i >= 1) the Res2Net mid width of block i;
// k0 is the stem kernel, ki the kernel shared by the 7 Res2Net convs of block i; C the cat conv
// output width. Named aliases (the spec's table): largest, smallest, base, mobile, small.
//
// This file checks only that a config is well formed for the supernet architecture (see
// CheckSubnetConfig); whether it lies in a given search space is SearchSpace::Validate
// (nnet/search-space.h).
#ifndef TDNAS_NNET_SUBNET_CONFIG_H_
#define TDNAS_NNET_SUBNET_CONFIG_H_

#include <string>
#include <vector>

#include "base/io-funcs.h"

namespace tdnas {

// Fixed dimensions of the EfficientTDNN supernet (spec section 2), shared by config checks and
// MAC counting.
constexpr int32 kTdnnInputDim = 80;        // fbank bins into the stem conv
constexpr int32 kTdnnEmbeddingDim = 192;   // embedding (FC output, last BN)
constexpr int32 kTdnnAttentionDim = 128;   // attentive pooling bottleneck (C -> 128 -> C)
constexpr int32 kTdnnRes2Scale = 8;        // Res2Net groups per block (7 convs)
constexpr int32 kTdnnSeReduction = 4;      // squeeze-excitation c0 -> c0/4 -> c0
constexpr int32 kTdnnMaxDepth = 4;         // blocks in the supernet
constexpr int32 kTdnnMinDepth = 2;         // smallest elastic depth
constexpr int32 kTdnnMaxWidth = 512;       // supernet stem / block width
constexpr int32 kTdnnMaxCatWidth = 1536;   // supernet cat conv width
constexpr int32 kTdnnMaxKernel = 5;        // supernet kernel (5 -> 3 -> 1 transforms)
// Widths must be multiples of this: Res2 splits ci into 8 groups (weight sharing keeps the
// first ci/8 channels of each 64-channel group) and SE needs c0/4; the cat width follows the
// same 8-channel grid as the reference's search grids.
constexpr int32 kTdnnWidthQuantum = 8;

struct SubnetConfig {
  int32 depth = 0;              // d, number of Res2Net blocks used (the first d)
  std::vector<int32> widths;    // c0..cd (d+1 values)
  std::vector<int32> kernels;   // k0..kd (d+1 values)
  int32 cat_width = 0;          // C

  SubnetConfig() {}
  SubnetConfig(int32 d, std::vector<int32> c, std::vector<int32> k, int32 cat)
      : depth(d), widths(std::move(c)), kernels(std::move(k)), cat_width(cat) {}

  // "d-c0-..-cd-k0-..-kd-C".
  std::string ToString() const;
  // Appends ToString() to *out without a temporary (for loops over millions of configs).
  void AppendTo(std::string *out) const;
  bool operator==(const SubnetConfig &o) const {
    return depth == o.depth && widths == o.widths && kernels == o.kernels &&
           cat_width == o.cat_width;
  }
  bool operator!=(const SubnetConfig &o) const { return !(*this == o); }
};

// Parses the string form or a named alias into *cfg (reusing its vectors' storage, so a loop
// over many strings does not allocate) and checks it with CheckSubnetConfig. Leading/trailing
// blanks are ignored. Returns false and sets *error (a sentence naming what is wrong, not
// including the string itself) on failure; *cfg is then unspecified.
bool ParseSubnetConfig(const std::string &str, SubnetConfig *cfg, std::string *error);

// As above but throws (TD_ERR) with a message naming the string.
SubnetConfig ParseSubnetConfig(const std::string &str);

// Named configurations of the spec's table: "largest", "smallest", "base", "mobile", "small"
// (case-sensitive). Returns false for an unknown name.
bool LookupNamedSubnetConfig(const std::string &name, SubnetConfig *cfg);
// The alias names, in the spec's table order.
const std::vector<std::string> &NamedSubnetConfigNames();

// Checks that cfg is well formed for the supernet: kTdnnMinDepth <= d <= kTdnnMaxDepth,
// d+1 widths and kernels, each width a positive multiple of kTdnnWidthQuantum and
// <= kTdnnMaxWidth, each kernel odd in [1, kTdnnMaxKernel], cat width a positive multiple of
// kTdnnWidthQuantum and <= kTdnnMaxCatWidth. Returns false with *error set otherwise.
bool CheckSubnetConfig(const SubnetConfig &cfg, std::string *error);

}  // namespace tdnas

#endif  // TDNAS_NNET_SUBNET_CONFIG_H_
