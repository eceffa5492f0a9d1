// subnet-config.cc: string form, aliases and well-formedness of SubnetConfig.
#include "nnet/subnet-config.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <sstream>

#include "base/log.h"

namespace tdnas {

void SubnetConfig::AppendTo(std::string *out) const {
  char buf[16 * (2 * (kTdnnMaxDepth + 1) + 2)];
  char *p = buf, *end = buf + sizeof(buf);
  auto put = [&](int32 v) {
    if (p != buf) *p++ = '-';
    p = std::to_chars(p, end - 1, v).ptr;  // 11 chars max per int32, plenty of room
  };
  put(depth);
  // A malformed struct (more values than the supernet has) is still printed in full.
  if (widths.size() + kernels.size() > 2 * (kTdnnMaxDepth + 1)) {
    std::string s = std::to_string(depth);
    for (int32 c : widths) s += "-" + std::to_string(c);
    for (int32 k : kernels) s += "-" + std::to_string(k);
    s += "-" + std::to_string(cat_width);
    out->append(s);
    return;
  }
  for (int32 c : widths) put(c);
  for (int32 k : kernels) put(k);
  put(cat_width);
  out->append(buf, p - buf);
}

std::string SubnetConfig::ToString() const {
  std::string s;
  AppendTo(&s);
  return s;
}

namespace {

struct NamedConfig {
  const char *name;
  int32 depth;
  int32 widths[kTdnnMaxDepth + 1];
  int32 kernels[kTdnnMaxDepth + 1];
  int32 cat_width;
};

// Spec section 2, "Named configurations".
const NamedConfig kNamedConfigs[] = {
    {"largest", 4, {512, 512, 512, 512, 512}, {5, 5, 5, 5, 5}, 1536},
    {"smallest", 2, {128, 128, 128}, {1, 1, 1}, 384},
    {"base", 3, {512, 512, 512, 512}, {5, 3, 3, 3}, 1536},
    {"mobile", 3, {384, 256, 256, 256}, {5, 3, 3, 3}, 768},
    {"small", 2, {256, 256, 256}, {3, 3, 3}, 400},
};

// Parses a non-negative decimal integer in [b, e); false on anything else or overflow.
bool ParseField(const char *b, const char *e, int32 *out) {
  if (b == e || e - b > 9) return false;  // 9 digits always fit in int32
  int32 v = 0;
  for (const char *p = b; p < e; ++p) {
    if (*p < '0' || *p > '9') return false;
    v = v * 10 + (*p - '0');
  }
  *out = v;
  return true;
}

}  // namespace

const std::vector<std::string> &NamedSubnetConfigNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const NamedConfig &n : kNamedConfigs) v.push_back(n.name);
    return v;
  }();
  return names;
}

bool LookupNamedSubnetConfig(const std::string &name, SubnetConfig *cfg) {
  for (const NamedConfig &n : kNamedConfigs) {
    if (name != n.name) continue;
    cfg->depth = n.depth;
    cfg->widths.assign(n.widths, n.widths + n.depth + 1);
    cfg->kernels.assign(n.kernels, n.kernels + n.depth + 1);
    cfg->cat_width = n.cat_width;
    return true;
  }
  return false;
}

namespace {
// The same conditions as CheckSubnetConfig without building a message (the common, valid
// case must not construct a stream: the MAC counter checks millions of configs per second).
bool IsWellFormed(const SubnetConfig &cfg) {
  if (cfg.depth < kTdnnMinDepth || cfg.depth > kTdnnMaxDepth ||
      static_cast<int32>(cfg.widths.size()) != cfg.depth + 1 ||
      static_cast<int32>(cfg.kernels.size()) != cfg.depth + 1 || cfg.cat_width <= 0 ||
      cfg.cat_width > kTdnnMaxCatWidth || cfg.cat_width % kTdnnWidthQuantum != 0)
    return false;
  for (int32 i = 0; i <= cfg.depth; ++i) {
    int32 c = cfg.widths[i], k = cfg.kernels[i];
    if (c <= 0 || c > kTdnnMaxWidth || c % kTdnnWidthQuantum != 0 || k < 1 ||
        k > kTdnnMaxKernel || k % 2 == 0)
      return false;
  }
  return true;
}
}  // namespace

bool CheckSubnetConfig(const SubnetConfig &cfg, std::string *error) {
  if (IsWellFormed(cfg)) return true;
  std::ostringstream why;
  if (cfg.depth < kTdnnMinDepth || cfg.depth > kTdnnMaxDepth) {
    why << "depth " << cfg.depth << " is outside [" << kTdnnMinDepth << ", " << kTdnnMaxDepth
        << "]";
  } else if (static_cast<int32>(cfg.widths.size()) != cfg.depth + 1) {
    why << "depth " << cfg.depth << " needs " << cfg.depth + 1 << " widths, got "
        << cfg.widths.size();
  } else if (static_cast<int32>(cfg.kernels.size()) != cfg.depth + 1) {
    why << "depth " << cfg.depth << " needs " << cfg.depth + 1 << " kernels, got "
        << cfg.kernels.size();
  } else if (cfg.cat_width <= 0 || cfg.cat_width > kTdnnMaxCatWidth ||
             cfg.cat_width % kTdnnWidthQuantum != 0) {
    why << "cat width " << cfg.cat_width << " is not a multiple of " << kTdnnWidthQuantum
        << " in [" << kTdnnWidthQuantum << ", " << kTdnnMaxCatWidth << "]";
  } else {
    for (int32 i = 0; i <= cfg.depth && why.tellp() == 0; ++i) {
      int32 c = cfg.widths[i], k = cfg.kernels[i];
      if (c <= 0 || c > kTdnnMaxWidth || c % kTdnnWidthQuantum != 0)
        why << "width c" << i << " = " << c << " is not a multiple of " << kTdnnWidthQuantum
            << " in [" << kTdnnWidthQuantum << ", " << kTdnnMaxWidth << "]";
      else if (k < 1 || k > kTdnnMaxKernel || k % 2 == 0)
        why << "kernel k" << i << " = " << k << " is not an odd number in [1, " << kTdnnMaxKernel
            << "]";
    }
  }
  if (why.tellp() == 0) return true;
  if (error != nullptr) *error = why.str();
  return false;
}

bool ParseSubnetConfig(const std::string &str, SubnetConfig *cfg, std::string *error) {
  const char *b = str.data(), *e = str.data() + str.size();
  while (b < e && (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\n')) ++b;
  while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n')) --e;
  if (b == e) {
    if (error) *error = "empty config";
    return false;
  }
  if (*b >= 'a' && *b <= 'z') {
    if (LookupNamedSubnetConfig(std::string(b, e), cfg)) return true;
    if (error) {
      *error = "unknown config name (known:";
      for (const std::string &n : NamedSubnetConfigNames()) *error += " " + n;
      *error += "; or the form depth-widths-kernels-cat, e.g. 3-512-512-512-512-5-3-3-3-1536)";
    }
    return false;
  }
  // Split on '-' into integer fields (generously many, so that a too-deep config is reported
  // by its depth rather than by its length).
  constexpr int32 kMaxFields = 64;
  int32 fields[kMaxFields];
  int32 n = 0;
  const char *p = b;
  while (true) {
    const char *q = p;
    while (q < e && *q != '-') ++q;
    if (n == kMaxFields) {
      if (error) *error = "too many fields (at most " + std::to_string(kMaxFields) + ")";
      return false;
    }
    if (!ParseField(p, q, &fields[n])) {
      if (error) *error = "field " + std::to_string(n + 1) + " '" + std::string(p, q) +
                          "' is not a non-negative integer";
      return false;
    }
    ++n;
    if (q == e) break;
    p = q + 1;
  }
  int32 d = fields[0];
  if (d < kTdnnMinDepth || d > kTdnnMaxDepth) {
    if (error) *error = "depth " + std::to_string(d) + " is outside [" +
                        std::to_string(kTdnnMinDepth) + ", " + std::to_string(kTdnnMaxDepth) + "]";
    return false;
  }
  if (n != 2 * (d + 1) + 2) {
    if (error) *error = "depth " + std::to_string(d) + " needs " + std::to_string(2 * (d + 1) + 2) +
                        " fields (d, " + std::to_string(d + 1) + " widths, " +
                        std::to_string(d + 1) + " kernels, cat width), got " + std::to_string(n);
    return false;
  }
  cfg->depth = d;
  cfg->widths.assign(fields + 1, fields + 1 + d + 1);
  cfg->kernels.assign(fields + d + 2, fields + 2 * d + 3);
  cfg->cat_width = fields[n - 1];
  return CheckSubnetConfig(*cfg, error);
}

SubnetConfig ParseSubnetConfig(const std::string &str) {
  SubnetConfig cfg;
  std::string error;
  if (!ParseSubnetConfig(str, &cfg, &error))
    TD_ERR << "invalid subnet config '" << str << "': " << error;
  return cfg;
}

// ---- SupernetShape ----

std::string SupernetShape::ToString() const {
  return "max-width " + std::to_string(max_width) + " max-cat-width " +
         std::to_string(max_cat_width);
}

void SupernetShape::Validate() const {
  if (max_width < kTdnnWidthQuantum || max_width > kTdnnMaxWidth ||
      max_width % kTdnnWidthQuantum != 0)
    TD_ERR << "supernet max width " << max_width << " is not a multiple of " << kTdnnWidthQuantum
           << " in [" << kTdnnWidthQuantum << ", " << kTdnnMaxWidth << "]";
  if (max_cat_width < kTdnnWidthQuantum || max_cat_width > kTdnnMaxCatWidth ||
      max_cat_width % kTdnnWidthQuantum != 0)
    TD_ERR << "supernet max cat width " << max_cat_width << " is not a multiple of "
           << kTdnnWidthQuantum << " in [" << kTdnnWidthQuantum << ", " << kTdnnMaxCatWidth << "]";
}

SubnetConfig SupernetShape::Largest() const {
  return SubnetConfig(kTdnnMaxDepth, std::vector<int32>(kTdnnMaxDepth + 1, max_width),
                      std::vector<int32>(kTdnnMaxDepth + 1, kTdnnMaxKernel), max_cat_width);
}

bool SupernetShape::Fits(const SubnetConfig &cfg, std::string *why) const {
  for (size_t i = 0; i < cfg.widths.size(); ++i)
    if (cfg.widths[i] > max_width) {
      if (why) *why = "width c" + std::to_string(i) + " = " + std::to_string(cfg.widths[i]) +
                      " > the supernet's max width " + std::to_string(max_width);
      return false;
    }
  if (cfg.cat_width > max_cat_width) {
    if (why) *why = "cat width " + std::to_string(cfg.cat_width) +
                    " > the supernet's max cat width " + std::to_string(max_cat_width);
    return false;
  }
  return true;
}

void SupernetShape::CheckFits(const SubnetConfig &cfg) const {
  std::string why;
  if (!Fits(cfg, &why))
    TD_ERR << "subnet config " << cfg.ToString() << " is wider than the supernet ("
           << ToString() << "): " << why;
}

int32 SupernetShape::ScaledWidth(int32 max, int32 percent) {
  const int64 w = (static_cast<int64>(percent) * max + 400) / 800 * kTdnnWidthQuantum;
  return static_cast<int32>(std::max<int64>(w, kTdnnWidthQuantum));
}

}  // namespace tdnas
