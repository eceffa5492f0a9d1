// mac-count.h: multiply-accumulates and parameter counts of an EfficientTDNN subnet, with the
// spec's exact rules (section 2, "MAC counting rules"), in O(d) integer arithmetic.
//
// MACs at T frames (batch 1):
//   Conv1d (no bias): T * Cout * Cin * K         BatchNorm: 2 * numel of its input
//   Linear: in * out (bias not counted)           ReLU, tanh, sigmoid, softmax, pooling
//   statistics, SE scaling, residual adds, front-end: 0
// Parameters: conv weights + BN gamma and beta + Linear weights and biases; not the kernel-
// transform matrices (k53, k31), not BN running statistics, not the AAM-softmax head.
//
// Per part (c0 = widths[0], ci = widths[i], w = ci/8, C = cat width):
//   stem      conv 80->c0 (k0) + BN(c0)            MACs T*c0*(80*k0 + 2)
//                                                  params c0*(80*k0 + 2)
//   block i   conv1x1 c0->ci + BN(ci)              MACs T*ci*(c0 + 2)
//             7 x [conv w->w (ki) + BN(w)]         MACs 7*T*w*(w*ki + 2)
//             conv1x1 ci->c0 + BN(c0)              MACs T*c0*(ci + 2)
//             SE Linear c0->c0/4, c0/4->c0 (bias)  MACs 2*c0*(c0/4), params + c0/4 + c0
//   cat       conv1x1 d*c0 -> C                    MACs T*C*d*c0
//   attention conv1x1 C->128, 128->C (no bias)     MACs 2*T*128*C
//   pooling   BN(2C), Linear 2C->192 (bias), BN(192)
//             MACs 4C + 2C*192 + 2*192; params 4C + 2C*192 + 192 + 2*192
// These reproduce every published figure (mac-count-test.cc asserts the exact integers):
//   largest  T=300: 1,929,261,440 MACs (1.93G)   7,550,528 params (7.55M)
//   smallest T=300:    83,474,560 MACs (83.47M)    443,968 params (443.97K)
//   base     T=301: 1,445,211,648 MACs (1.45G)   5,789,760 params (5.79M)
//   mobile   T=301:   570,984,384 MACs (570.98M) 2,416,416 params (2.42M)
//   small    T=301:   204,072,768 MACs (204.07M)   899,200 params (899.20K)
// (Counting the SE biases is what makes Small's 899.20K exact; attention biases would break it.)
#ifndef TDNAS_NNET_MAC_COUNT_H_
#define TDNAS_NNET_MAC_COUNT_H_

#include <string>

#include "nnet/subnet-config.h"

namespace tdnas {

// Published figures use 3 s = 48000 samples -> 301 frames.
constexpr int32 kDefaultMacFrames = 301;

struct SubnetCost {
  int64 macs = 0;
  int64 params = 0;
};

// MACs at `frames` frames and parameters of cfg. cfg must be well formed (CheckSubnetConfig);
// only the first depth+1 widths and kernels are read. No allocation, no checks beyond a
// TD_ASSERT on sizes: safe to call millions of times per second.
SubnetCost CountSubnetCost(const SubnetConfig &cfg, int32 frames);

// Same counts from raw fields (widths/kernels point at depth+1 values each).
SubnetCost CountSubnetCost(int32 depth, const int32 *widths, const int32 *kernels,
                           int32 cat_width, int32 frames);

int64 CountSubnetMacs(const SubnetConfig &cfg, int32 frames);
int64 CountSubnetParams(const SubnetConfig &cfg);

// 1929261440 -> "1.93G", 570984384 -> "570.98M", 899200 -> "899.20K", 512 -> "512":
// two decimals with K/M/G/T = 1e3/1e6/1e9/1e12, as the spec's table writes them.
std::string HumanCount(int64 n);

}  // namespace tdnas

#endif  // TDNAS_NNET_MAC_COUNT_H_
