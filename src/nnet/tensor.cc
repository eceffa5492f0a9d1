// tensor.cc: Tensor views, per-device allocation, Buffer and Arena.
#include "nnet/tensor.h"

#include <cstdlib>
#include <cstring>
#include <sstream>

namespace tdnas {
namespace nnet {

const char *DeviceName(Device d) { return d == Device::kCpu ? "cpu" : "gpu"; }

Tensor::Tensor(float *p, std::initializer_list<int64_t> shape, Device dev) : data(p), device(dev) {
  TD_ASSERT(shape.size() >= 1 && shape.size() <= 4);
  ndim = static_cast<int>(shape.size());
  int i = 0;
  for (int64_t d : shape) { TD_ASSERT(d >= 0); dim[i++] = d; }
  bstride = InnerSize();
}

int64_t Tensor::InnerSize() const {
  int64_t n = 1;
  for (int i = 1; i < ndim; i++) n *= dim[i];
  return n;
}

int64_t Tensor::Numel() const { return ndim == 0 ? 0 : dim[0] * InnerSize(); }

Tensor Tensor::Channels(int64_t c0, int64_t nc) const {
  TD_ASSERT(ndim >= 2 && c0 >= 0 && nc >= 0 && c0 + nc <= dim[1]);
  Tensor t = *this;
  int64_t per_channel = InnerSize() / dim[1];
  t.data = data + c0 * per_channel;
  t.dim[1] = nc;
  return t;
}

Tensor Tensor::Reshaped(std::initializer_list<int64_t> shape) const {
  TD_ASSERT(Contiguous());
  Tensor t(data, shape, device);
  TD_ASSERT(t.Numel() == Numel());
  return t;
}

std::string Tensor::ShapeString() const {
  std::ostringstream os;
  os << "(";
  for (int i = 0; i < ndim; i++) os << (i ? ", " : "") << dim[i];
  os << ")";
  return os.str();
}

bool Tensor::SameShape(const Tensor &o) const {
  if (ndim != o.ndim) return false;
  for (int i = 0; i < ndim; i++) if (dim[i] != o.dim[i]) return false;
  return true;
}

namespace {
void *CpuAlloc(size_t bytes) {
  void *p = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
  if (p == nullptr) TD_ERR << "out of host memory allocating " << bytes << " bytes";
  return p;
}
void CpuFree(void *p) { std::free(p); }
void CpuZero(void *p, size_t bytes) { std::memset(p, 0, bytes); }

DeviceAllocator g_allocators[2] = {{CpuAlloc, CpuFree, CpuZero}, {}};
}  // namespace

void SetDeviceAllocator(Device d, const DeviceAllocator &a) {
  g_allocators[static_cast<int>(d)] = a;
}

const DeviceAllocator &GetDeviceAllocator(Device d) {
  const DeviceAllocator &a = g_allocators[static_cast<int>(d)];
  if (a.alloc == nullptr)
    TD_ERR << "no allocator for device " << DeviceName(d)
           << " (this build has no GPU backend for nnet, or it was not initialised)";
  return a;
}

Buffer &Buffer::operator=(Buffer &&o) noexcept {
  if (this != &o) {
    Release();
    data_ = o.data_; size_ = o.size_; device_ = o.device_;
    o.data_ = nullptr; o.size_ = 0;
  }
  return *this;
}

void Buffer::Release() {
  if (data_ != nullptr) GetDeviceAllocator(device_).free(data_);
  data_ = nullptr;
  size_ = 0;
}

void Buffer::Resize(Device d, int64_t n) {
  TD_ASSERT(n >= 0);
  Release();
  device_ = d;
  if (n == 0) return;
  const DeviceAllocator &a = GetDeviceAllocator(d);
  data_ = static_cast<float *>(a.alloc(n * sizeof(float)));
  size_ = n;
  a.zero(data_, n * sizeof(float));
}

void Buffer::SetZero() {
  if (size_ > 0) GetDeviceAllocator(device_).zero(data_, size_ * sizeof(float));
}

Tensor Buffer::View(std::initializer_list<int64_t> shape, int64_t offset) const {
  Tensor t(data_ + offset, shape, device_);
  TD_ASSERT(offset >= 0 && offset + t.Numel() <= size_);
  return t;
}

Tensor Arena::Alloc(std::initializer_list<int64_t> shape, bool zero) {
  Tensor t(nullptr, shape, device_);
  int64_t n = (t.Numel() + 15) / 16 * 16;   // keep every tensor 64-byte aligned
  if (used_ + n <= block_.Size()) {
    t.data = block_.Data() + used_;
    if (zero) GetDeviceAllocator(device_).zero(t.data, t.Numel() * sizeof(float));
  } else {
    overflow_.emplace_back(device_, n);   // zeroed by Buffer
    t.data = overflow_.back().Data();
  }
  used_ += n;
  if (used_ > high_) high_ = used_;
  return t;
}

void Arena::Release(int64_t mark) {
  TD_ASSERT(mark >= 0 && mark <= used_);
  used_ = mark;
}

void Arena::Reset() {
  used_ = 0;
  if (!overflow_.empty()) {
    overflow_.clear();
    block_.Resize(device_, high_);
  }
}

}  // namespace nnet
}  // namespace tdnas
