// bn-recalibrate.cc: RecalibrateBn.
#include "nnet/bn-recalibrate.h"

#include <random>

#include "nnet/device-copy.h"
#include "nnet/search-space.h"
#include "nnet/train-data.h"
#include "util/kaldi-table.h"
#include "util/options-itf.h"

namespace tdnas {
namespace nnet {

void BnRecalibrateOptions::Register(OptionsItf *opts) {
  opts->Register("recalibrate-batches", &num_batches,
                 "BN recalibration batches (0 = about one crop per utterance)");
  opts->Register("recalibrate-batch-size", &batch_size, "Crops per BN recalibration batch");
  opts->Register("recalibrate-min-frames", &min_frames, "Shortest recalibration crop (frames)");
  opts->Register("recalibrate-max-frames", &max_frames, "Longest recalibration crop (frames)");
  opts->Register("recalibrate-seed", &seed, "Seed of the recalibration crops");
}

void BnRecalibrateOptions::Validate() const {
  if (num_batches < 0 || batch_size < 2) TD_ERR << "bad recalibration batch options";
  if (min_frames < 1 || max_frames < min_frames) TD_ERR << "bad recalibration crop lengths";
}

int64 ReadRecalibrationUtterances(const std::string &rspecifier, int32 num_utts, int32 seed,
                                  std::vector<Matrix<float>> *utts) {
  if (num_utts < 1) TD_ERR << "need at least one recalibration utterance";
  utts->clear();
  std::mt19937_64 rng(MixSeed(static_cast<uint64>(seed), 5));
  int64 seen = 0;
  for (SequentialBaseFloatMatrixReader reader(rspecifier); !reader.Done(); reader.Next(), seen++) {
    if (static_cast<int32>(utts->size()) < num_utts) {
      utts->push_back(reader.Value());
    } else {
      const uint64 j = UniformInt(&rng, static_cast<uint64>(seen + 1));
      if (j < static_cast<uint64>(num_utts)) (*utts)[j] = reader.Value();
    }
  }
  if (utts->empty()) TD_ERR << "no features in " << rspecifier;
  return seen;
}

void RecalibrateBn(const std::vector<Matrix<float>> &utts, bool cmn,
                   const BnRecalibrateOptions &opts, StaticTdnn *net) {
  opts.Validate();
  if (utts.empty()) TD_ERR << "BN recalibration needs at least one utterance";
  const int32 dim = net->Options().input_dim;
  for (const auto &u : utts)
    if (u.NumCols() != dim || u.NumRows() == 0)
      TD_ERR << "recalibration utterance of " << u.NumRows() << "x" << u.NumCols()
             << " frames; the model wants dimension " << dim;
  const int32 nb = opts.batch_size;
  const int32 batches =
      opts.num_batches > 0 ? opts.num_batches
                           : std::max<int32>(1, static_cast<int32>((utts.size() + nb - 1) / nb));
  const float momentum = net->Options().bn_momentum;
  Buffer &state = net->StateBuffer();
  const int64 ns = state.Size();
  std::vector<double> acc(ns, 0.0);
  std::mt19937_64 rng(MixSeed(static_cast<uint64>(opts.seed), 4));
  std::vector<float> input, host_state(ns);
  const Device dev = state.GetDevice();
  Buffer dev_input;
  for (int32 k = 0; k < batches; k++) {
    const int32 len = opts.min_frames +
                      static_cast<int32>(UniformInt(&rng, opts.max_frames - opts.min_frames + 1));
    input.resize(static_cast<size_t>(nb) * dim * len);
    for (int32 b = 0; b < nb; b++) {
      const Matrix<float> &u = utts[UniformInt(&rng, utts.size())];
      const int32 nt = u.NumRows();
      const int64 start = nt >= len ? static_cast<int64>(UniformInt(&rng, nt - len + 1))
                                    : static_cast<int64>(UniformInt(&rng, nt));
      TrainData::CropToColumns(u, start, len, cmn, input.data() + static_cast<size_t>(b) * dim * len);
    }
    // From zeroed running stats, one train-mode pass leaves momentum * (batch statistic).
    state.SetZero();
    Tensor x(input.data(), {nb, dim, len});
    if (dev != Device::kCpu) {
      if (dev_input.Size() < x.Numel()) dev_input.Resize(dev, x.Numel());
      CopyFloats(input.data(), Device::kCpu, dev_input.Data(), dev, x.Numel());
      x = dev_input.View({nb, dim, len});
    }
    net->Forward(x, true);
    CopyFloats(state.Data(), dev, host_state.data(), Device::kCpu, ns);
    for (int64 i = 0; i < ns; i++) acc[i] += host_state[i];
  }
  for (int64 i = 0; i < ns; i++)
    host_state[i] = static_cast<float>(acc[i] / (batches * static_cast<double>(momentum)));
  CopyFloats(host_state.data(), Device::kCpu, state.Data(), dev, ns);
  TD_VLOG(1) << "BN recalibrated over " << batches << " batches of " << nb << " crops";
}

}  // namespace nnet
}  // namespace tdnas
