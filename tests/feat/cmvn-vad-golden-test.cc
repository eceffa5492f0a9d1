// cmvn-vad-golden-test.cc: sliding CMVN, energy VAD and voiced-frame selection vs real
// Kaldi's outputs (testdata/golden), run on Kaldi's own input archives; plus per-utterance
// CMVN against a float64 computation written out here.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "feat/cmvn.h"
#include "feat/voice-activity-detection.h"
#include "golden-util.h"

namespace tdnas {
namespace {

void CheckCmvn(const std::string &golden, int32 window, bool center, bool norm_vars) {
  SlidingWindowCmnOptions o;
  o.cmn_window = window;
  o.center = center;
  o.normalize_variance = norm_vars;
  auto in = test::ReadArchive<Matrix<float>>(test::GoldenDir() + "/fbank_80.ark");
  auto ref = test::ReadArchive<Matrix<float>>(test::GoldenDir() + "/" + golden);
  std::map<std::string, Matrix<float>> refmap(ref.begin(), ref.end());
  test::Diff total;
  size_t used = 0;
  for (auto &kv : in) {
    if (kv.second.NumRows() == 0) {  // Kaldi skips empty matrices
      EXPECT_EQ(refmap.count(kv.first), 0u);
      continue;
    }
    ASSERT_EQ(refmap.count(kv.first), 1u) << kv.first;
    Matrix<float> out;
    SlidingWindowCmn(o, kv.second, &out);
    total.Add(test::CompareMatrices(out, refmap[kv.first]));
    used++;
  }
  EXPECT_EQ(used, ref.size());
  std::printf("%-36s max |diff| %.3g mean %.3g\n", golden.c_str(), total.max_abs, total.Mean());
  EXPECT_LE(total.max_abs, 1e-3);
  EXPECT_LE(total.Mean(), 1e-5);
}

TEST(CmvnGolden, Default) { CheckCmvn("cmvn_sliding_80_default.ark", 600, false, false); }
TEST(CmvnGolden, Center300) { CheckCmvn("cmvn_sliding_80_c300.ark", 300, true, false); }
TEST(CmvnGolden, Center300NormVars) {
  CheckCmvn("cmvn_sliding_80_c300_normvars.ark", 300, true, true);
}

void CheckVad(const std::string &feats_ark, const std::string &golden, const VadEnergyOptions &o) {
  auto in = test::ReadArchive<Matrix<float>>(test::GoldenDir() + "/" + feats_ark);
  auto ref = test::ReadArchive<Vector<float>>(test::GoldenDir() + "/" + golden);
  std::map<std::string, Vector<float>> refmap(ref.begin(), ref.end());
  size_t used = 0;
  for (auto &kv : in) {
    if (kv.second.NumRows() == 0) continue;
    ASSERT_EQ(refmap.count(kv.first), 1u) << kv.first;
    Vector<float> voiced;
    ComputeVadEnergy(o, kv.second, &voiced);
    EXPECT_TRUE(voiced == refmap[kv.first]) << golden << " " << kv.first;
    used++;
  }
  EXPECT_EQ(used, ref.size());
}

TEST(VadGolden, MfccDefault) {
  CheckVad("mfcc_default.ark", "vad_mfcc_default.ark", VadEnergyOptions());
}

VadEnergyOptions VoxCelebVad() {
  VadEnergyOptions o;
  o.vad_energy_threshold = 5.5f;
  o.vad_energy_mean_scale = 0.5f;
  o.vad_proportion_threshold = 0.12f;
  o.vad_frames_context = 2;
  return o;
}

TEST(VadGolden, MfccVoxCeleb) {
  CheckVad("mfcc_default.ark", "vad_mfcc_voxceleb.ark", VoxCelebVad());
}

TEST(VadGolden, FbankEnergy) {
  CheckVad("fbank_80_hamming_nosnip_energy.ark", "vad_fbank_energy.txt", VadEnergyOptions());
}

TEST(VadGolden, SelectVoiced) {
  auto in = test::ReadArchive<Matrix<float>>(test::GoldenDir() + "/mfcc_default.ark");
  auto vad = test::ReadArchive<Vector<float>>(test::GoldenDir() + "/vad_mfcc_voxceleb.ark");
  auto ref = test::ReadArchive<Matrix<float>>(test::GoldenDir() + "/voiced_mfcc_voxceleb.ark");
  std::map<std::string, Vector<float>> vadmap(vad.begin(), vad.end());
  std::map<std::string, Matrix<float>> refmap(ref.begin(), ref.end());
  size_t used = 0;
  for (auto &kv : in) {
    if (!vadmap.count(kv.first)) continue;
    Matrix<float> out;
    SelectVoicedFrames(kv.second, vadmap[kv.first], &out);
    if (out.NumRows() == 0) continue;
    ASSERT_EQ(refmap.count(kv.first), 1u);
    EXPECT_TRUE(out == refmap[kv.first]) << kv.first;  // a copy: must be exact
    used++;
  }
  EXPECT_EQ(used, ref.size());
}

TEST(Cmvn, UtteranceMatchesFloat64) {
  Matrix<float> m(50, 7);
  for (int32 r = 0; r < 50; r++)
    for (int32 c = 0; c < 7; c++) m(r, c) = std::sin(r * 0.7 + c) * (c + 1) + c * 3;
  for (bool nv : {false, true}) {
    Matrix<float> x = m;
    NormalizeUtterance(nv, 1e-5, &x);
    for (int32 c = 0; c < 7; c++) {
      double mean = 0, var = 0;
      for (int32 r = 0; r < 50; r++) mean += m(r, c);
      mean /= 50;
      for (int32 r = 0; r < 50; r++) var += (m(r, c) - mean) * (m(r, c) - mean);
      var /= 50;
      for (int32 r = 0; r < 50; r++) {
        double ref = (m(r, c) - mean) / (nv ? std::sqrt(var + 1e-5) : 1.0);
        EXPECT_NEAR(x(r, c), ref, 1e-5);
      }
    }
  }
}

}  // namespace
}  // namespace tdnas
