// parallel.cc: a small persistent thread pool behind ParallelFor.
#include "nnet/parallel.h"

#include <cblas.h>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "base/log.h"

namespace tdnas {
namespace nnet {

namespace {

// Workers wait for a generation number to change, run their chunk, and count down.
class Pool {
 public:
  ~Pool() { Stop(); }
  void Start(int n) {
    Stop();
    num_threads_ = n;
    stop_ = false;
    const uint64_t gen = generation_;   // workers wait for the NEXT Run
    for (int i = 1; i < n; i++) workers_.emplace_back([this, i, gen]() { Loop(i, gen); });
  }
  int NumThreads() const { return num_threads_; }
  void Run(int64_t n, const std::function<void(int64_t, int64_t, int)> &fn) {
    std::unique_lock<std::mutex> lock(mu_);   // one ParallelFor at a time
    std::unique_lock<std::mutex> state(state_mu_);
    fn_ = &fn;
    n_ = n;
    pending_ = num_threads_ - 1;
    generation_++;
    state.unlock();
    cv_.notify_all();
    RunChunk(0);
    state.lock();
    done_cv_.wait(state, [this]() { return pending_ == 0; });
    fn_ = nullptr;
  }

 private:
  void RunChunk(int i) {
    int64_t begin = n_ * i / num_threads_, end = n_ * (i + 1) / num_threads_;
    if (begin < end) (*fn_)(begin, end, i);
  }
  void Loop(int i, uint64_t seen) {
    for (;;) {
      {
        std::unique_lock<std::mutex> state(state_mu_);
        cv_.wait(state, [&]() { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
      }
      RunChunk(i);
      std::unique_lock<std::mutex> state(state_mu_);
      if (--pending_ == 0) done_cv_.notify_one();
    }
  }
  void Stop() {
    {
      std::unique_lock<std::mutex> state(state_mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto &t : workers_) t.join();
    workers_.clear();
  }

  int num_threads_ = 1;
  std::vector<std::thread> workers_;
  std::mutex mu_, state_mu_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(int64_t, int64_t, int)> *fn_ = nullptr;
  int64_t n_ = 0;
  int pending_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
};

Pool &GetPool() {
  static Pool pool;
  static bool init = [] { openblas_set_num_threads(1); return true; }();
  (void)init;
  return pool;
}

}  // namespace

void SetNumThreads(int n) {
  TD_ASSERT(n >= 1);
  openblas_set_num_threads(1);
  if (n != GetPool().NumThreads()) GetPool().Start(n);
}

int NumThreads() { return GetPool().NumThreads(); }

void ParallelFor(int64_t n, const std::function<void(int64_t, int64_t, int)> &fn) {
  Pool &pool = GetPool();
  if (pool.NumThreads() == 1 || n <= 1) {
    if (n > 0) fn(0, n, 0);
    return;
  }
  pool.Run(n, fn);
}

}  // namespace nnet
}  // namespace tdnas
