// nnet-sample-subnet: picks a subnet (--subnet, or --random within a space under MAC/param
// limits), BN-recalibrates it on training features and writes it as a standalone static model;
// --list prints sampled configs with their MACs and parameters without materialising.
#include <cstdio>
#include <random>

#include "gpu/gpu-api.h"
#include "nnet/bn-recalibrate.h"
#include "nnet/device-copy.h"
#include "nnet/mac-count.h"
#include "nnet/model-io.h"
#include "nnet/parallel.h"
#include "nnet/search-space.h"
#include "nnet/train-data.h"
#include "util/kaldi-table.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

int main(int argc, char *argv[]) {
  return tdnas::RunMain(argc, argv, [&]() -> int {
    using namespace tdnas;
    using namespace tdnas::nnet;
    const char *usage =
        "Cut a subnet out of a model: --subnet=CONFIG, or --random=N configs of --space within\n"
        "--min-macs/--max-macs/--max-params (at --frames); BN statistics are recalibrated on\n"
        "--recalibrate-rspecifier (random crops, train-mode forward passes) and the result is\n"
        "written as a standalone static model. With --list, print the configs (CONFIG MACS\n"
        "PARAMS) and write nothing.\n"
        "Usage: nnet-sample-subnet [options] <model-in> <model-out>\n"
        "   or: nnet-sample-subnet --list --random=N [options] [<model-in>]\n"
        "(a supernet's --random space is scaled to its shape)\n"
        "e.g.: nnet-sample-subnet --subnet=small --recalibrate-rspecifier=scp:train/feats.scp "
        "supernet.mdl small.mdl\n";
    ParseOptions po(usage);
    std::string subnet, space = "width2", recal, use_gpu = "no", gpu_math = "fp32";
    int32 random = 0, seed = 666, frames = kDefaultMacFrames, num_utts = 6000, num_threads = 1;
    int64 min_macs = 0, max_macs = 0, max_params = 0;
    bool list = false, binary = true;
    BnRecalibrateOptions ropts;
    po.Register("subnet", &subnet, "The subnet to cut (config string or name)");
    po.Register("random", &random, "Sample this many configs of --space (the first is cut)");
    po.Register("space", &space, "Search space of --random: width2|fine|coarse|... ");
    po.Register("seed", &seed, "Seed of --random");
    po.Register("min-macs", &min_macs, "Sampled configs have at least this many MACs");
    po.Register("max-macs", &max_macs, "Sampled configs have at most this many MACs (0 = any)");
    po.Register("max-params", &max_params, "Sampled configs have at most this many params");
    po.Register("frames", &frames, "Frames at which MACs are counted");
    po.Register("list", &list, "Print the configs with MACs and params; write no model");
    po.Register("recalibrate-rspecifier", &recal,
                "Features for BN recalibration (empty: keep the model's statistics)");
    po.Register("recalibrate-utts", &num_utts, "Random utterances read for recalibration");
    po.Register("binary", &binary, "Write in binary mode");
    po.Register("num-threads", &num_threads, "CPU threads of the network computation");
    po.Register("use-gpu", &use_gpu, "no|yes|optional: BN recalibration on the GPU");
    po.Register("gpu-math", &gpu_math,
                "GPU matrix-product precision: fp32 (default; matches the CPU to rounding), tf32 or "
                "bf16 (tensor cores, float32 accumulation and weights)");
    ropts.Register(&po);
    po.Read(argc, argv);
    if (!((list && po.NumArgs() <= 2) || (!list && po.NumArgs() == 2))) {
      po.PrintUsage();
      return 1;
    }
    gpu::MathMode math_mode;
    if (!gpu::ParseMathMode(gpu_math, &math_mode))
      TD_ERR << "--gpu-math: expected fp32, tf32 or bf16, got '" << gpu_math << "'";
    gpu::SetMathMode(math_mode);
    const bool on_gpu = gpu::SelectDevice(use_gpu);
    SetNumThreads(num_threads);
    // The model (when given) first: a supernet's shape scales the --random space.
    NnetModel model;
    SupernetShape shape;
    if (po.NumArgs() >= 1) {
      ReadNnetModel(po.GetArg(1), &model);
      if (model.IsSupernet()) shape = model.Super().Shape();
    }
    std::vector<SubnetConfig> cfgs;
    if (!subnet.empty()) cfgs.push_back(ParseSubnetConfig(subnet));
    if (random > 0) {
      SearchSpace sp = SearchSpace::Named(space, shape);
      std::mt19937_64 rng(static_cast<uint64>(seed));
      SubnetConfig c;
      for (int64 tries = 0; static_cast<int32>(cfgs.size()) < random + (subnet.empty() ? 0 : 1); tries++) {
        if (tries > 1000000) TD_ERR << "no config of space " << space << " meets the limits";
        sp.SampleConfig(&rng, &c);
        SubnetCost cost = CountSubnetCost(c, frames);
        if (cost.macs < min_macs || (max_macs > 0 && cost.macs > max_macs) ||
            (max_params > 0 && cost.params > max_params))
          continue;
        cfgs.push_back(c);
      }
    }
    if (cfgs.empty()) TD_ERR << "give --subnet or --random";
    if (list) {
      for (const auto &c : cfgs) {
        SubnetCost cost = CountSubnetCost(c, frames);
        std::printf("%s %lld %lld\n", c.ToString().c_str(), static_cast<long long>(cost.macs),
                    static_cast<long long>(cost.params));
      }
      return 0;
    }
    const SubnetConfig cfg = cfgs[0];
    model.CutSubnet(cfg);   // materialise from a supernet; a static model must be cfg
    if (!recal.empty()) {
      std::vector<Matrix<float>> utts;
      const int64 seen = ReadRecalibrationUtterances(recal, num_utts, ropts.seed, &utts);
      model.FrontEnd().CheckFeatureDim(utts[0].NumCols(), recal);
      if (on_gpu) {
        StaticTdnn dev_net(cfg, model.Net().Options(), Device::kGpu);
        CopyNetParamsAndState(model.Net(), &dev_net);
        RecalibrateBn(utts, model.FrontEnd().cmn, ropts, &dev_net);
        CopyNetParamsAndState(dev_net, &model.Net());
      } else {
        RecalibrateBn(utts, model.FrontEnd().cmn, ropts, &model.Net());
      }
      TD_LOG << "BN statistics recalibrated on " << utts.size() << " of " << seen << " utterances";
    }
    model.Train() = TrainState();
    WriteNnetModel(model, po.GetArg(2), binary);
    TD_LOG << "Wrote static subnet " << cfg.ToString() << " to " << po.GetArg(2);
    return 0;
  });
}
