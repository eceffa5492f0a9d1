// param-table.cc: ParamTable.
#include "nnet/param-table.h"

namespace tdnas {
namespace nnet {

int ParamTable::Add(const std::string &name, std::vector<int64_t> shape) {
  TD_ASSERT(!shape.empty() && shape.size() <= 4);
  if (Find(name) >= 0) TD_ERR << "duplicate tensor name " << name;
  ParamEntry e;
  e.name = name;
  e.shape = std::move(shape);
  e.size = 1;
  for (int64_t d : e.shape) e.size *= d;
  e.offset = total_;
  total_ += (e.size + 15) / 16 * 16;
  entries_.push_back(std::move(e));
  return Size() - 1;
}

int ParamTable::Find(const std::string &name) const {
  for (int i = 0; i < Size(); i++) if (entries_[i].name == name) return i;
  return -1;
}

int64_t ParamTable::NumElements() const {
  int64_t n = 0;
  for (const auto &e : entries_) n += e.size;
  return n;
}

Tensor ParamTable::View(const Buffer &buf, int i) const {
  const ParamEntry &e = Entry(i);
  TD_ASSERT(buf.Size() >= total_);
  Tensor t;
  t.data = buf.Data() + e.offset;
  t.ndim = static_cast<int>(e.shape.size());
  for (int k = 0; k < t.ndim; k++) t.dim[k] = e.shape[k];
  t.bstride = t.InnerSize();
  t.device = buf.GetDevice();
  return t;
}

}  // namespace nnet
}  // namespace tdnas
