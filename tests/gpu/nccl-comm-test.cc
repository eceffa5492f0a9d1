// nccl-comm-test.cc: multi-GPU data parallelism over NCCL, one process per GPU. Skips unless
// at least 2 GPUs are visible (CI has none; the nvidia-h200-x2 device runs it).
//
// Each test starts worker processes: this same binary run again (--gtest_filter=NcclWorker.Main)
// with TDNAS_NCCL_WORKER=<role>, TDNAS_RANK/TDNAS_WORLD, a fresh rendezvous file, and
// CUDA_VISIBLE_DEVICES naming one GPU each, as utils/launch_gpus.sh would. Workers write
// "key value" lines to <out>/<role>.<rank>.txt and their log to <role>.<rank>.log.
//   AllReduceMatchesHostSums: random buffers (fresh seed each run; 1 .. 5M floats), device and
//     host paths, against double-precision host means; broadcast bit-exact.
//   SameGlobalBatchAsOneGpu: a small network, 2 GPUs x batch B vs one GPU accumulating the same
//     two batches (the global batch): gradients of step 1, parameters after 1 Adam step and the
//     losses and parameters of 5 steps, as max relative differences (rounding only).
//   LostPeerIsAnErrorNotAHang: rank 1 is killed (SIGKILL) while rank 0 waits in an all-reduce
//     with --sync-timeout 20 s: rank 0 must end with a clear ERROR within the timeout.
//   RendezvousNeverWritten: rank 1 of 2 with no rank 0 -> ERROR naming the file (GPU path).
// NcclBench.Scaling (only with TDNAS_NCCL_BENCH=1): training steps of the largest subnet
//   (batch 128 per GPU x 200 frames, 5994 classes, Adam) on 1 GPU and on 2 GPUs with the
//   gradient all-reduce; prints step times and efficiency = t1 / t2 (throughput ratio / 2).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/log.h"
#include "gpu/gpu-api.h"
#include "gpu/nccl-comm.h"
#include "nnet/adam.h"
#include "nnet/device-copy.h"
#include "nnet/grad-sync.h"
#include "nnet/static-tdnn.h"
#include "nnet/subnet-config.h"
#include "gpu-test-util.h"

namespace tdnas {
namespace {

using nnet::Buffer;
using nnet::Device;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}
using gputest::Env;
using gputest::EnvInt;

// ---------------------------------------------------------------- parent side

struct Job {
  std::string dir, role;
  std::vector<pid_t> pids;
  std::vector<int> ranks;
  std::vector<int> status;     // exit code, 128+signal, or -1 = killed at the deadline
  std::vector<double> secs;    // wall time of each worker
};

// The physical GPU for rank r: the r-th entry of our CUDA_VISIBLE_DEVICES, else r.
std::string GpuFor(int r) {
  const std::string vis = Env("CUDA_VISIBLE_DEVICES");
  if (vis.empty()) return std::to_string(r);
  std::vector<std::string> ids;
  std::stringstream ss(vis);
  std::string id;
  while (std::getline(ss, id, ',')) ids.push_back(id);
  return r < static_cast<int>(ids.size()) ? ids[r] : std::to_string(r);
}

// Starts `world` workers of `role` (extra: more environment). dir gets the logs/results.
Job Launch(const std::string &role, int world, const std::string &dir,
           const std::vector<std::pair<std::string, std::string>> &extra = {},
           const std::vector<int> &ranks = {}) {
  Job job;
  if (std::system(("mkdir -p " + dir).c_str()) != 0) ADD_FAILURE() << "mkdir " << dir;
  job.dir = dir;
  job.role = role;
  const std::string seed = std::to_string(
      static_cast<unsigned>(Clock::now().time_since_epoch().count() & 0x7fffffff));
  std::vector<int> rs = ranks;
  if (rs.empty())
    for (int r = 0; r < world; r++) rs.push_back(r);
  for (int r : rs) {
    const std::string log = dir + "/" + role + "." + std::to_string(r) + ".log";
    std::fflush(nullptr);   // else the child inherits (and writes again) our buffered output
    pid_t pid = fork();
    if (pid == 0) {
      setenv("TDNAS_NCCL_WORKER", role.c_str(), 1);
      setenv("TDNAS_NCCL_OUT", dir.c_str(), 1);
      setenv("TDNAS_NCCL_SEED", seed.c_str(), 1);
      setenv("TDNAS_RANK", std::to_string(r).c_str(), 1);
      setenv("TDNAS_WORLD", std::to_string(world).c_str(), 1);
      setenv("TDNAS_RENDEZVOUS", (dir + "/" + role + ".rdv").c_str(), 1);
      setenv("TDNAS_RENDEZVOUS_KEY", (role + "-" + seed).c_str(), 1);
      setenv("CUDA_VISIBLE_DEVICES", GpuFor(r).c_str(), 1);
      setenv("NCCL_NVLS_ENABLE", "0", 0);   // keep NVLink multicast off unless told otherwise
      for (const auto &kv : extra) setenv(kv.first.c_str(), kv.second.c_str(), 1);
      FILE *f = std::freopen(log.c_str(), "w", stdout);
      if (f == nullptr || dup2(fileno(stdout), 2) < 0) _exit(99);
      execl("/proc/self/exe", "nccl-comm-test", "--gtest_filter=NcclWorker.Main", nullptr);
      _exit(98);
    }
    job.pids.push_back(pid);
    job.ranks.push_back(r);
  }
  return job;
}

// Waits for every worker, killing those still running after timeout_s.
void Wait(Job *job, double timeout_s) {
  const Clock::time_point t0 = Clock::now();
  const size_t n = job->pids.size();
  job->status.assign(n, -2);
  job->secs.assign(n, 0.0);
  size_t left = n;
  while (left > 0) {
    for (size_t i = 0; i < n; i++) {
      if (job->status[i] != -2) continue;
      int st = 0;
      if (waitpid(job->pids[i], &st, WNOHANG) == job->pids[i]) {
        job->status[i] = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        job->secs[i] = Since(t0);
        left--;
      }
    }
    if (left > 0 && Since(t0) > timeout_s) {
      for (size_t i = 0; i < n; i++)
        if (job->status[i] == -2) {
          kill(job->pids[i], SIGKILL);
          waitpid(job->pids[i], nullptr, 0);
          job->status[i] = -1;
          job->secs[i] = Since(t0);
        }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string ReadFile(const std::string &f) {
  std::ifstream is(f);
  std::stringstream ss;
  ss << is.rdbuf();
  return ss.str();
}

std::map<std::string, std::string> Results(const Job &job, int rank) {
  std::map<std::string, std::string> m;
  std::ifstream is(job.dir + "/" + job.role + "." + std::to_string(rank) + ".txt");
  std::string line;
  while (std::getline(is, line)) {
    const size_t sp = line.find(' ');
    if (sp != std::string::npos) m[line.substr(0, sp)] = line.substr(sp + 1);
  }
  return m;
}

void PrintLogs(const Job &job) {
  for (size_t i = 0; i < job.pids.size(); i++) {
    std::printf("---- %s rank %d (status %d, %.1f s)\n", job.role.c_str(), job.ranks[i],
                job.status[i], job.secs[i]);
    std::string log =
        ReadFile(job.dir + "/" + job.role + "." + std::to_string(job.ranks[i]) + ".log");
    if (log.size() > 4000) log = "..." + log.substr(log.size() - 4000);
    std::fputs(log.c_str(), stdout);
  }
}

class MultiGpu : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Env("TDNAS_NCCL_WORKER").empty()) GTEST_SKIP() << "worker process";
    if (!gpu::CompiledWithNccl()) GTEST_SKIP() << "SKIP: built without NCCL";
    const int n = gpu::DeviceCount();
    if (n < 2) GTEST_SKIP() << "SKIP: needs 2 GPUs, " << n << " visible";
    char tmpl[] = "/tmp/nccl-comm-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  std::string dir_;
};

TEST_F(MultiGpu, AllReduceMatchesHostSums) {
  Job job = Launch("allreduce", 2, dir_);
  Wait(&job, 120);
  PrintLogs(job);
  for (int r = 0; r < 2; r++) {
    ASSERT_EQ(job.status[r], 0) << "rank " << r;
    auto res = Results(job, r);
    ASSERT_EQ(res["done"], "1") << "rank " << r;
    const double err = std::atof(res["max_rel_err"].c_str());
    std::printf("rank %d: all-reduce mean vs host double mean: max rel err %.3g over sizes %s; "
                "broadcast exact %s\n", r, err, res["sizes"].c_str(), res["bcast_exact"].c_str());
    EXPECT_LT(err, 1e-6);
    EXPECT_EQ(res["bcast_exact"], "1");
  }
}

TEST_F(MultiGpu, SameGlobalBatchAsOneGpu) {
  Job job = Launch("grad", 2, dir_);
  Wait(&job, 240);
  PrintLogs(job);
  ASSERT_EQ(job.status[0], 0);
  ASSERT_EQ(job.status[1], 0);
  auto res = Results(job, 0);
  ASSERT_EQ(res["done"], "1");
  EXPECT_EQ(Results(job, 1)["bcast_exact"], "1");
  const double g = std::atof(res["grad_rel"].c_str()), p1 = std::atof(res["param1_rel"].c_str());
  const double l = std::atof(res["loss_rel"].c_str()), pn = std::atof(res["paramN_rel"].c_str());
  std::printf("2 GPUs x batch %s vs 1 GPU accumulating the same global batch (fp32): max rel "
              "diff gradients(step 1) %.3g, params after 1 step %.3g, losses of %s steps %.3g, "
              "params after %s steps %.3g; ranks' params equal: %s\n",
              res["batch"].c_str(), g, p1, res["steps"].c_str(), l, res["steps"].c_str(), pn,
              res["ranks_equal"].c_str());
  EXPECT_LT(g, 1e-5);
  EXPECT_LT(p1, 1e-5);
  EXPECT_LT(l, 1e-4);
  EXPECT_LT(pn, 1e-4);
  EXPECT_EQ(res["ranks_equal"], "1");
}

TEST_F(MultiGpu, LostPeerIsAnErrorNotAHang) {
  const int timeout = EnvInt("TDNAS_NCCL_TEST_SYNC_TIMEOUT", 20);
  Job job = Launch("lost", 2, dir_, {{"TDNAS_SYNC_TIMEOUT", std::to_string(timeout)}});
  Wait(&job, timeout + 60);
  PrintLogs(job);
  EXPECT_EQ(job.status[1], 128 + SIGKILL) << "rank 1 should have been killed";
  ASSERT_NE(job.status[0], -1) << "rank 0 hung: killed at the deadline";
  // Rank 0's ERROR line: from the polling path (the worker catches, prints, exits 1) or from
  // the watchdog when an NCCL call blocked (prints, exits 1). Rank 1 dies ~1 s after the
  // barrier; the worker's start takes a few seconds more.
  const std::string log = ReadFile(dir_ + "/lost.0.log");
  const size_t e = log.find("ERROR (");
  const std::string error = e == std::string::npos ? "" : log.substr(e, log.find('\n', e) - e);
  const bool watchdog = log.find("blocked inside NCCL") != std::string::npos;
  const bool teardown = log.find("still alive") != std::string::npos;
  std::printf("lost peer: rank 0 exited %.1f s after start with status %d (timeout %d s; via %s%s)"
              ": %s\n", job.secs[0], job.status[0], timeout,
              watchdog ? "the watchdog: an NCCL call blocked" : "the polling wait",
              teardown ? ", teardown forced after 30 s" : "", error.c_str());
  EXPECT_EQ(job.status[0], 1);
  EXPECT_NE(error.find("rank 0 of 2"), std::string::npos) << error;
  EXPECT_LE(job.secs[0], timeout + 5.0 + 15.0);
}

TEST_F(MultiGpu, RendezvousNeverWritten) {
  Job job = Launch("norendezvous", 2, dir_, {{"TDNAS_SYNC_TIMEOUT", "3"}}, {1});
  Wait(&job, 60);
  PrintLogs(job);
  auto res = Results(job, 1);
  std::printf("missing rendezvous: %s\n", res["error"].c_str());
  EXPECT_EQ(job.status[0], 1);
  EXPECT_NE(res["error"].find("waiting for the rendezvous file " + dir_ + "/norendezvous.rdv"),
            std::string::npos);
}

TEST(NcclBench, Scaling) {
  if (!Env("TDNAS_NCCL_WORKER").empty()) GTEST_SKIP() << "worker process";
  if (Env("TDNAS_NCCL_BENCH") != "1") GTEST_SKIP() << "SKIP: set TDNAS_NCCL_BENCH=1 to run";
  if (gpu::DeviceCount() < 2) GTEST_SKIP() << "SKIP: needs 2 GPUs";
  char tmpl[] = "/tmp/nccl-bench.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::map<int, std::map<std::string, std::string>> res;
  for (int world : {1, 2}) {
    Job job = Launch("bench", world, std::string(tmpl) + (world == 1 ? "/w1" : "/w2"));
    Wait(&job, 400);
    PrintLogs(job);
    for (int r = 0; r < world; r++) ASSERT_EQ(job.status[r], 0) << "world " << world;
    res[world] = Results(job, 0);
  }
  std::ostringstream table;
  table << "device: " << res[1]["device"] << "\nconfig " << res[1]["config"] << ", batch "
        << res[1]["batch"] << " per GPU x " << res[1]["frames"] << " frames, " << res[1]["classes"]
        << " classes, Adam; " << res[1]["params"] << " parameters (all-reduce "
        << std::atof(res[1]["params"].c_str()) * 4 / 1048576.0 << " MiB)\n";
  table << "| math | 1 GPU step ms | 2 GPUs step ms | all-reduce ms (alone) | 1 GPU utt/s | "
           "2 GPUs utt/s | efficiency |\n|---|---|---|---|---|---|---|\n";
  std::istringstream modes(res[1]["modes"]);
  std::string mode;
  while (modes >> mode) {
    const double t1 = std::atof(res[1]["step_ms_" + mode].c_str());
    const double t2 = std::atof(res[2]["step_ms_" + mode].c_str());
    const double ar = std::atof(res[2]["allreduce_ms_" + mode].c_str());
    const double b = std::atof(res[1]["batch"].c_str());
    char line[256];
    std::snprintf(line, sizeof(line), "| %s | %.2f | %.2f | %.3f | %.0f | %.0f | %.1f%% |\n",
                  mode.c_str(), t1, t2, ar, 1000 * b / t1, 2000 * b / t2, 100 * t1 / t2);
    table << line;
  }
  std::fputs(table.str().c_str(), stdout);
  const std::string out = Env("TDNAS_NCCL_BENCH_OUT");
  if (!out.empty()) std::ofstream(out) << table.str();
}

// ---------------------------------------------------------------- worker side

class ResultFile {
 public:
  explicit ResultFile(const std::string &file) : f_(std::fopen(file.c_str(), "w")) {
    if (f_ == nullptr) TD_ERR << "cannot write " << file;
  }
  ~ResultFile() { std::fclose(f_); }
  template <typename T> void Put(const std::string &k, const T &v) {
    std::ostringstream os;
    os << v;
    std::fprintf(f_, "%s %s\n", k.c_str(), os.str().c_str());
    std::fflush(f_);
  }
 private:
  FILE *f_;
};

nnet::GradSyncOptions SyncOptions() {
  nnet::GradSyncOptions o;
  o.sync_timeout = EnvInt("TDNAS_SYNC_TIMEOUT", 120);
  return o;
}

std::vector<float> Randn(uint64_t seed, size_t n) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> nd;
  std::vector<float> v(n);
  for (float &x : v) x = nd(rng);
  return v;
}

// max |a - b| / max |b|, over all elements (0 if b is all zero and a == b).
double MaxRelDiff(const std::vector<float> &a, const std::vector<float> &b) {
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); i++) {
    num = std::max(num, std::fabs(static_cast<double>(a[i]) - b[i]));
    den = std::max(den, std::fabs(static_cast<double>(b[i])));
  }
  return den > 0 ? num / den : num;
}

using gputest::ToHost;
void ToDevice(const std::vector<float> &v, Buffer *b) {
  ASSERT_EQ(static_cast<int64_t>(v.size()), b->Size());
  gpu::CopyHostToDevice(b->Data(), v.data(), v.size() * sizeof(float));
}

void WorkerAllReduce(int rank, int world, uint64_t seed, ResultFile *out) {
  auto sync = nnet::NewGradSync(SyncOptions(), true);
  ASSERT_EQ(sync->World(), world);
  double worst = 0;
  std::string sizes;
  for (int64_t n : {int64_t{1}, int64_t{1000}, int64_t{(1 << 20) + 3}, int64_t{5000000}}) {
    for (Device where : {Device::kGpu, Device::kCpu}) {
      std::vector<std::vector<float>> all;
      for (int r = 0; r < world; r++) all.push_back(Randn(seed * 1000 + n * 7 + r, n));
      std::vector<float> mine = all[rank];
      Buffer b(Device::kGpu, n);
      if (where == Device::kGpu) {
        ToDevice(mine, &b);
        sync->AllReduceMean(&b);
        mine = ToHost(b);
      } else {
        sync->AllReduceMean(mine.data(), n, Device::kCpu);
      }
      std::vector<float> ref(n);
      for (int64_t i = 0; i < n; i++) {
        double s = 0;
        for (int r = 0; r < world; r++) s += all[r][i];
        ref[i] = static_cast<float>(s / world);
      }
      worst = std::max(worst, MaxRelDiff(mine, ref));
    }
    sizes += (sizes.empty() ? "" : ",") + std::to_string(n);
  }
  // Broadcast: rank 0's values, bit for bit.
  std::vector<float> v = Randn(seed + 17 + rank, 100003), v0 = Randn(seed + 17, 100003);
  Buffer b(Device::kGpu, v.size());
  ToDevice(v, &b);
  sync->Broadcast(&b);
  out->Put("bcast_exact", ToHost(b) == v0 ? 1 : 0);
  sync->Barrier();
  out->Put("max_rel_err", worst);
  out->Put("sizes", sizes);
  out->Put("done", 1);
}

// The small network of the gradient test, its data and one step.
struct GradCase {
  std::string config = "2-64-64-64-3-3-3-192";
  int batch = 8, frames = 60, classes = 40, steps = 5;
  nnet::StaticTdnnOptions Opts() const {
    nnet::StaticTdnnOptions o;
    o.num_classes = classes;
    return o;
  }
  // Batch of step s for rank r (the global batch of step s is r = 0 .. world-1).
  void Data(uint64_t seed, int s, int r, std::vector<float> *x, std::vector<int32_t> *y) const {
    *x = Randn(seed * 31 + s * 1009 + r, static_cast<size_t>(batch) * 80 * frames);
    std::mt19937 rng(static_cast<unsigned>(seed + s * 7 + r * 131));
    y->resize(batch);
    for (auto &l : *y) l = static_cast<int32_t>(rng() % classes);
  }
  std::unique_ptr<nnet::StaticTdnn> Net(uint64_t init_seed) const {
    nnet::StaticTdnn cpu(ParseSubnetConfig(config), Opts(), Device::kCpu);
    cpu.InitParams(init_seed);
    std::unique_ptr<nnet::StaticTdnn> net(
        new nnet::StaticTdnn(ParseSubnetConfig(config), Opts(), Device::kGpu));
    nnet::CopyNetParamsAndState(cpu, net.get());
    return net;
  }
  // Forward + backward of one batch into the net's (zeroed) gradient buffer; the loss.
  double Grad(nnet::StaticTdnn *net, const std::vector<float> &xh,
              const std::vector<int32_t> &y) const {
    Buffer xb(Device::kGpu, xh.size());
    gpu::CopyHostToDevice(xb.Data(), xh.data(), xh.size() * sizeof(float));
    net->ZeroGrad();
    const double loss = net->ForwardLoss(xb.View({batch, 80, frames}), y.data(), true, nullptr);
    net->Backward();
    return loss;
  }
};

void WorkerGrad(int rank, int world, uint64_t seed, ResultFile *out) {
  gpu::SetMathMode(gpu::MathMode::kFp32);
  GradCase gc;
  out->Put("batch", gc.batch);
  out->Put("steps", gc.steps);
  std::vector<float> x;
  std::vector<int32_t> y;
  // Rank 0 first computes the one-GPU reference: the global batch's gradient as the mean of
  // its world batches' gradients (accumulated on one GPU), Adam on that.
  std::vector<float> ref_grad1, ref_param1, ref_paramN;
  std::vector<double> ref_loss;
  if (rank == 0) {
    auto net = gc.Net(seed);
    nnet::Adam adam(nnet::AdamOptions(), Device::kGpu, net->ParamBuffer().Size());
    for (int s = 0; s < gc.steps; s++) {
      std::vector<double> acc(net->GradBuffer().Size(), 0.0);
      double loss = 0;
      for (int r = 0; r < world; r++) {
        gc.Data(seed, s, r, &x, &y);
        loss += gc.Grad(net.get(), x, y) / world;
        std::vector<float> g = ToHost(net->GradBuffer());
        for (size_t i = 0; i < g.size(); i++) acc[i] += g[i];
      }
      std::vector<float> mean(acc.size());
      for (size_t i = 0; i < acc.size(); i++) mean[i] = static_cast<float>(acc[i] / world);
      ToDevice(mean, &net->GradBuffer());
      adam.Update(1e-3f, net->GradBuffer(), &net->ParamBuffer());
      ref_loss.push_back(loss);
      if (s == 0) {
        ref_grad1 = mean;
        ref_param1 = ToHost(net->ParamBuffer());
      }
    }
    ref_paramN = ToHost(net->ParamBuffer());
  }
  // Data parallel: each rank starts from different weights; the broadcast makes them rank 0's.
  auto sync = nnet::NewGradSync(SyncOptions(), true);
  auto net = gc.Net(seed + rank);
  sync->Broadcast(&net->ParamBuffer());
  sync->Broadcast(&net->StateBuffer());
  {
    nnet::StaticTdnn cpu(ParseSubnetConfig(gc.config), gc.Opts(), Device::kCpu);
    cpu.InitParams(seed);
    std::vector<float> want(cpu.ParamBuffer().Data(),
                            cpu.ParamBuffer().Data() + cpu.ParamBuffer().Size());
    out->Put("bcast_exact", ToHost(net->ParamBuffer()) == want ? 1 : 0);
  }
  nnet::Adam adam(nnet::AdamOptions(), Device::kGpu, net->ParamBuffer().Size());
  double loss_rel = 0;
  for (int s = 0; s < gc.steps; s++) {
    gc.Data(seed, s, rank, &x, &y);
    float loss = static_cast<float>(gc.Grad(net.get(), x, y));
    sync->AllReduceMean(&net->GradBuffer());            // the trainer's hook
    sync->AllReduceMean(&loss, 1, Device::kCpu);        // the global batch's loss
    if (rank == 0) {
      if (s == 0) out->Put("grad_rel", MaxRelDiff(ToHost(net->GradBuffer()), ref_grad1));
      loss_rel = std::max(loss_rel, std::fabs(loss - ref_loss[s]) / std::fabs(ref_loss[s]));
      out->Put("loss_" + std::to_string(s), loss);
      out->Put("ref_loss_" + std::to_string(s), ref_loss[s]);
    }
    adam.Update(1e-3f, net->GradBuffer(), &net->ParamBuffer());
    if (rank == 0 && s == 0) out->Put("param1_rel", MaxRelDiff(ToHost(net->ParamBuffer()), ref_param1));
  }
  // The ranks' parameters must be identical: compare everyone's with rank 0's.
  std::vector<float> mine = ToHost(net->ParamBuffer());
  Buffer b(Device::kGpu, mine.size());
  ToDevice(mine, &b);
  sync->Broadcast(&b);
  const int equal = ToHost(b) == mine ? 1 : 0;
  float all_equal = static_cast<float>(equal);
  sync->AllReduceMean(&all_equal, 1, Device::kCpu);
  sync->Barrier();
  if (rank == 0) {
    out->Put("loss_rel", loss_rel);
    out->Put("paramN_rel", MaxRelDiff(mine, ref_paramN));
    out->Put("ranks_equal", all_equal == 1.0f ? 1 : 0);
  }
  out->Put("done", 1);
}

void WorkerLost(int rank, ResultFile *out) {
  auto sync = nnet::NewGradSync(SyncOptions(), true);
  Buffer b(Device::kGpu, 1 << 20);
  sync->Barrier();
  if (rank == 1) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    raise(SIGKILL);   // kill -9 while rank 0 waits in the all-reduce
  }
  const Clock::time_point t0 = Clock::now();
  try {
    for (int i = 0; i < 1000000; i++) sync->AllReduceMean(&b);
    out->Put("error", "");
  } catch (const FatalError &e) {
    out->Put("waited_s", Since(t0));
    std::string msg = e.what();
    std::replace(msg.begin(), msg.end(), '\n', ' ');
    out->Put("error", msg);
    EmitLogLine("ERROR", e.location(), e.what());
    std::fflush(nullptr);
    std::exit(1);   // as RunMain: exit 1 through the normal teardown (must not hang either)
  }
}

void WorkerNoRendezvous(ResultFile *out) {
  try {
    auto sync = nnet::NewGradSync(SyncOptions(), true);
    out->Put("error", "");
  } catch (const FatalError &e) {
    out->Put("error", e.what());
    EmitLogLine("ERROR", e.location(), e.what());
    std::fflush(nullptr);
    std::exit(1);
  }
}

void WorkerBench(int rank, int world, ResultFile *out) {
  const std::string config = Env("TDNAS_NCCL_BENCH_CONFIG", "4-512-512-512-512-512-5-5-5-5-5-1536");
  const int nb = EnvInt("TDNAS_NCCL_BENCH_BATCH", 128), frames = EnvInt("TDNAS_NCCL_BENCH_FRAMES", 200);
  const int classes = EnvInt("TDNAS_NCCL_BENCH_CLASSES", 5994), iters = EnvInt("TDNAS_NCCL_BENCH_ITERS", 30);
  const std::string modes = Env("TDNAS_NCCL_BENCH_MODES", "tf32 bf16");
  auto sync = nnet::NewGradSync(SyncOptions(), true);
  nnet::StaticTdnnOptions opts;
  opts.num_classes = classes;
  nnet::StaticTdnn cpu(ParseSubnetConfig(config), opts, Device::kCpu);
  cpu.InitParams(1);
  nnet::StaticTdnn net(ParseSubnetConfig(config), opts, Device::kGpu);
  gpu::CopyHostToDevice(net.ParamBuffer().Data(), cpu.ParamBuffer().Data(),
                        cpu.ParamBuffer().Size() * sizeof(float));
  sync->Broadcast(&net.ParamBuffer());
  nnet::Adam adam(nnet::AdamOptions(), Device::kGpu, net.ParamBuffer().Size());
  std::vector<float> xh = Randn(100 + rank, static_cast<size_t>(nb) * 80 * frames);
  Buffer xb(Device::kGpu, xh.size());
  gpu::CopyHostToDevice(xb.Data(), xh.data(), xh.size() * sizeof(float));
  std::vector<int32_t> labels(nb);
  for (int i = 0; i < nb; i++) labels[i] = (i * 7919 + rank) % classes;
  out->Put("device", gpu::DeviceDescription());
  out->Put("config", config);
  out->Put("batch", nb);
  out->Put("frames", frames);
  out->Put("classes", classes);
  out->Put("params", net.ParamBuffer().Size());
  out->Put("modes", modes);
  std::istringstream ms(modes);
  std::string mode_name;
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  while (ms >> mode_name) {
    gpu::MathMode mode;
    ASSERT_TRUE(gpu::ParseMathMode(mode_name, &mode));
    gpu::SetMathMode(mode);
    // The trainer's step: zero, forward + loss (syncs for the loss), backward, all-reduce of
    // the gradients (waits for it), Adam.
    auto step = [&]() {
      net.ZeroGrad();
      net.ForwardLoss(xb.View({nb, 80, frames}), labels.data(), true, nullptr);
      net.Backward();
      sync->AllReduceMean(&net.GradBuffer());
      adam.Update(1e-5f, net.GradBuffer(), &net.ParamBuffer());
    };
    for (int i = 0; i < 3; i++) step();
    gpu::Synchronize();
    sync->Barrier();
    std::vector<double> ms_step, ms_ar;
    for (int i = 0; i < iters; i++) {
      const Clock::time_point t0 = Clock::now();
      step();
      gpu::Synchronize();
      ms_step.push_back(1000 * Since(t0));
    }
    for (int i = 0; i < iters; i++) {
      gpu::Synchronize();
      const Clock::time_point t0 = Clock::now();
      sync->AllReduceMean(&net.GradBuffer());
      ms_ar.push_back(1000 * Since(t0));
    }
    out->Put("step_ms_" + mode_name, median(ms_step));
    out->Put("allreduce_ms_" + mode_name, median(ms_ar));
    std::printf("rank %d of %d %s: step %.2f ms (median of %d), all-reduce alone %.3f ms\n",
                rank, world, mode_name.c_str(), median(ms_step), iters, median(ms_ar));
    std::fflush(stdout);
  }
  sync->Barrier();
}

TEST(NcclWorker, Main) {
  const std::string role = Env("TDNAS_NCCL_WORKER");
  if (role.empty()) GTEST_SKIP() << "run by the MultiGpu tests as a worker process";
  const int rank = EnvInt("TDNAS_RANK", 0), world = EnvInt("TDNAS_WORLD", 1);
  const uint64_t seed = static_cast<uint64_t>(EnvInt("TDNAS_NCCL_SEED", 1));
  ResultFile out(Env("TDNAS_NCCL_OUT") + "/" + role + "." + std::to_string(rank) + ".txt");
  std::printf("worker %s rank %d of %d seed %llu\n", role.c_str(), rank, world,
              static_cast<unsigned long long>(seed));
  gpu::SelectDevice("yes");
  if (role == "allreduce") WorkerAllReduce(rank, world, seed, &out);
  else if (role == "grad") WorkerGrad(rank, world, seed, &out);
  else if (role == "lost") WorkerLost(rank, &out);
  else if (role == "norendezvous") WorkerNoRendezvous(&out);
  else if (role == "bench") WorkerBench(rank, world, &out);
  else FAIL() << "unknown role " << role;
}

}  // namespace
}  // namespace tdnas
