// mel-computations.h: triangular mel filter banks applied to a power spectrum.
//
// Kaldi style (default): mel(f) = 1127 ln(1 + f/700), num_bins+2 equally spaced mel points
// between low-freq and high-freq, triangles linear in mel, FFT bins 0..n/2-1 (Nyquist left
// out), computed in float as Kaldi does so the weights are the same; optional VTLN warping of
// the mel points (piecewise linear, vtln-low / vtln-high cut-offs).
// torchaudio style (--mel-style=torchaudio, for the EfficientTDNN reference front end):
// same HTK mel scale (2595 log10 = 1127 ln) but triangles linear in Hz over the bins
// 0..n/2 (Nyquist included), no area normalisation, weights computed in double.
// Each bin is stored as (first FFT index, dense weights), so applying a bank is one short
// dot product per bin; Compute() uses a copy of the weights padded to 4-aligned ranges so
// each dot product runs on SSE vectors.
#ifndef TDNAS_FEAT_MEL_COMPUTATIONS_H_
#define TDNAS_FEAT_MEL_COMPUTATIONS_H_

#include <string>
#include <utility>
#include <vector>

#include "base/io-funcs.h"
#include "feat/feature-window.h"
#include "util/options-itf.h"

namespace tdnas {

struct MelBanksOptions {
  int32 num_bins = 25;       // Kaldi's MelBanksOptions default; fbank sets 23
  float low_freq = 20.0f;    // Hz
  float high_freq = 0.0f;    // Hz; <= 0 means Nyquist + high_freq
  float vtln_low = 100.0f;   // Hz, lower VTLN cut-off
  float vtln_high = -500.0f; // Hz, upper VTLN cut-off; <= 0 means Nyquist + vtln_high
  std::string mel_style = "kaldi";  // kaldi|torchaudio

  explicit MelBanksOptions(int32 bins = 25) : num_bins(bins) {}
  void Register(OptionsItf *opts);
};

float MelScale(float freq);         // 1127 ln(1 + f/700), in float as Kaldi computes it
float InverseMelScale(float mel);
float VtlnWarpFreq(float vtln_low_cutoff, float vtln_high_cutoff, float low_freq,
                   float high_freq, float vtln_warp_factor, float freq);
float VtlnWarpMelFreq(float vtln_low_cutoff, float vtln_high_cutoff, float low_freq,
                      float high_freq, float vtln_warp_factor, float mel_freq);

class MelBanks {
 public:
  MelBanks(const MelBanksOptions &opts, const FrameExtractionOptions &frame_opts,
           float vtln_warp_factor);
  int32 NumBins() const { return static_cast<int32>(bins_.size()); }
  // power: the power spectrum (PaddedWindowSize()/2 + 1 values) followed by zeros up to
  // PowerSize() values (Compute reads 4-aligned ranges); out: NumBins() values.
  void Compute(const float *power, float *out) const;
  int32 PowerSize() const { return power_size_; }
  const std::vector<std::pair<int32, std::vector<float>>> &Bins() const { return bins_; }

 private:
  void Pack();

  std::vector<std::pair<int32, std::vector<float>>> bins_;
  // Packed copy: bin b covers power[start_[b], start_[b] + len_[b]), start and length
  // multiples of 4, weights (zero outside the triangle) at packed_[offset_[b]...].
  std::vector<int32> start_, len_, offset_;
  std::vector<float> packed_;
  int32 power_size_ = 0;
};

}  // namespace tdnas

#endif  // TDNAS_FEAT_MEL_COMPUTATIONS_H_
