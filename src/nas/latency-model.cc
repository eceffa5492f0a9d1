// latency-model.cc: per-layer latency tables (measurement, interpolation, file) and the
// sum-of-layers latency of a subnet.
#include "nas/latency-model.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <random>
#include <sstream>

#include "base/log.h"
#include "gpu/gpu-api.h"
#include "nnet/kernels.h"
#include "nnet/parallel.h"
#include "nnet/static-tdnn.h"
#include "util/kaldi-io.h"

namespace tdnas {

using nnet::Device;
using nnet::Tensor;

namespace {
enum { kStem = 0, kConv1x1, kRes2, kSe, kCat, kPool, kNumLayers };
const char *const kLayerNames[kNumLayers] = {"stem", "conv1x1", "res2", "se", "cat", "pool"};
const std::vector<int32> kKernelAxis = {1, 3, 5};
const std::vector<int32> kDilationAxis = {2, 3, 4, 5};  // block i has dilation i + 1

LatencyGrid MakeGrid(const char *layer, std::vector<std::string> names,
                     std::vector<std::vector<int32>> axes, std::vector<bool> exact) {
  LatencyGrid g;
  g.layer = layer;
  g.axis_names = std::move(names);
  g.axes = std::move(axes);
  g.exact = std::move(exact);
  g.ms.assign(g.NumPoints(), 0.0);
  return g;
}

std::vector<int32> ParseGrid(const std::string &s, const char *option) {
  std::vector<int32> out;
  std::istringstream is(s);
  std::string item;
  while (std::getline(is, item, ',')) {
    char *end = nullptr;
    long v = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v < 1 || v > 100000)
      TD_ERR << "--" << option << ": '" << item << "' is not a positive integer";
    out.push_back(static_cast<int32>(v));
  }
  if (out.empty() || !std::is_sorted(out.begin(), out.end()) ||
      std::adjacent_find(out.begin(), out.end()) != out.end())
    TD_ERR << "--" << option << " must be increasing values, got '" << s << "'";
  return out;
}
}  // namespace

// ---- LatencyGrid ----

int64 LatencyGrid::NumPoints() const {
  int64 n = 1;
  for (const auto &a : axes) n *= a.size();
  return n;
}

double LatencyGrid::Lookup(const int32 *key) const {
  const int na = axes.size();
  int64 base = 0;
  // Per interpolated axis: lower index, fraction and stride.
  int32 lo[4];
  double frac[4];
  int64 stride[4];
  int ni = 0;
  int64 s = 1;
  for (int a = na - 1; a >= 0; --a) {
    const std::vector<int32> &v = axes[a];
    if (exact[a]) {
      const auto it = std::lower_bound(v.begin(), v.end(), key[a]);
      if (it == v.end() || *it != key[a])
        TD_ERR << "latency table for " << layer << " has no " << axis_names[a] << " " << key[a];
      base += (it - v.begin()) * s;
    } else if (v.size() == 1) {
      // constant along this axis
    } else {
      int32 i = std::upper_bound(v.begin(), v.end(), key[a]) - v.begin() - 1;
      i = std::max<int32>(0, std::min<int32>(i, v.size() - 2));  // end segments extrapolate
      lo[ni] = i;
      frac[ni] = static_cast<double>(key[a] - v[i]) / (v[i + 1] - v[i]);
      stride[ni] = s;
      ++ni;
    }
    s *= v.size();
  }
  double total = 0;
  for (int corner = 0; corner < (1 << ni); ++corner) {
    double w = 1;
    int64 off = base;
    for (int j = 0; j < ni; ++j) {
      const bool up = (corner >> j) & 1;
      w *= up ? frac[j] : 1 - frac[j];
      off += (lo[j] + up) * stride[j];
    }
    total += w * ms[off];
  }
  return std::max(0.0, total);
}

void LatencyGrid::MakeMonotone() {
  const int na = axes.size();
  for (int a = 0; a < na; ++a) {
    if (exact[a] && axis_names[a] != "kernel") continue;
    int64 stride = 1;
    for (int b = a + 1; b < na; ++b) stride *= axes[b].size();
    const int64 len = axes[a].size(), n = NumPoints();
    for (int64 start = 0; start < n; ++start) {
      if ((start / stride) % len != 0) continue;  // first point of each line along axis a
      for (int64 i = 1; i < len; ++i)
        ms[start + i * stride] = std::max(ms[start + i * stride], ms[start + (i - 1) * stride]);
    }
  }
}

// ---- LatencyModel ----

LatencyModel::LatencyModel(const std::vector<int32> &w, const std::vector<int32> &g,
                           const std::vector<int32> &cin, const std::vector<int32> &c) {
  grids_.push_back(MakeGrid("stem", {"kernel", "width"}, {kKernelAxis, w}, {true, false}));
  grids_.push_back(MakeGrid("conv1x1", {"cin", "cout"}, {w, w}, {false, false}));
  grids_.push_back(MakeGrid("res2", {"kernel", "dilation", "group"},
                            {kKernelAxis, kDilationAxis, g}, {true, true, false}));
  grids_.push_back(MakeGrid("se", {"width"}, {w}, {false}));
  grids_.push_back(MakeGrid("cat", {"cin", "cout"}, {cin, c}, {false, false}));
  grids_.push_back(MakeGrid("pool", {"width"}, {c}, {false}));
}

double LatencyModel::PredictMs(int32 d, const int32 *c, const int32 *k, int32 cat) const {
  TD_ASSERT(grids_.size() == kNumLayers);
  const int32 c0 = c[0];
  int32 key[3] = {k[0], c0};
  double ms = grids_[kStem].Lookup(key);
  for (int32 i = 1; i <= d; ++i) {
    key[0] = c0; key[1] = c[i];
    ms += grids_[kConv1x1].Lookup(key);
    key[0] = c[i]; key[1] = c0;
    ms += grids_[kConv1x1].Lookup(key);
    key[0] = k[i]; key[1] = i + 1; key[2] = c[i] / kTdnnRes2Scale;
    ms += grids_[kRes2].Lookup(key);
    ms += grids_[kSe].Lookup(&c0);
  }
  key[0] = d * c0; key[1] = cat;
  ms += grids_[kCat].Lookup(key);
  ms += grids_[kPool].Lookup(&cat);
  return ms;
}

double LatencyModel::PredictMs(const SubnetConfig &cfg) const {
  return PredictMs(cfg.depth, cfg.widths.data(), cfg.kernels.data(), cfg.cat_width);
}

void LatencyModel::MakeMonotone() {
  for (LatencyGrid &g : grids_) g.MakeMonotone();
}

std::string LatencyModel::Describe() const {
  std::ostringstream os;
  os << device << ", batch " << batch << ", " << frames << " frames";
  return os.str();
}

void LatencyModel::Write(const std::string &wxfilename) const {
  Output out(wxfilename, false, false);
  std::ostream &os = out.Stream();
  os << "# tdnas per-layer forward latency (ms, median of repeats); see nas/latency-model.h\n"
     << "latency-table 1\n"
     << "device " << device << "\n"
     << "setup batch " << batch << " frames " << frames << " threads " << threads << " repeats "
     << repeats << "\n";
  for (const LatencyGrid &g : grids_) {
    for (size_t a = 0; a < g.axes.size(); ++a) {
      os << "axis " << g.layer << ' ' << g.axis_names[a];
      for (int32 v : g.axes[a]) os << ' ' << v;
      os << "\n";
    }
  }
  char buf[64];
  for (const LatencyGrid &g : grids_) {
    std::vector<size_t> idx(g.axes.size(), 0);
    for (int64 p = 0; p < g.NumPoints(); ++p) {
      os << g.layer;
      for (size_t a = 0; a < idx.size(); ++a) os << ' ' << g.axes[a][idx[a]];
      std::snprintf(buf, sizeof(buf), " %.6g\n", g.ms[p]);
      os << buf;
      for (int a = static_cast<int>(idx.size()) - 1; a >= 0; --a) {
        if (++idx[a] < g.axes[a].size()) break;
        idx[a] = 0;
      }
    }
  }
  out.Close();
}

void LatencyModel::Read(const std::string &rxfilename) {
  Input in(rxfilename);
  std::string line, tok;
  std::vector<std::vector<int32>> axes[kNumLayers];
  bool header = false;
  std::vector<std::string> value_lines;
  for (int64 n = 1; std::getline(in.Stream(), line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream is(line);
    is >> tok;
    if (tok == "latency-table") {
      int32 v = 0;
      if (!(is >> v) || v != 1) TD_ERR << rxfilename << ": unsupported latency-table version";
      header = true;
    } else if (tok == "device") {
      std::getline(is, device);
      device.erase(0, device.find_first_not_of(' '));
    } else if (tok == "setup") {
      std::string a, b, c, d;
      if (!(is >> a >> batch >> b >> frames >> c >> threads >> d >> repeats))
        TD_ERR << rxfilename << " line " << n << ": bad setup line";
    } else if (tok == "axis") {
      std::string layer, name;
      is >> layer >> name;
      const int li = std::find(kLayerNames, kLayerNames + kNumLayers, layer) - kLayerNames;
      if (li == kNumLayers) TD_ERR << rxfilename << " line " << n << ": unknown layer " << layer;
      std::vector<int32> vals;
      int32 v;
      while (is >> v) vals.push_back(v);
      if (vals.empty() || !std::is_sorted(vals.begin(), vals.end()))
        TD_ERR << rxfilename << " line " << n << ": axis values must be increasing";
      axes[li].push_back(vals);
    } else {
      value_lines.push_back(line);
    }
  }
  if (!header) TD_ERR << rxfilename << " is not a latency table (no 'latency-table 1' line)";
  for (int li = 0; li < kNumLayers; ++li)
    if (axes[li].empty()) TD_ERR << rxfilename << ": no axes for layer " << kLayerNames[li];
  // Build with the file's grids (the axis order and exactness are fixed per layer).
  LatencyModel fresh(axes[kStem].size() == 2 ? axes[kStem][1] : std::vector<int32>{},
                     axes[kRes2].size() == 3 ? axes[kRes2][2] : std::vector<int32>{},
                     axes[kCat].size() == 2 ? axes[kCat][0] : std::vector<int32>{},
                     axes[kPool][0]);
  for (int li = 0; li < kNumLayers; ++li) {
    if (axes[li].size() != fresh.grids_[li].axes.size())
      TD_ERR << rxfilename << ": layer " << kLayerNames[li] << " needs "
             << fresh.grids_[li].axes.size() << " axes";
    fresh.grids_[li].axes = axes[li];
    fresh.grids_[li].ms.assign(fresh.grids_[li].NumPoints(), -1.0);
  }
  for (const std::string &l : value_lines) {
    std::istringstream is(l);
    is >> tok;
    const int li = std::find(kLayerNames, kLayerNames + kNumLayers, tok) - kLayerNames;
    if (li == kNumLayers) TD_ERR << rxfilename << ": unknown line '" << l << "'";
    LatencyGrid &g = fresh.grids_[li];
    int64 off = 0;
    for (size_t a = 0; a < g.axes.size(); ++a) {
      int32 v;
      if (!(is >> v)) TD_ERR << rxfilename << ": short line '" << l << "'";
      const auto it = std::lower_bound(g.axes[a].begin(), g.axes[a].end(), v);
      if (it == g.axes[a].end() || *it != v)
        TD_ERR << rxfilename << ": '" << l << "' is off the declared grid";
      off = off * g.axes[a].size() + (it - g.axes[a].begin());
    }
    double ms;
    if (!(is >> ms) || !(ms >= 0)) TD_ERR << rxfilename << ": bad time in '" << l << "'";
    g.ms[off] = ms;
  }
  for (const LatencyGrid &g : fresh.grids_)
    for (double v : g.ms)
      if (v < 0) TD_ERR << rxfilename << ": layer " << g.layer << " has grid points with no time";
  grids_ = std::move(fresh.grids_);
  MakeMonotone();
}

// ---- measurement ----

void LatencyMeasureOptions::Register(OptionsItf *opts) {
  opts->Register("batch-size", &batch_size, "Utterances per forward");
  opts->Register("frames", &frames, "Frames per utterance (301 = 3 s)");
  opts->Register("num-threads", &num_threads, "CPU threads of the nnet kernels");
  opts->Register("warmup", &warmup, "Untimed runs before timing each layer");
  opts->Register("repeats", &repeats, "Timed runs per layer (the median is kept)");
  opts->Register("max-width", &max_width,
                 "Width of the supernet whose space the default grids cover (e.g. 128)");
  opts->Register("max-cat-width", &max_cat_width,
                 "Cat width of the supernet whose space the default grids cover (e.g. 384)");
  opts->Register("width-grid", &width_grid,
                 "Widths c0 / ci measured (interpolated between); empty: 25,50,75,100% of "
                 "--max-width");
  opts->Register("group-grid", &group_grid,
                 "Res2 group widths ci/8 measured; empty: the width grid / 8");
  opts->Register("cat-in-grid", &cat_in_grid,
                 "Cat conv input widths d*c0 measured; empty: 0.5,1,2,3,4 x --max-width");
  opts->Register("cat-grid", &cat_grid,
                 "Cat widths C measured; empty: 25,50,75,100% of --max-cat-width");
}

void LatencyMeasureOptions::Validate() const {
  if (batch_size < 1 || frames < 1 || num_threads < 1 || warmup < 0 || repeats < 1)
    TD_ERR << "latency options: batch, frames, threads, repeats must be >= 1, warmup >= 0";
  Shape().Validate();
  WidthGrid();
  GroupGrid();
  CatInGrid();
  CatGrid();
}

std::vector<int32> LatencyMeasureOptions::WidthGrid() const {
  if (!width_grid.empty()) return ParseGrid(width_grid, "width-grid");
  std::vector<int32> v;
  for (int32 p : {25, 50, 75, 100}) v.push_back(SupernetShape::ScaledWidth(max_width, p));
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::vector<int32> LatencyMeasureOptions::GroupGrid() const {
  if (!group_grid.empty()) return ParseGrid(group_grid, "group-grid");
  std::vector<int32> v;
  for (int32 w : WidthGrid()) v.push_back(w / kTdnnRes2Scale);
  return v;
}

std::vector<int32> LatencyMeasureOptions::CatInGrid() const {
  if (!cat_in_grid.empty()) return ParseGrid(cat_in_grid, "cat-in-grid");
  return {max_width / 2, max_width, 2 * max_width, 3 * max_width, 4 * max_width};
}

std::vector<int32> LatencyMeasureOptions::CatGrid() const {
  if (!cat_grid.empty()) return ParseGrid(cat_grid, "cat-grid");
  std::vector<int32> v;
  for (int32 p : {25, 50, 75, 100}) v.push_back(SupernetShape::ScaledWidth(max_cat_width, p));
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

namespace {

// Random tensors on the device and median timing of a closure.
class LayerTimer {
 public:
  LayerTimer(const LatencyMeasureOptions &o, Device d)
      : opts_(o), dev_(d), k_(nnet::KernelsFor(d)), arena_(d), rng_(1) {}

  Tensor Rand(std::initializer_list<int64_t> shape, float lo = -1, float hi = 1) {
    Tensor t = arena_.Alloc(shape, false);
    host_.resize(t.Numel());
    std::uniform_real_distribution<float> u(lo, hi);
    for (float &v : host_) v = u(rng_);
    if (dev_ == Device::kCpu) std::copy(host_.begin(), host_.end(), t.data);
    else gpu::CopyHostToDevice(t.data, host_.data(), host_.size() * sizeof(float));
    return t;
  }

  // Median milliseconds of fn, less the timer's own cost (clock reads and, on the GPU, the
  // synchronisation: ~10 us, which summed over a subnet's ~20 layers would overstate it).
  double Median(const std::function<void()> &fn) {
    if (overhead_ < 0) {
      overhead_ = 0;
      overhead_ = MedianRaw([] {});
    }
    return std::max(0.0, MedianRaw(fn) - overhead_);
  }

  double MedianRaw(const std::function<void()> &fn) {
    for (int32 i = 0; i < opts_.warmup; ++i) fn();
    Sync();
    std::vector<double> t;
    for (int32 i = 0; i < opts_.repeats; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      fn();
      Sync();
      t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                      .count());
    }
    std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
    return t[t.size() / 2];
  }

  // Parameters and output of one conv -> ReLU -> BN unit.
  struct Unit { Tensor w, gamma, beta, rm, rv, mean, invstd; int dil; };
  Unit MakeUnit(int64_t cout, int64_t cin, int64_t k, int dil) {
    Unit u;
    u.w = Rand({cout, cin, k});
    u.gamma = Rand({cout}, 0.5, 1.5);
    u.beta = Rand({cout});
    u.rm = Rand({cout});
    u.rv = Rand({cout}, 0.5, 1.5);
    u.mean = Rand({cout});
    u.invstd = Rand({cout});
    u.dil = dil;
    return u;
  }
  void RunUnit(Unit &u, const Tensor &x, Tensor *r, Tensor *y) {
    k_.Conv1dForward(x, u.w, u.dil, r);   // the ops StaticTdnn's conv units run
    k_.ReluBatchNormForward(r, u.gamma, u.beta, false, 0.1f, 1e-5f, &u.rm, &u.rv, y, &u.mean,
                            &u.invstd);
  }

  double Stem(int32 k, int32 c0) {
    arena_.Reset();
    const int64_t B = opts_.batch_size, T = opts_.frames;
    Tensor x = Rand({B, kTdnnInputDim, T}), r = Rand({B, c0, T}), y = Rand({B, c0, T}),
           s = Rand({B, c0, T});
    Unit u = MakeUnit(c0, kTdnnInputDim, k, 1);
    return Median([&] { RunUnit(u, x, &r, &y); k_.Copy(y, &s); });
  }
  double Conv1x1(int32 cin, int32 cout) {
    arena_.Reset();
    const int64_t B = opts_.batch_size, T = opts_.frames;
    Tensor x = Rand({B, cin, T}), r = Rand({B, cout, T}), y = Rand({B, cout, T});
    Unit u = MakeUnit(cout, cin, 1, 1);
    return Median([&] { RunUnit(u, x, &r, &y); });
  }
  double Res2(int32 k, int32 dil, int32 w) {
    arena_.Reset();
    const int64_t B = opts_.batch_size, T = opts_.frames, ng = kTdnnRes2Scale;
    Tensor u = Rand({B, ng * w, T}), zcat = Rand({B, ng * w, T});
    std::vector<Unit> units;
    std::vector<Tensor> sums, rs;
    for (int j = 0; j < ng - 1; ++j) {
      units.push_back(MakeUnit(w, w, k, dil));
      sums.push_back(Rand({B, w, T}));
      rs.push_back(Rand({B, w, T}));
    }
    return Median([&] {
      Tensor in = u.Channels(0, w);
      for (int j = 0; j < ng - 1; ++j) {
        Tensor z = zcat.Channels(j * w, w);
        if (j + 1 < ng - 1) {   // the next group's input made in z_j's BN pass, as StaticTdnn
          Unit &un = units[j];
          k_.Conv1dForward(in, un.w, un.dil, &rs[j]);
          k_.ReluBatchNormForwardAdd(&rs[j], un.gamma, un.beta, false, 0.1f, 1e-5f, &un.rm,
                                     &un.rv, &z, &un.mean, &un.invstd,
                                     u.Channels((j + 1) * w, w), &sums[j + 1]);
          in = sums[j + 1];
        } else {
          RunUnit(units[j], in, &rs[j], &z);
        }
      }
      Tensor last = zcat.Channels((ng - 1) * w, w);
      k_.Copy(u.Channels((ng - 1) * w, w), &last);
    });
  }
  double Se(int32 c0) {
    arena_.Reset();
    const int64_t B = opts_.batch_size, T = opts_.frames, se = c0 / kTdnnSeReduction;
    Tensor v = Rand({B, c0, T}), y = Rand({B, c0, T}), s = Rand({B, c0, T}), m = Rand({B, c0}),
           h1 = Rand({B, se}), a = Rand({B, c0}), w1 = Rand({se, c0}), b1 = Rand({se}),
           w2 = Rand({c0, se}), b2 = Rand({c0});
    return Median([&] {
      k_.MeanOverTimeForward(v, &m);
      k_.LinearForward(m, w1, &b1, &h1);
      k_.ReluForward(h1, &h1);
      k_.LinearForward(h1, w2, &b2, &a);
      k_.SigmoidForward(a, &a);
      k_.ScaleChannelsResidual(v, a, &y, &s);   // y = v * a; y += s; s += y
    });
  }
  double Cat(int32 cin, int32 c) {
    arena_.Reset();
    const int64_t B = opts_.batch_size, T = opts_.frames;
    Tensor x = Rand({B, cin, T}), w = Rand({c, cin, 1}), h = Rand({B, c, T});
    return Median([&] {
      k_.Conv1dForward(x, w, 1, &h);
      k_.ReluForward(h, &h);
    });
  }
  double Pool(int32 c) {
    arena_.Reset();
    const int64_t B = opts_.batch_size, T = opts_.frames, att = kTdnnAttentionDim,
                  e = kTdnnEmbeddingDim;
    Tensor h = Rand({B, c, T}), w1 = Rand({att, c, 1}), a1 = Rand({B, att, T}),
           w2 = Rand({c, att, 1}), alpha = Rand({B, c, T}), pooled = Rand({B, 2 * c}),
           pbn = Rand({B, 2 * c}), fw = Rand({e, 2 * c}), fb = Rand({e}), fo = Rand({B, e}),
           emb = Rand({B, e});
    Unit bn1 = MakeUnit(2 * c, 1, 1, 1), bn2 = MakeUnit(e, 1, 1, 1);
    return Median([&] {
      k_.Conv1dForward(h, w1, 1, &a1);
      k_.TanhForward(a1, &a1);
      k_.Conv1dForward(a1, w2, 1, &alpha);
      k_.SoftmaxOverTimeForward(alpha, &alpha);
      k_.AttentiveStatsForward(h, alpha, 1e-9f, &pooled);
      k_.BatchNormForward(pooled, bn1.gamma, bn1.beta, false, 0.1f, 1e-5f, &bn1.rm, &bn1.rv,
                          &pbn, &bn1.mean, &bn1.invstd);
      k_.LinearForward(pbn, fw, &fb, &fo);
      k_.BatchNormForward(fo, bn2.gamma, bn2.beta, false, 0.1f, 1e-5f, &bn2.rm, &bn2.rv, &emb,
                          &bn2.mean, &bn2.invstd);
    });
  }

 private:
  void Sync() { if (dev_ == Device::kGpu) gpu::Synchronize(); }
  const LatencyMeasureOptions &opts_;
  Device dev_;
  const nnet::Kernels &k_;
  nnet::Arena arena_;
  std::mt19937_64 rng_;
  std::vector<float> host_;
  double overhead_ = -1;
};

}  // namespace

LatencyModel MeasureLatencyTable(const LatencyMeasureOptions &opts, Device device) {
  opts.Validate();
  if (device == Device::kCpu) nnet::SetNumThreads(opts.num_threads);
  LatencyModel model(opts.WidthGrid(), opts.GroupGrid(), opts.CatInGrid(), opts.CatGrid());
  model.batch = opts.batch_size;
  model.frames = opts.frames;
  model.threads = device == Device::kCpu ? opts.num_threads : 0;
  model.repeats = opts.repeats;
  model.device = device == Device::kCpu
                     ? "cpu " + std::to_string(opts.num_threads) + " thread(s)"
                     : "gpu " + gpu::DeviceDescription();
  LayerTimer timer(opts, device);
  for (LatencyGrid &g : model.Grids()) {
    std::vector<size_t> idx(g.axes.size(), 0);
    for (int64 p = 0; p < g.NumPoints(); ++p) {
      int32 v[3] = {0, 0, 0};
      for (size_t a = 0; a < idx.size(); ++a) v[a] = g.axes[a][idx[a]];
      if (g.layer == "stem") g.ms[p] = timer.Stem(v[0], v[1]);
      else if (g.layer == "conv1x1") g.ms[p] = timer.Conv1x1(v[0], v[1]);
      else if (g.layer == "res2") g.ms[p] = timer.Res2(v[0], v[1], v[2]);
      else if (g.layer == "se") g.ms[p] = timer.Se(v[0]);
      else if (g.layer == "cat") g.ms[p] = timer.Cat(v[0], v[1]);
      else g.ms[p] = timer.Pool(v[0]);
      TD_VLOG(1) << g.layer << ' ' << v[0] << ' ' << v[1] << ' ' << v[2] << ": " << g.ms[p] << " ms";
      for (int a = static_cast<int>(idx.size()) - 1; a >= 0; --a) {
        if (++idx[a] < g.axes[a].size()) break;
        idx[a] = 0;
      }
    }
  }
  model.MakeMonotone();
  return model;
}

double TimeStaticTdnnMs(const SubnetConfig &cfg, const LatencyMeasureOptions &opts,
                        Device device) {
  if (device == Device::kCpu) nnet::SetNumThreads(opts.num_threads);
  nnet::StaticTdnnOptions nopts;
  nnet::StaticTdnn net(cfg, nopts, device);
  if (device == Device::kCpu) net.InitParams(1);
  LayerTimer timer(opts, device);
  Tensor x = timer.Rand({opts.batch_size, kTdnnInputDim, opts.frames});
  return timer.Median([&] { net.Forward(x, false); });
}

}  // namespace tdnas
