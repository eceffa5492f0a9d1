// train-data.cc: TrainData (utterance list, crops, batches, prefetch threads).
#include "nnet/train-data.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <unordered_map>

#include "nnet/search-space.h"
#include "util/kaldi-table.h"
#include "util/options-itf.h"
#include "util/table-spec.h"

namespace tdnas {
namespace nnet {

void TrainDataOptions::Register(OptionsItf *opts) {
  opts->Register("crop-frames", &crop_frames,
                 "Frames per training crop (200 = 2 s, the largest-network stage; the elastic "
                 "stages use 300); shorter utterances are wrap-padded");
  opts->Register("batch-size", &batch_size, "Crops per optimizer step (per walk)");
  opts->Register("cmn", &cmn, "Subtract each crop's mean over time (per-crop CMN)");
  opts->Register("num-data-threads", &num_data_threads,
                 "Background threads reading and cropping features");
  opts->Register("prefetch", &prefetch, "Batches prepared ahead per data thread");
  opts->Register("spec-aug-prob", &spec_aug_prob,
                 "SpecAugment: probability that a crop gets frequency and time masks (set to "
                 "the bin's mean over the crop); 0 = off (feature-archive training only)");
  opts->Register("spec-aug-freq-masks", &spec_aug_freq_masks,
                 "SpecAugment: frequency bands masked per augmented crop");
  opts->Register("spec-aug-max-freq", &spec_aug_max_freq,
                 "SpecAugment: widest frequency band, in bins (widths uniform in 1..this)");
  opts->Register("spec-aug-time-masks", &spec_aug_time_masks,
                 "SpecAugment: time spans masked per augmented crop");
  opts->Register("spec-aug-max-time", &spec_aug_max_time,
                 "SpecAugment: longest time span, in frames (lengths uniform in 1..this)");
}

void TrainDataOptions::Validate() const {
  if (crop_frames < 1) TD_ERR << "--crop-frames must be >= 1";
  if (batch_size < 1) TD_ERR << "--batch-size must be >= 1";
  if (num_data_threads < 1) TD_ERR << "--num-data-threads must be >= 1";
  if (prefetch < 1) TD_ERR << "--prefetch must be >= 1";
  if (!(spec_aug_prob >= 0.0f && spec_aug_prob <= 1.0f))
    TD_ERR << "--spec-aug-prob must be in [0, 1]";
  if (spec_aug_freq_masks < 0 || spec_aug_time_masks < 0)
    TD_ERR << "--spec-aug-freq-masks and --spec-aug-time-masks must be >= 0";
  if (spec_aug_max_freq < 1 || spec_aug_max_time < 1)
    TD_ERR << "--spec-aug-max-freq and --spec-aug-max-time must be >= 1";
}

void SpecAugmentCrop(const TrainDataOptions &opts, int32 dim, int32 frames, std::mt19937_64 *rng,
                     float *crop, std::vector<SpecAugMask> *masks) {
  if (opts.spec_aug_prob <= 0.0f || dim < 1 || frames < 1) return;
  // The coin: 24 bits of one draw, so the decision does not depend on the library's
  // floating-point distributions.
  const double u = static_cast<double>((*rng)() >> 40) / static_cast<double>(1ull << 24);
  if (u >= opts.spec_aug_prob) return;
  std::vector<float> mean(dim);
  for (int32 d = 0; d < dim; d++) {
    const float *p = crop + static_cast<int64>(d) * frames;
    double sum = 0;
    for (int32 t = 0; t < frames; t++) sum += p[t];
    mean[d] = static_cast<float>(sum / frames);
  }
  // Draw every mask first (against the unmasked crop), then fill.
  std::vector<SpecAugMask> drawn;
  auto draw = [&](bool freq, int32 count, int32 max_width, int32 size) {
    for (int32 i = 0; i < count; i++) {
      SpecAugMask m;
      m.freq = freq;
      const int32 wmax = std::min(max_width, size);
      m.width = 1 + static_cast<int32>(UniformInt(rng, static_cast<uint64>(wmax)));
      m.start = static_cast<int32>(UniformInt(rng, static_cast<uint64>(size - m.width + 1)));
      drawn.push_back(m);
    }
  };
  draw(true, opts.spec_aug_freq_masks, opts.spec_aug_max_freq, dim);
  draw(false, opts.spec_aug_time_masks, opts.spec_aug_max_time, frames);
  for (const SpecAugMask &m : drawn) {
    if (m.freq) {
      for (int32 d = m.start; d < m.start + m.width; d++) {
        float *p = crop + static_cast<int64>(d) * frames;
        for (int32 t = 0; t < frames; t++) p[t] = mean[d];
      }
    } else {
      for (int32 d = 0; d < dim; d++) {
        float *p = crop + static_cast<int64>(d) * frames;
        for (int32 t = m.start; t < m.start + m.width; t++) p[t] = mean[d];
      }
    }
  }
  if (masks) masks->insert(masks->end(), drawn.begin(), drawn.end());
}

uint64 MixSeed(uint64 seed, uint64 a, uint64 b, uint64 c) {
  auto mix = [](uint64 z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  uint64 h = mix(seed);
  h = mix(h ^ a);
  h = mix(h ^ b);
  return mix(h ^ c);
}

struct TrainData::Reader {
  RandomAccessBaseFloatMatrixReader reader;
};

std::unordered_map<std::string, std::string> ReadUtt2Spk(const std::string &utt2spk_rspecifier) {
  std::unordered_map<std::string, std::string> utt2spk;
  SequentialTokenReader reader(utt2spk_rspecifier);
  for (; !reader.Done(); reader.Next()) utt2spk[reader.Key()] = reader.Value();
  if (utt2spk.empty()) TD_ERR << "no entries in utt2spk " << utt2spk_rspecifier;
  return utt2spk;
}

int64 ReadScpKeysWithSpeakers(const std::string &scp_rxfilename,
                              const std::unordered_map<std::string, std::string> &utt2spk,
                              std::vector<std::string> *keys, std::vector<std::string> *spk_of) {
  Input in(scp_rxfilename);
  std::string line;
  std::set<std::string> seen;
  int64 no_spk = 0;
  while (std::getline(in.Stream(), line)) {
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos) continue;
    size_t e = line.find_first_of(" \t", b);
    std::string key = line.substr(b, e == std::string::npos ? std::string::npos : e - b);
    auto it = utt2spk.find(key);
    if (it == utt2spk.end()) { no_spk++; continue; }
    if (!seen.insert(key).second) TD_ERR << "duplicate key " << key << " in " << scp_rxfilename;
    keys->push_back(key);
    spk_of->push_back(it->second);
  }
  return no_spk;
}

void AssignSpeakerLabels(const std::vector<std::string> &keys,
                         const std::vector<std::string> &spk_of,
                         const std::vector<std::string> &model_speakers,
                         std::vector<std::string> *speakers, std::vector<int32> *labels) {
  if (model_speakers.empty()) {
    std::set<std::string> s(spk_of.begin(), spk_of.end());
    speakers->assign(s.begin(), s.end());
  } else {
    *speakers = model_speakers;
  }
  std::unordered_map<std::string, int32> spk_id;
  for (size_t i = 0; i < speakers->size(); i++) spk_id[(*speakers)[i]] = static_cast<int32>(i);
  labels->resize(keys.size());
  for (size_t i = 0; i < keys.size(); i++) {
    auto it = spk_id.find(spk_of[i]);
    if (it == spk_id.end())
      TD_ERR << "speaker " << spk_of[i] << " (utterance " << keys[i]
             << ") is not among the model's " << speakers->size() << " speakers";
    (*labels)[i] = it->second;
  }
}

TrainData::TrainData(const std::string &feats_rspecifier, const std::string &utt2spk_rspecifier,
                     const std::vector<std::string> &speakers, const TrainDataOptions &opts,
                     uint64 seed)
    : opts_(opts), seed_(seed), rspecifier_(feats_rspecifier) {
  opts_.Validate();
  const std::unordered_map<std::string, std::string> utt2spk = ReadUtt2Spk(utt2spk_rspecifier);

  std::string rx;
  RspecifierOptions ropts;
  RspecifierType type = ClassifyRspecifier(feats_rspecifier, &rx, &ropts);
  if (type == RspecifierType::kNone) TD_ERR << "bad features rspecifier " << feats_rspecifier;
  in_memory_ = type != RspecifierType::kScript;
  std::vector<std::string> spk_of;
  int64 no_spk = 0;
  if (in_memory_) {
    SequentialBaseFloatMatrixReader reader(feats_rspecifier);
    for (; !reader.Done(); reader.Next()) {
      auto it = utt2spk.find(reader.Key());
      if (it == utt2spk.end()) { no_spk++; continue; }
      if (reader.Value().NumRows() == 0) {
        TD_WARN << "utterance " << reader.Key() << " has no frames; skipped";
        continue;
      }
      keys_.push_back(reader.Key());
      spk_of.push_back(it->second);
      feats_.emplace_back();
      std::swap(feats_.back(), reader.Value());
    }
    if (!feats_.empty()) dim_ = feats_[0].NumCols();
    for (size_t i = 0; i < feats_.size(); i++)
      if (feats_[i].NumCols() != dim_)
        TD_ERR << "utterance " << keys_[i] << " has dimension " << feats_[i].NumCols()
               << ", others " << dim_;
  } else {
    // Keys from the scp file itself; objects are loaded when a batch needs them.
    no_spk += ReadScpKeysWithSpeakers(rx, utt2spk, &keys_, &spk_of);
    const int nslots = std::max(1, opts_.num_data_threads);
    for (int i = 0; i < nslots; i++) {
      readers_.emplace_back(new Reader);
      readers_.back()->reader.Open(feats_rspecifier);
    }
    if (!keys_.empty()) dim_ = readers_[0]->reader.Value(keys_[0]).NumCols();
  }
  if (no_spk > 0) TD_WARN << no_spk << " utterances have features but no utt2spk entry; skipped";
  if (keys_.empty()) TD_ERR << "no utterance has both features and a speaker";
  if (utt2spk.size() > keys_.size())
    TD_LOG << (utt2spk.size() - keys_.size()) << " utt2spk entries have no features";

  AssignSpeakerLabels(keys_, spk_of, speakers, &speakers_, &labels_);
  if (BatchesPerEpoch() < 1)
    TD_ERR << "only " << keys_.size() << " utterances: fewer than one batch of "
           << opts_.batch_size;
  TD_LOG << "training data: " << keys_.size() << " utterances, " << speakers_.size()
         << " speakers, dim " << dim_ << ", " << BatchesPerEpoch() << " batches of "
         << opts_.batch_size << " per epoch, " << (in_memory_ ? "in memory" : "read on demand");
}

TrainData::~TrainData() {
  try { Stop(); } catch (...) {}
}

std::vector<int32> TrainData::EpochOrder(int64 epoch) const {
  std::vector<int32> order(keys_.size());
  for (size_t i = 0; i < order.size(); i++) order[i] = static_cast<int32>(i);
  std::mt19937_64 rng(MixSeed(seed_, 1, static_cast<uint64>(epoch)));
  for (size_t i = order.size(); i > 1; i--) std::swap(order[i - 1], order[UniformInt(&rng, i)]);
  return order;
}

void TrainData::CropToColumns(const Matrix<float> &feats, int64 start, int32 frames, bool cmn,
                              float *out) {
  const int32 nt = feats.NumRows(), dim = feats.NumCols();
  TD_ASSERT(nt > 0);
  for (int32 t = 0; t < frames; t++) {
    const float *row = feats.RowData(static_cast<int32>((start + t) % nt));
    for (int32 d = 0; d < dim; d++) out[static_cast<int64>(d) * frames + t] = row[d];
  }
  if (!cmn) return;
  for (int32 d = 0; d < dim; d++) {
    float *p = out + static_cast<int64>(d) * frames;
    double sum = 0;
    for (int32 t = 0; t < frames; t++) sum += p[t];
    const float mean = static_cast<float>(sum / frames);
    for (int32 t = 0; t < frames; t++) p[t] -= mean;
  }
}

const Matrix<float> &TrainData::Features(int32 utt, int reader_slot, Matrix<float> *tmp) const {
  if (in_memory_) return feats_[utt];
  TD_ASSERT(reader_slot >= 0 && reader_slot < static_cast<int>(readers_.size()));
  const Matrix<float> &m = readers_[reader_slot]->reader.Value(keys_[utt]);
  if (m.NumCols() != dim_)
    TD_ERR << "utterance " << keys_[utt] << " has dimension " << m.NumCols() << ", others "
           << dim_;
  if (m.NumRows() == 0) TD_ERR << "utterance " << keys_[utt] << " has no frames";
  return m;
}

void TrainData::MakeBatch(int64 epoch, int64 index, int reader_slot, TrainBatch *batch) const {
  TD_ASSERT(index >= 0 && index < BatchesPerEpoch());
  const int32 nb = opts_.batch_size, nf = opts_.crop_frames;
  std::vector<int32> order = EpochOrder(epoch);
  batch->epoch = epoch;
  batch->index = index;
  batch->batch_size = nb;
  batch->dim = dim_;
  batch->frames = nf;
  batch->feats.resize(static_cast<size_t>(nb) * dim_ * nf);
  batch->labels.resize(nb);
  batch->utts.resize(nb);
  std::mt19937_64 rng(MixSeed(seed_, 2, static_cast<uint64>(epoch), static_cast<uint64>(index)));
  // SpecAugment's own stream: the crops above do not change when it is switched on.
  std::mt19937_64 aug_rng(MixSeed(seed_, 3, static_cast<uint64>(epoch), static_cast<uint64>(index)));
  Matrix<float> tmp;
  for (int32 b = 0; b < nb; b++) {
    const int32 utt = order[static_cast<size_t>(index) * nb + b];
    const Matrix<float> &m = Features(utt, reader_slot, &tmp);
    const int32 nt = m.NumRows();
    // Long enough: a uniform start with the crop inside; short: a uniform wrap offset.
    const int64 start = nt >= nf ? static_cast<int64>(UniformInt(&rng, nt - nf + 1))
                                 : static_cast<int64>(UniformInt(&rng, nt));
    float *crop = batch->feats.data() + static_cast<size_t>(b) * dim_ * nf;
    CropToColumns(m, start, nf, opts_.cmn, crop);
    SpecAugmentCrop(opts_, dim_, nf, &aug_rng, crop);
    batch->labels[b] = labels_[utt];
    batch->utts[b] = utt;
  }
}

// ---- prefetching ----

void BatchSource::Start(int64 first) {
  Stop();
  std::lock_guard<std::mutex> lock(mu_);
  ready_.clear();
  next_ = first;
  stop_ = false;
  error_.clear();
  const int n = Options().num_data_threads;
  // Each worker gets its first batch index now, not when it first runs: the consumer may
  // already have advanced next_ by then, and batches would be skipped (a deadlock).
  for (int i = 0; i < n; i++) threads_.emplace_back(&BatchSource::Worker, this, i, first);
}

void BatchSource::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto &t : threads_) t.join();
  threads_.clear();
}

void BatchSource::Worker(int slot, int64 first) {
  const int n = Options().num_data_threads;
  const int64 bpe = BatchesPerEpoch();
  int64 g = first + slot;
  const int64 ahead = static_cast<int64>(Options().prefetch) * n;
  for (;; g += n) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || g < next_ + ahead; });
      if (stop_) return;
    }
    TrainBatch batch;
    try {
      MakeBatch(g / bpe, g % bpe, slot, &batch);
    } catch (const std::exception &e) {
      std::lock_guard<std::mutex> lock(mu_);
      if (error_.empty()) error_ = e.what();
      cv_.notify_all();
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      ready_[g] = std::move(batch);
    }
    cv_.notify_all();
  }
}

void BatchSource::Next(TrainBatch *batch) {
  std::unique_lock<std::mutex> lock(mu_);
  if (threads_.empty()) TD_ERR << "BatchSource::Next() before Start()";
  cv_.wait(lock, [&] { return !error_.empty() || ready_.count(next_) > 0; });
  auto it = ready_.find(next_);
  if (it == ready_.end()) TD_ERR << "reading training data: " << error_;
  *batch = std::move(it->second);
  ready_.erase(it);
  next_++;
  lock.unlock();
  cv_.notify_all();
}

}  // namespace nnet
}  // namespace tdnas
