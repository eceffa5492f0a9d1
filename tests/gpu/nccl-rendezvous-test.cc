// nccl-rendezvous-test.cc: the parts of multi-GPU training that need no GPU (so they run in CI
// and in CPU-only builds): rank/world from the launcher's environment, the rendezvous file
// (atomic write, read, stale files of other jobs, a file that never appears -> ERROR naming it
// within the timeout), GradSync's single-process path and its errors without GPUs, and the
// sharding of the batch stream by rank.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "base/log.h"
#include "gpu/nccl-comm.h"
#include "gpu/nccl-rendezvous.h"
#include "nnet/grad-sync.h"

namespace tdnas {
namespace {

const char *const kVars[] = {"TDNAS_RANK", "TDNAS_WORLD", "SLURM_PROCID", "SLURM_NTASKS",
                             "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "PMI_RANK",
                             "PMI_SIZE", "TDNAS_RENDEZVOUS", "TDNAS_RENDEZVOUS_KEY",
                             "SLURM_JOB_ID", "SLURM_STEP_ID", "PMIX_NAMESPACE"};

// Clears the launcher variables for the test's duration.
class CleanEnv : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char *v : kVars) unsetenv(v);
    char tmpl[] = "/tmp/nccl-rdv-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (const char *v : kVars) unsetenv(v);
    std::system(("rm -rf " + dir_).c_str());
  }
  std::string dir_;
};

// The message of the FatalError fn throws ("" if none).
template <typename Fn> std::string ErrorOf(Fn fn) {
  try {
    fn();
  } catch (const FatalError &e) {
    return e.what();
  }
  return "";
}

TEST_F(CleanEnv, RankFromEnvironment) {
  gpu::ProcessRank pr = gpu::RankFromEnvironment();
  EXPECT_EQ(pr.rank, 0);
  EXPECT_EQ(pr.world, 1);
  setenv("SLURM_PROCID", "3", 1);
  setenv("SLURM_NTASKS", "4", 1);
  pr = gpu::RankFromEnvironment();
  EXPECT_EQ(pr.rank, 3);
  EXPECT_EQ(pr.world, 4);
  EXPECT_EQ(pr.source, "SLURM_PROCID/SLURM_NTASKS");
  // Our launcher's variables come first.
  setenv("TDNAS_RANK", "1", 1);
  setenv("TDNAS_WORLD", "2", 1);
  pr = gpu::RankFromEnvironment();
  EXPECT_EQ(pr.rank, 1);
  EXPECT_EQ(pr.world, 2);
  setenv("TDNAS_RANK", "2", 1);
  EXPECT_NE(ErrorOf([] { gpu::RankFromEnvironment(); }).find("need 0 <= rank < world"),
            std::string::npos);
  setenv("TDNAS_RANK", "x1", 1);
  EXPECT_NE(ErrorOf([] { gpu::RankFromEnvironment(); }).find("TDNAS_RANK='x1'"),
            std::string::npos);
  unsetenv("TDNAS_WORLD");
  EXPECT_NE(ErrorOf([] { gpu::RankFromEnvironment(); }).find("TDNAS_WORLD is not"),
            std::string::npos);
}

TEST_F(CleanEnv, RendezvousFileNames) {
  EXPECT_NE(ErrorOf([] { gpu::RendezvousFile(""); }).find("TDNAS_RENDEZVOUS"), std::string::npos);
  EXPECT_EQ(gpu::RendezvousFile(dir_ + "/id"), dir_ + "/id");
  EXPECT_EQ(gpu::RendezvousFile(dir_), dir_ + "/tdnas-nccl-id");
  setenv("SLURM_JOB_ID", "1234", 1);
  setenv("SLURM_STEP_ID", "5", 1);
  EXPECT_EQ(gpu::RendezvousKey(), "1234.5");
  EXPECT_EQ(gpu::RendezvousFile(dir_ + "/"), dir_ + "/tdnas-nccl-id.1234.5");
  setenv("TDNAS_RENDEZVOUS_KEY", "k/1", 1);
  setenv("TDNAS_RENDEZVOUS", dir_.c_str(), 1);
  EXPECT_EQ(gpu::RendezvousFile(""), dir_ + "/tdnas-nccl-id.k_1");
}

TEST_F(CleanEnv, WriteThenRead) {
  std::vector<unsigned char> id(128);
  for (size_t i = 0; i < id.size(); i++) id[i] = static_cast<unsigned char>(i * 37 + 11);
  const std::string f = dir_ + "/rdv";
  gpu::WriteRendezvous(f, 2, "job7", id);
  EXPECT_EQ(gpu::ReadRendezvous(f, 2, "job7", 128, 1.0, 1), id);
  // Another world size with our key: a launch mix-up, reported at once.
  const std::string e = ErrorOf([&] { gpu::ReadRendezvous(f, 4, "job7", 128, 5.0, 1); });
  EXPECT_NE(e.find("is for 2 processes, this job has 4"), std::string::npos) << e;
  // No temp file left behind.
  EXPECT_FALSE(std::ifstream(f + ".tmp." + std::to_string(getpid())).good());
}

TEST_F(CleanEnv, MissingFileTimesOutNamingIt) {
  const std::string f = dir_ + "/never-written";
  const auto t0 = std::chrono::steady_clock::now();
  const std::string e = ErrorOf([&] { gpu::ReadRendezvous(f, 2, "", 128, 0.5, 1); });
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("  missing rendezvous file -> after %.2f s: %s\n", s, e.c_str());
  EXPECT_NE(e.find("timed out after 0.5 s waiting for the rendezvous file " + f),
            std::string::npos) << e;
  EXPECT_NE(e.find("does not exist"), std::string::npos) << e;
  EXPECT_GE(s, 0.5);
  EXPECT_LT(s, 3.0);
}

TEST_F(CleanEnv, StaleFileOfAnotherJobIsSkipped) {
  const std::string f = dir_ + "/rdv";
  std::vector<unsigned char> old_id(128, 1), new_id(128, 2);
  gpu::WriteRendezvous(f, 2, "old-job", old_id);
  std::string e = ErrorOf([&] { gpu::ReadRendezvous(f, 2, "new-job", 128, 0.3, 1); });
  EXPECT_NE(e.find("from another job"), std::string::npos) << e;
  gpu::WriteRendezvous(f, 2, "new-job", new_id);
  EXPECT_EQ(gpu::ReadRendezvous(f, 2, "new-job", 128, 1.0, 1), new_id);
  // A damaged file is an ERROR naming it, not a wait.
  std::ofstream(f) << "garbage\n";
  e = ErrorOf([&] { gpu::ReadRendezvous(f, 2, "new-job", 128, 5.0, 1); });
  EXPECT_NE(e.find("rendezvous file " + f + " is not one tdnas wrote"), std::string::npos) << e;
}

TEST_F(CleanEnv, UnwritableDirectoryIsAnError) {
  const std::vector<unsigned char> id(128, 3);
  const std::string e =
      ErrorOf([&] { gpu::WriteRendezvous(dir_ + "/no/such/dir/rdv", 2, "", id); });
  EXPECT_NE(e.find("cannot write the rendezvous file"), std::string::npos) << e;
}

TEST_F(CleanEnv, GradSyncWithoutLauncherIsSingleProcess) {
  nnet::GradSyncOptions opts;
  std::unique_ptr<nnet::GradSync> s = nnet::NewGradSync(opts, false);
  EXPECT_EQ(s->World(), 1);
  EXPECT_TRUE(s->IsRoot());
  std::vector<float> v = {1.5f, -2.0f};
  s->AllReduceMean(v.data(), 2, nnet::Device::kCpu);
  s->Broadcast(v.data(), 2, nnet::Device::kCpu);
  s->Barrier();
  EXPECT_EQ(v[0], 1.5f);
  EXPECT_EQ(v[1], -2.0f);
}

TEST_F(CleanEnv, MultiProcessWithoutGpuIsAClearError) {
  setenv("TDNAS_RANK", "0", 1);
  setenv("TDNAS_WORLD", "2", 1);
  setenv("TDNAS_RENDEZVOUS", (dir_ + "/rdv").c_str(), 1);
  nnet::GradSyncOptions opts;
  std::string e = ErrorOf([&] { nnet::NewGradSync(opts, false); });
  EXPECT_NE(e.find("rank 0 of 2 (TDNAS_RANK/TDNAS_WORLD): multi-process training needs "
                   "--use-gpu=yes"), std::string::npos) << e;
  if (!gpu::CompiledWithNccl()) {
    e = ErrorOf([&] { nnet::NewGradSync(opts, true); });
    EXPECT_NE(e.find("needs NCCL"), std::string::npos) << e;
    e = ErrorOf([&] { gpu::NcclComm c(1, 2, dir_ + "/rdv", "", 1.0); });
    EXPECT_NE(e.find("built without NCCL"), std::string::npos) << e;
  }
}

// A batch stream whose batch (e, i) carries label e * 1000 + i.
class CountingSource : public nnet::BatchSource {
 public:
  explicit CountingSource(int64 bpe) : bpe_(bpe) { opts_.batch_size = 1; }
  ~CountingSource() override { Stop(); }
  const std::vector<std::string> &Speakers() const override { return spk_; }
  int32 Dim() const override { return 1; }
  int64 BatchesPerEpoch() const override { return bpe_; }
  const nnet::TrainDataOptions &Options() const override { return opts_; }
  void MakeBatch(int64 epoch, int64 index, int, nnet::TrainBatch *b) const override {
    b->epoch = epoch;
    b->index = index;
    b->labels.assign(1, static_cast<int32_t>(epoch * 1000 + index));
  }
 private:
  int64 bpe_;
  nnet::TrainDataOptions opts_;
  std::vector<std::string> spk_;
};

TEST(ShardedBatchSource, EveryWorldthBatch) {
  CountingSource inner(7);   // 7 batches, 3 ranks: 2 steps per epoch, batch 6 dropped
  std::vector<std::vector<int>> seen(3);
  for (int r = 0; r < 3; r++) {
    nnet::ShardedBatchSource s(&inner, r, 3);
    ASSERT_EQ(s.BatchesPerEpoch(), 2);
    s.Start(0);
    for (int k = 0; k < 4; k++) {
      nnet::TrainBatch b;
      s.Next(&b);
      EXPECT_EQ(b.epoch, k / 2);
      EXPECT_EQ(b.index, k % 2);
      seen[r].push_back(b.labels[0]);
    }
    s.Stop();
  }
  EXPECT_EQ(seen[0], (std::vector<int>{0, 3, 1000, 1003}));
  EXPECT_EQ(seen[1], (std::vector<int>{1, 4, 1001, 1004}));
  EXPECT_EQ(seen[2], (std::vector<int>{2, 5, 1002, 1005}));
  CountingSource tiny(1);
  EXPECT_THROW(nnet::ShardedBatchSource(&tiny, 0, 2), FatalError);
}

}  // namespace
}  // namespace tdnas
