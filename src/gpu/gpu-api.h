// gpu-api.h: the seam between the CPU code and the CUDA backend.
// Everything above src/gpu talks to the GPU only through this header. With CUDA=0 the build
// links gpu-stub.cc instead of the .cu/.cc files here, so no CUDA symbol is referenced.
//
// Device memory that nnet uses (Buffer, Arena with Device::kGpu) comes from the backend's
// caching pool; every kernel runs on the backend's compute stream, so host code that reads
// device memory goes through CopyDeviceToHost (which waits for the stream) or calls
// Synchronize(). A second stream (kCopy) carries asynchronous uploads from pinned memory,
// ordered against the compute stream with StreamEvents (the trainer's batch prefetch).
#ifndef TDNAS_GPU_GPU_API_H_
#define TDNAS_GPU_GPU_API_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace tdnas {
namespace gpu {

// True when this binary was built with CUDA (make CUDA=1).
bool CompiledWithCuda();
// Number of usable devices (respects CUDA_VISIBLE_DEVICES); 0 without CUDA or without a GPU.
int DeviceCount();
// Kaldi's --use-gpu: "no" -> false; "yes" -> selects a device or fails with ERROR;
// "optional" -> selects one if present, else false with a LOG line. Returns true if on GPU.
// Selecting a device also initialises the backend (InitBackend()).
bool SelectDevice(const std::string &use_gpu);
// "NVIDIA H100 80GB HBM3 (sm_90, 79.1 GiB)" or "none".
std::string DeviceDescription();

// Creates the stream, the cuBLAS/cuBLASLt handles and the memory pool on the current device,
// and registers the GPU nnet kernels and device allocator (nnet::Device::kGpu). Idempotent.
// ERROR if no device is usable.
void InitBackend();

// Matrix-product precision of the GPU kernels (elementwise work, reductions and the master
// weights stay float32 in every mode):
//   kFp32: exact float32 GEMMs (default); kTf32: TF32 tensor cores, float32 accumulate;
//   kBf16: bfloat16 operands, float32 accumulate.
enum class MathMode { kFp32 = 0, kTf32 = 1, kBf16 = 2 };
void SetMathMode(MathMode m);
MathMode GetMathMode();
const char *MathModeName(MathMode m);
// "fp32" | "tf32" | "bf16" -> mode; false if unknown.
bool ParseMathMode(const std::string &s, MathMode *m);

// Copies between host and device memory, ordered on the backend stream; they return when the
// copy is complete (host buffers may be reused at once).
void CopyHostToDevice(void *dst, const void *src, size_t bytes);
void CopyDeviceToHost(void *dst, const void *src, size_t bytes);
void CopyDeviceToDevice(void *dst, const void *src, size_t bytes);
// Waits until all work queued on the backend stream has finished (reports kernel errors).
void Synchronize();
// Bytes held by live allocations / cached free blocks of the pool.
size_t PoolBytesInUse();
size_t PoolBytesCached();

// ---- Keeping the GPU fed: pinned host memory, a copy stream, events ----
// Page-locked host memory: host-to-device copies from it run as DMA at full link speed and
// can overlap kernels. ERROR if the allocation fails. With CUDA=0 plain host memory.
void *AllocPinned(size_t bytes);
void FreePinned(void *p);

// The backend's two streams: kCompute runs every kernel (and the synchronous copies above);
// kCopy runs CopyHostToDeviceAsync, so an upload overlaps the kernels of the step before.
enum class StreamId { kCompute = 0, kCopy = 1 };

// Queues dst <- src (bytes) on the copy stream and returns at once. src should be pinned
// (AllocPinned) and must stay unchanged until the copy has run (a StreamEvent recorded on
// kCopy after it says when); dst must not be in use by queued compute work (make the copy
// stream wait on an event recorded there first).
void CopyHostToDeviceAsync(void *dst, const void *src, size_t bytes);

// A CUDA event: Record(s) marks the work queued on stream s so far; WaitOn(s) makes stream s
// wait (on the device, the host returns at once) until that work has finished; HostWait()
// blocks the host until then. An event never recorded is complete. With CUDA=0 all no-ops.
class StreamEvent {
 public:
  StreamEvent();
  ~StreamEvent();
  StreamEvent(const StreamEvent &) = delete;
  StreamEvent &operator=(const StreamEvent &) = delete;
  void Record(StreamId s);
  void WaitOn(StreamId s);
  void HostWait();
 private:
  void *event_ = nullptr;
};

// Queues dst (pinned host memory) <- src (device) on the compute stream and returns at once;
// dst holds the data once work queued later (a StreamEvent recorded after it) has finished.
void CopyDeviceToHostAsync(void *dst, const void *src, size_t bytes);

// A CUDA graph of the work one host function queues on the compute stream: captured once,
// then replayed by Launch() with one launch instead of hundreds (the training step where
// shapes repeat). The function must not synchronise with the host (no blocking copies, no
// results read back) and must read its inputs from fixed device addresses that the caller
// refills between launches. Pool memory the function allocates (its scratch), and every
// block it frees, stays reserved for the graph until Reset() or destruction, so a replay
// never writes memory that was handed to someone else or returned to the driver.
// With CUDA=0, Capture() returns false and nothing else may be called.
class StreamGraph {
 public:
  StreamGraph();
  ~StreamGraph();
  StreamGraph(const StreamGraph &) = delete;
  StreamGraph &operator=(const StreamGraph &) = delete;
  // Runs fn with the compute stream capturing. On success the graph is ready to Launch()
  // (fn's work has NOT run: capture only records it) and true is returned. If fn throws, the
  // capture is abandoned and the error rethrown.
  bool Capture(const std::function<void()> &fn);
  bool Ready() const { return exec_ != nullptr; }
  // Queues one replay on the compute stream.
  void Launch();
  // Destroys the graph and returns its reserved pool blocks.
  void Reset();

 private:
  void *graph_ = nullptr, *exec_ = nullptr;
  void *blocks_ = nullptr;   // the pool's record of the blocks reserved for this graph
};

// Device-event timer on the backend stream: Start(), Stop(), then Ms() waits and returns the
// elapsed milliseconds between the two.
class GpuTimer {
 public:
  GpuTimer();
  ~GpuTimer();
  GpuTimer(const GpuTimer &) = delete;
  GpuTimer &operator=(const GpuTimer &) = delete;
  void Start();
  void Stop();
  float Ms();
 private:
  void *start_ = nullptr, *stop_ = nullptr;
};

}  // namespace gpu
}  // namespace tdnas

#endif  // TDNAS_GPU_GPU_API_H_
