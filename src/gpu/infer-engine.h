// infer-engine.h: a fast inference-only forward of one StaticTdnn on the GPU (embedding
// extraction, subnet evaluation, the inference benchmark).
//
// The training path (StaticTdnn on the GPU) keeps float32 activations in (B, C, T) layout and
// runs every layer as its own kernels, so that forward and backward share one code path with
// the CPU. Inference needs none of that, so this engine trades it for speed:
//   - activations are bfloat16, stored channel-major (C, B*T): a 1x1 convolution is one large
//     GEMM over all frames, a Res2Net group is a contiguous row block, and the concatenation
//     of the block outputs is free (rows of one buffer);
//   - every GEMM is bf16 x bf16 with float32 accumulation (cuBLAS tensor cores);
//   - batch norm is folded: after a convolution (conv -> ReLU -> BN) into a per-channel
//     scale/shift applied in the same pass as the ReLU; the two BNs of the head (pool BN,
//     embedding BN) exactly into the final linear layer;
//   - the elementwise work is fused: the Res2Net running sum is formed inside im2col, the
//     squeeze-excitation time mean inside conv3's epilogue, the SE scaling with both residual
//     sums in one pass, softmax over time with the attentive statistics in one pass;
//   - where the input shape repeats, the whole forward is replayed from a CUDA graph.
// The math is the reference's (tests/gpu/infer-engine-test compares it with the CPU float32
// StaticTdnn); only the rounding differs (bf16 storage: relative error ~1e-3).
//
// The engine snapshots the network's parameters and BN running statistics when it is built;
// rebuild it after changing the network.
#ifndef TDNAS_GPU_INFER_ENGINE_H_
#define TDNAS_GPU_INFER_ENGINE_H_

#include <memory>

#include "nnet/static-tdnn.h"
#include "nnet/tensor.h"

namespace tdnas {
namespace gpu {

struct InferEngineOptions {
  // Capture the forward in a CUDA graph once a shape is seen twice in a row, and replay it
  // for that shape (saves the launch overhead of ~200 kernels per forward).
  bool use_graph = true;
};

class InferEngine {
 public:
  // net may live on the CPU or the GPU (its parameters are copied); the GPU backend must be
  // initialised (SelectDevice). ERROR in a build without CUDA.
  explicit InferEngine(const nnet::StaticTdnn &net,
                       const InferEngineOptions &opts = InferEngineOptions());
  ~InferEngine();
  InferEngine(const InferEngine &) = delete;
  InferEngine &operator=(const InferEngine &) = delete;

  // x: (B, input_dim, T) float32 on the GPU (any batch stride). Returns the embeddings
  // (B, embed_dim), float32 on the GPU, valid until the next call. Asynchronous (queued on
  // the backend stream like every kernel).
  nnet::Tensor Forward(const nnet::Tensor &x);

  // Forwards replayed from a CUDA graph so far (for tests and reports).
  int64_t GraphReplays() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gpu
}  // namespace tdnas

#endif  // TDNAS_GPU_INFER_ENGINE_H_
