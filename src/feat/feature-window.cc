// feature-window.cc: framing, windows and per-frame conditioning (see feature-window.h).
#include "feat/feature-window.h"

#include <cmath>
#include <limits>
#include <sstream>

#include "base/log.h"

namespace tdnas {

void FrameExtractionOptions::Register(OptionsItf *opts) {
  opts->Register("sample-frequency", &samp_freq,
                 "Waveform data sample frequency (must match the waveform file, if specified there)");
  opts->Register("frame-length", &frame_length_ms, "Frame length in milliseconds");
  opts->Register("frame-shift", &frame_shift_ms, "Frame shift in milliseconds");
  opts->Register("preemphasis-coefficient", &preemph_coeff,
                 "Coefficient for use in signal preemphasis");
  opts->Register("remove-dc-offset", &remove_dc_offset,
                 "Subtract mean from waveform on each frame");
  opts->Register("dither", &dither, "Dithering constant (0.0 means no dither). If you turn this "
                 "off, you should set the --energy-floor option, e.g. to 1.0 or 0.1");
  opts->Register("window-type", &window_type, "Type of window (\"hamming\"|\"hanning\"|\"povey\"|"
                 "\"rectangular\"|\"sine\"|\"blackman\")");
  opts->Register("blackman-coeff", &blackman_coeff,
                 "Constant coefficient for generalized Blackman window.");
  opts->Register("round-to-power-of-two", &round_to_power_of_two,
                 "If true, round window size to power of two by zero-padding input to FFT.");
  opts->Register("snip-edges", &snip_edges, "If true, end effects will be handled by outputting "
                 "only frames that completely fit in the file, and the number of frames depends "
                 "on the frame-length.  If false, the number of frames depends only on the "
                 "frame-shift, and we reflect the data at the ends.");
  opts->Register("allow-downsample", &allow_downsample,
                 "If true, allow the input waveform to have a higher frequency than the specified "
                 "--sample-frequency (and we'll downsample).");
  opts->Register("allow-upsample", &allow_upsample,
                 "If true, allow the input waveform to have a lower frequency than the specified "
                 "--sample-frequency (and we'll upsample).");
  opts->Register("center-pad", &center_pad, "(tdnas) Frames centred on t*shift, 1 + n/shift "
                 "frames, edges reflect-padded as torch.stft(center=True) does; overrides "
                 "--snip-edges");
  opts->Register("periodic-window", &periodic_window, "(tdnas) Periodic window (2*pi/N, as "
                 "torch.hamming_window) instead of Kaldi's symmetric one (2*pi/(N-1))");
  opts->Register("preemphasis-on-signal", &preemphasis_on_signal, "(tdnas) Apply pre-emphasis "
                 "once to the whole signal (first sample uses the reflected x[1]) instead of to "
                 "each frame");
}

int32 FrameExtractionOptions::PaddedWindowSize() const {
  int32 n = WindowSize();
  if (!round_to_power_of_two) return n;
  int32 p = 1;
  while (p < n) p <<= 1;
  return p;
}

void FrameExtractionOptions::Validate() const {
  if (samp_freq <= 0) TD_ERR << "--sample-frequency must be positive, got " << samp_freq;
  if (WindowShift() <= 0 || WindowSize() <= 0)
    TD_ERR << "Bad frame shift/length: " << frame_shift_ms << " / " << frame_length_ms << " ms";
  if (WindowSize() < 2) TD_ERR << "Frame length too short: " << WindowSize() << " samples";
  if (preemph_coeff < 0 || preemph_coeff > 1)
    TD_ERR << "--preemphasis-coefficient must be in [0, 1], got " << preemph_coeff;
  if (dither < 0) TD_ERR << "--dither must be >= 0, got " << dither;
  static const char *kWindows[] = {"hamming", "hanning", "povey", "rectangular", "sine",
                                   "blackman"};
  bool ok = false;
  for (const char *w : kWindows) ok = ok || window_type == w;
  if (!ok) TD_ERR << "Invalid window type " << window_type;
}

std::string FrameExtractionOptions::ToString() const {
  std::ostringstream os;
  os << "samp_freq=" << samp_freq << " frame_shift_ms=" << frame_shift_ms
     << " frame_length_ms=" << frame_length_ms << " dither=" << dither
     << " preemph_coeff=" << preemph_coeff << " remove_dc_offset=" << remove_dc_offset
     << " window_type=" << window_type << " round_to_power_of_two=" << round_to_power_of_two
     << " blackman_coeff=" << blackman_coeff << " snip_edges=" << snip_edges
     << " center_pad=" << center_pad << " periodic_window=" << periodic_window
     << " preemphasis_on_signal=" << preemphasis_on_signal;
  return os.str();
}

int32 NumFrames(int64 num_samples, const FrameExtractionOptions &opts) {
  const int64 shift = opts.WindowShift(), size = opts.WindowSize();
  if (opts.center_pad) return num_samples <= 0 ? 0 : static_cast<int32>(1 + num_samples / shift);
  if (opts.snip_edges) {
    if (num_samples < size) return 0;
    return static_cast<int32>(1 + (num_samples - size) / shift);
  }
  return static_cast<int32>((num_samples + shift / 2) / shift);
}

int64 FirstSampleOfFrame(int32 f, const FrameExtractionOptions &opts) {
  const int64 shift = opts.WindowShift(), size = opts.WindowSize();
  if (opts.center_pad) return f * shift - size / 2;
  if (opts.snip_edges) return f * shift;
  return f * shift + shift / 2 - size / 2;
}

FeatureWindowFunction::FeatureWindowFunction(const FrameExtractionOptions &opts) {
  const int32 n = opts.WindowSize();
  window_.resize(n);
  const double a = 2.0 * M_PI / (opts.periodic_window ? n : n - 1);
  const std::string &t = opts.window_type;
  for (int32 i = 0; i < n; i++) {
    const double x = a * i;
    double w = 1.0;
    if (t == "hanning") w = 0.5 - 0.5 * std::cos(x);
    else if (t == "sine") w = std::sin(0.5 * x);
    else if (t == "hamming") w = 0.54 - 0.46 * std::cos(x);
    else if (t == "povey") w = std::pow(0.5 - 0.5 * std::cos(x), 0.85);
    else if (t == "rectangular") w = 1.0;
    else if (t == "blackman")
      w = opts.blackman_coeff - 0.5 * std::cos(x) + (0.5 - opts.blackman_coeff) * std::cos(2 * x);
    else TD_ERR << "Invalid window type " << t;
    window_[i] = static_cast<float>(w);
  }
}

void ExtractFrameSamples(const float *wave, int64 num_samples, int32 f,
                         const FrameExtractionOptions &opts, float *frame) {
  const int32 size = opts.WindowSize();
  const int64 start = FirstSampleOfFrame(f, opts);
  if (start >= 0 && start + size <= num_samples) {
    std::copy(wave + start, wave + start + size, frame);
    return;
  }
  TD_ASSERT(num_samples > 0);
  for (int32 i = 0; i < size; i++) {
    int64 s = start + i;
    if (opts.center_pad) {
      // torch "reflect": the edge sample is not repeated (-1 -> 1, n -> n-2).
      if (num_samples == 1) s = 0;
      while (s < 0 || s >= num_samples) s = s < 0 ? -s : 2 * (num_samples - 1) - s;
    } else {
      // Kaldi: the edge sample is repeated (-1 -> 0, n -> n-1).
      while (s < 0 || s >= num_samples) s = s < 0 ? -s - 1 : 2 * num_samples - 1 - s;
    }
    frame[i] = wave[s];
  }
}

float SumSquares(const float *x, int32 n) {
  double s0 = 0, s1 = 0;
  int32 i = 0;
  for (; i + 1 < n; i += 2) {
    s0 += double(x[i]) * x[i];
    s1 += double(x[i + 1]) * x[i + 1];
  }
  if (i < n) s0 += double(x[i]) * x[i];
  return static_cast<float>(s0 + s1);
}

void ProcessWindow(const FrameExtractionOptions &opts, const FeatureWindowFunction &window,
                   std::mt19937 *rng, float *frame, float *log_energy_pre_window) {
  const int32 n = opts.WindowSize();
  if (opts.dither != 0.0f && rng != nullptr) {
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    for (int32 i = 0; i < n; i++) frame[i] += gauss(*rng) * opts.dither;
  }
  if (opts.remove_dc_offset) {
    double s0 = 0, s1 = 0;
    int32 i = 0;
    for (; i + 1 < n; i += 2) { s0 += frame[i]; s1 += frame[i + 1]; }
    if (i < n) s0 += frame[i];
    const float mean = static_cast<float>(s0 + s1) / n;
    for (i = 0; i < n; i++) frame[i] -= mean;
  }
  if (log_energy_pre_window != nullptr) {
    const float e = std::max(SumSquares(frame, n), std::numeric_limits<float>::epsilon());
    *log_energy_pre_window = std::log(e);
  }
  const float *w = window.Window().data();
  if (opts.preemph_coeff != 0.0f && !opts.preemphasis_on_signal) {
    // Pre-emphasis (x[i] -= k x[i-1], x[0] -= k x[0]) fused with the window, reading from a
    // copy so the loop has no dependency between iterations and vectorises.
    thread_local std::vector<float> copy;
    copy.assign(frame, frame + n);
    const float k = opts.preemph_coeff;
    const float *x = copy.data();
    frame[0] = (x[0] - k * x[0]) * w[0];
    for (int32 i = 1; i < n; i++) frame[i] = (x[i] - k * x[i - 1]) * w[i];
  } else {
    for (int32 i = 0; i < n; i++) frame[i] *= w[i];
  }
}

void PreemphasizeSignal(float coeff, std::vector<float> *wave) {
  std::vector<float> &x = *wave;
  const size_t n = x.size();
  if (n == 0 || coeff == 0.0f) return;
  const float reflected = n > 1 ? x[1] : x[0];
  for (size_t i = n - 1; i > 0; i--) x[i] -= coeff * x[i - 1];
  x[0] -= coeff * reflected;
}

}  // namespace tdnas
