// train-data-test.cc: crops, wrap padding, per-crop CMN, deterministic batches independent of
// threads and starting point, SpecAugment masks (bounds, fill, determinism, probability), and
// the embedding extractor's batch independence.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <fstream>
#include <random>

#include "nnet/embedding-extractor.h"
#include "nnet/train-data.h"
#include "util/kaldi-table.h"

namespace tdnas {
namespace nnet {
namespace {

Matrix<float> Ramp(int32 t, int32 dim) {
  Matrix<float> m(t, dim);
  for (int32 i = 0; i < t; i++)
    for (int32 d = 0; d < dim; d++) m.RowData(i)[d] = 100.0f * i + d;
  return m;
}

TEST(TrainData, CropWrapsShortUtterances) {
  Matrix<float> m = Ramp(3, 2);
  std::vector<float> out(2 * 7);
  TrainData::CropToColumns(m, 2, 7, false, out.data());
  // frames 2,0,1,2,0,1,2 for bin 0 (values 100*t).
  const float expect0[7] = {200, 0, 100, 200, 0, 100, 200};
  for (int t = 0; t < 7; t++) {
    EXPECT_EQ(out[t], expect0[t]);
    EXPECT_EQ(out[7 + t], expect0[t] + 1);
  }
  TrainData::CropToColumns(m, 0, 7, true, out.data());
  for (int d = 0; d < 2; d++) {
    double s = 0;
    for (int t = 0; t < 7; t++) s += out[d * 7 + t];
    EXPECT_NEAR(s, 0.0, 1e-3);
  }
}

// A crop (dim, frames) whose cells all differ from every bin's mean.
std::vector<float> DistinctCrop(int32 dim, int32 frames) {
  std::vector<float> c(static_cast<size_t>(dim) * frames);
  for (int32 d = 0; d < dim; d++)
    for (int32 t = 0; t < frames; t++) c[d * frames + t] = 1000.0f * d + 2.0f * t + 1.0f;
  return c;   // bin d's mean is 1000 d + frames: odd values never equal it
}

TEST(SpecAugment, ZeroProbabilityIsIdentityAndDrawsNothing) {
  TrainDataOptions o;   // default: spec_aug_prob = 0
  std::vector<float> c = DistinctCrop(8, 20), orig = c;
  std::mt19937_64 rng(5), copy(5);
  std::vector<SpecAugMask> masks;
  for (int i = 0; i < 10; i++) SpecAugmentCrop(o, 8, 20, &rng, c.data(), &masks);
  EXPECT_EQ(c, orig);
  EXPECT_TRUE(masks.empty());
  EXPECT_EQ(rng(), copy());   // the stream was not advanced
}

TEST(SpecAugment, MasksInsideTheCropAndOnlyMaskedCellsChange) {
  TrainDataOptions o;
  o.spec_aug_prob = 1.0f;
  o.spec_aug_freq_masks = 2;
  o.spec_aug_time_masks = 3;
  o.spec_aug_max_freq = 20;   // wider than the 16 bins: widths clamp to the crop
  o.spec_aug_max_time = 7;
  const int32 dim = 16, frames = 30;
  std::mt19937_64 rng(11);
  std::vector<int> freq_width_seen(dim + 1, 0), time_width_seen(8, 0);
  std::vector<int> freq_start_seen(dim, 0);
  for (int trial = 0; trial < 2000; trial++) {
    std::vector<float> c = DistinctCrop(dim, frames), orig = c;
    std::vector<SpecAugMask> masks;
    SpecAugmentCrop(o, dim, frames, &rng, c.data(), &masks);
    ASSERT_EQ(masks.size(), 5u);
    std::vector<char> masked(c.size(), 0);
    int nf = 0;
    for (const SpecAugMask &m : masks) {
      const int32 size = m.freq ? dim : frames, wmax = m.freq ? dim : 7;
      ASSERT_GE(m.width, 1);
      ASSERT_LE(m.width, wmax);
      ASSERT_GE(m.start, 0);
      ASSERT_LE(m.start + m.width, size);
      if (m.freq) {
        nf++;
        freq_width_seen[m.width]++;
        freq_start_seen[m.start]++;
        for (int32 d = m.start; d < m.start + m.width; d++)
          for (int32 t = 0; t < frames; t++) masked[d * frames + t] = 1;
      } else {
        time_width_seen[m.width]++;
        for (int32 d = 0; d < dim; d++)
          for (int32 t = m.start; t < m.start + m.width; t++) masked[d * frames + t] = 1;
      }
    }
    EXPECT_EQ(nf, 2);
    for (int32 d = 0; d < dim; d++)
      for (int32 t = 0; t < frames; t++) {
        const size_t i = d * frames + t;
        if (masked[i]) ASSERT_EQ(c[i], 1000.0f * d + frames) << d << " " << t;  // bin mean
        else ASSERT_EQ(c[i], orig[i]) << d << " " << t;
      }
  }
  // Every width 1..max occurs (the whole band 1..16 included) and every start 0..15.
  for (int32 w = 1; w <= dim; w++) EXPECT_GT(freq_width_seen[w], 0) << w;
  for (int32 w = 1; w <= 7; w++) EXPECT_GT(time_width_seen[w], 0) << w;
  for (int32 s = 0; s < dim; s++) EXPECT_GT(freq_start_seen[s], 0) << s;
}

TEST(SpecAugment, DeterministicForASeedAndAppliedWithItsProbability) {
  TrainDataOptions o;
  o.spec_aug_prob = 0.3f;
  auto run = [&](uint64 seed, int *augmented) {
    std::mt19937_64 rng(seed);
    std::vector<float> all;
    *augmented = 0;
    for (int i = 0; i < 4000; i++) {
      std::vector<float> c = DistinctCrop(10, 25), orig = c;
      SpecAugmentCrop(o, 10, 25, &rng, c.data());
      if (c != orig) (*augmented)++;
      if (i < 50) all.insert(all.end(), c.begin(), c.end());
    }
    return all;
  };
  int n1, n2, n3;
  std::vector<float> a = run(3, &n1), b = run(3, &n2), c = run(4, &n3);
  EXPECT_EQ(a, b);
  EXPECT_EQ(n1, n2);
  EXPECT_NE(a, c);
  EXPECT_NEAR(n1 / 4000.0, 0.3, 0.03);
  EXPECT_NEAR(n3 / 4000.0, 0.3, 0.03);
}

class TrainDataFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = "/tmp/train-data-test." + std::to_string(getpid());
    std::string cmd = "mkdir -p " + dir_;
    ASSERT_EQ(0, std::system(cmd.c_str()));
    std::mt19937 rng(1);
    BaseFloatMatrixWriter w("ark,scp:" + dir_ + "/f.ark," + dir_ + "/f.scp");
    std::ofstream u(dir_ + "/utt2spk");
    for (int s = 0; s < 3; s++)
      for (int i = 0; i < 7; i++) {
        Matrix<float> m(20 + (rng() % 40), 8);
        for (int r = 0; r < m.NumRows(); r++)
          for (int c = 0; c < 8; c++) m.RowData(r)[c] = static_cast<float>(rng() % 1000) / 100;
        std::string key = "s" + std::to_string(s) + "-u" + std::to_string(i);
        w.Write(key, m);
        u << key << " s" << s << "\n";
      }
    w.Close();
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  std::string dir_;
};

TEST_F(TrainDataFiles, BatchesAreAFunctionOfSeedEpochIndex) {
  TrainDataOptions o;
  o.batch_size = 4;
  o.crop_frames = 30;
  TrainData ark("ark:" + dir_ + "/f.ark", "ark:" + dir_ + "/utt2spk", {}, o, 9);
  o.num_data_threads = 3;
  TrainData scp("scp:" + dir_ + "/f.scp", "ark:" + dir_ + "/utt2spk", {}, o, 9);
  EXPECT_TRUE(ark.InMemory());
  EXPECT_FALSE(scp.InMemory());
  EXPECT_EQ(ark.Speakers(), std::vector<std::string>({"s0", "s1", "s2"}));
  EXPECT_EQ(ark.BatchesPerEpoch(), 5);   // 21 / 4, last partial batch dropped
  // Every utterance once per epoch, order differs between epochs.
  std::vector<int32> e0 = ark.EpochOrder(0), e1 = ark.EpochOrder(1);
  EXPECT_NE(e0, e1);
  std::vector<int32> sorted = e0;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 21; i++) EXPECT_EQ(sorted[i], i);
  // Prefetched from a later start with 3 threads == made directly.
  scp.Start(7);
  for (int64 g = 7; g < 17; g++) {
    TrainBatch a, b;
    scp.Next(&a);
    ark.MakeBatch(g / 5, g % 5, 0, &b);
    ASSERT_EQ(a.epoch, g / 5);
    ASSERT_EQ(a.index, g % 5);
    EXPECT_EQ(a.feats, b.feats);
    EXPECT_EQ(a.labels, b.labels);
    for (int i = 0; i < 4; i++) EXPECT_EQ(a.labels[i], ark.Label(a.utts[i]));
  }
  scp.Stop();
  // Another seed, other crops.
  TrainData other("ark:" + dir_ + "/f.ark", "ark:" + dir_ + "/utt2spk", {}, o, 10);
  TrainBatch a, b;
  ark.MakeBatch(0, 0, 0, &a);
  other.MakeBatch(0, 0, 0, &b);
  EXPECT_NE(a.feats, b.feats);
}

TEST_F(TrainDataFiles, SpecAugmentKeepsCropsAndMasksSomeCells) {
  TrainDataOptions o;
  o.batch_size = 4;
  o.crop_frames = 30;
  TrainData plain("ark:" + dir_ + "/f.ark", "ark:" + dir_ + "/utt2spk", {}, o, 9);
  o.spec_aug_prob = 1.0f;
  o.spec_aug_max_freq = 3;
  o.spec_aug_max_time = 5;
  TrainData aug("ark:" + dir_ + "/f.ark", "ark:" + dir_ + "/utt2spk", {}, o, 9);
  int64 changed = 0, total = 0;
  for (int64 g = 0; g < 10; g++) {
    TrainBatch a, b, b2;
    plain.MakeBatch(g / 5, g % 5, 0, &a);
    aug.MakeBatch(g / 5, g % 5, 0, &b);
    aug.MakeBatch(g / 5, g % 5, 0, &b2);
    EXPECT_EQ(b.feats, b2.feats);    // a function of (seed, epoch, index)
    EXPECT_EQ(a.labels, b.labels);   // same utterances and the same crops ...
    ASSERT_EQ(a.feats.size(), b.feats.size());
    for (size_t i = 0; i < a.feats.size(); i++) {
      total++;
      if (a.feats[i] != b.feats[i]) {
        changed++;
        EXPECT_NEAR(b.feats[i], 0.0f, 1e-4f);   // ... masked cells at the bin's mean (CMN: 0)
      }
    }
  }
  // 8 bins x 30 frames per crop; one band of 1..3 bins (mean 2: 60 cells) and one span of
  // 1..5 frames (mean 3: 24 cells, 6 of them inside the band): about 78 of 240 cells.
  EXPECT_GT(changed, total * 0.25);
  EXPECT_LT(changed, total * 0.40);
}

TEST_F(TrainDataFiles, UnknownSpeakerIsAnError) {
  TrainDataOptions o;
  o.batch_size = 4;
  EXPECT_THROW(TrainData("ark:" + dir_ + "/f.ark", "ark:" + dir_ + "/utt2spk", {"s0", "s1"}, o, 1),
               FatalError);
}

TEST(EmbeddingExtractor, IndependentOfOtherUtterancesAndSegmentsAverage) {
  StaticTdnnOptions so;
  StaticTdnn net(ParseSubnetConfig("2-32-32-32-3-3-3-64"), so);
  net.InitParams(3);
  FrontEndInfo fe;
  EmbeddingOptions eo;
  EmbeddingExtractor ex(&net, fe, eo);
  std::mt19937 rng(2);
  Matrix<float> a(57, 80), b(90, 80);
  for (int r = 0; r < 57; r++) for (int c = 0; c < 80; c++) a.RowData(r)[c] = (rng() % 100) / 10.0f;
  for (int r = 0; r < 90; r++) for (int c = 0; c < 80; c++) b.RowData(r)[c] = (rng() % 100) / 10.0f;
  Vector<float> ea1, eb, ea2;
  ex.Extract(a, &ea1);
  ex.Extract(b, &eb);
  ex.Extract(a, &ea2);
  ASSERT_EQ(ea1.Dim(), 192);
  for (int i = 0; i < 192; i++) EXPECT_EQ(ea1.Data()[i], ea2.Data()[i]);
  // Adding a constant to every frame changes nothing under CMN.
  Matrix<float> a2 = a;
  for (int r = 0; r < 57; r++) for (int c = 0; c < 80; c++) a2.RowData(r)[c] += 3.0f;
  Vector<float> e3;
  ex.Extract(a2, &e3);
  for (int i = 0; i < 192; i++) EXPECT_NEAR(e3.Data()[i], ea1.Data()[i], 1e-3);
  // Segment mode: the mean of the normalised per-segment embeddings.
  eo.segment_frames = 40;
  eo.num_segments = 2;
  EmbeddingExtractor seg(&net, fe, eo);
  Vector<float> es;
  seg.Extract(b, &es);
  EmbeddingOptions whole;
  EmbeddingExtractor w(&net, fe, whole);
  Vector<float> s0, s1;
  Matrix<float> b0, b1;
  b0.CopyFromSubMatrix(b, 0, 40, 0, 80);
  b1.CopyFromSubMatrix(b, 50, 40, 0, 80);
  w.Extract(b0, &s0);
  w.Extract(b1, &s1);
  double n0 = 0, n1 = 0;
  for (int i = 0; i < 192; i++) { n0 += s0.Data()[i] * s0.Data()[i]; n1 += s1.Data()[i] * s1.Data()[i]; }
  for (int i = 0; i < 192; i++)
    EXPECT_NEAR(es.Data()[i], 0.5 * (s0.Data()[i] / std::sqrt(n0) + s1.Data()[i] / std::sqrt(n1)), 1e-4);
}

}  // namespace
}  // namespace nnet
}  // namespace tdnas
