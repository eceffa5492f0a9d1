// real-fft-test.cc: RealFft (fast power-of-two path, scalar and SSE, and general mixed-radix
// path), SplitRadixFft (Kaldi's rounding; its agreement with Kaldi itself is checked by
// fbank-golden-test), the window functions, the fused frame conditioning and the mel banks against
// independent float64 references (a direct O(n^2) DFT, the window formulas written out here,
// the step-by-step conditioning, dense dot products in double).
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <random>
#include <vector>

#include "feat/feature-window.h"
#include "feat/mel-computations.h"
#include "feat/real-fft.h"
#include "feat/split-radix-fft.h"

namespace tdnas {
namespace {

std::vector<std::complex<double>> DirectDft(const std::vector<float> &x) {
  const size_t n = x.size();
  std::vector<std::complex<double>> out(n / 2 + 1);
  for (size_t k = 0; k <= n / 2; k++) {
    std::complex<double> acc = 0;
    for (size_t t = 0; t < n; t++)
      acc += double(x[t]) * std::polar(1.0, -2.0 * M_PI * double((k * t) % n) / n);
    out[k] = acc;
  }
  return out;
}

// Max |X - X_ref| relative to max |X_ref|, for Fft = RealFft or SplitRadixFft.
template <class Fft = RealFft>
double RelativeError(int32 n, uint32 seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, 1000.0f);
  std::vector<float> x(n);
  for (float &v : x) v = g(rng);
  Fft fft(n);
  std::vector<float> re(fft.NumBins()), im(fft.NumBins()), pw(fft.NumBins());
  fft.Forward(x.data(), re.data(), im.data());
  fft.PowerSpectrum(x.data(), pw.data());
  auto ref = DirectDft(x);
  double max_ref = 0, max_err = 0;
  for (int32 k = 0; k < fft.NumBins(); k++) {
    max_ref = std::max(max_ref, std::abs(ref[k]));
    max_err = std::max(max_err, std::abs(ref[k] - std::complex<double>(re[k], im[k])));
    EXPECT_NEAR(pw[k], double(re[k]) * re[k] + double(im[k]) * im[k],
                1e-5 * (double(re[k]) * re[k] + double(im[k]) * im[k]) + 1e-3);
  }
  return max_err / max_ref;
}

TEST(RealFft, PowerOfTwoMatchesDirectDft) {
  for (int32 n : {4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048}) {
    RealFft f(n);
    EXPECT_TRUE(f.IsFastPath());
    double e = RelativeError(n, n);
    EXPECT_LT(e, 2e-6) << "n=" << n;
  }
}

TEST(RealFft, GeneralSizesMatchDirectDft) {
  for (int32 n : {1, 2, 3, 5, 6, 7, 12, 97, 200, 240, 400, 441, 551, 1000, 1024 + 3}) {
    RealFft f(n);
    EXPECT_FALSE(f.IsFastPath()) << n;
    double e = RelativeError(n, n + 7);
    EXPECT_LT(e, 1e-6) << "n=" << n;
  }
}

// The split-radix FFT's error grows with n faster than a table-driven FFT's: its unpacking
// twiddles W_n^k come from a float recurrence over k = 1..n/4 (as in Kaldi).
TEST(SplitRadixFft, MatchesDirectDft) {
  for (int32 n = 2; n <= 4096; n *= 2) {
    const double e = RelativeError<SplitRadixFft>(n, n + 11);
    const double bound = n <= 512 ? 2e-6 : 1e-6 * n / 256;
    EXPECT_LT(e, bound) << "n=" << n;
    std::printf("SplitRadixFft n=%-5d max |X - DFT| / max |DFT| = %.3g\n", n, e);
  }
  EXPECT_THROW(SplitRadixFft(400), FatalError);
  EXPECT_THROW(SplitRadixFft(1), FatalError);
}

// PowerSpectrum is exactly re^2 + im^2 of Forward, in float; the input is not modified.
TEST(SplitRadixFft, PowerSpectrumEqualsForward) {
  for (int32 n : {2, 4, 8, 16, 32, 64, 512, 1024}) {
    std::mt19937 rng(n);
    std::normal_distribution<float> g(0.0f, 100.0f);
    std::vector<float> x(n);
    for (float &v : x) v = g(rng);
    const std::vector<float> copy = x;
    SplitRadixFft fft(n);
    std::vector<float> re(fft.NumBins()), im(fft.NumBins()), pw(fft.NumBins());
    fft.Forward(x.data(), re.data(), im.data());
    fft.PowerSpectrum(x.data(), pw.data());
    EXPECT_EQ(x, copy);
    EXPECT_EQ(im[0], 0.0f);
    EXPECT_EQ(im[n / 2], 0.0f);
    for (int32 k = 0; k < fft.NumBins(); k++)
      EXPECT_EQ(pw[k], re[k] * re[k] + im[k] * im[k]) << "n=" << n << " k=" << k;
  }
}

TEST(FeatureWindow, EveryTypeMatchesFormula) {
  for (bool periodic : {false, true}) {
    for (const char *type : {"hamming", "hanning", "povey", "rectangular", "sine", "blackman"}) {
      FrameExtractionOptions o;
      o.window_type = type;
      o.periodic_window = periodic;
      FeatureWindowFunction w(o);
      const int32 n = o.WindowSize();
      ASSERT_EQ(static_cast<int32>(w.Window().size()), n);
      const double N = periodic ? n : n - 1;
      for (int32 i = 0; i < n; i++) {
        const double c = std::cos(2 * M_PI * i / N), c2 = std::cos(4 * M_PI * i / N);
        double ref = 0;
        std::string t = type;
        if (t == "hamming") ref = 0.54 - 0.46 * c;
        if (t == "hanning") ref = 0.5 - 0.5 * c;
        if (t == "povey") ref = std::pow(0.5 - 0.5 * c, 0.85);
        if (t == "rectangular") ref = 1;
        if (t == "sine") ref = std::sin(M_PI * i / N);
        if (t == "blackman") ref = 0.42 - 0.5 * c + 0.08 * c2;
        EXPECT_NEAR(w.Window()[i], ref, 1e-7) << type << " " << i;
      }
    }
  }
}

TEST(FeatureWindow, FrameCountsAndReflection) {
  FrameExtractionOptions o;
  EXPECT_EQ(NumFrames(399, o), 0);
  EXPECT_EQ(NumFrames(400, o), 1);
  EXPECT_EQ(NumFrames(16000, o), 98);
  o.snip_edges = false;
  EXPECT_EQ(NumFrames(399, o), 2);
  EXPECT_EQ(NumFrames(400, o), 3);
  o.center_pad = true;
  EXPECT_EQ(NumFrames(48000, o), 301);
  // Kaldi reflection repeats the edge sample; torch's does not.
  std::vector<float> wave(1000);
  for (int i = 0; i < 1000; i++) wave[i] = i;
  std::vector<float> frame(400);
  o.center_pad = false;
  ExtractFrameSamples(wave.data(), 1000, 0, o, frame.data());  // starts at 80 - 200 = -120
  EXPECT_EQ(frame[119], 0.0f);  // index -1 -> 0
  EXPECT_EQ(frame[118], 1.0f);  // index -2 -> 1
  o.center_pad = true;
  ExtractFrameSamples(wave.data(), 1000, 0, o, frame.data());  // starts at -200
  EXPECT_EQ(frame[199], 1.0f);  // index -1 -> 1
  EXPECT_EQ(frame[200], 0.0f);
}

// PowerSpectrum (its own vectorised post-processing) against |DFT|^2 in double.
TEST(RealFft, PowerSpectrumMatchesDirectDft) {
  for (int32 n : {4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048}) {
    std::mt19937 rng(n + 1);
    std::normal_distribution<float> g(0.0f, 1000.0f);
    std::vector<float> x(n);
    for (float &v : x) v = g(rng);
    RealFft fft(n);
    std::vector<float> pw(fft.NumBins());
    fft.PowerSpectrum(x.data(), pw.data());
    auto ref = DirectDft(x);
    double max_ref = 0;
    for (auto &c : ref) max_ref = std::max(max_ref, std::norm(c));
    for (int32 k = 0; k < fft.NumBins(); k++)
      EXPECT_NEAR(pw[k], std::norm(ref[k]), 4e-6 * max_ref) << "n=" << n << " k=" << k;
  }
}

// ExtractWindow (fused, straight from the wave) gives exactly what ExtractFrameSamples +
// ProcessWindow give, for every combination that changes the fused pass.
TEST(FeatureWindow, ExtractWindowEqualsStepByStep) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> u(-32768, 32767);
  std::vector<float> wave(4000);
  for (float &v : wave) v = static_cast<float>(u(rng)) + 0.25f * (u(rng) % 4);
  for (int32 variant = 0; variant < 16; variant++) {
    FrameExtractionOptions o;
    o.dither = 0.0f;
    o.remove_dc_offset = variant & 1;
    o.preemph_coeff = (variant & 2) ? 0.0f : 0.97f;
    o.snip_edges = !(variant & 4);
    o.window_type = (variant & 8) ? "hamming" : "povey";
    o.frame_length_ms = (variant & 8) ? 25.3f : 25.0f;  // 404 samples: a scalar tail
    FeatureWindowFunction w(o);
    const int32 size = o.WindowSize();
    std::vector<float> a(size), b(size);
    for (int32 f = 0; f < NumFrames(4000, o); f++) {
      float ea = 0, eb = 0;
      ExtractWindow(wave.data(), 4000, f, o, w, nullptr, a.data(), &ea);
      ExtractFrameSamples(wave.data(), 4000, f, o, b.data());
      // Step by step: DC removal, energy, pre-emphasis backwards, window.
      double sum = 0;
      for (int32 i = 0; i < size; i++) sum += b[i];
      const float mean = o.remove_dc_offset ? static_cast<float>(sum) / size : 0.0f;
      if (o.remove_dc_offset) for (int32 i = 0; i < size; i++) b[i] -= mean;
      double e = 0;
      for (int32 i = 0; i < size; i++) e += double(b[i]) * b[i];
      eb = std::log(std::max(static_cast<float>(e), 1.1920929e-07f));
      for (int32 i = size - 1; i > 0; i--) b[i] -= o.preemph_coeff * b[i - 1];
      b[0] -= o.preemph_coeff * b[0];
      for (int32 i = 0; i < size; i++) b[i] *= w.Window()[i];
      ASSERT_EQ(ea, eb) << "variant " << variant << " frame " << f;
      for (int32 i = 0; i < size; i++)
        ASSERT_EQ(a[i], b[i]) << "variant " << variant << " frame " << f << " i " << i;
    }
  }
}

// MelBanks::Compute (4-aligned SSE dot products) against dense dot products in double.
TEST(MelBanks, ComputeMatchesDenseDotProducts) {
  for (const char *style : {"kaldi", "torchaudio"}) {
    for (int32 bins : {23, 80}) {
      FrameExtractionOptions fo;
      MelBanksOptions mo(bins);
      mo.mel_style = style;
      if (std::string(style) == "torchaudio") mo.high_freq = 7600;
      MelBanks banks(mo, fo, 1.0f);
      const int32 nfft = fo.PaddedWindowSize() / 2 + 1;
      std::vector<float> power(std::max(nfft, banks.PowerSize()), 0.0f), out(bins);
      std::mt19937 rng(bins);
      std::uniform_real_distribution<float> u(0.0f, 1e6f);
      for (int32 k = 0; k < nfft; k++) power[k] = u(rng);
      banks.Compute(power.data(), out.data());
      for (int32 b = 0; b < bins; b++) {
        const auto &bin = banks.Bins()[b];
        double ref = 0;
        for (size_t i = 0; i < bin.second.size(); i++)
          ref += double(bin.second[i]) * power[bin.first + i];
        EXPECT_NEAR(out[b], ref, 1e-6 * ref) << style << " bin " << b;
      }
    }
  }
}

}  // namespace
}  // namespace tdnas
