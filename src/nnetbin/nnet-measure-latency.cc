// nnet-measure-latency.cc: builds the per-layer latency table of this device (CPU with a thread
// count, or GPU) at a batch and frame count, and optionally checks the table's sum-of-layers
// prediction against directly timed StaticTdnn forwards (library: nas/latency-model.h).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "base/log.h"
#include "gpu/gpu-api.h"
#include "nas/latency-model.h"
#include "nnet/search-space.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

int main(int argc, char *argv[]) {
  return tdnas::RunMain(argc, argv, [&]() -> int {
    using namespace tdnas;
    const char *usage =
        "Time every layer shape of the EfficientTDNN search space on this device (eval-mode\n"
        "forward, warm-up then the median of --repeats) over coarse width grids, and write the\n"
        "latency table nnet-search-subnet --latency-table reads (subnet latency = sum of its\n"
        "layers, interpolated between measured widths). --validate times whole StaticTdnn\n"
        "forwards of the given configs and prints predicted vs measured milliseconds:\n"
        "  CONFIG PREDICTED_MS MEASURED_MS RELATIVE_ERROR\n"
        "The default grids cover the space of a supernet of --max-width/--max-cat-width (e.g.\n"
        "128/384 for a scaled supernet: widths 32..128, cat widths 96..384).\n"
        "Usage:  nnet-measure-latency [options] <latency-table-wxfilename>\n"
        "e.g.:\n"
        " nnet-measure-latency --num-threads=1 --batch-size=1 --frames=301 exp/latency-cpu1.txt\n"
        " nnet-measure-latency --use-gpu=yes --batch-size=64 --validate=small,mobile gpu.txt\n"
        " nnet-measure-latency --max-width=128 --max-cat-width=384 exp/latency-cpu1-w128.txt\n";
    ParseOptions po(usage);
    LatencyMeasureOptions opts;
    std::string use_gpu = "no", validate;
    opts.Register(&po);
    po.Register("use-gpu", &use_gpu, "no|yes|optional: measure on the GPU");
    po.Register("validate", &validate,
                "Comma-separated configs (or names: smallest,small,mobile,base,largest) to time "
                "as whole networks against the table's prediction");
    po.Read(argc, argv);
    if (po.NumArgs() != 1) {
      po.PrintUsage();
      return 1;
    }
    opts.Validate();
    std::vector<SubnetConfig> configs;
    if (!validate.empty()) {
      std::istringstream is(validate);
      std::string item;
      while (std::getline(is, item, ',')) configs.push_back(ParseSubnetConfig(item));
    }
    const nnet::Device device =
        gpu::SelectDevice(use_gpu) ? nnet::Device::kGpu : nnet::Device::kCpu;
    const auto t0 = std::chrono::steady_clock::now();
    LatencyModel model = MeasureLatencyTable(opts, device);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    model.Write(po.GetArg(1));
    int64 points = 0;
    for (const LatencyGrid &g : model.Grids()) points += g.NumPoints();
    SubnetConfig smallest;  // the shape's smallest coarse subnet ("smallest" for 512/1536)
    SearchSpace::Named("coarse", opts.Shape()).ConfigAt(0, &smallest);
    TD_LOG << "Measured " << points << " layer shapes on " << model.Describe() << " in " << secs
           << " s; smallest " << smallest.ToString() << " " << model.PredictMs(smallest)
           << " ms, largest " << opts.Shape().Largest().ToString() << " "
           << model.PredictMs(opts.Shape().Largest()) << " ms (predicted)";
    double sum_abs = 0, max_abs = 0;
    for (const SubnetConfig &cfg : configs) {
      const double pred = model.PredictMs(cfg), meas = TimeStaticTdnnMs(cfg, opts, device);
      const double err = (pred - meas) / meas;
      sum_abs += std::abs(err);
      max_abs = std::max(max_abs, std::abs(err));
      std::printf("%s %.4f %.4f %+.4f\n", cfg.ToString().c_str(), pred, meas, err);
    }
    if (!configs.empty())
      TD_LOG << "Latency model vs direct StaticTdnn forwards: mean |error| "
             << 100 * sum_abs / configs.size() << "%, max " << 100 * max_abs << "% over "
             << configs.size() << " configs";
    TD_LOG << "Done " << points << " out of " << points << " layer shapes";
    return 0;
  });
}
