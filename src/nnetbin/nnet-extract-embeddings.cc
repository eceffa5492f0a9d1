// nnet-extract-embeddings: speaker embeddings of feature matrices.
#include <memory>

#include "gpu/gpu-api.h"
#include "gpu/infer-engine.h"
#include "nnet/bn-recalibrate.h"
#include "nnet/device-copy.h"
#include "nnet/embedding-extractor.h"
#include "nnet/model-io.h"
#include "nnet/parallel.h"
#include "util/kaldi-table.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

int main(int argc, char *argv[]) {
  return tdnas::RunMain(argc, argv, [&]() -> int {
    using namespace tdnas;
    using namespace tdnas::nnet;
    const char *usage =
        "Extract speaker embeddings (one vector per utterance) with a static model, or with\n"
        "the subnet --subnet=CONFIG of a supernet (materialised; BN statistics recalibrated\n"
        "on --recalibrate-rspecifier if given, exactly as nnet-sample-subnet does, so the two\n"
        "routes give the same bits). Whole-utterance by default, or the average of\n"
        "--num-segments segments of --segment-frames frames. The model's front end (CMN) is\n"
        "applied here.\n"
        "Usage: nnet-extract-embeddings [options] <model-in> <feats-rspecifier> "
        "<embeddings-wspecifier>\n"
        "e.g.: nnet-extract-embeddings final.mdl scp:data/test/feats.scp ark,scp:emb.ark,emb.scp\n"
        "      nnet-extract-embeddings --use-gpu=yes --gpu-engine=true final.mdl scp:feats.scp ark:emb.ark\n";
    ParseOptions po(usage);
    EmbeddingOptions eopts;
    std::string subnet, recal, use_gpu = "no", gpu_math = "fp32";
    bool gpu_engine = false;
    int32 num_threads = 1, num_utts = 6000;
    BnRecalibrateOptions ropts;
    eopts.Register(&po);
    ropts.Register(&po);
    po.Register("recalibrate-rspecifier", &recal,
                "Features for BN recalibration before extracting (empty: keep the statistics)");
    po.Register("recalibrate-utts", &num_utts, "Random utterances read for recalibration");
    po.Register("subnet", &subnet,
                "With a supernet: the subnet to extract with (a static model must equal it)");
    po.Register("num-threads", &num_threads, "CPU threads of the network computation");
    po.Register("use-gpu", &use_gpu,
                "no|yes|optional: compute on the GPU (the network is uploaded once, each "
                "utterance's features go to the device, the embedding comes back)");
    po.Register("gpu-math", &gpu_math,
                "GPU matrix-product precision: fp32 (default; matches the CPU to rounding), tf32 or "
                "bf16 (tensor cores, float32 accumulation and weights)");
    po.Register("gpu-engine", &gpu_engine,
                "With the GPU: run the inference engine (bfloat16 activations, BN folded into "
                "the layers, fused kernels; embeddings within ~2e-3 relative of the float32 "
                "ones) instead of the training path's forward. Ignored (with a WARNING) when "
                "--use-gpu=optional finds no GPU");
    po.Read(argc, argv);
    if (po.NumArgs() != 3) {
      po.PrintUsage();
      return 1;
    }
    gpu::MathMode math_mode;
    if (!gpu::ParseMathMode(gpu_math, &math_mode))
      TD_ERR << "--gpu-math: expected fp32, tf32 or bf16, got '" << gpu_math << "'";
    gpu::SetMathMode(math_mode);
    const bool on_gpu = gpu::SelectDevice(use_gpu);
    SetNumThreads(num_threads);
    NnetModel model;
    ReadNnetModel(po.GetArg(1), &model);
    if (!subnet.empty()) model.CutSubnet(ParseSubnetConfig(subnet));
    // The network the work runs on: the model's, or its copy on the GPU.
    std::unique_ptr<StaticTdnn> dev_net;
    if (on_gpu) {
      dev_net.reset(new StaticTdnn(model.Config(), model.Net().Options(), Device::kGpu));
      CopyNetParamsAndState(model.Net(), dev_net.get());
    }
    StaticTdnn *net = on_gpu ? dev_net.get() : &model.Net();
    if (!recal.empty()) {
      std::vector<Matrix<float>> utts;
      const int64 seen = ReadRecalibrationUtterances(recal, num_utts, ropts.seed, &utts);
      model.FrontEnd().CheckFeatureDim(utts[0].NumCols(), recal);
      RecalibrateBn(utts, model.FrontEnd().cmn, ropts, net);
      TD_LOG << "BN statistics recalibrated on " << utts.size() << " of " << seen << " utterances";
    }
    EmbeddingExtractor extractor(net, model.FrontEnd(), eopts);
    std::unique_ptr<gpu::InferEngine> engine;
    if (gpu_engine && !on_gpu) {
      TD_WARN << "--gpu-engine=true ignored: no GPU in use, extracting on the CPU";
    } else if (gpu_engine) {
      engine.reset(new gpu::InferEngine(*net));   // after recalibration: it snapshots the net
      extractor.SetForward([&engine](const Tensor &x) { return engine->Forward(x); });
    }
    BaseFloatVectorWriter writer(po.GetArg(3));
    int64 num_done = 0, num_total = 0;
    Vector<float> emb;
    for (SequentialBaseFloatMatrixReader reader(po.GetArg(2)); !reader.Done(); reader.Next()) {
      num_total++;
      const Matrix<float> &feats = reader.Value();
      if (feats.NumRows() == 0) {
        TD_WARN << "utterance " << reader.Key() << " has no frames; skipped";
        continue;
      }
      extractor.Extract(feats, &emb);
      writer.Write(reader.Key(), emb);
      num_done++;
    }
    writer.Close();
    TD_LOG << "Done " << num_done << " out of " << num_total << " utterances.";
    return num_done > 0 ? 0 : 1;
  });
}
