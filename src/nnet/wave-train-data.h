// wave-train-data.h: training batches straight from audio (nnet-train-supernet
// --wav-rspecifier): each crop is cut from the waveform, augmented on the fly (feat/wave-augment.h:
// MUSAN noise/music/babble, RIR, speed, tempo, compand) and turned into fbank features in the
// data threads, so neither augmented copies nor feature dumps are ever written.
//
// The same stream contract as TrainData (nnet/train-data.h): epoch e is the permutation of the
// utterances drawn from (seed, e), batch b takes positions [b*B, (b+1)*B), and every random
// draw of a crop (its start, its augmentation, the dither) comes from (seed, epoch, batch
// index, position in the batch): batches are a pure function of (seed, epoch, index), whatever
// the number of data threads.
//
// A crop of F frames needs L = (F-1)*shift + frame_length samples (snip-edges; F*shift
// otherwise). For an utterance of n >= L samples the start is a uniform frame boundary
// k*shift, k in [0, (n-L)/shift], so without augmentation (and dither 0) the crop's features
// are exactly rows [k, k+F) of the whole utterance's fbank (tested); a shorter utterance is
// wrap-padded in samples from a uniform offset. When the augmentation choices include a
// speed-up (speed, tempo-up), L is stretched by the largest factor so the augmented segment
// still fills F frames; the augmented segment's first F frames are used (wrap-padded if
// fewer). With cmn, each crop's mean over time is subtracted per bin (per-crop CMN).
//
// Audio: an `scp:` rspecifier (wav.scp: files, "cmd |" pipes, offsets) is read on demand, one
// random-access reader per data thread; any other rspecifier (an archive of waves) is read once
// into memory. Channel 0 is used; audio at another rate than the fbank's
// --sample-frequency is resampled whole (once per read) before cropping.
#ifndef TDNAS_NNET_WAVE_TRAIN_DATA_H_
#define TDNAS_NNET_WAVE_TRAIN_DATA_H_

#include <memory>
#include <string>
#include <vector>

#include "feat/feature-fbank.h"
#include "feat/wave-augment.h"
#include "nnet/train-data.h"

namespace tdnas {
namespace nnet {

// Registers the augmentation options under the names --aug-choices, --aug-noise-list,
// --aug-music-list, --aug-babble-list, --aug-rir-list, --aug-snr-noise, --aug-speeds, ...
// (wave-augment's names with an "aug-" prefix; its --seed is not registered: the draws come
// from the training seed). aug_choices is set to "none" first (augmentation off unless asked).
void RegisterTrainAugmentOptions(WaveAugmentOptions *opts, OptionsItf *po);

class WaveTrainData : public BatchSource {
 public:
  // wav_rspecifier: audio by utterance; utt2spk and speakers as for TrainData. fbank: the
  // model's front end (its Dim() is the feature dimension). aug: augmentation, off when its
  // aug_choices is "none".
  WaveTrainData(const std::string &wav_rspecifier, const std::string &utt2spk_rspecifier,
                const std::vector<std::string> &speakers, const TrainDataOptions &opts,
                const FbankOptions &fbank, const WaveAugmentOptions &aug, uint64 seed);
  ~WaveTrainData() override;

  const std::vector<std::string> &Speakers() const override { return speakers_; }
  int32 Dim() const override { return fbank_.Dim(); }
  int64 BatchesPerEpoch() const override { return NumUtterances() / opts_.batch_size; }
  const TrainDataOptions &Options() const override { return opts_; }
  void MakeBatch(int64 epoch, int64 index, int reader_slot, TrainBatch *batch) const override;

  int32 NumUtterances() const { return static_cast<int32>(keys_.size()); }
  const std::string &Key(int32 i) const { return keys_[i]; }
  int32 Label(int32 i) const { return labels_[i]; }
  bool Augmenting() const { return augmenter_ != nullptr; }
  // Samples a crop is cut from (before the speed-up margin) and with it.
  int64 CropSamples() const { return crop_samples_; }
  int64 ReadSamples() const { return read_samples_; }
  // Channel 0 of utterance i at the fbank's sample rate (tests).
  void Samples(int32 utt, int reader_slot, std::vector<float> *samples) const;
  // The epoch's permutation of utterance indices (the same as TrainData's for the same seed
  // and utterance count).
  std::vector<int32> EpochOrder(int64 epoch) const;
  // Sample offset of crop `pos` of batch (epoch, index) in its utterance of n samples (for
  // n >= ReadSamples() a multiple of the frame shift; otherwise the wrap offset). Exposed for
  // tests.
  int64 CropStart(int64 epoch, int64 index, int32 pos, int64 n) const;

 private:
  struct Reader;
  void MakeCrop(int64 epoch, int64 index, int32 pos, int32 utt, int reader_slot,
                float *out) const;

  TrainDataOptions opts_;
  Fbank fbank_;
  std::unique_ptr<WaveAugmenter> augmenter_;
  uint64 seed_;
  bool in_memory_ = true;
  int64 crop_samples_ = 0, read_samples_ = 0;
  std::vector<std::string> keys_;
  std::vector<int32> labels_;
  std::vector<std::string> speakers_;
  std::vector<std::vector<float>> waves_;          // in-memory audio (at the fbank rate)
  std::vector<std::unique_ptr<Reader>> readers_;   // on-demand audio, one per thread
};

}  // namespace nnet
}  // namespace tdnas

#endif  // TDNAS_NNET_WAVE_TRAIN_DATA_H_
