// nnet-init-supernet: writes a freshly initialised supernet (or static subnet) with an
// AAM-softmax head.
#include "gpu/gpu-api.h"
#include "nnet/model-io.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

int main(int argc, char *argv[]) {
  return tdnas::RunMain(argc, argv, [&]() -> int {
    using namespace tdnas;
    using namespace tdnas::nnet;
    const char *usage =
        "Write a freshly initialised EfficientTDNN weight-sharing supernet with an AAM-softmax\n"
        "head of --num-speakers classes (weights from --seed; kernel transforms at identity).\n"
        "--max-width/--max-cat-width scale the supernet (default: the paper's 512/1536; e.g.\n"
        "128/384 for a quarter-width supernet on a CPU). With --subnet=CONFIG the model is that\n"
        "one static subnet instead (to train a small network directly, or for tests).\n"
        "Usage: nnet-init-supernet [options] <model-out>\n"
        "e.g.: nnet-init-supernet --num-speakers=5994 exp/0.mdl\n"
        "      nnet-init-supernet --num-speakers=40 --max-width=128 --max-cat-width=384 exp/0.mdl\n";
    ParseOptions po(usage);
    int32 num_speakers = 0, seed = 666, input_dim = kTdnnInputDim;
    SupernetShape shape;
    bool binary = true;
    std::string subnet, use_gpu = "no", feature_type = "fbank";
    po.Register("num-speakers", &num_speakers, "Classes of the AAM-softmax head (required)");
    po.Register("seed", &seed, "Seed of the weight initialisation");
    po.Register("max-width", &shape.max_width,
                "Supernet stem/block width (multiple of 8, <= 512; the paper's 512)");
    po.Register("max-cat-width", &shape.max_cat_width,
                "Supernet cat conv width (multiple of 8, <= 1536; the paper's 1536)");
    po.Register("subnet", &subnet, "Initialise this static subnet (config string or name)");
    po.Register("feature-dim", &input_dim, "Input feature dimension stored in the model");
    po.Register("feature-type", &feature_type, "Feature type recorded in the model's front end");
    po.Register("binary", &binary, "Write in binary mode");
    po.Register("use-gpu", &use_gpu, "no|yes|optional (initialisation runs on the CPU)");
    po.Read(argc, argv);
    if (po.NumArgs() != 1) {
      po.PrintUsage();
      return 1;
    }
    gpu::SelectDevice(use_gpu);
    if (num_speakers <= 0) TD_ERR << "--num-speakers must be given (> 0)";
    shape.Validate();
    StaticTdnnOptions opts;
    opts.num_classes = num_speakers;
    opts.input_dim = input_dim;
    NnetModel model = subnet.empty()
                          ? NnetModel(shape, opts, static_cast<uint64>(seed))
                          : NnetModel(ParseSubnetConfig(subnet), opts, static_cast<uint64>(seed));
    model.FrontEnd().feature_type = feature_type;
    WriteNnetModel(model, po.GetArg(1), binary);
    TD_LOG << "Wrote " << model.Describe() << " with " << num_speakers << " classes to "
           << po.GetArg(1);
    return 0;
  });
}
