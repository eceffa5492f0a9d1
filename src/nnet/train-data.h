// train-data.h: training examples for the speaker network: features + utt2spk -> batches of
// random crops with speaker labels, made ahead of time in background threads.
//
// Epoch e is a permutation of the utterances drawn from (seed, e); batch b of that epoch takes
// positions [b*B, (b+1)*B) of it (the last incomplete batch is dropped, so every step sees B
// examples). Crop starts of batch b are drawn from (seed, e, b). A batch is therefore a pure
// function of (seed, epoch, batch index): threads, prefetch depth and resuming never change
// what the network sees, which is what makes `--resume` reproduce an uninterrupted run.
//
// Each example is crop_frames consecutive frames; an utterance shorter than that is
// wrap-padded (frame t of the crop is frame t mod T of the utterance, numpy's "wrap"). With
// cmn, each crop gets its mean over time subtracted per bin (per-crop CMN). Batches are laid
// out (B, dim, crop_frames), the network's input layout.
//
// SpecAugment (--spec-aug-prob > 0, off by default; WeSpeaker's spec_aug): each crop, with
// that probability, gets --spec-aug-freq-masks bands of 1..--spec-aug-max-freq bins and
// --spec-aug-time-masks spans of 1..--spec-aug-max-time frames (each inside the crop) set to
// the bin's mean over the crop (0 after CMN). Mask draws come from their own stream, seeded
// by (seed, epoch, batch index) like the crops, so the crops are the same with it on or off
// and a batch is still a pure function of (seed, epoch, index). Feature-archive training
// (TrainData) applies it; audio training (WaveTrainData) does not call it yet.
//
// Storage: an `ark:` rspecifier is read once into memory; an `scp:` one is read on demand
// (each data thread has its own random-access reader), so training data larger than RAM
// streams from disk.
#ifndef TDNAS_NNET_TRAIN_DATA_H_
#define TDNAS_NNET_TRAIN_DATA_H_

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <unordered_map>
#include <thread>
#include <vector>

#include "base/io-funcs.h"
#include "matrix/kaldi-matrix.h"

namespace tdnas {

class OptionsItf;

namespace nnet {

struct TrainDataOptions {
  int32 crop_frames = 200;   // 2 s: the spec's crop for the largest-network stage
  int32 batch_size = 128;    // the reference's per-GPU batch
  bool cmn = true;           // per-crop mean subtraction (the model's front end records it)
  int32 num_data_threads = 1;
  int32 prefetch = 4;        // batches made ahead per thread
  float spec_aug_prob = 0.0f;       // SpecAugment: probability per crop (0 = off)
  int32 spec_aug_freq_masks = 1;    // bands per masked crop
  int32 spec_aug_max_freq = 8;      // widest band, bins
  int32 spec_aug_time_masks = 1;    // time spans per masked crop
  int32 spec_aug_max_time = 10;     // longest span, frames
  void Register(OptionsItf *opts);
  void Validate() const;
};

// 64-bit mixing of a seed and indices (splitmix64 steps), for per-epoch/per-batch streams.
uint64 MixSeed(uint64 seed, uint64 a, uint64 b = 0, uint64 c = 0);

// utt2spk from a token table (`ark:data/train/utt2spk`); ERROR if it has no entry.
std::unordered_map<std::string, std::string> ReadUtt2Spk(const std::string &utt2spk_rspecifier);

// The keys (first fields) of a script file that have a speaker in utt2spk, in file order,
// appended to *keys with their speakers in *spk_of; a repeated key is an ERROR. Objects are
// not read (training sources load them on demand). Returns how many keys had no speaker.
int64 ReadScpKeysWithSpeakers(const std::string &scp_rxfilename,
                              const std::unordered_map<std::string, std::string> &utt2spk,
                              std::vector<std::string> *keys, std::vector<std::string> *spk_of);

// Class ids: *speakers = model_speakers, or the sorted distinct speakers of spk_of when the
// model has none yet; (*labels)[i] = the id of spk_of[i] (ERROR naming keys[i] if absent).
void AssignSpeakerLabels(const std::vector<std::string> &keys,
                         const std::vector<std::string> &spk_of,
                         const std::vector<std::string> &model_speakers,
                         std::vector<std::string> *speakers, std::vector<int32> *labels);

// One SpecAugment mask: bins [start, start + width) (freq) or frames [start, start + width).
struct SpecAugMask {
  bool freq = true;
  int32 start = 0, width = 0;
};

// SpecAugment of one crop laid out (dim, frames) (see the top of this file): with probability
// opts.spec_aug_prob, draws the masks from *rng and sets the masked cells to their bin's mean
// over the crop (computed before masking). Appends the masks to *masks if not null. With
// probability 0 it draws nothing and leaves the crop as it is.
void SpecAugmentCrop(const TrainDataOptions &opts, int32 dim, int32 frames, std::mt19937_64 *rng,
                     float *crop, std::vector<SpecAugMask> *masks = nullptr);

struct TrainBatch {
  int64 epoch = 0, index = 0;          // which batch this is
  int32 batch_size = 0, dim = 0, frames = 0;
  std::vector<float> feats;            // (batch_size, dim, frames)
  std::vector<int32_t> labels;         // batch_size speaker ids
  std::vector<int32> utts;             // utterance indices (for tests/logs)
};

// A stream of training batches, made ahead in background threads: the trainer's input.
// Subclasses say what a batch is (MakeBatch, a pure function of (epoch, index)); this class
// runs the prefetch threads: Start(first) hands out global batch numbers first, first+1, ...
// round-robin to --num-data-threads workers and Next() returns them in order, so the stream
// does not depend on the thread count. Subclasses must call Stop() in their destructor.
// TrainData (features) and WaveTrainData (nnet/wave-train-data.h: audio) implement it.
class BatchSource {
 public:
  virtual ~BatchSource() {}
  virtual const std::vector<std::string> &Speakers() const = 0;
  virtual int32 Dim() const = 0;
  virtual int64 BatchesPerEpoch() const = 0;
  virtual const TrainDataOptions &Options() const = 0;
  // Makes batch `index` of epoch `epoch` (thread-safe; `reader_slot` is the calling data
  // thread, 0 .. num_data_threads-1, for per-thread readers).
  virtual void MakeBatch(int64 epoch, int64 index, int reader_slot, TrainBatch *batch) const = 0;

  // Background prefetching from global batch number `first` (= epoch * BatchesPerEpoch() +
  // index) on: Next() returns batch first, first+1, ... in order.
  void Start(int64 first);
  void Next(TrainBatch *batch);
  void Stop();

 private:
  void Worker(int slot, int64 first);
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<int64, TrainBatch> ready_;
  int64 next_ = 0;          // next batch Next() returns
  bool stop_ = false;
  std::string error_;       // first worker error, rethrown by Next()
};

class TrainData : public BatchSource {
 public:
  // Reads utt2spk (all of it) and the feature list. speakers: if non-empty, the class list the
  // labels index (every speaker of the data must be in it, else ERROR); otherwise the sorted
  // set of the data's speakers. Utterances without an utt2spk entry are skipped (WARNING with
  // a count); an utterance in utt2spk without features is skipped too.
  TrainData(const std::string &feats_rspecifier, const std::string &utt2spk_rspecifier,
            const std::vector<std::string> &speakers, const TrainDataOptions &opts, uint64 seed);
  ~TrainData();

  const std::vector<std::string> &Speakers() const override { return speakers_; }
  int32 NumUtterances() const { return static_cast<int32>(keys_.size()); }
  const std::string &Key(int32 i) const { return keys_[i]; }
  int32 Label(int32 i) const { return labels_[i]; }
  int32 Dim() const override { return dim_; }
  bool InMemory() const { return in_memory_; }
  int64 BatchesPerEpoch() const override { return NumUtterances() / opts_.batch_size; }
  const TrainDataOptions &Options() const override { return opts_; }

  // Makes batch `index` of epoch `epoch` (thread-safe: `reader_slot` selects the per-thread
  // random-access reader for on-demand data, 0 .. max(1, num_data_threads)-1).
  void MakeBatch(int64 epoch, int64 index, int reader_slot, TrainBatch *batch) const override;

  // The epoch's permutation of utterance indices (exposed for tests).
  std::vector<int32> EpochOrder(int64 epoch) const;
  // One crop of an utterance's features (T x dim, Kaldi row layout) into out (dim, frames),
  // starting at start (wrapping); with cmn, mean-subtracted. Exposed for tests.
  static void CropToColumns(const Matrix<float> &feats, int64 start, int32 frames, bool cmn,
                            float *out);

 private:
  struct Reader;
  const Matrix<float> &Features(int32 utt, int reader_slot, Matrix<float> *tmp) const;

  TrainDataOptions opts_;
  uint64 seed_;
  std::string rspecifier_;
  bool in_memory_ = true;
  int32 dim_ = 0;
  std::vector<std::string> keys_;
  std::vector<int32> labels_;
  std::vector<std::string> speakers_;
  std::vector<Matrix<float>> feats_;               // in-memory data
  std::vector<std::unique_ptr<Reader>> readers_;   // on-demand data, one per thread
};

}  // namespace nnet
}  // namespace tdnas

#endif  // TDNAS_NNET_TRAIN_DATA_H_
