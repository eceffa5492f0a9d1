// latency-model.h: a subnet's forward latency on one device, predicted as the sum of its
// layers' latencies read from a per-layer table measured on that device (nnet-measure-latency),
// so search budgets can be milliseconds on the machine that will run the model (spec section
// 4: "subject to a cost constraint (MACs, params or latency)").
//
// Layers (each timed as StaticTdnn runs it, eval mode, at the table's batch and frame count):
//   stem    (kernel k0, width c0)          conv 80->c0 + ReLU + BN, copy into the residual sum
//   conv1x1 (cin, cout)                    conv 1x1 + ReLU + BN (a block's c0->ci and ci->c0)
//   res2    (kernel ki, dilation, group)   a block's 7 group convs (w = ci/8) + ReLU + BN, the
//                                          6 group sums and the copy of the last group
//   se      (width c0)                     squeeze-excitation + scaling + the 2 residual adds
//   cat     (input d*c0, cat width C)      conv 1x1 + ReLU
//   pool    (cat width C)                  attention convs, tanh, softmax, statistics, BN(2C),
//                                          Linear 2C->192, BN(192)
// Latency(cfg) = stem(k0, c0) + sum_i [conv1x1(c0, ci) + res2(ki, i+1, ci/8) + conv1x1(ci, c0)
//                + se(c0)] + cat(d*c0, C) + pool(C).
//
// Tables hold a coarse grid of widths; values between grid points are interpolated
// (multi-linear over the width axes; kernel and dilation are exact), values outside the grid
// extrapolated linearly from the end segment (clamped at 0). Measured times are made monotone
// non-decreasing along every width and kernel axis (a time below a smaller layer's is timing
// noise): then latency is monotone in every dimension of a subnet, the smallest subnet of a
// space is the fastest, and budget checks (nas/cost-budget.h) keep their guarantees.
//
// Text file (comment lines start with '#'):
//   latency-table 1
//   device <words...>
//   setup batch 1 frames 301 threads 1 repeats 15
//   axis <layer> <name> <values...>          (one line per axis, in order)
//   <layer> <axis values...> <ms>            (one line per grid point)
#ifndef TDNAS_NAS_LATENCY_MODEL_H_
#define TDNAS_NAS_LATENCY_MODEL_H_

#include <string>
#include <vector>

#include "nnet/subnet-config.h"
#include "nnet/tensor.h"
#include "util/options-itf.h"

namespace tdnas {

// One layer type's grid of measured milliseconds.
struct LatencyGrid {
  std::string layer;                      // stem | conv1x1 | res2 | se | cat | pool
  std::vector<std::string> axis_names;
  std::vector<std::vector<int32>> axes;   // sorted values per axis
  std::vector<bool> exact;                // axis looked up exactly (kernel, dilation)
  std::vector<double> ms;                 // row-major over axes

  int64 NumPoints() const;
  // Milliseconds at key (one value per axis). TD_ERR if an exact axis lacks the value.
  double Lookup(const int32 *key) const;
  // Raises values so they never decrease along non-exact axes and kernel axes.
  void MakeMonotone();
};

class LatencyModel {
 public:
  LatencyModel() {}
  // Empty grids (ms = 0) over the given width grids (sorted), for measurement to fill.
  LatencyModel(const std::vector<int32> &width_grid, const std::vector<int32> &group_grid,
               const std::vector<int32> &cat_in_grid, const std::vector<int32> &cat_grid);

  std::vector<LatencyGrid> &Grids() { return grids_; }
  const std::vector<LatencyGrid> &Grids() const { return grids_; }
  std::string device;                     // e.g. "cpu 1 thread(s): Intel Xeon ..."
  int32 batch = 1, frames = 301, threads = 1, repeats = 0;

  // Predicted forward milliseconds of a subnet (at the table's batch and frames).
  double PredictMs(int32 depth, const int32 *widths, const int32 *kernels, int32 cat_width) const;
  double PredictMs(const SubnetConfig &cfg) const;
  void MakeMonotone();

  void Write(const std::string &wxfilename) const;
  void Read(const std::string &rxfilename);
  std::string Describe() const;  // "cpu ..., batch 1, 301 frames"

 private:
  const LatencyGrid &Grid(int i) const { return grids_[i]; }
  std::vector<LatencyGrid> grids_;  // kStem, kConv1x1, kRes2, kSe, kCat, kPool
};

struct LatencyMeasureOptions {
  int32 batch_size = 1;      // one utterance: the deployment case
  int32 frames = 301;        // 3 s, as the published MACs
  int32 num_threads = 1;
  int32 warmup = 3;
  int32 repeats = 15;        // median of these
  // The supernet whose space the grids cover (a scaled one, e.g. 128/384, has widths 32..128).
  int32 max_width = kTdnnMaxWidth;
  int32 max_cat_width = kTdnnMaxCatWidth;
  // Coarse grids (interpolated in between): c0/ci, group w = ci/8, cat input d*c0, cat C.
  // Empty: derived from the shape (W = max_width, CW = max_cat_width): widths
  // {25,50,75,100}% of W (SupernetShape::ScaledWidth), groups those / 8, cat inputs
  // {W/2, W, 2W, 3W, 4W}, cat widths {25,50,75,100}% of CW; for 512/1536 these are
  // 128,256,384,512 / 16,32,48,64 / 256,512,1024,1536,2048 / 384,768,1152,1536.
  std::string width_grid, group_grid, cat_in_grid, cat_grid;

  void Register(OptionsItf *opts);
  void Validate() const;
  SupernetShape Shape() const { return SupernetShape(max_width, max_cat_width); }
  // The grids in use (the explicit option, or the shape's default above).
  std::vector<int32> WidthGrid() const;
  std::vector<int32> GroupGrid() const;
  std::vector<int32> CatInGrid() const;
  std::vector<int32> CatGrid() const;
};

// Times every grid point on `device` (kCpu, or kGpu once the backend is initialised), using
// the nnet kernels exactly as StaticTdnn's eval forward does, and returns the monotone table.
LatencyModel MeasureLatencyTable(const LatencyMeasureOptions &opts, nnet::Device device);

// Median milliseconds of StaticTdnn eval forwards of cfg (random weights) at the options'
// batch and frames: the direct measurement the table is validated against.
double TimeStaticTdnnMs(const SubnetConfig &cfg, const LatencyMeasureOptions &opts,
                        nnet::Device device);

}  // namespace tdnas

#endif  // TDNAS_NAS_LATENCY_MODEL_H_
