// param-table.h: a named table of tensors laid out in one flat float buffer.
//
// A model's parameters live in one Buffer, their gradients in a second with the same layout,
// Adam's moments in two more (llm.c's habit): the table gives each tensor its name
// ("blocks.0.conv1.conv.weight", PyTorch's state_dict naming), shape and offset, so optimizers
// and checkpoints treat the whole model as one vector and tests/tools can address one tensor.
#ifndef TDNAS_NNET_PARAM_TABLE_H_
#define TDNAS_NNET_PARAM_TABLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "nnet/tensor.h"

namespace tdnas {
namespace nnet {

struct ParamEntry {
  std::string name;
  std::vector<int64_t> shape;
  int64_t offset = 0;   // in floats, 16-aligned
  int64_t size = 0;     // number of elements
};

class ParamTable {
 public:
  // Appends a tensor; returns its index.
  int Add(const std::string &name, std::vector<int64_t> shape);
  int Size() const { return static_cast<int>(entries_.size()); }
  const ParamEntry &Entry(int i) const { return entries_.at(i); }
  // Index of a name, or -1.
  int Find(const std::string &name) const;
  // Floats needed for a buffer holding every tensor (with alignment padding).
  int64_t TotalSize() const { return total_; }
  // Number of elements (no padding).
  int64_t NumElements() const;
  // The view of tensor i inside a buffer laid out by this table.
  Tensor View(const Buffer &buf, int i) const;
 private:
  std::vector<ParamEntry> entries_;
  int64_t total_ = 0;
};

}  // namespace nnet
}  // namespace tdnas

#endif  // TDNAS_NNET_PARAM_TABLE_H_
