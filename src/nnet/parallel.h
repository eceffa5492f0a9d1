// parallel.h: the CPU thread count of the nnet kernels and a ParallelFor over index ranges.
//
// CPU kernels split work over the batch (convolutions: one GEMM per utterance) or over channels
// (batch norm, pooling) with ParallelFor; OpenBLAS itself is kept single-threaded so the two
// never oversubscribe the cores. SetNumThreads(n) sets both.
#ifndef TDNAS_NNET_PARALLEL_H_
#define TDNAS_NNET_PARALLEL_H_

#include <cstdint>
#include <functional>

namespace tdnas {
namespace nnet {

// n >= 1. Also sets OpenBLAS to 1 thread (our threads call it concurrently).
void SetNumThreads(int n);
int NumThreads();

// Calls fn(begin, end, thread) on contiguous chunks covering [0, n), one chunk per thread
// (thread in [0, NumThreads())), and returns when all are done. Runs inline when n is small
// or there is one thread. Chunks never overlap, so fn may write to disjoint outputs.
void ParallelFor(int64_t n, const std::function<void(int64_t, int64_t, int)> &fn);

}  // namespace nnet
}  // namespace tdnas

#endif  // TDNAS_NNET_PARALLEL_H_
