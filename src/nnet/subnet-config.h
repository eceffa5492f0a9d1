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

// The size of a weight-sharing supernet: its stem/block width and its cat width (the spec's
// supernet: 512 and 1536, the defaults). A scaled supernet (e.g. 128/384, a quarter of the
// width, for CPU recipes) keeps the structure: 8 Res2Net groups of max_width/8 channels, cat
// conv input slots at offsets j*max_width, pooling indices {m, max_cat_width + m}; its subnets'
// widths are multiples of kTdnnWidthQuantum up to max_width, cat widths up to max_cat_width.
struct SupernetShape {
  int32 max_width = kTdnnMaxWidth;
  int32 max_cat_width = kTdnnMaxCatWidth;

  SupernetShape() {}
  SupernetShape(int32 w, int32 cat) : max_width(w), max_cat_width(cat) {}
  bool IsDefault() const {
    return max_width == kTdnnMaxWidth && max_cat_width == kTdnnMaxCatWidth;
  }
  bool operator==(const SupernetShape &o) const {
    return max_width == o.max_width && max_cat_width == o.max_cat_width;
  }
  bool operator!=(const SupernetShape &o) const { return !(*this == o); }
  // "max-width 128 max-cat-width 384".
  std::string ToString() const;
  // TD_ERR unless both are multiples of kTdnnWidthQuantum in [kTdnnWidthQuantum,
  // kTdnnMaxWidth] and [kTdnnWidthQuantum, kTdnnMaxCatWidth].
  void Validate() const;
  // The largest subnet: depth 4, widths max_width, kernels 5, cat max_cat_width.
  SubnetConfig Largest() const;
  // True if the (well-formed) cfg fits: every width <= max_width, cat <= max_cat_width.
  // Otherwise false with *why naming the first dimension too wide.
  bool Fits(const SubnetConfig &cfg, std::string *why) const;
  // TD_ERR "subnet config X is wider than the supernet (max-width ..): ..." unless Fits().
  void CheckFits(const SubnetConfig &cfg) const;
  // The width `percent`% of max, rounded to the nearest multiple of kTdnnWidthQuantum
  // (halves up), at least kTdnnWidthQuantum: (percent * max + 400) / 800 * 8 in integers.
  // For 512 the percentages {25,35,50,75,100} give the paper's {128,176,256,384,512}, for
  // 1536 {384,536,768,1152,1536}; for 128 {32,48,64,96,128}, for 384 {96,136,192,288,384}.
  static int32 ScaledWidth(int32 max, int32 percent);
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
