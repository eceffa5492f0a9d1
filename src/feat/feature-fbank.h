// feature-fbank.h: log mel filter-bank features, Kaldi's compute-fbank-feats computation.
//
//   FbankOptions opts; opts.mel_opts.num_bins = 80; opts.frame_opts.dither = 0;
//   Fbank fbank(opts);
//   Matrix<float> feats;                       // (num_frames, Dim())
//   fbank.ComputeFeatures(wave, n, wave_rate, 1.0f, seed, &feats);
//
// Per frame: framing + conditioning (feature-window.h), real FFT (split-radix-fft.h, Kaldi's
// rounding, for power-of-two sizes unless --fft=fast; else real-fft.h), power spectrum
// (magnitude if !use-power), mel banks (mel-computations.h), ln(max(x, FLT_EPSILON)) (or
// ln(x + log-offset) when --log-offset > 0), optional log energy in column 0 (last with
// --htk-compat). A waveform at another rate is resampled (resample.h) when
// --allow-downsample / --allow-upsample permit, else it is an error, as in Kaldi.
// Fbank is immutable after construction and safe to use from several threads at once.
#ifndef TDNAS_FEAT_FEATURE_FBANK_H_
#define TDNAS_FEAT_FEATURE_FBANK_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "feat/feature-window.h"
#include "feat/mel-computations.h"
#include "feat/real-fft.h"
#include "feat/split-radix-fft.h"
#include "matrix/kaldi-matrix.h"

namespace tdnas {

struct FbankOptions {
  FrameExtractionOptions frame_opts;
  MelBanksOptions mel_opts{23};  // 23 bins: Kaldi's fbank default
  bool use_energy = false;       // add log energy as an extra column
  float energy_floor = 0.0f;     // floor on the energy (absolute, not log); 0 = none
  bool raw_energy = true;        // energy before pre-emphasis and windowing
  bool htk_compat = false;       // energy last instead of first
  bool use_log_fbank = true;
  bool use_power = true;         // power spectrum; false = magnitude
  // Extensions (not in Kaldi) for the EfficientTDNN reference front end:
  float log_offset = 0.0f;       // > 0: ln(x + log_offset) instead of ln(max(x, FLT_EPSILON))
  float waveform_scale = 1.0f;   // multiply samples first (1/32768 gives [-1, 1] input)
  // FFT for power-of-two sizes: "kaldi" (split-radix-fft.h: Kaldi's float rounding, so quiet
  // bins match Kaldi's to ~1e-6) or "fast" (real-fft.h: SSE radix-4, ~2e-2 off Kaldi on bins
  // 50 dB below the frame peak). Other sizes always use real-fft.h's mixed-radix path.
  std::string fft = "kaldi";

  void Register(OptionsItf *opts);
  void Validate() const;
  std::string ToString() const;
};

class Fbank {
 public:
  explicit Fbank(const FbankOptions &opts);
  const FbankOptions &Options() const { return opts_; }
  int32 Dim() const { return opts_.mel_opts.num_bins + (opts_.use_energy ? 1 : 0); }

  // Features of `wave` (num_samples samples at opts.frame_opts.samp_freq). seed drives the
  // dither (same seed, same output). 0 frames -> a 0x0 matrix (Kaldi's convention).
  void Compute(const float *wave, int64 num_samples, float vtln_warp, uint64 seed,
               Matrix<float> *features) const;
  // As Compute, but `wave_rate` may differ from the configured rate: resampled when allowed,
  // else TD_ERR with Kaldi's message.
  void ComputeFeatures(const float *wave, int64 num_samples, float wave_rate, float vtln_warp,
                       uint64 seed, Matrix<float> *features) const;

 private:
  const MelBanks &GetMelBanks(float vtln_warp) const;

  FbankOptions opts_;
  FeatureWindowFunction window_;
  RealFft fft_;
  std::unique_ptr<SplitRadixFft> srfft_;  // set when --fft=kaldi and the size is a power of 2
  std::unique_ptr<MelBanks> default_banks_;  // vtln_warp = 1
  mutable std::mutex mu_;
  mutable std::map<float, std::unique_ptr<MelBanks>> warped_banks_;
};

}  // namespace tdnas

#endif  // TDNAS_FEAT_FEATURE_FBANK_H_
