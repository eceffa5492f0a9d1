// search-space.cc: named spaces, membership, sampling, enumeration and one-hot encoding.
#include "nnet/search-space.h"

#include <algorithm>
#include <limits>
#include <sstream>

#include "base/log.h"

namespace tdnas {

uint64 UniformInt(std::mt19937_64 *rng, uint64 n) {
  TD_ASSERT(n >= 1);
  // Reject the lowest (2^64 mod n) values so that r % n is exactly uniform.
  const uint64 threshold = (0 - n) % n;
  while (true) {
    uint64 r = (*rng)();
    if (r >= threshold) return r % n;
  }
}

namespace {

std::vector<int32> Range(int32 first, int32 step, int32 last) {
  std::vector<int32> v;
  for (int32 x = first; x <= last; x += step) v.push_back(x);
  return v;
}

constexpr int32 kSlots = kTdnnMaxDepth + 1;

// a * b, TD_ERR on 64-bit overflow.
uint64 CheckedMul(uint64 a, uint64 b, const std::string &name) {
  if (a != 0 && b > std::numeric_limits<uint64>::max() / a)
    TD_ERR << "search space '" << name << "' has more than 2^64 subnets";
  return a * b;
}

}  // namespace

SearchSpace::SearchSpace(const std::string &name, std::vector<int32> depths,
                         std::vector<int32> widths, std::vector<int32> kernels,
                         std::vector<int32> cat_widths)
    : name_(name), depths_(std::move(depths)), widths_(std::move(widths)),
      kernels_(std::move(kernels)), cat_widths_(std::move(cat_widths)) {
  const std::vector<int32> *sets[] = {&depths_, &widths_, &kernels_, &cat_widths_};
  const char *set_names[] = {"depth", "width", "kernel", "cat width"};
  for (int32 s = 0; s < 4; ++s) {
    const std::vector<int32> &v = *sets[s];
    if (v.empty()) TD_ERR << "search space '" << name_ << "': empty " << set_names[s] << " set";
    for (size_t i = 1; i < v.size(); ++i)
      if (v[i] <= v[i - 1])
        TD_ERR << "search space '" << name_ << "': " << set_names[s]
               << " set is not strictly increasing";
  }
  // Every combination must be well formed: check the extremes of each set at max depth
  // (CheckSubnetConfig's conditions are per value, so checking each value once suffices).
  for (int32 d : depths_) {
    SubnetConfig probe(d, std::vector<int32>(d + 1, widths_[0]),
                       std::vector<int32>(d + 1, kernels_[0]), cat_widths_[0]);
    std::string why;
    for (int32 c : widths_) {
      probe.widths[0] = c;
      if (!CheckSubnetConfig(probe, &why)) TD_ERR << "search space '" << name_ << "': " << why;
    }
    probe.widths[0] = widths_[0];
    for (int32 k : kernels_) {
      probe.kernels[0] = k;
      if (!CheckSubnetConfig(probe, &why)) TD_ERR << "search space '" << name_ << "': " << why;
    }
    probe.kernels[0] = kernels_[0];
    for (int32 cw : cat_widths_) {
      probe.cat_width = cw;
      if (!CheckSubnetConfig(probe, &why)) TD_ERR << "search space '" << name_ << "': " << why;
    }
  }
  auto make_table = [](const std::vector<int32> &set, std::vector<int16_t> *table) {
    table->assign(set.back() + 1, -1);  // values are bounded by CheckSubnetConfig (<= 1536)
    for (size_t i = 0; i < set.size(); ++i) (*table)[set[i]] = static_cast<int16_t>(i);
  };
  make_table(depths_, &depth_pos_);
  make_table(widths_, &width_pos_);
  make_table(kernels_, &kernel_pos_);
  make_table(cat_widths_, &cat_pos_);
  const uint64 wk = CheckedMul(widths_.size(), kernels_.size(), name_);
  for (int32 d : depths_) {
    uint64 n = cat_widths_.size();
    for (int32 i = 0; i <= d; ++i) n = CheckedMul(n, wk, name_);
    depth_size_.push_back(n);
    if (total_ + n < total_) TD_ERR << "search space '" << name_ << "' has more than 2^64 subnets";
    total_ += n;
  }
}

const std::vector<std::string> &SearchSpace::Names() {
  static const std::vector<std::string> names = {"largest", "kernel", "depth",  "width1",
                                                 "width2",  "coarse", "fine",   "supernet"};
  return names;
}

SearchSpace SearchSpace::Named(const std::string &name) {
  return Named(name, SupernetShape());
}

SearchSpace SearchSpace::Named(const std::string &name, const SupernetShape &shape) {
  shape.Validate();
  const int32 w = shape.max_width, cw = shape.max_cat_width;
  const std::vector<int32> all_k = {1, 3, 5}, all_d = {2, 3, 4};
  // Percentages of the max widths, rounded to multiples of 8 (duplicates dropped).
  auto scaled = [](int32 max, std::initializer_list<int32> percents) {
    std::vector<int32> v;
    for (int32 p : percents) {
      const int32 x = SupernetShape::ScaledWidth(max, p);
      if (v.empty() || x > v.back()) v.push_back(x);
    }
    return v;
  };
  if (name == "largest") return SearchSpace(name, {4}, {w}, {5}, {cw});
  if (name == "kernel") return SearchSpace(name, {4}, {w}, all_k, {cw});
  if (name == "depth") return SearchSpace(name, all_d, {w}, all_k, {cw});
  if (name == "width1")
    return SearchSpace(name, all_d, scaled(w, {50, 75, 100}), all_k, scaled(cw, {50, 75, 100}));
  if (name == "width2" || name == "coarse")
    return SearchSpace(name, all_d, scaled(w, {25, 35, 50, 75, 100}), all_k,
                       scaled(cw, {25, 35, 50, 75, 100}));
  if (name == "fine")
    return SearchSpace(name, all_d, Range(SupernetShape::ScaledWidth(w, 25), 8, w), all_k,
                       Range(SupernetShape::ScaledWidth(cw, 25), 8, cw));
  if (name == "supernet")
    return SearchSpace(name, all_d, Range(kTdnnWidthQuantum, kTdnnWidthQuantum, w), all_k,
                       Range(kTdnnWidthQuantum, kTdnnWidthQuantum, cw));
  std::string known;
  for (const std::string &n : Names()) known += " " + n;
  TD_ERR << "unknown search space '" << name << "' (known:" << known << ")";
  return SearchSpace(name, {}, {}, {}, {});  // not reached
}

uint64 SearchSpace::SizeAtDepth(int32 d) const {
  int32 p = PositionOf(depths_, d);
  return p < 0 ? 0 : depth_size_[p];
}

int32 SearchSpace::PositionOf(const std::vector<int32> &set, int32 v) {
  auto it = std::lower_bound(set.begin(), set.end(), v);
  return (it != set.end() && *it == v) ? static_cast<int32>(it - set.begin()) : -1;
}

std::string SearchSpace::DescribeSet(const std::vector<int32> &set) {
  std::ostringstream os;
  bool arith = set.size() > 3;
  for (size_t i = 2; arith && i < set.size(); ++i)
    arith = set[i] - set[i - 1] == set[1] - set[0];
  if (arith) {
    os << set.front() << ':' << set[1] - set[0] << ':' << set.back();
  } else {
    os << '{';
    for (size_t i = 0; i < set.size(); ++i) os << (i ? "," : "") << set[i];
    os << '}';
  }
  return os.str();
}

std::string SearchSpace::Describe() const {
  std::ostringstream os;
  os << name_ << ": depth " << DescribeSet(depths_) << ", widths " << DescribeSet(widths_)
     << ", kernels " << DescribeSet(kernels_) << ", cat width " << DescribeSet(cat_widths_)
     << ", " << total_ << " subnets";
  return os.str();
}

bool SearchSpace::Contains(const SubnetConfig &cfg, std::string *why) const {
  // Fast path without a stream; the message is built only for a config that fails.
  if (Lookup(depth_pos_, cfg.depth) >= 0 &&
      static_cast<int32>(cfg.widths.size()) == cfg.depth + 1 &&
      static_cast<int32>(cfg.kernels.size()) == cfg.depth + 1 &&
      Lookup(cat_pos_, cfg.cat_width) >= 0) {
    bool ok = true;
    for (int32 i = 0; i <= cfg.depth && ok; ++i)
      ok = Lookup(width_pos_, cfg.widths[i]) >= 0 && Lookup(kernel_pos_, cfg.kernels[i]) >= 0;
    if (ok) return true;
  }
  std::ostringstream os;
  if (PositionOf(depths_, cfg.depth) < 0) {
    os << "depth " << cfg.depth << " is not in " << DescribeSet(depths_);
  } else if (static_cast<int32>(cfg.widths.size()) != cfg.depth + 1 ||
             static_cast<int32>(cfg.kernels.size()) != cfg.depth + 1) {
    os << "depth " << cfg.depth << " needs " << cfg.depth + 1 << " widths and kernels, got "
       << cfg.widths.size() << " and " << cfg.kernels.size();
  } else {
    for (int32 i = 0; i <= cfg.depth && os.tellp() == 0; ++i) {
      if (PositionOf(widths_, cfg.widths[i]) < 0)
        os << "width c" << i << " = " << cfg.widths[i] << " is not in " << DescribeSet(widths_);
      else if (PositionOf(kernels_, cfg.kernels[i]) < 0)
        os << "kernel k" << i << " = " << cfg.kernels[i] << " is not in "
           << DescribeSet(kernels_);
    }
    if (os.tellp() == 0 && PositionOf(cat_widths_, cfg.cat_width) < 0)
      os << "cat width " << cfg.cat_width << " is not in " << DescribeSet(cat_widths_);
  }
  if (os.tellp() == 0) return true;
  if (why != nullptr) *why = os.str();
  return false;
}

void SearchSpace::Validate(const SubnetConfig &cfg) const {
  std::string why;
  if (!Contains(cfg, &why))
    TD_ERR << "subnet config " << cfg.ToString() << " is not in search space '" << name_
           << "': " << why;
}

void SearchSpace::SampleConfig(std::mt19937_64 *rng, SubnetConfig *cfg) const {
  int32 w[kSlots], k[kSlots];
  cfg->depth = depths_[UniformInt(rng, depths_.size())];
  for (int32 i = 0; i < kSlots; ++i) w[i] = widths_[UniformInt(rng, widths_.size())];
  for (int32 i = 0; i < kSlots; ++i) k[i] = kernels_[UniformInt(rng, kernels_.size())];
  cfg->cat_width = cat_widths_[UniformInt(rng, cat_widths_.size())];
  cfg->widths.assign(w, w + cfg->depth + 1);
  cfg->kernels.assign(k, k + cfg->depth + 1);
}

void SearchSpace::SampleUniformConfig(std::mt19937_64 *rng, SubnetConfig *cfg) const {
  ConfigAt(UniformInt(rng, total_), cfg);
}

void SearchSpace::ConfigAt(uint64 index, SubnetConfig *cfg) const {
  if (index >= total_)
    TD_ERR << "index " << index << " is outside search space '" << name_ << "' (size " << total_
           << ")";
  size_t p = 0;
  while (index >= depth_size_[p]) index -= depth_size_[p++];
  const int32 d = depths_[p];
  cfg->depth = d;
  cfg->widths.resize(d + 1);
  cfg->kernels.resize(d + 1);
  // Least significant digit first: C, then kd..k0, then cd..c0.
  cfg->cat_width = cat_widths_[index % cat_widths_.size()];
  index /= cat_widths_.size();
  for (int32 i = d; i >= 0; --i) {
    cfg->kernels[i] = kernels_[index % kernels_.size()];
    index /= kernels_.size();
  }
  for (int32 i = d; i >= 0; --i) {
    cfg->widths[i] = widths_[index % widths_.size()];
    index /= widths_.size();
  }
  TD_ASSERT(index == 0);
}

uint64 SearchSpace::IndexOf(const SubnetConfig &cfg) const {
  Validate(cfg);
  uint64 index = 0;
  const int32 p = PositionOf(depths_, cfg.depth);
  for (int32 i = 0; i <= cfg.depth; ++i)
    index = index * widths_.size() + Lookup(width_pos_, cfg.widths[i]);
  for (int32 i = 0; i <= cfg.depth; ++i)
    index = index * kernels_.size() + Lookup(kernel_pos_, cfg.kernels[i]);
  index = index * cat_widths_.size() + Lookup(cat_pos_, cfg.cat_width);
  for (int32 q = 0; q < p; ++q) index += depth_size_[q];
  return index;
}

int32 SearchSpace::EncodingDim() const {
  return static_cast<int32>(depths_.size() + kSlots * widths_.size() +
                            kSlots * kernels_.size() + cat_widths_.size());
}

void SearchSpace::Encode(const SubnetConfig &cfg, float *out) const {
  Validate(cfg);
  std::fill(out, out + EncodingDim(), 0.0f);
  const int32 nd = depths_.size(), nw = widths_.size(), nk = kernels_.size();
  out[PositionOf(depths_, cfg.depth)] = 1.0f;
  float *w = out + nd, *k = w + kSlots * nw, *c = k + kSlots * nk;
  for (int32 i = 0; i <= cfg.depth; ++i) {
    w[i * nw + PositionOf(widths_, cfg.widths[i])] = 1.0f;
    k[i * nk + PositionOf(kernels_, cfg.kernels[i])] = 1.0f;
  }
  c[PositionOf(cat_widths_, cfg.cat_width)] = 1.0f;
}

void SearchSpace::Encode(const SubnetConfig &cfg, std::vector<float> *out) const {
  out->resize(EncodingDim());
  Encode(cfg, out->data());
}

namespace {
// Position of the single 1 in enc[0..n), or -1 if all zero; -2 if not a valid one-hot group.
int32 OneHotPosition(const float *enc, int32 n) {
  int32 pos = -1;
  for (int32 i = 0; i < n; ++i) {
    if (enc[i] == 0.0f) continue;
    if (enc[i] != 1.0f || pos != -1) return -2;
    pos = i;
  }
  return pos;
}
}  // namespace

SubnetConfig SearchSpace::Decode(const float *enc) const {
  const int32 nd = depths_.size(), nw = widths_.size(), nk = kernels_.size();
  const float *w = enc + nd, *k = w + kSlots * nw, *c = k + kSlots * nk;
  SubnetConfig cfg;
  int32 pd = OneHotPosition(enc, nd), pc = OneHotPosition(c, cat_widths_.size());
  if (pd < 0 || pc < 0) TD_ERR << "invalid encoding for space '" << name_ << "' (depth or cat)";
  cfg.depth = depths_[pd];
  cfg.cat_width = cat_widths_[pc];
  for (int32 i = 0; i < kSlots; ++i) {
    int32 pw = OneHotPosition(w + i * nw, nw), pk = OneHotPosition(k + i * nk, nk);
    bool used = i <= cfg.depth;
    if ((used && (pw < 0 || pk < 0)) || (!used && (pw != -1 || pk != -1)))
      TD_ERR << "invalid encoding for space '" << name_ << "' (slot " << i << ")";
    if (used) {
      cfg.widths.push_back(widths_[pw]);
      cfg.kernels.push_back(kernels_[pk]);
    }
  }
  return cfg;
}

}  // namespace tdnas
