// gpu-stub.cc: the CPU-only build's answers to gpu-api.h (make CUDA=0).
#include "gpu/gpu-api.h"
#include "gpu/infer-engine.h"

#include "base/log.h"

namespace tdnas {
namespace gpu {

namespace {
[[noreturn]] void NoCuda(const char *what) {
  TD_ERR << what << ": this build has no CUDA support; rebuild with CUDA (make CUDA=1).";
  throw 0;   // not reached: TD_ERR throws
}
}  // namespace

bool CompiledWithCuda() { return false; }
int DeviceCount() { return 0; }

bool SelectDevice(const std::string &use_gpu) {
  if (use_gpu == "no") return false;
  if (use_gpu == "optional") {
    TD_LOG << "Built without CUDA (make CUDA=0); running on CPU.";
    return false;
  }
  if (use_gpu == "yes")
    TD_ERR << "--use-gpu=yes but this build has no CUDA support; rebuild with CUDA "
              "(make CUDA=1) or use --use-gpu=no.";
  TD_ERR << "Invalid --use-gpu value '" << use_gpu << "': expected no, yes or optional.";
  return false;
}

std::string DeviceDescription() { return "none"; }
void InitBackend() { NoCuda("InitBackend"); }

namespace {
MathMode g_mode = MathMode::kFp32;
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

void CopyHostToDevice(void *, const void *, size_t) { NoCuda("CopyHostToDevice"); }
void CopyDeviceToHost(void *, const void *, size_t) { NoCuda("CopyDeviceToHost"); }
void CopyDeviceToDevice(void *, const void *, size_t) { NoCuda("CopyDeviceToDevice"); }
void Synchronize() {}
size_t PoolBytesInUse() { return 0; }
size_t PoolBytesCached() { return 0; }

void *AllocPinned(size_t bytes) { return ::operator new(bytes == 0 ? 1 : bytes); }
void FreePinned(void *p) { ::operator delete(p); }
void CopyHostToDeviceAsync(void *, const void *, size_t) { NoCuda("CopyHostToDeviceAsync"); }
void CopyDeviceToHostAsync(void *, const void *, size_t) { NoCuda("CopyDeviceToHostAsync"); }
StreamGraph::StreamGraph() {}
StreamGraph::~StreamGraph() {}
bool StreamGraph::Capture(const std::function<void()> &) { return false; }
void StreamGraph::Launch() { NoCuda("StreamGraph"); }
void StreamGraph::Reset() {}
StreamEvent::StreamEvent() {}
StreamEvent::~StreamEvent() {}
void StreamEvent::Record(StreamId) {}
void StreamEvent::WaitOn(StreamId) {}
void StreamEvent::HostWait() {}

GpuTimer::GpuTimer() {}
GpuTimer::~GpuTimer() {}
void GpuTimer::Start() { NoCuda("GpuTimer"); }
void GpuTimer::Stop() { NoCuda("GpuTimer"); }
float GpuTimer::Ms() { NoCuda("GpuTimer"); }

struct InferEngine::Impl {};
InferEngine::InferEngine(const nnet::StaticTdnn &, const InferEngineOptions &) {
  NoCuda("InferEngine");
}
InferEngine::~InferEngine() {}
nnet::Tensor InferEngine::Forward(const nnet::Tensor &) { NoCuda("InferEngine"); }
int64_t InferEngine::GraphReplays() const { return 0; }

}  // namespace gpu
}  // namespace tdnas
