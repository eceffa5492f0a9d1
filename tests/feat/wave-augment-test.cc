// wave-augment-test.cc: the augmentations against independent references: SNR measured in
// double on (output - clean) vs clean, reverberation vs a direct convolution in double, unit
// impulse and speed 1 as identities, pitch kept by tempo and scaled by speed (zero-crossing
// rate of a sine), reproducibility per (seed, key).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "feat/wave-augment.h"

namespace tdnas {
namespace {

// 10 log10(mean((x/32768)^2) + 1e-4), written out independently of the library.
double PowerDb(const std::vector<double> &x) {
  double s = 0;
  for (double v : x) s += (v / 32768.0) * (v / 32768.0);
  return 10.0 * std::log10(s / x.size() + 1e-4);
}

std::vector<float> Gaussian(int64 n, double sd, uint32 seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> g(0.0, sd);
  std::vector<float> x(n);
  for (float &v : x) v = static_cast<float>(g(rng));
  return x;
}

std::vector<float> Sine(int64 n, double freq, double rate, double amp) {
  std::vector<float> x(n);
  for (int64 i = 0; i < n; i++) x[i] = static_cast<float>(amp * std::sin(2 * M_PI * freq * i / rate));
  return x;
}

// Zero crossings per second over the middle 80% (the frequency of a sine is half of it).
double CrossingRate(const std::vector<float> &x, double rate) {
  const size_t a = x.size() / 10, b = x.size() - x.size() / 10;
  int64 crossings = 0;
  for (size_t i = a + 1; i < b; i++) crossings += (x[i - 1] < 0) != (x[i] < 0);
  return crossings * rate / (b - a);
}

// The SNR actually achieved: 10 log10(P_clean / P_added), true powers (no 1e-4 floor).
double MeasuredSnr(const std::vector<float> &clean, const std::vector<float> &out) {
  double pc = 0, pn = 0;
  for (size_t i = 0; i < out.size(); i++) {
    const double d = double(out[i]) - clean[i];
    pc += double(clean[i]) * clean[i];
    pn += d * d;
  }
  return 10.0 * std::log10(pc / pn);
}

// Writes 16-bit WAV files and a wav.scp-style list of them into a temporary directory.
class TempLists {
 public:
  TempLists() {
    char tmpl[] = "/tmp/wave-augment-test.XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~TempLists() { std::system(("rm -rf " + dir_).c_str()); }
  std::string List(const std::string &name, const std::vector<std::vector<float>> &files) {
    const std::string list = dir_ + "/" + name + ".scp";
    std::ofstream scp(list);
    for (size_t i = 0; i < files.size(); i++) {
      const std::string path = dir_ + "/" + name + std::to_string(i) + ".wav";
      Matrix<float> m(1, static_cast<int32>(files[i].size()));
      std::copy(files[i].begin(), files[i].end(), m.RowData(0));
      std::ofstream os(path, std::ios::binary);
      WaveData(16000, m).Write(os);
      scp << name << i << " " << path << "\n";
    }
    return list;
  }
 private:
  std::string dir_;
};

double SnrFromDescription(const std::string &desc) {
  const size_t p = desc.find("snr=");
  EXPECT_NE(p, std::string::npos) << desc;
  return std::atof(desc.c_str() + p + 4);
}

// The reference's gain, sqrt(10^((clean_db - noise_db - snr) / 10)) with the 1e-4 floor in
// both levels, on a quiet noise (where the floor matters) and a repeated one.
TEST(WaveAugment, AddNoiseUsesReferenceFormula) {
  const std::vector<float> clean = Gaussian(16000, 3000, 1);
  const std::vector<float> noise = Gaussian(4000, 300, 2);
  const double snr = 7.5;
  std::vector<float> out = clean;
  AddNoiseAtSnr(noise, 123, snr, &out);
  std::vector<double> c(clean.begin(), clean.end()), part(clean.size());
  for (size_t i = 0; i < part.size(); i++) part[i] = noise[(123 + i) % noise.size()];
  const double gain = std::sqrt(std::pow(10.0, (PowerDb(c) - PowerDb(part) - snr) / 10.0));
  for (size_t i = 0; i < out.size(); i++) ASSERT_NEAR(out[i], clean[i] + gain * part[i], 1e-2);
}

// With levels above about -25 dBFS (typical speech and MUSAN files) the floor is negligible:
// the true SNR of (output - clean) vs clean is within 0.1 dB of the requested one.
TEST(WaveAugment, AddNoiseAtSnrIsAccurate) {
  const std::vector<float> clean = Gaussian(16000, 4000, 1);  // -18 dBFS
  for (double snr : {0.0, 5.0, 13.7, 20.0}) {
    for (int64 noise_len : {4000, 40000}) {  // repeated, and longer than the signal
      std::vector<float> out = clean;
      AddNoiseAtSnr(Gaussian(noise_len, 3000, 2), 123, snr, &out);
      EXPECT_NEAR(MeasuredSnr(clean, out), snr, 0.1) << snr << " " << noise_len;
    }
  }
}

TEST(WaveAugment, NoiseMusicBabbleSnrWithinRangeAndAccurate) {
  TempLists t;
  WaveAugmentOptions o;
  o.noise_list = t.List("noise", {Gaussian(8000, 4000, 3), Gaussian(30000, 3000, 4)});
  o.music_list = t.List("music", {Sine(20000, 440, 16000, 6000)});
  o.babble_list = t.List("speech", {Gaussian(9000, 2000, 5), Gaussian(17000, 1500, 6),
                                    Gaussian(12000, 3000, 7), Gaussian(20000, 2500, 8)});
  WaveAugmenter aug(o);
  EXPECT_EQ(aug.Choices().size(), 7u);  // no --rir-list: reverb left out
  const std::vector<float> clean = Gaussian(24000, 4000, 9);
  struct Case { const char *choice; double lo, hi; };
  for (const Case &c : {Case{"noise", 0, 15}, Case{"music", 5, 15}, Case{"babble", 13, 20}}) {
    for (int u = 0; u < 5; u++) {
      std::vector<float> out;
      std::string desc;
      const std::string key = "utt" + std::to_string(u);
      aug.Apply(c.choice, key, clean, 16000, &out, &desc);
      ASSERT_EQ(out.size(), clean.size());
      const double snr = SnrFromDescription(desc);
      EXPECT_GE(snr, c.lo); EXPECT_LE(snr, c.hi);
      // The noise went through 16-bit WAV files; the SNR is still within 0.1 dB.
      EXPECT_NEAR(MeasuredSnr(clean, out), snr, 0.1) << desc;
      if (std::string(c.choice) == "babble") {
        const std::string files = desc.substr(desc.find("files=") + 6);
        const int64 count = std::count(files.begin(), files.begin() + files.find(' '), ',') + 1;
        EXPECT_GE(count, 3); EXPECT_LE(count, 7);
      }
    }
  }
}

TEST(WaveAugment, UnitImpulseRirIsIdentity) {
  const std::vector<float> x = Gaussian(5000, 3000, 10);
  for (bool shift : {false, true}) {
    for (const std::vector<float> &rir : {std::vector<float>{1.0f}, std::vector<float>{-2.5f},
                                          std::vector<float>{0, 0, 0.7f, 0, 0}}) {
      if (!shift && rir.size() > 1) continue;  // delayed impulse: identity only at the peak
      std::vector<float> y = x;
      Reverberate(rir, shift, &y);
      ASSERT_EQ(y.size(), x.size());
      const double sign = rir[rir.size() / 2 * (rir.size() > 1)] < 0 ? -1 : 1;
      for (size_t i = 0; i < x.size(); i++) ASSERT_NEAR(y[i], sign * x[i], 1e-3) << i;
    }
  }
}

TEST(WaveAugment, ReverberateMatchesDirectConvolution) {
  const std::vector<float> x = Gaussian(3000, 3000, 11);
  std::vector<float> rir = Gaussian(700, 1.0, 12);
  for (size_t i = 0; i < rir.size(); i++) rir[i] *= std::exp(-0.01 * i);
  double norm = 0;
  for (float v : rir) norm += double(v) * v;
  norm = std::sqrt(norm);
  for (bool shift : {false, true}) {
    size_t peak = 0;
    for (size_t i = 0; i < rir.size(); i++) if (std::fabs(rir[i]) > std::fabs(rir[peak])) peak = i;
    const size_t s = shift ? peak : 0;
    std::vector<float> y = x;
    Reverberate(rir, shift, &y);
    for (size_t i = 0; i < x.size(); i++) {
      double ref = 0;
      for (size_t j = 0; j < rir.size(); j++)
        if (i + s >= j && i + s - j < x.size()) ref += double(x[i + s - j]) * rir[j] / norm;
      ASSERT_NEAR(y[i], ref, 1e-2) << i;
    }
  }
}

// Random signals and RIRs of many lengths (odd, tiny, RIR longer than the signal, crop-like
// 32400 x 8000) against a direct time-domain convolution in double: the largest error is
// below 1e-6 of the largest output magnitude (float output rounding is ~6e-8).
TEST(WaveAugment, ReverberateRandomSizesRelativeError) {
  std::mt19937 rng(21);
  struct Size { int64 n, l; };
  for (const Size &sz : {Size{1, 1}, Size{2, 1}, Size{1, 3}, Size{7, 5}, Size{33, 100},
                         Size{1000, 1}, Size{1001, 999}, Size{4097, 513}, Size{32400, 8000}}) {
    const std::vector<float> x = Gaussian(sz.n, 3000, rng());
    std::vector<float> rir = Gaussian(sz.l, 1.0, rng());
    for (int64 i = 0; i < sz.l; i++) rir[i] *= std::exp(-3.0 * i / sz.l);
    double norm = 0;
    size_t peak = 0;
    for (size_t i = 0; i < rir.size(); i++) {
      norm += double(rir[i]) * rir[i];
      if (std::fabs(rir[i]) > std::fabs(rir[peak])) peak = i;
    }
    norm = std::sqrt(norm);
    for (bool shift : {false, true}) {
      const int64 s = shift ? static_cast<int64>(peak) : 0;
      std::vector<float> y = x;
      Reverberate(rir, shift, &y);
      ASSERT_EQ(y.size(), x.size());
      std::vector<double> ref(sz.n, 0.0);
      double max_ref = 0, max_err = 0;
      for (int64 i = 0; i < sz.n; i++) {
        const int64 t = i + s;  // full-convolution index
        for (int64 j = std::max<int64>(0, t - sz.n + 1); j <= std::min<int64>(t, sz.l - 1); j++)
          ref[i] += double(x[t - j]) * (double(rir[j]) / norm);
        max_ref = std::max(max_ref, std::fabs(ref[i]));
      }
      for (int64 i = 0; i < sz.n; i++) max_err = std::max(max_err, std::fabs(y[i] - ref[i]));
      EXPECT_LE(max_err, 1e-6 * max_ref + 1e-9) << sz.n << "x" << sz.l << " shift " << shift;
    }
  }
}

// The augmenter's cached path (decoded RIRs, RIR spectra, decoded noise kept between calls)
// gives bit-identical output to decoding every time (--cache-mb=0) and to Reverberate() on
// the RIR read from the list, on the same seed and keys, including repeated (cache-hit) keys.
TEST(WaveAugment, CachedEqualsUncached) {
  TempLists t;
  WaveAugmentOptions o;
  std::vector<float> r1 = Gaussian(800, 3000, 31), r2 = Gaussian(2001, 2000, 32);
  for (size_t i = 0; i < r1.size(); i++) r1[i] *= std::exp(-0.005 * i);
  for (size_t i = 0; i < r2.size(); i++) r2[i] *= std::exp(-0.002 * i);
  o.rir_list = t.List("rir", {r1, r2});
  o.noise_list = t.List("noise", {Gaussian(8000, 4000, 33), Gaussian(30000, 3000, 34)});
  o.babble_list = t.List("speech", {Gaussian(9000, 2000, 35), Gaussian(17000, 1500, 36),
                                    Gaussian(12000, 3000, 37)});
  for (bool shift : {false, true}) {
    o.rir_shift_to_peak = shift;
    WaveAugmentOptions uncached = o;
    uncached.cache_mb = 0;
    WaveAugmenter cached_aug(o), uncached_aug(uncached);
    AudioList rirs(o.rir_list);
    for (int pass = 0; pass < 2; pass++) {
      for (int u = 0; u < 6; u++) {
        const std::vector<float> clean = Gaussian(5000 + 1000 * (u % 2), 3000, 40 + u);
        const std::string key = "utt" + std::to_string(u);
        for (const char *choice : {"reverb", "noise", "babble"}) {
          std::vector<float> a, b;
          std::string da, db;
          cached_aug.Apply(choice, key, clean, 16000, &a, &da);
          uncached_aug.Apply(choice, key, clean, 16000, &b, &db);
          ASSERT_EQ(da, db);
          ASSERT_EQ(a, b) << choice << " " << key << " pass " << pass;
          if (std::string(choice) == "reverb") {
            const std::string name = da.substr(da.find("rir=") + 4);
            std::vector<float> rir, c = clean;
            rirs.Read(name == "rir0" ? 0 : 1, 16000, &rir);
            Reverberate(rir, shift, &c);
            ASSERT_EQ(a, c) << key;
          }
        }
      }
    }
  }
}

TEST(WaveAugment, SpeedAndTempo) {
  const double rate = 16000;
  const std::vector<float> x = Sine(32000, 300, rate, 10000);
  std::vector<float> y;
  SpeedPerturb(x, 1.0, rate, &y);
  EXPECT_EQ(y, x);  // speed 1 is the identity
  for (double f : {0.9, 1.1}) {
    SpeedPerturb(x, f, rate, &y);
    EXPECT_EQ(y.size(), static_cast<size_t>(std::floor(x.size() / f)));
    EXPECT_NEAR(CrossingRate(y, rate) / 2, 300 * f, 300 * f * 0.01) << f;  // pitch scaled
  }
  for (double f : {0.8, 0.9, 1.1, 1.2}) {
    TempoPerturb(x, f, rate, &y);
    EXPECT_EQ(y.size(), static_cast<size_t>(std::floor(x.size() / f)));
    EXPECT_NEAR(CrossingRate(y, rate) / 2, 300, 300 * 0.02) << f;  // pitch kept
    // A steady sine stays a steady sine: the level of the middle part is unchanged.
    double e = 0;
    for (size_t i = y.size() / 10; i < y.size() * 9 / 10; i++) e += double(y[i]) * y[i];
    EXPECT_NEAR(std::sqrt(e / (y.size() * 0.8)), 10000 / std::sqrt(2.0), 10000 * 0.05) << f;
  }
}

TEST(WaveAugment, CompandReducesDynamicRange) {
  std::vector<float> x = Sine(16000, 200, 16000, 300);  // quiet, then loud
  const std::vector<float> loud = Sine(16000, 200, 16000, 30000);
  x.insert(x.end(), loud.begin(), loud.end());
  std::vector<float> y = x;
  Compand(16000, &y);
  auto rms = [](const std::vector<float> &v, size_t a, size_t b) {
    double e = 0;
    for (size_t i = a; i < b; i++) e += double(v[i]) * v[i];
    return std::sqrt(e / (b - a));
  };
  const double ratio_in = rms(x, 20000, 30000) / rms(x, 4000, 14000);
  const double ratio_out = rms(y, 20000, 30000) / rms(y, 4000, 14000);
  EXPECT_LT(ratio_out, ratio_in / 4);
}

TEST(WaveAugment, ReproducibleAndKeyDependent) {
  TempLists t;
  WaveAugmentOptions o;
  o.noise_list = t.List("noise", {Gaussian(8000, 2000, 3), Gaussian(30000, 500, 4)});
  o.rir_list = t.List("rir", {Gaussian(300, 1.0, 13)});
  o.aug_choices = "noise,reverb,speed,tempo-up,compand";
  Matrix<float> m(1, 12000);
  const std::vector<float> clean = Gaussian(12000, 3000, 14);
  std::copy(clean.begin(), clean.end(), m.RowData(0));
  const WaveData in(16000, m);
  WaveAugmenter a(o), b(o);
  std::vector<std::string> descs;
  for (int u = 0; u < 20; u++) {
    const std::string key = "spk1-utt" + std::to_string(u);
    WaveData x, y;
    std::string dx, dy;
    a.Augment(key, in, &x, &dx);
    b.Augment(key, in, &y, &dy);  // another instance, other calls in between
    EXPECT_EQ(dx, dy);
    ASSERT_EQ(x.NumSamples(), y.NumSamples());
    for (int64 i = 0; i < x.NumSamples(); i++) ASSERT_EQ(x.Data()(0, i), y.Data()(0, i));
    descs.push_back(dx);
  }
  std::sort(descs.begin(), descs.end());
  EXPECT_GT(std::unique(descs.begin(), descs.end()) - descs.begin(), 10);  // keys differ
  WaveAugmentOptions o2 = o;
  o2.seed = 7;
  WaveAugmenter c(o2);
  int differ = 0;
  for (int u = 0; u < 20; u++) {
    std::string d1, d2;
    WaveData x;
    a.Augment("spk1-utt" + std::to_string(u), in, &x, &d1);
    c.Augment("spk1-utt" + std::to_string(u), in, &x, &d2);
    differ += d1 != d2;
  }
  EXPECT_GT(differ, 10);  // the seed matters
}

}  // namespace
}  // namespace tdnas
