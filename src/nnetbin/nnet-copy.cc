// nnet-copy: copies a model (binary/text), optionally materialising a subnet.
#include "gpu/gpu-api.h"
#include "nnet/model-io.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

int main(int argc, char *argv[]) {
  return tdnas::RunMain(argc, argv, [&]() -> int {
    using namespace tdnas;
    using namespace tdnas::nnet;
    const char *usage =
        "Copy a model, converting between binary and text; --subnet=CONFIG materialises a\n"
        "subnet as a standalone static model (no BN recalibration: see nnet-sample-subnet).\n"
        "Usage: nnet-copy [options] <model-in> <model-out>\n"
        "e.g.: nnet-copy --binary=false final.mdl - | less\n";
    ParseOptions po(usage);
    bool binary = true, keep_train_state = false;
    std::string subnet, use_gpu = "no";
    po.Register("binary", &binary, "Write in binary mode");
    po.Register("subnet", &subnet, "Materialise this subnet (config string or name)");
    po.Register("keep-train-state", &keep_train_state,
                "Keep the optimizer state of a checkpoint (default: dropped)");
    po.Register("use-gpu", &use_gpu, "no|yes|optional");
    po.Read(argc, argv);
    if (po.NumArgs() != 2) {
      po.PrintUsage();
      return 1;
    }
    gpu::SelectDevice(use_gpu);
    NnetModel model;
    ReadNnetModel(po.GetArg(1), &model);
    if (!subnet.empty()) model.CutSubnet(ParseSubnetConfig(subnet));
    if (!keep_train_state) {
      model.Train().adam_m.clear();
      model.Train().adam_v.clear();
    }
    WriteNnetModel(model, po.GetArg(2), binary);
    TD_LOG << "Copied model " << po.GetArg(1) << " to " << po.GetArg(2);
    return 0;
  });
}
