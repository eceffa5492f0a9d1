// feature-window.cc: framing, windows and per-frame conditioning (see feature-window.h).
#include "feat/feature-window.h"

#include <cmath>
#include <limits>
#include <sstream>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/log.h"

namespace tdnas {

void FrameExtractionOptions::Register(OptionsItf *opts) {
  opts->Register("sample-frequency", &samp_freq,
                 "Rate in Hz at which features are computed; audio at another rate is an error "
                 "unless --allow-downsample or --allow-upsample lets it be resampled");
  opts->Register("frame-length", &frame_length_ms, "Length of each analysis frame in ms "
                 "(25 ms is 400 samples at 16 kHz)");
  opts->Register("frame-shift", &frame_shift_ms, "Hop between the starts of consecutive frames "
                 "in ms (10 ms gives 100 frames per second)");
  opts->Register("preemphasis-coefficient", &preemph_coeff,
                 "k in y[i] = x[i] - k*x[i-1], applied to each frame after DC removal; 0 turns "
                 "pre-emphasis off (must lie in [0, 1])");
  opts->Register("remove-dc-offset", &remove_dc_offset,
                 "Subtract each frame's average sample value before energy, pre-emphasis and "
                 "window");
  opts->Register("dither", &dither, "Standard deviation of Gaussian noise added to each sample "
                 "(in sample units, int16 scale by default), seeded per utterance so reruns "
                 "match; 0 adds none, and digitally silent frames then sit at the log floor "
                 "(see --energy-floor)");
  opts->Register("window-type", &window_type, "Frame window: hamming, hanning, povey (Hann to "
                 "the power 0.85), rectangular, sine or blackman");
  opts->Register("blackman-coeff", &blackman_coeff,
                 "a in the window a - 0.5cos(x) + (0.5 - a)cos(2x); read only with "
                 "--window-type=blackman");
  opts->Register("round-to-power-of-two", &round_to_power_of_two,
                 "Zero-pad each frame to the next power of two for the FFT (400 -> 512 "
                 "samples); false keeps the frame length as the FFT size");
  opts->Register("snip-edges", &snip_edges, "true: keep only frames lying wholly inside the "
                 "audio, 1 + (N - length) / shift of them (none if shorter than one frame); "
                 "false: N / shift frames (rounded), frame t centred at (t + 0.5) * shift, "
                 "samples beyond either end taken from the mirror image of the signal");
  opts->Register("allow-downsample", &allow_downsample,
                 "Accept audio recorded above --sample-frequency and resample it down to that "
                 "rate instead of failing");
  opts->Register("allow-upsample", &allow_upsample,
                 "Accept audio recorded below --sample-frequency and resample it up to that "
                 "rate instead of failing");
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

namespace {

// sum_i (x[i] - mean) in double (the float differences, as Kaldi computes them after the
// DC removal), or sum_i x[i] with mean = 0; `square` sums their squares instead.
double SumDouble(const float *x, int32 n, float mean, bool square) {
  int32 i = 0;
  double tail = 0;
#ifdef __SSE2__
  __m128d a0 = _mm_setzero_pd(), a1 = _mm_setzero_pd();
  const __m128 mv = _mm_set1_ps(mean);
  for (; i + 4 <= n; i += 4) {
    const __m128 v = _mm_sub_ps(_mm_loadu_ps(x + i), mv);
    __m128d lo = _mm_cvtps_pd(v), hi = _mm_cvtps_pd(_mm_movehl_ps(v, v));
    if (square) { lo = _mm_mul_pd(lo, lo); hi = _mm_mul_pd(hi, hi); }
    a0 = _mm_add_pd(a0, lo);
    a1 = _mm_add_pd(a1, hi);
  }
  double t[2];
  _mm_storeu_pd(t, _mm_add_pd(a0, a1));
  tail = t[0] + t[1];
#endif
  for (; i < n; i++) {
    const double d = x[i] - mean;
    tail += square ? d * d : d;
  }
  return tail;
}

// The conditioning after dither, from src into dst (distinct buffers, n samples): DC removal,
// raw log energy, pre-emphasis (x[i] -= k x[i-1], x[0] -= k x[0]) and the window, fused into
// one vectorised pass. The float operations are those of doing the steps one at a time.
void ConditionFrame(const FrameExtractionOptions &opts, const float *w, const float *src,
                    int32 n, float *dst, float *log_energy_pre_window) {
  const float mean = opts.remove_dc_offset ? static_cast<float>(SumDouble(src, n, 0.0f, false)) / n
                                           : 0.0f;
  if (log_energy_pre_window != nullptr) {
    const float e = std::max(static_cast<float>(SumDouble(src, n, mean, true)),
                             std::numeric_limits<float>::epsilon());
    *log_energy_pre_window = std::log(e);
  }
  const float k = (opts.preemphasis_on_signal) ? 0.0f : opts.preemph_coeff;
  if (k == 0.0f) {
    int32 i = 0;
#ifdef __SSE2__
    const __m128 mv = _mm_set1_ps(mean);
    for (; i + 4 <= n; i += 4)
      _mm_storeu_ps(dst + i, _mm_mul_ps(_mm_sub_ps(_mm_loadu_ps(src + i), mv),
                                        _mm_loadu_ps(w + i)));
#endif
    for (; i < n; i++) dst[i] = (src[i] - mean) * w[i];
    return;
  }
  const float d0 = src[0] - mean;
  dst[0] = (d0 - k * d0) * w[0];
  int32 i = 1;
#ifdef __SSE2__
  const __m128 mv = _mm_set1_ps(mean), kv = _mm_set1_ps(k);
  for (; i + 4 <= n; i += 4) {
    const __m128 cur = _mm_sub_ps(_mm_loadu_ps(src + i), mv);
    const __m128 prev = _mm_sub_ps(_mm_loadu_ps(src + i - 1), mv);
    _mm_storeu_ps(dst + i, _mm_mul_ps(_mm_sub_ps(cur, _mm_mul_ps(kv, prev)), _mm_loadu_ps(w + i)));
  }
#endif
  for (; i < n; i++) dst[i] = ((src[i] - mean) - k * (src[i - 1] - mean)) * w[i];
}

}  // namespace

void ProcessWindow(const FrameExtractionOptions &opts, const FeatureWindowFunction &window,
                   std::mt19937 *rng, float *frame, float *log_energy_pre_window) {
  const int32 n = opts.WindowSize();
  if (opts.dither != 0.0f && rng != nullptr) {
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    for (int32 i = 0; i < n; i++) frame[i] += gauss(*rng) * opts.dither;
  }
  thread_local std::vector<float> copy;
  copy.assign(frame, frame + n);
  ConditionFrame(opts, window.Window().data(), copy.data(), n, frame, log_energy_pre_window);
}

void ExtractWindow(const float *wave, int64 num_samples, int32 f,
                   const FrameExtractionOptions &opts, const FeatureWindowFunction &window,
                   std::mt19937 *rng, float *frame, float *log_energy_pre_window) {
  const int32 size = opts.WindowSize();
  const int64 start = FirstSampleOfFrame(f, opts);
  if ((opts.dither == 0.0f || rng == nullptr) && start >= 0 && start + size <= num_samples) {
    ConditionFrame(opts, window.Window().data(), wave + start, size, frame,
                   log_energy_pre_window);
    return;
  }
  ExtractFrameSamples(wave, num_samples, f, opts, frame);
  ProcessWindow(opts, window, rng, frame, log_energy_pre_window);
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
