// supernet.h: the EfficientTDNN weight-sharing supernet and subnet materialisation.
//
// The supernet stores the largest network (4 blocks, widths 512, kernels 5, cat 1536; tensor
// names as StaticTdnn's) plus, for each conv whose largest kernel is 5 (the stem and the 28
// Res2Net convs), the kernel-transform matrices "<conv>.k53" (3x3, identity init) and
// "<conv>.k31" (1x1, init 1). Weight sharing (spec efficienttdnn.md "Weight sharing"):
//   - widths: the first channels; Res2Net mid width ci: the first ci/8 channels of each of the
//     8 groups of 64 (conv1 out, its BN, conv3 in), each Res2Net conv its first ci/8 in and out;
//   - cat conv input: the first c0 channels of each block's 512-wide slot (offsets j*512);
//   - pool BN and FC input: indices {m, 1536 + m : m < C};
//   - depth: the first d blocks;
//   - kernels (chained 5 -> 3 -> 1): W3 = W5[:, :, 1:4] @ k53, W1 = W3[:, :, 1:2] @ k31.
// Training computes on a materialised subnet: Materialize() gathers the weights (applying the
// kernel transforms) into a StaticTdnn of that config, the step runs there, ScatterGrad() adds
// the gradients back through the gather and the transforms (dk53, dk31 included), and
// ScatterState() writes the subnet's BN running statistics back into its slices.
// The three run through the device kernels (Kernels::SliceGather / SliceScatterAdd /
// SliceScatter) on a SlicePlan built once per config, so they work on supernet buffers on
// either device: the trainer keeps device copies of the parameters, gradients and statistics
// and uses the *From / *To forms, which take the buffers explicitly (no host round trip).
//
// Shape (SupernetShape, nnet/subnet-config.h): the above is the default 512/1536 supernet; a
// scaled one (max width W, cat CW) has the same structure with 8 groups of W/8 channels, cat
// slots at offsets j*W and pooling indices {m, CW + m}. Materialising a config wider than the
// shape is an ERROR.
#ifndef TDNAS_NNET_SUPERNET_H_
#define TDNAS_NNET_SUPERNET_H_

#include <string>
#include <vector>

#include "nnet/param-table.h"
#include "nnet/static-tdnn.h"
#include "nnet/subnet-config.h"

namespace tdnas {
namespace nnet {

class Supernet {
 public:
  explicit Supernet(const StaticTdnnOptions &opts, const SupernetShape &shape = SupernetShape());

  // The largest config of the default (paper) shape; Largest() is this supernet's.
  static SubnetConfig LargestConfig();
  SubnetConfig Largest() const { return shape_.Largest(); }
  const SupernetShape &Shape() const { return shape_; }
  // AAM-softmax margin/scale given to the networks materialised with Options() (training).
  void SetAamOptions(const AamOptions &aam) { opts_.aam = aam; }
  const StaticTdnnOptions &Options() const { return opts_; }
  const ParamTable &Params() const { return params_; }
  const ParamTable &State() const { return state_; }
  Buffer &ParamBuffer() { return param_buf_; }
  Buffer &GradBuffer() { return grad_buf_; }
  Buffer &StateBuffer() { return state_buf_; }
  const Buffer &ParamBuffer() const { return param_buf_; }
  void ZeroGrad() { grad_buf_.SetZero(); }
  // StaticTdnn's initialisation for the shared weights; k53 = I, k31 = 1.
  void InitParams(uint64_t seed);

  // Copies cfg's weights and BN running stats into net (net->Config() is the subnet).
  void Materialize(StaticTdnn *net) const;
  // Supernet grads += the gather's transpose applied to net's grads.
  void ScatterGrad(const StaticTdnn &net);
  // Supernet BN running stats (the subnet's slices) = net's.
  void ScatterState(const StaticTdnn &net);

  // The slice plans of a subnet: parameters (with kernel transforms) and BN statistics.
  struct Slices {
    SlicePlan params, state;
  };
  Slices BuildSlices(const StaticTdnn &net) const;
  // Materialize / ScatterGrad / ScatterState on given supernet-layout buffers (this
  // supernet's tables), on net's device.
  void MaterializeFrom(const Slices &sl, const Buffer &params, const Buffer &state,
                       StaticTdnn *net) const;
  void ScatterGradTo(const Slices &sl, const StaticTdnn &net, const Buffer &params,
                     Buffer *grads) const;
  void ScatterStateTo(const Slices &sl, const StaticTdnn &net, Buffer *state) const;

  // One gathered tensor: static tensor `dst` (in the subnet's table) takes, for each output
  // index o and input index i, the kernel vector of supernet tensor `src` at (out[o], in[i]),
  // transformed to the subnet's kernel size. 1-D tensors use out only.
  struct Gather {
    int dst = -1, src = -1;
    std::vector<int> out, in;
    int k_src = 1, k_dst = 1;     // kernel sizes (3-D conv weights); 1 otherwise
    int k53 = -1, k31 = -1;       // supernet indices of the transforms (convs with k_src = 5)
  };
  // The gather list for a subnet's parameters (state = false) or BN running stats (true).
  std::vector<Gather> BuildGathers(const StaticTdnn &net, bool state) const;

 private:
  void CopyFromLargest(const StaticTdnn &largest);
  StaticTdnnOptions opts_;
  SupernetShape shape_;
  ParamTable params_, state_;
  Buffer param_buf_, grad_buf_, state_buf_;
};

}  // namespace nnet
}  // namespace tdnas

#endif  // TDNAS_NNET_SUPERNET_H_
