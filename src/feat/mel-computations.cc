// mel-computations.cc: see mel-computations.h.
#include "feat/mel-computations.h"

#include <cmath>

#ifdef __SSE2__
#include <xmmintrin.h>
#endif

#include "base/log.h"

namespace tdnas {

void MelBanksOptions::Register(OptionsItf *opts) {
  opts->Register("num-mel-bins", &num_bins, "Number of triangular mel filters, i.e. the "
                 "feature dimension before any energy column (at least 3)");
  opts->Register("low-freq", &low_freq, "Lower edge in Hz of the lowest mel filter");
  opts->Register("high-freq", &high_freq, "Upper edge in Hz of the highest mel filter; 0 or "
                 "less counts down from Nyquist (0 = Nyquist, -400 = Nyquist - 400 Hz)");
  opts->Register("vtln-low", &vtln_low, "Lower knee in Hz of the piecewise-linear VTLN "
                 "frequency warp; read only when a warp factor other than 1 is used");
  opts->Register("vtln-high", &vtln_high, "Upper knee in Hz of the piecewise-linear VTLN "
                 "frequency warp; a negative value counts down from Nyquist");
  opts->Register("mel-style", &mel_style, "(tdnas) \"kaldi\": triangles linear in mel over bins "
                 "[0, n/2); \"torchaudio\": triangles linear in Hz over bins [0, n/2] "
                 "(torchaudio.functional.melscale_fbanks, mel_scale=htk, norm=None)");
}

float MelScale(float freq) { return 1127.0f * logf(1.0f + freq / 700.0f); }
float InverseMelScale(float mel) { return 700.0f * (expf(mel / 1127.0f) - 1.0f); }

float VtlnWarpFreq(float vtln_low_cutoff, float vtln_high_cutoff, float low_freq,
                   float high_freq, float vtln_warp_factor, float freq) {
  // Piecewise linear: identity scaled by 1/warp in the middle, with straight segments to
  // (low_freq, low_freq) and (high_freq, high_freq) so the ends stay fixed.
  if (freq < low_freq || freq > high_freq) return freq;
  TD_ASSERT(vtln_low_cutoff > low_freq);
  TD_ASSERT(vtln_high_cutoff < high_freq);
  const float one = 1.0f;
  const float l = vtln_low_cutoff * std::max(one, vtln_warp_factor);
  const float h = vtln_high_cutoff * std::min(one, vtln_warp_factor);
  const float scale = 1.0f / vtln_warp_factor;
  const float fl = scale * l, fh = scale * h;
  TD_ASSERT(l > low_freq && h < high_freq);
  if (freq < l) {
    const float scale_left = (fl - low_freq) / (l - low_freq);
    return low_freq + scale_left * (freq - low_freq);
  } else if (freq < h) {
    return scale * freq;
  }
  const float scale_right = (high_freq - fh) / (high_freq - h);
  return high_freq + scale_right * (freq - high_freq);
}

float VtlnWarpMelFreq(float vtln_low_cutoff, float vtln_high_cutoff, float low_freq,
                      float high_freq, float vtln_warp_factor, float mel_freq) {
  return MelScale(VtlnWarpFreq(vtln_low_cutoff, vtln_high_cutoff, low_freq, high_freq,
                               vtln_warp_factor, InverseMelScale(mel_freq)));
}

MelBanks::MelBanks(const MelBanksOptions &opts, const FrameExtractionOptions &frame_opts,
                   float vtln_warp_factor) {
  const int32 num_bins = opts.num_bins;
  if (num_bins < 3) TD_ERR << "Must have at least 3 mel bins";
  const float sample_freq = frame_opts.samp_freq;
  const int32 window_length_padded = frame_opts.PaddedWindowSize();
  const int32 num_fft_bins = window_length_padded / 2;
  const float nyquist = 0.5f * sample_freq;
  const float low_freq = opts.low_freq;
  const float high_freq = opts.high_freq > 0.0f ? opts.high_freq : nyquist + opts.high_freq;
  if (low_freq < 0.0f || low_freq >= nyquist || high_freq <= 0.0f || high_freq > nyquist ||
      high_freq <= low_freq)
    TD_ERR << "Bad values in options: low-freq " << low_freq << " and high-freq " << high_freq
           << " vs. nyquist " << nyquist;

  if (opts.mel_style == "torchaudio") {
    if (vtln_warp_factor != 1.0f) TD_ERR << "VTLN is not supported with --mel-style=torchaudio";
    // Triangles in Hz between mel-spaced corner frequencies, over bins 0..n/2.
    auto mel = [](double f) { return 2595.0 * std::log10(1.0 + f / 700.0); };
    auto hz = [](double m) { return 700.0 * (std::pow(10.0, m / 2595.0) - 1.0); };
    const double mlow = mel(low_freq), mhigh = mel(high_freq);
    std::vector<double> f_pts(num_bins + 2);
    for (int32 i = 0; i < num_bins + 2; i++)
      f_pts[i] = hz(mlow + (mhigh - mlow) * i / (num_bins + 1));
    const int32 n_freqs = num_fft_bins + 1;
    for (int32 b = 0; b < num_bins; b++) {
      std::vector<float> w(n_freqs, 0.0f);
      int32 first = -1, last = -1;
      for (int32 i = 0; i < n_freqs; i++) {
        const double f = nyquist * double(i) / (n_freqs - 1);
        const double down = (f - f_pts[b]) / (f_pts[b + 1] - f_pts[b]);
        const double up = (f_pts[b + 2] - f) / (f_pts[b + 2] - f_pts[b + 1]);
        const double v = std::max(0.0, std::min(down, up));
        if (v > 0) {
          if (first < 0) first = i;
          last = i;
          w[i] = static_cast<float>(v);
        }
      }
      if (first < 0) TD_ERR << "Mel bin " << b << " is empty: too many mel bins (" << num_bins
                            << ") for FFT size " << window_length_padded << "?";
      bins_.emplace_back(first, std::vector<float>(w.begin() + first, w.begin() + last + 1));
    }
    Pack();
    return;
  }
  if (opts.mel_style != "kaldi") TD_ERR << "Unknown --mel-style " << opts.mel_style;

  const float fft_bin_width = sample_freq / window_length_padded;
  const float mel_low_freq = MelScale(low_freq), mel_high_freq = MelScale(high_freq);
  const float mel_freq_delta = (mel_high_freq - mel_low_freq) / (num_bins + 1);
  const float vtln_low = opts.vtln_low;
  const float vtln_high = opts.vtln_high < 0.0f ? opts.vtln_high + nyquist : opts.vtln_high;
  if (vtln_warp_factor != 1.0f &&
      (vtln_low < 0.0f || vtln_low <= low_freq || vtln_low >= high_freq || vtln_high <= 0.0f ||
       vtln_high >= high_freq || vtln_high <= vtln_low))
    TD_ERR << "Bad values in options: vtln-low " << vtln_low << " and vtln-high " << vtln_high
           << ", versus low-freq " << low_freq << " and high-freq " << high_freq;
  for (int32 bin = 0; bin < num_bins; bin++) {
    float left_mel = mel_low_freq + bin * mel_freq_delta;
    float center_mel = mel_low_freq + (bin + 1) * mel_freq_delta;
    float right_mel = mel_low_freq + (bin + 2) * mel_freq_delta;
    if (vtln_warp_factor != 1.0f) {
      left_mel = VtlnWarpMelFreq(vtln_low, vtln_high, low_freq, high_freq, vtln_warp_factor,
                                 left_mel);
      center_mel = VtlnWarpMelFreq(vtln_low, vtln_high, low_freq, high_freq, vtln_warp_factor,
                                   center_mel);
      right_mel = VtlnWarpMelFreq(vtln_low, vtln_high, low_freq, high_freq, vtln_warp_factor,
                                  right_mel);
    }
    std::vector<float> w(num_fft_bins, 0.0f);
    int32 first = -1, last = -1;
    for (int32 i = 0; i < num_fft_bins; i++) {
      const float freq = fft_bin_width * i;
      const float mel = MelScale(freq);
      if (mel > left_mel && mel < right_mel) {
        const float weight = mel <= center_mel ? (mel - left_mel) / (center_mel - left_mel)
                                               : (right_mel - mel) / (right_mel - center_mel);
        w[i] = weight;
        if (first == -1) first = i;
        last = i;
      }
    }
    if (first == -1 || last < first)
      TD_ERR << "You may have set --num-mel-bins too large (" << num_bins << "): mel bin "
             << bin << " is empty";
    bins_.emplace_back(first, std::vector<float>(w.begin() + first, w.begin() + last + 1));
  }
  Pack();
}

void MelBanks::Pack() {
  for (const auto &bin : bins_) {
    const int32 first = bin.first, last = first + static_cast<int32>(bin.second.size());
    const int32 start = first & ~3, end = (last + 3) & ~3;
    start_.push_back(start);
    len_.push_back(end - start);
    offset_.push_back(static_cast<int32>(packed_.size()));
    packed_.resize(packed_.size() + (end - start), 0.0f);
    std::copy(bin.second.begin(), bin.second.end(), packed_.end() - (end - first));
    power_size_ = std::max(power_size_, end);
  }
}

void MelBanks::Compute(const float *power, float *out) const {
  const int32 nb = NumBins();
  for (int32 b = 0; b < nb; b++) {
    const float *p = power + start_[b];
    const float *w = packed_.data() + offset_[b];
    const int32 len = len_[b];
#ifdef __SSE2__
    __m128 acc = _mm_setzero_ps();
    for (int32 i = 0; i < len; i += 4)
      acc = _mm_add_ps(acc, _mm_mul_ps(_mm_loadu_ps(w + i), _mm_loadu_ps(p + i)));
    // (a0 + a2) + (a1 + a3)
    acc = _mm_add_ps(acc, _mm_movehl_ps(acc, acc));
    acc = _mm_add_ss(acc, _mm_shuffle_ps(acc, acc, 1));
    out[b] = _mm_cvtss_f32(acc);
#else
    float s[4] = {0, 0, 0, 0};
    for (int32 i = 0; i < len; i++) s[i & 3] += w[i] * p[i];
    out[b] = (s[0] + s[2]) + (s[1] + s[3]);
#endif
  }
}

}  // namespace tdnas
