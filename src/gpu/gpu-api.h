// gpu-api.h: the seam between the CPU code and the CUDA backend.
// Everything above src/gpu talks to the GPU only through this header. With CUDA=0 the build
// links gpu-stub.cc instead of the .cu/.cc files here, so no CUDA symbol is referenced.
//
// Device memory that nnet uses (Buffer, Arena with Device::kGpu) comes from the backend's
// caching pool; every kernel runs on the backend's one stream, so host code that reads device
// memory goes through CopyDeviceToHost (which waits for the stream) or calls Synchronize().
#ifndef TDNAS_GPU_GPU_API_H_
#define TDNAS_GPU_GPU_API_H_

#include <cstddef>
#include <cstdint>
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
