// tensor.h: the float32 tensor handle every nnet layer works on, and the arena that owns the
// memory behind it.
//
// A Tensor is a non-owning view: a data pointer, up to 4 dims, the device the data lives on, and
// the stride of dim 0 (the batch). All dims after the first are contiguous, so a (B, C, T)
// tensor has element (b, c, t) at data[b * bstride + c * T + t]. A batch stride larger than
// C * T lets a view select a channel range of a wider tensor (a Res2Net group of u, one block's
// output slot inside the concatenation buffer) without copying.
//
// Memory is owned by a Buffer (one allocation, one device) or handed out by an Arena (a bump
// allocator that grows on first use and is then reused step after step, so a training loop does
// no allocation after its first step). Both allocate on the device they are given; the GPU
// backend registers its allocator with SetDeviceAllocator().
#ifndef TDNAS_NNET_TENSOR_H_
#define TDNAS_NNET_TENSOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/log.h"

namespace tdnas {
namespace nnet {

enum class Device { kCpu = 0, kGpu = 1 };
const char *DeviceName(Device d);

struct Tensor {
  float *data = nullptr;
  int ndim = 0;
  int64_t dim[4] = {1, 1, 1, 1};
  int64_t bstride = 0;   // elements between consecutive indices of dim 0
  Device device = Device::kCpu;

  Tensor() {}
  Tensor(float *p, std::initializer_list<int64_t> shape, Device dev = Device::kCpu);

  int64_t Numel() const;
  // Elements of one dim-0 slice (the product of dims 1..ndim-1).
  int64_t InnerSize() const;
  bool Contiguous() const { return ndim == 0 || bstride == InnerSize(); }
  float *Batch(int64_t b) const { return data + b * bstride; }
  // Rank-3 view (B, C, T) of this tensor: 2-D (B, C) becomes (B, C, 1); 1-D (C) becomes (1, C, 1).
  int64_t B() const { return dim[0]; }
  // Channels [c0, c0 + nc) of a (B, C, T) tensor, keeping the batch stride.
  Tensor Channels(int64_t c0, int64_t nc) const;
  // Same data seen with another shape (the tensor must be contiguous).
  Tensor Reshaped(std::initializer_list<int64_t> shape) const;
  std::string ShapeString() const;
  bool SameShape(const Tensor &o) const;
};

// Memory allocation per device. CPU uses 64-byte aligned host memory; the GPU backend installs
// its functions here (until it does, allocating on kGpu is an error).
struct DeviceAllocator {
  void *(*alloc)(size_t bytes) = nullptr;
  void (*free)(void *p) = nullptr;
  void (*zero)(void *p, size_t bytes) = nullptr;
};
void SetDeviceAllocator(Device d, const DeviceAllocator &a);
const DeviceAllocator &GetDeviceAllocator(Device d);

// One allocation of n floats on one device, zeroed when created.
class Buffer {
 public:
  Buffer() {}
  Buffer(Device d, int64_t n) { Resize(d, n); }
  ~Buffer() { Release(); }
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;
  Buffer(Buffer &&o) noexcept { *this = std::move(o); }
  Buffer &operator=(Buffer &&o) noexcept;
  void Resize(Device d, int64_t n);   // zeroed; old contents are lost
  void SetZero();
  float *Data() const { return data_; }
  int64_t Size() const { return size_; }
  Device GetDevice() const { return device_; }
  Tensor View(std::initializer_list<int64_t> shape, int64_t offset = 0) const;
 private:
  void Release();
  float *data_ = nullptr;
  int64_t size_ = 0;
  Device device_ = Device::kCpu;
};

// Bump allocator for activations and scratch. Alloc() hands out zeroed tensors; Reset() frees
// them all at once. When a pass needs more than the current block, the extra comes from side
// allocations, and the next Reset() merges everything into one block of the high-water size.
class Arena {
 public:
  explicit Arena(Device d = Device::kCpu) : device_(d) {}
  Tensor Alloc(std::initializer_list<int64_t> shape, bool zero = true);
  // Mark()/Release(mark): frees everything allocated after the mark (stack discipline).
  int64_t Mark() const { return used_; }
  void Release(int64_t mark);
  void Reset();
  int64_t HighWater() const { return high_; }
  Device GetDevice() const { return device_; }
 private:
  Device device_;
  Buffer block_;
  int64_t used_ = 0, high_ = 0;
  std::vector<Buffer> overflow_;
};

}  // namespace nnet
}  // namespace tdnas

#endif  // TDNAS_NNET_TENSOR_H_
