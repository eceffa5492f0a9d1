// search-space.h: the sets of subnets EfficientTDNN trains and searches over (spec sections 2-4):
// membership checks, per-dimension sampling, an index <-> config bijection, exact sizes, and the
// one-hot encoding the accuracy predictor takes.
//
// A space is a product: depth d from a set D; each width c0..cd from one set W; each kernel
// k0..kd from one set K; the cat width C from a set CW. Its size is
//   sum over d in D of |W|^(d+1) * |K|^(d+1) * |CW|.
// Named spaces (SearchSpace::Named):
//   largest  stage 0: d 4, c 512, k 5, C 1536                                    (1 subnet)
//   kernel   stage 1: k in {1,3,5}, d 4, full width                               (243)
//   depth    stage 2: + d in {2,3,4}                                               (351)
//   width1   stage 3: + c in {256,384,512}, C in {768,1152,1536}
//   width2   stage 4: + c in {128,176,256,384,512}, C in {384,536,768,1152,1536}
//   coarse   the training grid = width2                                           (4,066,875)
//   fine     search grid: d {2,3,4}, c in 128:8:512, k {1,3,5}, C in 384:8:1536
//            (10,021,183,582,095 subnets)
//   supernet everything the supernet can materialise: d {2,3,4}, c in 8:8:512, k {1,3,5},
//            C in 8:8:1536 (the default space of tools that take arbitrary configs)
// A scaled supernet (SupernetShape max width W, max cat width CW; Named(name, shape)) scales
// the width sets: width2/coarse take {25,35,50,75,100}% of W and of CW, width1 {50,75,100}%,
// each rounded to the nearest multiple of 8 (SupernetShape::ScaledWidth: halves up, at least
// 8; duplicates dropped), fine 25%:8:100%, supernet 8:8:W and 8:8:CW; the largest, kernel and
// depth stages run at full width W/CW. For 512/1536 this is exactly the table above; for
// 128/384 width2 is c in {32,48,64,96,128}, C in {96,136,192,288,384}.
//
// Sampling (training schedule, spec section 3): "each dimension drawn independently and
// uniformly". SampleConfig draws, in this order, d from D, then kTdnnMaxDepth+1 widths, then
// kTdnnMaxDepth+1 kernels, then C, and keeps the first d+1 widths and kernels. Every draw is
// consumed whatever d is, so sample n of a seeded stream never depends on earlier depths'
// values, and the draws are reproducible across compilers (UniformInt below, not
// std::uniform_int_distribution, whose algorithm is implementation-defined). Note this is
// uniform per dimension, not uniform over subnets (deep subnets are far more numerous);
// SampleUniformConfig is uniform over subnets (for random search).
//
// Enumeration: index 0 .. Size()-1. Depths in increasing order, one block per depth; within a
// depth, a mixed-radix number with digits (most significant first) c0..cd (radix |W|),
// k0..kd (radix |K|), C (radix |CW|), each digit the position of the value in its sorted set.
//
// One-hot encoding (predictor input), EncodingDim() = |D| + 5|W| + 5|K| + |CW| with 5 =
// kTdnnMaxDepth + 1 slots; layout, in order:
//   [0, |D|)                one-hot of d's position in D
//   then 5 groups of |W|    group i: one-hot of ci (i = 0..4); all zero when i > d
//   then 5 groups of |K|    group i: one-hot of ki; all zero when i > d
//   then |CW|               one-hot of C
// coarse: 3 + 5*5 + 5*3 + 5 = 48 dims; fine: 3 + 5*49 + 5*3 + 145 = 408 dims (spec section 4).
#ifndef TDNAS_NNET_SEARCH_SPACE_H_
#define TDNAS_NNET_SEARCH_SPACE_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "nnet/subnet-config.h"

namespace tdnas {

// Uniform integer in [0, n) from a 64-bit Mersenne twister, by rejection (unbiased and the
// same on every platform). n >= 1.
uint64 UniformInt(std::mt19937_64 *rng, uint64 n);

class SearchSpace {
 public:
  // Builds a space from its value sets (each sorted increasingly, no duplicates, every
  // combination well formed per CheckSubnetConfig; checked, TD_ERR otherwise).
  SearchSpace(const std::string &name, std::vector<int32> depths, std::vector<int32> widths,
              std::vector<int32> kernels, std::vector<int32> cat_widths);

  // One of the named spaces above; TD_ERR listing the known names otherwise.
  static SearchSpace Named(const std::string &name);
  // The same for a scaled supernet (see the header comment); Named(name, SupernetShape())
  // is Named(name).
  static SearchSpace Named(const std::string &name, const SupernetShape &shape);
  static const std::vector<std::string> &Names();

  const std::string &Name() const { return name_; }
  const std::vector<int32> &Depths() const { return depths_; }
  const std::vector<int32> &Widths() const { return widths_; }
  const std::vector<int32> &Kernels() const { return kernels_; }
  const std::vector<int32> &CatWidths() const { return cat_widths_; }

  // Exact number of subnets (fits in 64 bits for every named space; TD_ERR on overflow at
  // construction).
  uint64 Size() const { return total_; }
  // Number of subnets of depth d (0 if d is not in the space).
  uint64 SizeAtDepth(int32 d) const;

  // True if cfg is in the space; otherwise false with *why naming the first offending
  // dimension and the allowed values, e.g. "width c2 = 200 is not in 128:8:512".
  bool Contains(const SubnetConfig &cfg, std::string *why) const;
  // TD_ERR "subnet config 3-... is not in search space 'fine': ..." unless Contains().
  void Validate(const SubnetConfig &cfg) const;

  // Per-dimension uniform draw (training schedule), see the header comment. Reuses *cfg's
  // storage.
  void SampleConfig(std::mt19937_64 *rng, SubnetConfig *cfg) const;
  // Uniform over the Size() subnets.
  void SampleUniformConfig(std::mt19937_64 *rng, SubnetConfig *cfg) const;

  // The bijection [0, Size()) <-> space. ConfigAt: TD_ERR if index >= Size().
  // IndexOf: cfg must be in the space (TD_ERR otherwise).
  void ConfigAt(uint64 index, SubnetConfig *cfg) const;
  uint64 IndexOf(const SubnetConfig &cfg) const;

  // One-hot encoding, see the header comment. cfg must be in the space.
  int32 EncodingDim() const;
  // Writes EncodingDim() values (0 or 1) to out[0..EncodingDim()).
  void Encode(const SubnetConfig &cfg, float *out) const;
  void Encode(const SubnetConfig &cfg, std::vector<float> *out) const;
  // Inverse of Encode (TD_ERR if enc is not a valid encoding of this space).
  SubnetConfig Decode(const float *enc) const;

  // Position of v in a sorted set, -1 if absent.
  static int32 PositionOf(const std::vector<int32> &set, int32 v);
  // "128:8:512" for an arithmetic progression of more than 3 values, "{1,3,5}" otherwise.
  static std::string DescribeSet(const std::vector<int32> &set);
  // One line: name, each dimension's set and the size.
  std::string Describe() const;

 private:
  std::string name_;
  std::vector<int32> depths_, widths_, kernels_, cat_widths_;
  std::vector<uint64> depth_size_;    // per entry of depths_
  // Value -> position lookup tables (-1 = absent), so membership tests are one load each
  // (binary search cost ~half the time of nnet-count-macs on random configs).
  std::vector<int16_t> depth_pos_, width_pos_, kernel_pos_, cat_pos_;
  static int32 Lookup(const std::vector<int16_t> &table, int32 v) {
    return (v >= 0 && v < static_cast<int32>(table.size())) ? table[v] : -1;
  }
  uint64 total_ = 0;
};

}  // namespace tdnas

#endif  // TDNAS_NNET_SEARCH_SPACE_H_
