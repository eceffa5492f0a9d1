// embedding-extractor.h: speaker embeddings of whole utterances (or averaged fixed-length
// segments) from a static network in inference mode.
//
// The model's front end says whether the network wants mean-normalised input: with cmn, the
// whole utterance (or each segment) has its mean over time subtracted per bin, as the training
// crops had. Whole-utterance mode runs one utterance at a time (batch 1, no padding), so an
// embedding never depends on the other utterances; segment mode runs the num_segments
// equal-length segments of one utterance as one batch (BN in inference mode normalises each
// example on its own, and equal lengths need no padding), then averages the L2-normalised
// segment embeddings (the reference validates with two 4 s segments and the mean of their
// cosines, which this approximates with one embedding per utterance).
// The network may live on the GPU: the input goes to the device, the embeddings come back.
#ifndef TDNAS_NNET_EMBEDDING_EXTRACTOR_H_
#define TDNAS_NNET_EMBEDDING_EXTRACTOR_H_

#include <functional>
#include <vector>

#include "matrix/kaldi-matrix.h"
#include "matrix/kaldi-vector.h"
#include "nnet/model-io.h"
#include "nnet/static-tdnn.h"

namespace tdnas {

class OptionsItf;

namespace nnet {

struct EmbeddingOptions {
  int32 segment_frames = 0;   // 0 = whole utterance (the published numbers)
  int32 num_segments = 2;     // segments per utterance when segment_frames > 0 (reference: 2)
  int32 min_frames = 1;       // shorter utterances are wrap-padded up to this many frames
  void Register(OptionsItf *opts);
  void Validate() const;
};

class EmbeddingExtractor {
 public:
  // net must outlive the extractor; it is used in inference mode only.
  EmbeddingExtractor(StaticTdnn *net, const FrontEndInfo &front_end, const EmbeddingOptions &opts);
  // feats: (T, dim) Kaldi layout. emb: resized to the embedding dim.
  void Extract(const Matrix<float> &feats, Vector<float> *emb);

  // Replaces net->Forward(x, false) by fn (x and the result on the net's device), e.g. the GPU
  // inference engine of gpu/infer-engine.h (nnet cannot call src/gpu; the binary wires it).
  using ForwardFn = std::function<Tensor(const Tensor &x)>;
  void SetForward(ForwardFn fn) { forward_ = std::move(fn); }

 private:
  StaticTdnn *net_;
  FrontEndInfo front_end_;
  EmbeddingOptions opts_;
  // Forward of the host input (nb, dim, len) on the net's device; returns the (nb, embed_dim)
  // embeddings in host memory.
  const float *Run(int32 nb, int32 dim, int32 len);
  std::vector<float> input_, output_;
  Buffer dev_input_;
  ForwardFn forward_;
};

}  // namespace nnet
}  // namespace tdnas

#endif  // TDNAS_NNET_EMBEDDING_EXTRACTOR_H_
