// gpu-backend.cu: the backend's state (stream, cuBLAS handles, caching memory pool, math mode),
// the GEMM wrapper, host<->device copies, the device allocator nnet uses and the timer.
#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <map>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "gpu/gpu-context.h"
#include "gpu/kernels-gpu.h"
#include "nnet/kernels.h"
#include "nnet/tensor.h"

namespace tdnas {
namespace gpu {

namespace {

Context g_ctx;
bool g_initialised = false;
MathMode g_mode = MathMode::kFp32;

// ---- caching pool ----
// Sizes are rounded (512 B below 1 MiB, 2 MiB above) and free blocks kept in a size-ordered
// map; a request takes the smallest cached block that fits within 1.25x its size.
// Blocks a StreamGraph captured with (allocated or freed during its capture) are reserved for
// it: when freed they go to the graph's own free list, which only its later captures draw
// from, and they never reach the shared cache (nor cudaFree) until the graph releases them.

// The blocks reserved for one StreamGraph.
struct GraphBlocks {
  std::multimap<size_t, void *> free;   // reserved and not in use
  std::unordered_set<void *> all;       // every reserved block, in use or not
};

// The smallest block of a size-ordered free list that fits `size` within 1.25x, or end().
std::multimap<size_t, void *>::iterator FindFit(std::multimap<size_t, void *> *list,
                                                size_t size) {
  auto it = list->lower_bound(size);
  return (it != list->end() && it->first <= size + size / 4) ? it : list->end();
}

class MemoryPool {
 public:
  void *Alloc(size_t bytes) {
    size_t size = Round(bytes);
    std::lock_guard<std::mutex> lock(mu_);
    if (capturing_ != nullptr) {
      auto it = FindFit(&capturing_->free, size);
      if (it != capturing_->free.end()) return TakeLocked(&capturing_->free, it);
    }
    auto it = FindFit(&free_, size);
    if (it != free_.end()) {
      void *p = TakeLocked(&free_, it);
      Reserve(p);
      return p;
    }
    void *p = nullptr;
    cudaError_t e = cudaMalloc(&p, size);
    if (e != cudaSuccess) {
      cudaGetLastError();
      ReleaseCachedLocked();
      e = cudaMalloc(&p, size);
      if (e != cudaSuccess) {
        cudaGetLastError();
        size_t free_b = 0, total_b = 0;
        cudaMemGetInfo(&free_b, &total_b);
        TD_ERR << "out of GPU memory: allocating " << size / 1048576.0 << " MiB with "
               << in_use_ / 1048576.0 << " MiB in use by tdnas, " << free_b / 1048576.0
               << " MiB free of " << total_b / 1048576.0 << " MiB ("
               << cudaGetErrorString(e) << ") ---> HINT: use a smaller --minibatch-size or "
               << "fewer frames per chunk, or check nvidia-smi for other processes";
      }
    }
    used_[p] = size;
    in_use_ += size;
    Reserve(p);
    return p;
  }
  void Free(void *p) {
    if (p == nullptr) return;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = used_.find(p);
    TD_ASSERT(it != used_.end());
    Reserve(p);   // a block allocated before a capture and freed during it
    auto owner = reserved_.find(p);
    (owner != reserved_.end() ? owner->second->free : free_).emplace(it->second, p);
    cached_ += it->second;
    in_use_ -= it->second;
    used_.erase(it);
  }
  // Allocations and frees until EndCapture() reserve their blocks for g.
  void BeginCapture(GraphBlocks *g) {
    std::lock_guard<std::mutex> lock(mu_);
    TD_ASSERT(capturing_ == nullptr);
    capturing_ = g;
  }
  void EndCapture() {
    std::lock_guard<std::mutex> lock(mu_);
    capturing_ = nullptr;
  }
  // g's blocks become ordinary: the free ones go to the shared cache.
  void Release(GraphBlocks *g) {
    std::lock_guard<std::mutex> lock(mu_);
    for (void *p : g->all) reserved_.erase(p);
    free_.insert(g->free.begin(), g->free.end());
    g->free.clear();
    g->all.clear();
  }
  size_t InUse() { std::lock_guard<std::mutex> l(mu_); return in_use_; }
  size_t Cached() { std::lock_guard<std::mutex> l(mu_); return cached_; }

 private:
  void *TakeLocked(std::multimap<size_t, void *> *list,
                   std::multimap<size_t, void *>::iterator it) {
    void *p = it->second;
    const size_t got = it->first;
    list->erase(it);
    cached_ -= got;
    used_[p] = got;
    in_use_ += got;
    return p;
  }
  void Reserve(void *p) {
    if (capturing_ == nullptr || reserved_.count(p)) return;
    reserved_[p] = capturing_;
    capturing_->all.insert(p);
  }
  static size_t Round(size_t b) {
    if (b == 0) b = 1;
    const size_t q = b < (1u << 20) ? 512 : (2u << 20);
    return (b + q - 1) / q * q;
  }
  void ReleaseCachedLocked() {
    if (free_.empty()) return;
    cudaStreamSynchronize(g_ctx.stream);
    for (auto &kv : free_) cudaFree(kv.second);
    free_.clear();
    cached_ = 0;
  }
  std::mutex mu_;
  std::multimap<size_t, void *> free_;
  std::unordered_map<void *, size_t> used_;
  size_t in_use_ = 0, cached_ = 0;
  GraphBlocks *capturing_ = nullptr;
  std::unordered_map<void *, GraphBlocks *> reserved_;
};

MemoryPool &Pool() {
  static MemoryPool *pool = new MemoryPool;   // never destroyed: frees may come at exit
  return *pool;
}

void *NnetAlloc(size_t bytes) { return PoolAlloc(bytes); }
void NnetFree(void *p) { PoolFree(p); }
void NnetZero(void *p, size_t bytes) { CUDA_CHECK(cudaMemsetAsync(p, 0, bytes, Stream())); }

cublasComputeType_t ComputeType() {
  switch (g_mode) {
    case MathMode::kTf32: return CUBLAS_COMPUTE_32F_FAST_TF32;
    case MathMode::kBf16: return CUBLAS_COMPUTE_32F_FAST_16BF;
    default: return CUBLAS_COMPUTE_32F;
  }
}

}  // namespace

Context &Ctx() {
  if (!g_initialised) TD_ERR << "GPU backend used before InitBackend() (call SelectDevice)";
  return g_ctx;
}

void *PoolAlloc(size_t bytes) { return Pool().Alloc(bytes); }
void PoolFree(void *p) { Pool().Free(p); }
size_t PoolBytesInUse() { return Pool().InUse(); }
size_t PoolBytesCached() { return Pool().Cached(); }

void InitBackend() {
  if (g_initialised) return;
  if (DeviceCount() == 0)
    TD_ERR << "no CUDA device is visible (check nvidia-smi and CUDA_VISIBLE_DEVICES)";
  CUDA_CHECK(cudaGetDevice(&g_ctx.device));
  CUDA_CHECK(cudaStreamCreateWithFlags(&g_ctx.stream, cudaStreamNonBlocking));
  CUDA_CHECK(cudaStreamCreateWithFlags(&g_ctx.copy_stream, cudaStreamNonBlocking));
  CUBLAS_CHECK(cublasCreate(&g_ctx.blas));
  CUBLAS_CHECK(cublasSetStream(g_ctx.blas, g_ctx.stream));
  CUBLAS_CHECK(cublasSetMathMode(g_ctx.blas, CUBLAS_DEFAULT_MATH));
  g_ctx.blas_workspace_bytes = 64u << 20;
  CUDA_CHECK(cudaMalloc(&g_ctx.blas_workspace, g_ctx.blas_workspace_bytes));
  CUBLAS_CHECK(cublasSetWorkspace(g_ctx.blas, g_ctx.blas_workspace, g_ctx.blas_workspace_bytes));
  CUBLAS_CHECK(cublasLtCreate(&g_ctx.lt));
  g_initialised = true;
  nnet::DeviceAllocator a;
  a.alloc = NnetAlloc;
  a.free = NnetFree;
  a.zero = NnetZero;
  nnet::SetDeviceAllocator(nnet::Device::kGpu, a);
  static const GpuKernels kernels;
  nnet::RegisterKernels(nnet::Device::kGpu, &kernels);
}

void SetMathMode(MathMode m) { g_mode = m; }
MathMode GetMathMode() { return g_mode; }
const char *MathModeName(MathMode m) {
  return m == MathMode::kFp32 ? "fp32" : (m == MathMode::kTf32 ? "tf32" : "bf16");
}
bool ParseMathMode(const std::string &s, MathMode *m) {
  if (s == "fp32") *m = MathMode::kFp32;
  else if (s == "tf32") *m = MathMode::kTf32;
  else if (s == "bf16") *m = MathMode::kBf16;
  else return false;
  return true;
}

namespace {

// Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: swap the operands.
void GemmTyped(cudaDataType_t ab_type, cublasComputeType_t ct, bool trans_a, bool trans_b,
               int64_t m, int64_t n, int64_t k, float alpha, const void *a, int64_t lda,
               int64_t stride_a, const void *b, int64_t ldb, int64_t stride_b, float beta,
               float *c, int64_t ldc, int64_t stride_c, int64_t batch) {
  if (m == 0 || n == 0 || batch == 0) return;
  Context &cx = Ctx();
  const cublasOperation_t ob = trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t oa = trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  if (batch == 1) {
    CUBLAS_CHECK(cublasGemmEx(cx.blas, ob, oa, (int)n, (int)m, (int)k, &alpha, b, ab_type,
                              (int)ldb, a, ab_type, (int)lda, &beta, c, CUDA_R_32F,
                              (int)ldc, ct, CUBLAS_GEMM_DEFAULT));
  } else {
    CUBLAS_CHECK(cublasGemmStridedBatchedEx(
        cx.blas, ob, oa, (int)n, (int)m, (int)k, &alpha, b, ab_type, (int)ldb, stride_b, a,
        ab_type, (int)lda, stride_a, &beta, c, CUDA_R_32F, (int)ldc, stride_c, (int)batch,
        ct, CUBLAS_GEMM_DEFAULT));
  }
}

}  // namespace

void Gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
          const float *a, int64_t lda, int64_t stride_a, const float *b, int64_t ldb,
          int64_t stride_b, float beta, float *c, int64_t ldc, int64_t stride_c,
          int64_t batch, bool exact) {
  GemmTyped(CUDA_R_32F, exact ? CUBLAS_COMPUTE_32F : ComputeType(), trans_a, trans_b, m, n, k,
            alpha, a, lda, stride_a, b, ldb, stride_b, beta, c, ldc, stride_c, batch);
}

void GemmBf16(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
              const void *a, int64_t lda, int64_t stride_a, const void *b, int64_t ldb,
              int64_t stride_b, float beta, float *c, int64_t ldc, int64_t stride_c,
              int64_t batch) {
  GemmTyped(CUDA_R_16BF, CUBLAS_COMPUTE_32F, trans_a, trans_b, m, n, k, alpha, a, lda, stride_a,
            b, ldb, stride_b, beta, c, ldc, stride_c, batch);
}

void CopyHostToDevice(void *dst, const void *src, size_t bytes) {
  CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, Stream()));
  CUDA_CHECK(cudaStreamSynchronize(Stream()));
}
void CopyDeviceToHost(void *dst, const void *src, size_t bytes) {
  CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, Stream()));
  CUDA_CHECK(cudaStreamSynchronize(Stream()));
}
void CopyDeviceToDevice(void *dst, const void *src, size_t bytes) {
  CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, Stream()));
}
void Synchronize() {
  if (!g_initialised) return;
  CUDA_CHECK(cudaStreamSynchronize(Stream()));
}

void *AllocPinned(size_t bytes) {
  if (bytes == 0) bytes = 1;
  void *p = nullptr;
  const cudaError_t e = cudaHostAlloc(&p, bytes, cudaHostAllocDefault);
  if (e != cudaSuccess) {
    cudaGetLastError();
    TD_ERR << "cannot allocate " << bytes / 1048576.0 << " MiB of pinned host memory ("
           << cudaGetErrorString(e) << ")";
  }
  return p;
}
void FreePinned(void *p) {
  if (p != nullptr) cudaFreeHost(p);
}

namespace {
cudaStream_t StreamOf(StreamId s) {
  return s == StreamId::kCopy ? Ctx().copy_stream : Ctx().stream;
}
}  // namespace

void CopyHostToDeviceAsync(void *dst, const void *src, size_t bytes) {
  if (bytes == 0) return;
  CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, Ctx().copy_stream));
}

void CopyDeviceToHostAsync(void *dst, const void *src, size_t bytes) {
  if (bytes == 0) return;
  CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, Stream()));
}

StreamGraph::StreamGraph() {}
StreamGraph::~StreamGraph() {
  try {
    Reset();
  } catch (...) {   // a destructor must not throw; the process is failing anyway
  }
}

bool StreamGraph::Capture(const std::function<void()> &fn) {
  Reset();
  GraphBlocks *blocks = new GraphBlocks;
  blocks_ = blocks;
  // Relaxed: the pool may cudaMalloc during the capture; a synchronisation on the captured
  // stream still fails the capture (and is a bug in fn).
  CUDA_CHECK(cudaStreamBeginCapture(Stream(), cudaStreamCaptureModeRelaxed));
  Pool().BeginCapture(blocks);
  cudaGraph_t graph = nullptr;
  try {
    fn();
  } catch (...) {
    Pool().EndCapture();
    cudaStreamEndCapture(Stream(), &graph);
    if (graph != nullptr) cudaGraphDestroy(graph);
    cudaGetLastError();
    Reset();
    throw;
  }
  Pool().EndCapture();
  const cudaError_t e = cudaStreamEndCapture(Stream(), &graph);
  if (e != cudaSuccess || graph == nullptr) {
    cudaGetLastError();
    if (graph != nullptr) cudaGraphDestroy(graph);
    Reset();
    TD_WARN << "CUDA graph capture failed (" << cudaGetErrorString(e) << "); running eagerly";
    return false;
  }
  graph_ = graph;
  cudaGraphExec_t exec = nullptr;
  CUDA_CHECK(cudaGraphInstantiate(&exec, graph, 0));
  exec_ = exec;
  return true;
}

void StreamGraph::Launch() {
  TD_ASSERT(exec_ != nullptr);
  CUDA_CHECK(cudaGraphLaunch(static_cast<cudaGraphExec_t>(exec_), Stream()));
}

void StreamGraph::Reset() {
  if (exec_ != nullptr || graph_ != nullptr) {
    // Replays still queued read the reserved blocks: they finish before the blocks go back.
    CUDA_CHECK(cudaStreamSynchronize(Stream()));
    if (exec_ != nullptr) cudaGraphExecDestroy(static_cast<cudaGraphExec_t>(exec_));
    if (graph_ != nullptr) cudaGraphDestroy(static_cast<cudaGraph_t>(graph_));
    exec_ = graph_ = nullptr;
  }
  if (blocks_ != nullptr) {
    GraphBlocks *blocks = static_cast<GraphBlocks *>(blocks_);
    Pool().Release(blocks);
    delete blocks;
    blocks_ = nullptr;
  }
}

StreamEvent::StreamEvent() {
  cudaEvent_t e;
  CUDA_CHECK(cudaEventCreateWithFlags(&e, cudaEventDisableTiming));
  event_ = e;
}
StreamEvent::~StreamEvent() { cudaEventDestroy(static_cast<cudaEvent_t>(event_)); }
void StreamEvent::Record(StreamId s) {
  CUDA_CHECK(cudaEventRecord(static_cast<cudaEvent_t>(event_), StreamOf(s)));
}
void StreamEvent::WaitOn(StreamId s) {
  CUDA_CHECK(cudaStreamWaitEvent(StreamOf(s), static_cast<cudaEvent_t>(event_), 0));
}
void StreamEvent::HostWait() {
  CUDA_CHECK(cudaEventSynchronize(static_cast<cudaEvent_t>(event_)));
}

GpuTimer::GpuTimer() {
  cudaEvent_t a, b;
  CUDA_CHECK(cudaEventCreate(&a));
  CUDA_CHECK(cudaEventCreate(&b));
  start_ = a;
  stop_ = b;
}
GpuTimer::~GpuTimer() {
  cudaEventDestroy(static_cast<cudaEvent_t>(start_));
  cudaEventDestroy(static_cast<cudaEvent_t>(stop_));
}
void GpuTimer::Start() { CUDA_CHECK(cudaEventRecord(static_cast<cudaEvent_t>(start_), Stream())); }
void GpuTimer::Stop() { CUDA_CHECK(cudaEventRecord(static_cast<cudaEvent_t>(stop_), Stream())); }
float GpuTimer::Ms() {
  CUDA_CHECK(cudaEventSynchronize(static_cast<cudaEvent_t>(stop_)));
  float ms = 0.0f;
  CUDA_CHECK(cudaEventElapsedTime(&ms, static_cast<cudaEvent_t>(start_),
                                  static_cast<cudaEvent_t>(stop_)));
  return ms;
}

}  // namespace gpu
}  // namespace tdnas
