// feature-window.h: cutting a waveform into frames and conditioning each frame (Kaldi's
// FrameExtractionOptions), shared by every frame-based feature.
//
// Per frame (Kaldi order): extract frame_length samples (edges reflected when snip-edges is
// false), add dither, subtract the frame mean, measure the raw log energy, pre-emphasise,
// multiply by the window, zero-pad to the FFT size.
// Two extensions, both off by default, let the EfficientTDNN reference front end
// (torch.stft with center=True, torch.hamming_window) be expressed:
//   --center-pad        frames centred on t*shift (count 1 + n/shift), edges reflected the way
//                       torch pads with mode "reflect" (-1 -> 1, n -> n-2);
//   --periodic-window   window periodic in N (a = 2pi/N) instead of symmetric (a = 2pi/(N-1)).
// and --preemphasis-on-signal applies pre-emphasis once to the whole signal (first sample
// using the reflected x[1]) instead of per frame.
#ifndef TDNAS_FEAT_FEATURE_WINDOW_H_
#define TDNAS_FEAT_FEATURE_WINDOW_H_

#include <random>
#include <string>
#include <vector>

#include "base/io-funcs.h"
#include "util/options-itf.h"

namespace tdnas {

struct FrameExtractionOptions {
  float samp_freq = 16000.0f;
  float frame_shift_ms = 10.0f;   // 10 ms hop: the standard speech frame rate (100 Hz)
  float frame_length_ms = 25.0f;  // 25 ms window
  float dither = 1.0f;            // Kaldi's default; golden tests and training use 0
  float preemph_coeff = 0.97f;
  bool remove_dc_offset = true;
  std::string window_type = "povey";  // hamming|hanning|povey|rectangular|sine|blackman
  bool round_to_power_of_two = true;
  float blackman_coeff = 0.42f;
  bool snip_edges = true;
  bool allow_downsample = false;
  bool allow_upsample = false;
  // Extensions (not in Kaldi), for the reference front end; see the file comment.
  bool center_pad = false;
  bool periodic_window = false;
  bool preemphasis_on_signal = false;

  void Register(OptionsItf *opts);
  void Validate() const;
  std::string ToString() const;

  int32 WindowShift() const { return static_cast<int32>(samp_freq * 0.001 * frame_shift_ms); }
  int32 WindowSize() const { return static_cast<int32>(samp_freq * 0.001 * frame_length_ms); }
  // The FFT size: WindowSize() rounded up to a power of two unless round-to-power-of-two=false.
  int32 PaddedWindowSize() const;
};

// Number of frames for `num_samples` samples (0 if too short with snip-edges).
int32 NumFrames(int64 num_samples, const FrameExtractionOptions &opts);
// Index of the first sample of frame `f` (negative or past the end when edges are padded).
int64 FirstSampleOfFrame(int32 f, const FrameExtractionOptions &opts);

// The window function of WindowSize() samples, computed in double and stored as float.
class FeatureWindowFunction {
 public:
  explicit FeatureWindowFunction(const FrameExtractionOptions &opts);
  const std::vector<float> &Window() const { return window_; }
 private:
  std::vector<float> window_;
};

// Copies frame `f` of `wave` (num_samples samples) into frame[0, WindowSize()), reflecting
// indices outside the signal. frame must hold WindowSize() floats.
void ExtractFrameSamples(const float *wave, int64 num_samples, int32 f,
                         const FrameExtractionOptions &opts, float *frame);

// Conditions one frame in place (frame has WindowSize() samples): dither (if rng and
// dither != 0), DC removal, raw log energy (if log_energy_pre_window != nullptr), per-frame
// pre-emphasis (unless preemphasis_on_signal), windowing.
void ProcessWindow(const FrameExtractionOptions &opts, const FeatureWindowFunction &window,
                   std::mt19937 *rng, float *frame, float *log_energy_pre_window);

// ExtractFrameSamples + ProcessWindow in one call (Kaldi's ExtractWindow); frames that lie
// inside the signal, without dither, are conditioned in one pass straight from `wave`. The
// result is the same either way. frame must hold WindowSize() floats.
void ExtractWindow(const float *wave, int64 num_samples, int32 f,
                   const FrameExtractionOptions &opts, const FeatureWindowFunction &window,
                   std::mt19937 *rng, float *frame, float *log_energy_pre_window);

// Whole-signal pre-emphasis: y[i] = x[i] - k x[i-1], y[0] = x[0] - k x[1] (reflect padding).
void PreemphasizeSignal(float coeff, std::vector<float> *wave);

// sum_i x[i]^2 in double, returned as float.
float SumSquares(const float *x, int32 n);

}  // namespace tdnas

#endif  // TDNAS_FEAT_FEATURE_WINDOW_H_
