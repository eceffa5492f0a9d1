// fbank-golden-test.cc: compute-fbank features vs real Kaldi's (testdata/golden), every fbank
// golden setting, with both FFTs: every key, same frame counts, and
//  --fft=kaldi (the default): max |diff| <= 1e-3 and mean |diff| <= 1e-5 over every value;
//  --fft=fast: mean <= 1e-5, max <= 1e-3 on the values within kWellConditioned nats of their
//    frame's largest mel bin, and max <= kMaxAnyValue on all values.
//
// Why the fast FFT needs the restricted bound: every bin of a float FFT carries an absolute
// error of ~1e-7 x the frame's largest amplitude. A mel bin ~12 nats (52 dB) or more below the
// frame's peak bin is dominated by that roundoff, so there two correct float FFTs that round
// differently disagree by up to ~3e-2 after the log (measured: fast FFT 2.8e-2, a float64
// spectrum 2.1e-2, kaldi-native-fbank 2.8e-2 on fbank_80). --fft=kaldi replays Kaldi's float
// operation order (split-radix-fft.h) and agrees to ~2e-6 everywhere (what remains is the
// summation order of OpenBLAS's sdot in the mel dot products).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "feat/feature-fbank.h"
#include "golden-util.h"

namespace tdnas {
namespace {

using test::Diff;

const double kWellConditioned = 12.0;  // nats below the frame's peak mel bin
const double kMaxAnyValue = 5e-2;      // bound on roundoff-dominated values

Diff CheckSetting(const std::string &golden, const std::function<void(FbankOptions *)> &set,
                  const std::string &fft) {
  FbankOptions opts;
  opts.frame_opts.dither = 0.0f;
  opts.fft = fft;
  set(&opts);
  const bool exact_order = fft == "kaldi";
  Fbank fbank(opts);
  auto ref = test::ReadArchive<Matrix<float>>(test::GoldenDir() + "/" + golden);
  auto scp = test::WavScp();
  EXPECT_EQ(ref.size(), scp.size());
  Diff total, well;
  for (size_t i = 0; i < std::min(ref.size(), scp.size()); i++) {
    EXPECT_EQ(ref[i].first, scp[i].first);
    WaveData w = test::ReadWaveFile(scp[i].second);
    Matrix<float> feats;
    fbank.ComputeFeatures(w.Data().RowData(0), w.NumSamples(), w.SampFreq(), 1.0f, 0, &feats);
    Diff d = test::CompareMatrices(feats, ref[i].second);
    total.Add(d);
    EXPECT_LE(d.max_abs, exact_order ? 1e-3 : kMaxAnyValue) << golden << " " << ref[i].first;
    if (feats.NumRows() != ref[i].second.NumRows()) continue;
    // The well-conditioned values: log-mel within kWellConditioned of the frame's peak bin.
    const int32 e = opts.use_energy ? 1 : 0;
    for (int32 r = 0; r < feats.NumRows(); r++) {
      const float *a = feats.RowData(r), *b = ref[i].second.RowData(r);
      const float peak = *std::max_element(b + e, b + feats.NumCols());
      for (int32 c = 0; c < feats.NumCols(); c++) {
        if (c >= e && b[c] < peak - kWellConditioned) continue;
        const double diff = std::fabs(double(a[c]) - b[c]);
        well.max_abs = std::max(well.max_abs, diff);
        well.sum_abs += diff;
        well.count++;
        EXPECT_LE(diff, 1e-3) << golden << " " << ref[i].first << " frame " << r << " col " << c;
      }
    }
  }
  std::printf("--fft=%-5s %-36s all: max |diff| %.3g mean %.3g (%lld values); within %g nats of peak: "
              "max %.3g mean %.3g (%.4f%% of values)\n", fft.c_str(), golden.c_str(), total.max_abs,
              total.Mean(), static_cast<long long>(total.count), kWellConditioned,
              well.max_abs, well.Mean(), 100.0 * well.count / std::max<int64>(1, total.count));
  EXPECT_LE(total.Mean(), 1e-5);
  EXPECT_LE(well.max_abs, 1e-3);
  if (exact_order) {
    EXPECT_LE(total.max_abs, 1e-3);
  }
  return total;
}

class FbankGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(FbankGolden, Default) {
  CheckSetting("fbank_default.ark", [](FbankOptions *) {}, GetParam());
}

TEST_P(FbankGolden, Bins80) {
  CheckSetting("fbank_80.ark", [](FbankOptions *o) { o->mel_opts.num_bins = 80; }, GetParam());
}

TEST_P(FbankGolden, Bins80HammingNoSnipEnergy) {
  CheckSetting("fbank_80_hamming_nosnip_energy.ark", [](FbankOptions *o) {
    o->mel_opts.num_bins = 80;
    o->frame_opts.snip_edges = false;
    o->frame_opts.window_type = "hamming";
    o->mel_opts.high_freq = 7600;
    o->use_energy = true;
  }, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Fft, FbankGolden, ::testing::Values("kaldi", "fast"));

// The default is the Kaldi-order FFT.
TEST(FbankOptions, DefaultFftIsKaldi) {
  EXPECT_EQ(FbankOptions().fft, "kaldi");
  FbankOptions o;
  o.fft = "radix4";
  EXPECT_THROW(o.Validate(), FatalError);
}

}  // namespace
}  // namespace tdnas
