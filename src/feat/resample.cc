// resample.cc: see resample.h.
#include "feat/resample.h"

#include <cmath>
#include <numeric>

#include "base/log.h"

namespace tdnas {

namespace {

// Hann-windowed sinc low-pass with cut-off `cutoff` Hz, `num_zeros` zero crossings per side.
double FilterValue(double t, double cutoff, int32 num_zeros) {
  const double width = num_zeros / (2.0 * cutoff);
  if (std::fabs(t) >= width) return 0.0;
  const double window = 0.5 * (1.0 + std::cos(M_PI * t / width));
  const double x = 2.0 * M_PI * cutoff * t;
  const double sinc = x == 0.0 ? 1.0 : std::sin(x) / x;
  return window * 2.0 * cutoff * sinc;
}

struct Taps {
  int64 first;                 // first input index, relative to the block start
  std::vector<double> weights;
};

Taps MakeTaps(double t_out, double in_rate, double cutoff, int32 num_zeros) {
  const double width = num_zeros / (2.0 * cutoff);
  Taps taps;
  taps.first = static_cast<int64>(std::ceil((t_out - width) * in_rate));
  const int64 last = static_cast<int64>(std::floor((t_out + width) * in_rate));
  for (int64 j = taps.first; j <= last; j++)
    taps.weights.push_back(FilterValue(t_out - j / in_rate, cutoff, num_zeros) / in_rate);
  return taps;
}

double Apply(const Taps &taps, int64 offset, const float *in, int64 n) {
  double acc = 0;
  const int64 j0 = taps.first + offset;
  for (size_t k = 0; k < taps.weights.size(); k++) {
    const int64 j = j0 + static_cast<int64>(k);
    if (j >= 0 && j < n) acc += taps.weights[k] * in[j];
  }
  return acc;
}

}  // namespace

void ResampleWaveform(const float *in, int64 n, double in_rate, double out_rate,
                      std::vector<float> *out, int32 num_zeros) {
  if (in_rate <= 0 || out_rate <= 0) TD_ERR << "Bad resampling rates " << in_rate << " -> "
                                            << out_rate;
  const double cutoff = 0.99 * 0.5 * std::min(in_rate, out_rate);
  const int64 n_out = static_cast<int64>(std::floor(n * out_rate / in_rate));
  out->assign(std::max<int64>(n_out, 0), 0.0f);
  const bool integer_rates = in_rate == std::floor(in_rate) && out_rate == std::floor(out_rate);
  if (integer_rates) {
    // Rates in/out = P*g / Q*g: every Q output samples repeat the tap pattern, shifted by P.
    const int64 g = std::gcd(static_cast<int64>(in_rate), static_cast<int64>(out_rate));
    const int64 in_per_block = static_cast<int64>(in_rate) / g;
    const int64 out_per_block = static_cast<int64>(out_rate) / g;
    if (out_per_block <= 100000) {
      std::vector<Taps> phases(out_per_block);
      for (int64 p = 0; p < out_per_block; p++)
        phases[p] = MakeTaps(p / out_rate, in_rate, cutoff, num_zeros);
      for (int64 i = 0; i < n_out; i++) {
        const int64 block = i / out_per_block, phase = i % out_per_block;
        (*out)[i] = static_cast<float>(Apply(phases[phase], block * in_per_block, in, n));
      }
      return;
    }
  }
  for (int64 i = 0; i < n_out; i++) {
    Taps t = MakeTaps(i / out_rate, in_rate, cutoff, num_zeros);
    (*out)[i] = static_cast<float>(Apply(t, 0, in, n));
  }
}

}  // namespace tdnas
