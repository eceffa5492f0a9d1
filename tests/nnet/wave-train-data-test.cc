// wave-train-data-test.cc: training batches from audio: deterministic in (seed, epoch, index)
// whatever the thread count (with and without augmentation), the same from a wav.scp read on
// demand and from an archive in memory, and, without augmentation, each crop equal to the
// frames of the whole utterance's fbank at the crop's frame boundary, followed by CMN.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>
#include <unistd.h>

#include "feat/wave-holder.h"
#include "nnet/wave-train-data.h"
#include "util/kaldi-table.h"

namespace tdnas {
namespace nnet {
namespace {

class WaveTrainDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = "/tmp/wave-train-data-test." + std::to_string(getpid());
    ASSERT_EQ(0, std::system(("mkdir -p " + dir_).c_str()));
    std::mt19937 rng(7);
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::ofstream scp(dir_ + "/wav.scp"), u(dir_ + "/utt2spk");
    TableWriter<WaveHolder> ark("ark:" + dir_ + "/wav.ark");
    for (int s = 0; s < 3; s++)
      for (int i = 0; i < 6; i++) {
        // 0.15 .. 0.6 s: some shorter than a crop (3440 samples), most longer.
        const int32 n = 2400 + static_cast<int32>(rng() % 7200);
        Matrix<float> m(1, n);
        const double f = 200.0 + 150.0 * s + 20.0 * i;
        for (int32 t = 0; t < n; t++)
          m.RowData(0)[t] = std::round(3000.0 * std::sin(2 * M_PI * f * t / 16000.0) +
                                       300.0f * g(rng));
        WaveData w(16000.0f, m);
        const std::string key = "s" + std::to_string(s) + "-u" + std::to_string(i);
        const std::string file = dir_ + "/" + key + ".wav";
        std::ofstream os(file, std::ios::binary);
        w.Write(os);
        scp << key << " " << file << "\n";
        u << key << " s" << s << "\n";
        ark.Write(key, w);
      }
    // Two noise files for augmentation.
    std::ofstream noise(dir_ + "/noise.scp");
    for (int k = 0; k < 2; k++) {
      Matrix<float> m(1, 5000 + 1000 * k);
      for (int32 t = 0; t < m.NumCols(); t++) m.RowData(0)[t] = std::round(2000.0f * g(rng));
      const std::string file = dir_ + "/noise" + std::to_string(k) + ".wav";
      std::ofstream os(file, std::ios::binary);
      WaveData(16000.0f, m).Write(os);
      noise << "n" << k << " " << file << "\n";
    }
    opts_.batch_size = 4;
    opts_.crop_frames = 20;
    fbank_.mel_opts.num_bins = 24;
    fbank_.frame_opts.dither = 0.0f;
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  std::vector<TrainBatch> Stream(const std::string &rspec, int threads,
                                 const WaveAugmentOptions &aug, int64 first, int n) {
    TrainDataOptions o = opts_;
    o.num_data_threads = threads;
    o.prefetch = 2;
    WaveTrainData data(rspec, "ark:" + dir_ + "/utt2spk", {}, o, fbank_, aug, 5);
    data.Start(first);
    std::vector<TrainBatch> out(n);
    for (auto &b : out) data.Next(&b);
    data.Stop();
    return out;
  }

  std::string dir_;
  TrainDataOptions opts_;
  FbankOptions fbank_;
};

void ExpectSame(const std::vector<TrainBatch> &a, const std::vector<TrainBatch> &b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); i++) {
    EXPECT_EQ(a[i].epoch, b[i].epoch);
    EXPECT_EQ(a[i].index, b[i].index);
    EXPECT_EQ(a[i].labels, b[i].labels);
    EXPECT_EQ(a[i].utts, b[i].utts);
    EXPECT_TRUE(a[i].feats == b[i].feats) << "batch " << i;
  }
}

TEST_F(WaveTrainDataTest, DeterministicWhateverTheThreads) {
  WaveAugmentOptions none;
  none.aug_choices = "none";
  WaveAugmentOptions noisy = none;
  noisy.aug_choices = "none,noise";
  noisy.noise_list = dir_ + "/noise.scp";
  const std::string scp = "scp:" + dir_ + "/wav.scp";
  for (const WaveAugmentOptions *aug : {&none, &noisy}) {
    // 18 utterances / 4 = 4 batches per epoch: 10 batches cross two epoch boundaries.
    std::vector<TrainBatch> one = Stream(scp, 1, *aug, 0, 10);
    ExpectSame(one, Stream(scp, 3, *aug, 0, 10));
    // Starting later (resume) gives the same batches.
    std::vector<TrainBatch> late = Stream(scp, 2, *aug, 5, 5);
    ExpectSame(std::vector<TrainBatch>(one.begin() + 5, one.end()), late);
    // The archive in memory gives the same batches as the scp read on demand.
    ExpectSame(one, Stream("ark:" + dir_ + "/wav.ark", 2, *aug, 0, 10));
    EXPECT_EQ(one[4].epoch, 1);
    EXPECT_FALSE(one[0].feats == one[4].feats);
    for (float v : one[0].feats) ASSERT_TRUE(std::isfinite(v));
  }
  // Augmentation changes some crops but not the crops' utterances.
  std::vector<TrainBatch> a = Stream(scp, 1, none, 0, 4), b = Stream(scp, 1, noisy, 0, 4);
  int changed = 0, total = 0;
  const size_t per = static_cast<size_t>(a[0].dim) * a[0].frames;
  for (int i = 0; i < 4; i++) {
    EXPECT_EQ(a[i].utts, b[i].utts);
    for (int c = 0; c < a[i].batch_size; c++, total++)
      changed += !std::equal(a[i].feats.begin() + c * per, a[i].feats.begin() + (c + 1) * per,
                             b[i].feats.begin() + c * per);
  }
  EXPECT_GT(changed, 0);
  EXPECT_LT(changed, total);  // "none" is drawn for some crops
}

TEST_F(WaveTrainDataTest, CropEqualsUtteranceFbankThenCmn) {
  WaveAugmentOptions none;
  none.aug_choices = "none";
  WaveTrainData data("scp:" + dir_ + "/wav.scp", "ark:" + dir_ + "/utt2spk", {}, opts_, fbank_,
                     none, 11);
  EXPECT_EQ(data.CropSamples(), 19 * 160 + 400);
  EXPECT_EQ(data.ReadSamples(), data.CropSamples());
  Fbank fbank(fbank_);
  const int32 nf = opts_.crop_frames, dim = fbank.Dim();
  int checked = 0;
  for (int64 epoch = 0; epoch < 3; epoch++)
    for (int64 index = 0; index < data.BatchesPerEpoch(); index++) {
      TrainBatch batch;
      data.MakeBatch(epoch, index, 0, &batch);
      ASSERT_EQ(batch.dim, dim);
      for (int32 p = 0; p < batch.batch_size; p++) {
        std::vector<float> wave;
        data.Samples(batch.utts[p], 0, &wave);
        const int64 n = static_cast<int64>(wave.size());
        if (n < data.ReadSamples()) continue;  // wrap-padded: no whole-utterance reference
        const int64 start = data.CropStart(epoch, index, p, n);
        ASSERT_EQ(start % 160, 0);
        Matrix<float> whole;  // compute-fbank's features of the whole utterance
        fbank.Compute(wave.data(), n, 1.0f, 0, &whole);
        const int64 k = start / 160;
        ASSERT_LE(k + nf, whole.NumRows());
        // Reference CMN in double, written out here (independent of CropToColumns).
        const float *got = batch.feats.data() + static_cast<size_t>(p) * dim * nf;
        for (int32 d = 0; d < dim; d++) {
          double mean = 0;
          for (int32 t = 0; t < nf; t++) mean += whole.RowData(k + t)[d];
          mean /= nf;
          for (int32 t = 0; t < nf; t++)
            ASSERT_NEAR(got[d * nf + t], whole.RowData(k + t)[d] - mean, 1e-5)
                << "epoch " << epoch << " batch " << index << " crop " << p;
        }
        checked++;
      }
    }
  EXPECT_GT(checked, 20);
}

TEST_F(WaveTrainDataTest, SpeedUpStretchesTheSegment) {
  WaveAugmentOptions aug;
  aug.aug_choices = "speed";
  aug.speeds = "0.9,1.1";
  WaveTrainData data("scp:" + dir_ + "/wav.scp", "ark:" + dir_ + "/utt2spk", {}, opts_, fbank_,
                     aug, 1);
  EXPECT_EQ(data.ReadSamples(), static_cast<int64>(std::ceil(data.CropSamples() * 1.1)));
  TrainBatch b;
  data.MakeBatch(0, 0, 0, &b);
  for (float v : b.feats) ASSERT_TRUE(std::isfinite(v));
}

}  // namespace
}  // namespace nnet
}  // namespace tdnas
