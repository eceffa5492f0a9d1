// embedding-extractor.cc: EmbeddingExtractor.
#include "nnet/embedding-extractor.h"

#include <cmath>
#include <cstring>

#include "nnet/device-copy.h"
#include "nnet/train-data.h"
#include "util/options-itf.h"

namespace tdnas {
namespace nnet {

void EmbeddingOptions::Register(OptionsItf *opts) {
  opts->Register("segment-frames", &segment_frames,
                 "If > 0, average the embeddings of --num-segments segments of this many frames "
                 "(evenly spaced) instead of one whole-utterance embedding");
  opts->Register("num-segments", &num_segments, "Segments per utterance with --segment-frames");
  opts->Register("min-frames", &min_frames,
                 "Utterances shorter than this are wrap-padded to this many frames");
}

void EmbeddingOptions::Validate() const {
  if (segment_frames < 0) TD_ERR << "--segment-frames must be >= 0";
  if (num_segments < 1) TD_ERR << "--num-segments must be >= 1";
  if (min_frames < 1) TD_ERR << "--min-frames must be >= 1";
}

EmbeddingExtractor::EmbeddingExtractor(StaticTdnn *net, const FrontEndInfo &front_end,
                                       const EmbeddingOptions &opts)
    : net_(net), front_end_(front_end), opts_(opts) {
  opts_.Validate();
}

const float *EmbeddingExtractor::Run(int32 nb, int32 dim, int32 len) {
  const Device dev = net_->ParamBuffer().GetDevice();
  Tensor x(input_.data(), {nb, dim, len});
  if (dev != Device::kCpu) {
    if (dev_input_.Size() < x.Numel()) dev_input_.Resize(dev, x.Numel());
    CopyFloats(input_.data(), Device::kCpu, dev_input_.Data(), dev, x.Numel());
    x = dev_input_.View({nb, dim, len});
  }
  Tensor e = forward_ ? forward_(x) : net_->Forward(x, false);
  TD_ASSERT(e.Contiguous());
  if (dev == Device::kCpu) return e.data;
  output_.resize(static_cast<size_t>(e.Numel()));
  CopyFloats(e.data, dev, output_.data(), Device::kCpu, e.Numel());
  return output_.data();
}

void EmbeddingExtractor::Extract(const Matrix<float> &feats, Vector<float> *emb) {
  front_end_.CheckFeatureDim(feats.NumCols(), "input");
  const int32 nt = feats.NumRows(), dim = feats.NumCols();
  if (nt == 0) TD_ERR << "utterance has no frames";
  const int32 ed = net_->Options().embed_dim;
  emb->Resize(ed);
  if (opts_.segment_frames == 0) {
    const int32 len = std::max(nt, opts_.min_frames);
    input_.resize(static_cast<size_t>(dim) * len);
    TrainData::CropToColumns(feats, 0, len, front_end_.cmn, input_.data());
    std::memcpy(emb->Data(), Run(1, dim, len), ed * sizeof(float));
    return;
  }
  const int32 ns = opts_.num_segments, len = opts_.segment_frames;
  input_.resize(static_cast<size_t>(ns) * dim * len);
  for (int32 s = 0; s < ns; s++) {
    // Evenly spaced starts covering the utterance; a short one is wrapped from frame 0.
    int64 start = 0;
    if (nt > len && ns > 1) start = static_cast<int64>(s) * (nt - len) / (ns - 1);
    TrainData::CropToColumns(feats, start, len, front_end_.cmn,
                             input_.data() + static_cast<size_t>(s) * dim * len);
  }
  const float *e = Run(ns, dim, len);
  std::vector<double> acc(ed, 0.0);
  for (int32 s = 0; s < ns; s++) {
    const float *p = e + static_cast<size_t>(s) * ed;
    double norm = 0;
    for (int32 i = 0; i < ed; i++) norm += static_cast<double>(p[i]) * p[i];
    norm = std::sqrt(std::max(norm, 1e-24));
    for (int32 i = 0; i < ed; i++) acc[i] += p[i] / norm;
  }
  for (int32 i = 0; i < ed; i++) emb->Data()[i] = static_cast<float>(acc[i] / ns);
}

}  // namespace nnet
}  // namespace tdnas
