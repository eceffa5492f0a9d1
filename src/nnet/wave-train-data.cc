// wave-train-data.cc: WaveTrainData (audio -> cropped, augmented fbank batches).
#include "nnet/wave-train-data.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>
#include <unordered_map>

#include "feat/resample.h"
#include "feat/wave-holder.h"
#include "nnet/search-space.h"
#include "util/kaldi-io.h"
#include "util/kaldi-table.h"
#include "util/options-itf.h"
#include "util/table-spec.h"

namespace tdnas {
namespace nnet {

namespace {

// Forwards registrations with "aug-" in front of the name (once), leaving out "seed".
class AugPrefixOptions : public OptionsItf {
 public:
  explicit AugPrefixOptions(OptionsItf *po) : po_(po) {}
  void Register(const std::string &n, bool *p, const std::string &d) override {
    if (n != "seed") po_->Register(Name(n), p, d);
  }
  void Register(const std::string &n, int32_t *p, const std::string &d) override {
    if (n != "seed") po_->Register(Name(n), p, d);
  }
  void Register(const std::string &n, uint32_t *p, const std::string &d) override {
    po_->Register(Name(n), p, d);
  }
  void Register(const std::string &n, int64_t *p, const std::string &d) override {
    po_->Register(Name(n), p, d);
  }
  void Register(const std::string &n, float *p, const std::string &d) override {
    po_->Register(Name(n), p, d);
  }
  void Register(const std::string &n, double *p, const std::string &d) override {
    po_->Register(Name(n), p, d);
  }
  void Register(const std::string &n, std::string *p, const std::string &d) override {
    po_->Register(Name(n), p, d);
  }

 private:
  static std::string Name(const std::string &n) {
    return n.compare(0, 4, "aug-") == 0 ? n : "aug-" + n;
  }
  OptionsItf *po_;
};

// Largest factor of a comma-separated list (at least 1).
double MaxFactor(const std::string &list) {
  double m = 1.0;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    m = std::max(m, std::stod(item));
  }
  return m;
}

// Channel 0 of `wave` at rate `rate` (resampled when it differs and `fopts` allow it).
void ToRate(const WaveData &wave, const FrameExtractionOptions &fopts, const std::string &key,
            std::vector<float> *out) {
  if (wave.NumChannels() < 1 || wave.NumSamples() < 1) TD_ERR << "no audio for " << key;
  const float *x = wave.Data().RowData(0);
  const double rate = fopts.samp_freq;
  if (wave.SampFreq() == rate) {
    out->assign(x, x + wave.NumSamples());
    return;
  }
  if (wave.SampFreq() > rate && !fopts.allow_downsample)
    TD_ERR << "Waveform of " << key << " has sample frequency " << wave.SampFreq()
           << ", the features want " << rate << " (use --allow-downsample=true in the fbank config)";
  if (wave.SampFreq() < rate && !fopts.allow_upsample)
    TD_ERR << "Waveform of " << key << " has sample frequency " << wave.SampFreq()
           << ", the features want " << rate << " (use --allow-upsample=true in the fbank config)";
  ResampleWaveform(x, wave.NumSamples(), wave.SampFreq(), rate, out);
}

}  // namespace

void RegisterTrainAugmentOptions(WaveAugmentOptions *opts, OptionsItf *po) {
  opts->aug_choices = "none";
  AugPrefixOptions prefixed(po);
  opts->Register(&prefixed);
}

struct WaveTrainData::Reader {
  RandomAccessTableReader<WaveHolder> reader;
};

WaveTrainData::WaveTrainData(const std::string &wav_rspecifier,
                             const std::string &utt2spk_rspecifier,
                             const std::vector<std::string> &speakers,
                             const TrainDataOptions &opts, const FbankOptions &fbank,
                             const WaveAugmentOptions &aug, uint64 seed)
    : opts_(opts), fbank_(fbank), seed_(seed) {
  opts_.Validate();
  const FrameExtractionOptions &fo = fbank.frame_opts;
  const int64 shift = fo.WindowShift(), size = fo.WindowSize();
  const int64 nf = opts_.crop_frames;
  crop_samples_ = fo.snip_edges ? (nf - 1) * shift + size : nf * shift;
  double stretch = 1.0;
  if (aug.aug_choices != "none") {
    WaveAugmentOptions a = aug;
    a.seed = static_cast<int32>(MixSeed(seed, 3) & 0x7fffffff);
    augmenter_.reset(new WaveAugmenter(a));
    for (const std::string &c : augmenter_->Choices()) {
      if (c == "speed") stretch = std::max(stretch, MaxFactor(a.speeds));
      if (c == "tempo-up") stretch = std::max(stretch, MaxFactor(a.tempo_up));
    }
  }
  read_samples_ = static_cast<int64>(std::ceil(crop_samples_ * stretch));

  const std::unordered_map<std::string, std::string> utt2spk = ReadUtt2Spk(utt2spk_rspecifier);
  std::string rx;
  RspecifierOptions ropts;
  RspecifierType type = ClassifyRspecifier(wav_rspecifier, &rx, &ropts);
  if (type == RspecifierType::kNone) TD_ERR << "bad audio rspecifier " << wav_rspecifier;
  in_memory_ = type != RspecifierType::kScript;
  std::vector<std::string> spk_of;
  int64 no_spk = 0;
  if (in_memory_) {
    SequentialTableReader<WaveHolder> reader(wav_rspecifier);
    for (; !reader.Done(); reader.Next()) {
      auto it = utt2spk.find(reader.Key());
      if (it == utt2spk.end()) { no_spk++; continue; }
      waves_.emplace_back();
      ToRate(reader.Value(), fo, reader.Key(), &waves_.back());
      keys_.push_back(reader.Key());
      spk_of.push_back(it->second);
    }
  } else {
    no_spk += ReadScpKeysWithSpeakers(rx, utt2spk, &keys_, &spk_of);
    const int nslots = std::max(1, opts_.num_data_threads);
    for (int i = 0; i < nslots; i++) {
      readers_.emplace_back(new Reader);
      readers_.back()->reader.Open(wav_rspecifier);
    }
  }
  if (no_spk > 0) TD_WARN << no_spk << " utterances have audio but no utt2spk entry; skipped";
  if (keys_.empty()) TD_ERR << "no utterance has both audio and a speaker";
  AssignSpeakerLabels(keys_, spk_of, speakers, &speakers_, &labels_);
  if (BatchesPerEpoch() < 1)
    TD_ERR << "only " << keys_.size() << " utterances: fewer than one batch of "
           << opts_.batch_size;
  TD_LOG << "training data from audio: " << keys_.size() << " utterances, " << speakers_.size()
         << " speakers, fbank dim " << Dim() << ", " << BatchesPerEpoch() << " batches of "
         << opts_.batch_size << " per epoch, crops of " << read_samples_ << " samples, "
         << (augmenter_ ? "augmentation " + aug.aug_choices : std::string("no augmentation"))
         << ", " << (in_memory_ ? "in memory" : "read on demand");
}

WaveTrainData::~WaveTrainData() {
  try { Stop(); } catch (...) {}
}

std::vector<int32> WaveTrainData::EpochOrder(int64 epoch) const {
  std::vector<int32> order(keys_.size());
  for (size_t i = 0; i < order.size(); i++) order[i] = static_cast<int32>(i);
  std::mt19937_64 rng(MixSeed(seed_, 1, static_cast<uint64>(epoch)));
  for (size_t i = order.size(); i > 1; i--) std::swap(order[i - 1], order[UniformInt(&rng, i)]);
  return order;
}

void WaveTrainData::Samples(int32 utt, int reader_slot, std::vector<float> *samples) const {
  if (in_memory_) {
    *samples = waves_[utt];
    return;
  }
  TD_ASSERT(reader_slot >= 0 && reader_slot < static_cast<int>(readers_.size()));
  ToRate(readers_[reader_slot]->reader.Value(keys_[utt]), fbank_.Options().frame_opts,
         keys_[utt], samples);
}

int64 WaveTrainData::CropStart(int64 epoch, int64 index, int32 pos, int64 n) const {
  std::mt19937_64 rng(MixSeed(seed_, 2, static_cast<uint64>(epoch),
                              static_cast<uint64>(index) * opts_.batch_size + pos));
  if (n >= read_samples_) {
    const int64 shift = fbank_.Options().frame_opts.WindowShift();
    return static_cast<int64>(UniformInt(&rng, (n - read_samples_) / shift + 1)) * shift;
  }
  return static_cast<int64>(UniformInt(&rng, n));
}

void WaveTrainData::MakeCrop(int64 epoch, int64 index, int32 pos, int32 utt, int reader_slot,
                             float *out) const {
  std::vector<float> wave;
  Samples(utt, reader_slot, &wave);
  const int64 n = static_cast<int64>(wave.size());
  if (n == 0) TD_ERR << "utterance " << keys_[utt] << " has no samples";
  const int64 start = CropStart(epoch, index, pos, n);
  std::vector<float> seg(read_samples_);
  if (n >= read_samples_) {
    std::copy(wave.begin() + start, wave.begin() + start + read_samples_, seg.begin());
  } else {
    for (int64 i = 0; i < read_samples_; i++) seg[i] = wave[(start + i) % n];
  }
  const uint64 crop_id = static_cast<uint64>(index) * opts_.batch_size + pos;
  const float rate = fbank_.Options().frame_opts.samp_freq;
  if (augmenter_) {
    std::ostringstream key;
    key << keys_[utt] << '/' << epoch << '/' << crop_id;
    Matrix<float> m(1, static_cast<int32>(seg.size()));
    std::copy(seg.begin(), seg.end(), m.RowData(0));
    WaveData in(rate, m), aug;
    augmenter_->Augment(key.str(), in, &aug, nullptr);
    const float *x = aug.Data().RowData(0);
    seg.assign(x, x + aug.NumSamples());
  }
  Matrix<float> feats;
  fbank_.Compute(seg.data(), static_cast<int64>(seg.size()), 1.0f,
                 MixSeed(seed_, 4, static_cast<uint64>(epoch), crop_id), &feats);
  if (feats.NumRows() == 0)
    TD_ERR << "crop of utterance " << keys_[utt] << " gave no frames (" << seg.size()
           << " samples after augmentation)";
  TrainData::CropToColumns(feats, 0, opts_.crop_frames, opts_.cmn, out);
}

void WaveTrainData::MakeBatch(int64 epoch, int64 index, int reader_slot,
                              TrainBatch *batch) const {
  TD_ASSERT(index >= 0 && index < BatchesPerEpoch());
  const int32 nb = opts_.batch_size, nf = opts_.crop_frames, dim = Dim();
  std::vector<int32> order = EpochOrder(epoch);
  batch->epoch = epoch;
  batch->index = index;
  batch->batch_size = nb;
  batch->dim = dim;
  batch->frames = nf;
  batch->feats.resize(static_cast<size_t>(nb) * dim * nf);
  batch->labels.resize(nb);
  batch->utts.resize(nb);
  for (int32 b = 0; b < nb; b++) {
    const int32 utt = order[static_cast<size_t>(index) * nb + b];
    MakeCrop(epoch, index, b, utt, reader_slot,
             batch->feats.data() + static_cast<size_t>(b) * dim * nf);
    batch->labels[b] = labels_[utt];
    batch->utts[b] = utt;
  }
}

}  // namespace nnet
}  // namespace tdnas
