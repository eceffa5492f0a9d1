// nnet-info: prints a model's structure, parameter counts, front end and training state.
#include <iostream>

#include "gpu/gpu-api.h"
#include "nnet/model-io.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

int main(int argc, char *argv[]) {
  return tdnas::RunMain(argc, argv, [&]() -> int {
    using namespace tdnas;
    const char *usage =
        "Print information about a model: kind, config, dimensions, front end, speakers,\n"
        "parameter counts and tensors, training state.\n"
        "Usage: nnet-info [options] <model-in>\n"
        "e.g.: nnet-info exp/final.mdl\n";
    ParseOptions po(usage);
    std::string use_gpu = "no";
    po.Register("use-gpu", &use_gpu, "no|yes|optional");
    po.Read(argc, argv);
    if (po.NumArgs() != 1) {
      po.PrintUsage();
      return 1;
    }
    gpu::SelectDevice(use_gpu);
    nnet::NnetModel model;
    nnet::ReadNnetModel(po.GetArg(1), &model);
    std::cout << model.Info();
    return 0;
  });
}
