// nccl-comm.cu: NcclComm for CUDA builds (see nccl-comm.h): rendezvous, non-blocking
// communicator, collectives on the backend stream waited for with a deadline.
#include <cuda_runtime.h>
#include <nccl.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <cstdlib>
#include <thread>
#include <vector>

#include "base/log.h"
#include "gpu/gpu-context.h"
#include "gpu/nccl-comm.h"
#include "gpu/nccl-rendezvous.h"

namespace tdnas {
namespace gpu {

bool CompiledWithNccl() { return true; }

namespace {

const char *NcclHint(ncclResult_t r) {
  switch (r) {
    case ncclSystemError:
    case ncclRemoteError:
      return " ---> HINT: a peer process died, or the network between ranks failed; see the "
             "other ranks' logs";
    case ncclInvalidUsage:
    case ncclInvalidArgument:
      return " ---> HINT: ranks disagree (world size, buffer sizes or call order): a bug or a "
             "mixed-up launch";
    case ncclUnhandledCudaError:
      return " ---> HINT: a CUDA error inside NCCL (out of GPU memory?)";
    default:
      return "";
  }
}

// After an abort the process must end (the caller throws the ERROR next): if ncclCommAbort
// itself, or the CUDA teardown at exit, still waited on a dead peer, this ends the process
// 30 s later with the reason. Started before the abort, so a hang inside it is covered too.
void StartExitWatchdog(const std::string &why) {
  std::thread([why] {
    std::this_thread::sleep_for(std::chrono::seconds(30));
    std::fprintf(stderr, "ERROR: %s (process still alive 30 s after aborting NCCL; exiting)\n",
                 why.c_str());
    std::fflush(stderr);
    _exit(1);
  }).detach();
}

__global__ void ScaleKernel(float *x, int64_t n, float s) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)
    x[i] *= s;
}

}  // namespace

struct NcclComm::Impl {
  ncclComm_t comm = nullptr;
  int rank = 0, world = 1;
  double timeout_s = 300;
  float *one = nullptr;   // barrier's device float

  // Deadline watchdog. Wait() below polls and handles the deadline itself, but an NCCL call
  // can also block inside the library (seen on H200 x2: a collective enqueued after the peer
  // was killed never returned). So every operation is armed: if it has not finished 5 s after
  // its deadline, this thread prints the ERROR and ends the process (exit status 1).
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false, armed = false;
  std::chrono::steady_clock::time_point deadline;
  std::string what;
  std::thread watchdog;

  void StartWatchdog() {
    watchdog = std::thread([this] {
      std::unique_lock<std::mutex> l(mu);
      while (!stop) {
        if (!armed) {
          cv.wait(l);
          continue;
        }
        const auto hard = deadline + std::chrono::seconds(5);
        if (cv.wait_until(l, hard) == std::cv_status::timeout && armed && !stop &&
            std::chrono::steady_clock::now() >= hard) {
          EmitLogLine("ERROR", MakeLocation("NcclWatchdog", __FILE__, __LINE__),
                      Who() + ": " + what + " did not complete within --sync-timeout=" +
                          std::to_string(static_cast<int>(timeout_s)) +
                          " s (blocked inside NCCL): another rank died or hangs (see its "
                          "log); exiting");
          std::fflush(nullptr);
          _exit(1);
        }
      }
    });
  }
  void StopWatchdog() {
    {
      std::lock_guard<std::mutex> l(mu);
      stop = true;
    }
    cv.notify_all();
    if (watchdog.joinable()) watchdog.join();
  }
  void Arm(const std::string &w) {
    {
      std::lock_guard<std::mutex> l(mu);
      armed = true;
      what = w;
      deadline = std::chrono::steady_clock::now() +
                 std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
    }
    cv.notify_all();
  }
  void Disarm() {
    std::lock_guard<std::mutex> l(mu);
    armed = false;
  }

  std::string Who() const {
    return "rank " + std::to_string(rank) + " of " + std::to_string(world);
  }
  void Abort(const std::string &why) {
    StartExitWatchdog(Who() + ": " + why);
    if (comm != nullptr) {
      ncclCommAbort(comm);
      comm = nullptr;
    }
  }
  // Checks a call's immediate result (ncclInProgress is normal for a non-blocking comm).
  void Check(ncclResult_t r, const char *call) {
    if (r == ncclSuccess || r == ncclInProgress) return;
    const std::string last = comm ? ncclGetLastError(comm) : ncclGetLastError(nullptr);
    Abort(std::string("NCCL call failed: ") + call);
    TD_ERR << Who() << ": NCCL call failed: " << call << ": " << ncclGetErrorString(r)
           << (last.empty() ? "" : " (" + last + ")") << NcclHint(r);
  }
  // Waits until the communicator is idle and, with stream_too, the backend stream has
  // finished; ERROR (after aborting) on an asynchronous NCCL error or at the deadline.
  void Wait(const std::string &what, bool stream_too) {
    using Clock = std::chrono::steady_clock;
    const Clock::time_point start = Clock::now();
    int polls = 0;
    while (true) {
      ncclResult_t a = ncclSuccess;
      ncclResult_t r = ncclCommGetAsyncError(comm, &a);
      if (r != ncclSuccess) a = r;
      if (a != ncclSuccess && a != ncclInProgress) {
        const std::string last = ncclGetLastError(comm);
        Abort("NCCL error during " + what);
        TD_ERR << Who() << ": NCCL error during " << what << ": " << ncclGetErrorString(a)
               << (last.empty() ? "" : " (" + last + ")") << NcclHint(a);
      }
      if (a == ncclSuccess) {
        if (!stream_too) return;
        const cudaError_t e = cudaStreamQuery(Stream());
        if (e == cudaSuccess) return;
        if (e != cudaErrorNotReady) {
          Abort("CUDA error during " + what);
          CUDA_CHECK(e);
        }
      }
      const double waited = std::chrono::duration<double>(Clock::now() - start).count();
      if (waited > timeout_s) {
        Abort(what + " timed out");
        TD_ERR << Who() << ": " << what << " did not complete within --sync-timeout="
               << timeout_s << " s: another rank died or hangs (see its log); aborted the "
               << "NCCL communicator";
      }
      // Spin briefly (a step's collective usually ends within microseconds of the compute),
      // then sleep so a long wait does not burn a core.
      if (++polls > 2000) std::this_thread::sleep_for(std::chrono::microseconds(100));
      else std::this_thread::yield();
    }
  }
};

NcclComm::NcclComm(int rank, int world, const std::string &rendezvous_file,
                   const std::string &key, double timeout_s)
    : rank_(rank), world_(world), timeout_s_(timeout_s) {
  if (world < 1 || rank < 0 || rank >= world)
    TD_ERR << "NcclComm: bad rank " << rank << " of " << world;
  if (!(timeout_s > 0)) TD_ERR << "--sync-timeout must be > 0 (got " << timeout_s << ")";
  Ctx();   // the backend must be up on this process's device
  ncclUniqueId id;
  std::vector<unsigned char> bytes(sizeof(id.internal));
  if (rank == 0) {
    ncclResult_t r = ncclGetUniqueId(&id);
    if (r != ncclSuccess)
      TD_ERR << "rank 0: ncclGetUniqueId failed: " << ncclGetErrorString(r) << " ("
             << ncclGetLastError(nullptr) << ")" << NcclHint(r);
    std::copy(id.internal, id.internal + sizeof(id.internal), bytes.begin());
    WriteRendezvous(rendezvous_file, world, key, bytes);
  } else {
    bytes = ReadRendezvous(rendezvous_file, world, key, sizeof(id.internal), timeout_s, rank);
    std::copy(bytes.begin(), bytes.end(), id.internal);
  }
  impl_ = new Impl;
  impl_->rank = rank;
  impl_->world = world;
  impl_->timeout_s = timeout_s;
  ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
  config.blocking = 0;
  const std::string joining = "joining the NCCL communicator (rendezvous " + rendezvous_file + ")";
  impl_->StartWatchdog();
  impl_->Arm(joining);
  try {
    impl_->Check(ncclCommInitRankConfig(&impl_->comm, world, id, rank, &config),
                 "ncclCommInitRankConfig");
    impl_->Wait(joining, false);
  } catch (...) {
    impl_->StopWatchdog();   // the destructor does not run for a constructor that throws
    delete impl_;
    impl_ = nullptr;
    throw;
  }
  impl_->Disarm();
  impl_->one = static_cast<float *>(PoolAlloc(sizeof(float)));
  int version = 0;
  ncclGetVersion(&version);
  TD_LOG << "rank " << rank << " of " << world << ": NCCL " << version
         << " communicator ready (rendezvous " << rendezvous_file << ", sync timeout "
         << timeout_s << " s)";
}

NcclComm::~NcclComm() {
  if (impl_ == nullptr) return;
  if (impl_->one != nullptr) PoolFree(impl_->one);
  if (impl_->comm != nullptr) {
    // Finalize flushes outstanding work; a peer gone at this point must not hang us either.
    try {
      impl_->Arm("finalizing the NCCL communicator");
      impl_->Check(ncclCommFinalize(impl_->comm), "ncclCommFinalize");
      impl_->Wait("finalizing the NCCL communicator", false);
      ncclCommDestroy(impl_->comm);
    } catch (const std::exception &e) {
      TD_WARN << e.what();   // destructors must not throw
    }
  }
  impl_->StopWatchdog();
  delete impl_;
}

void NcclComm::AllReduceSum(float *d, int64_t n) {
  if (n <= 0) return;
  const std::string what = "all-reduce of " + std::to_string(n) + " floats";
  impl_->Arm(what);
  impl_->Check(ncclAllReduce(d, d, static_cast<size_t>(n), ncclFloat, ncclSum, impl_->comm,
                             Stream()),
               "ncclAllReduce");
  impl_->Wait(what, true);
  impl_->Disarm();
}

void NcclComm::AllReduceMean(float *d, int64_t n) {
  if (n <= 0) return;
  const std::string what = "all-reduce of " + std::to_string(n) + " floats";
  impl_->Arm(what);
  impl_->Check(ncclAllReduce(d, d, static_cast<size_t>(n), ncclFloat, ncclSum, impl_->comm,
                             Stream()),
               "ncclAllReduce");
  // A non-blocking communicator may still be enqueueing: the scaling must follow it.
  impl_->Wait(what, false);
  if (world_ > 1) {
    ScaleKernel<<<GridFor(n, 256), 256, 0, Stream()>>>(d, n, 1.0f / world_);
    CUDA_LAUNCH_CHECK();
  }
  impl_->Wait(what, true);
  impl_->Disarm();
}

void NcclComm::Broadcast(float *d, int64_t n, int root) {
  if (n <= 0) return;
  const std::string what =
      "broadcast of " + std::to_string(n) + " floats from rank " + std::to_string(root);
  impl_->Arm(what);
  impl_->Check(ncclBroadcast(d, d, static_cast<size_t>(n), ncclFloat, root, impl_->comm,
                             Stream()),
               "ncclBroadcast");
  impl_->Wait(what, true);
  impl_->Disarm();
}

void NcclComm::Barrier() {
  const float v = 1.0f;
  impl_->Arm("barrier");
  CUDA_CHECK(cudaMemcpyAsync(impl_->one, &v, sizeof(v), cudaMemcpyHostToDevice, Stream()));
  impl_->Check(ncclAllReduce(impl_->one, impl_->one, 1, ncclFloat, ncclSum, impl_->comm,
                             Stream()),
               "ncclAllReduce (barrier)");
  impl_->Wait("barrier", true);
  impl_->Disarm();
}

}  // namespace gpu
}  // namespace tdnas
