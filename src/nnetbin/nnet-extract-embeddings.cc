// nnet-extract-embeddings: speaker embeddings of feature matrices.
#include "gpu/gpu-api.h"
#include "nnet/bn-recalibrate.h"
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
        "e.g.: nnet-extract-embeddings final.mdl scp:data/test/feats.scp ark,scp:emb.ark,emb.scp\n";
    ParseOptions po(usage);
    EmbeddingOptions eopts;
    std::string subnet, recal, use_gpu = "no";
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
    po.Register("use-gpu", &use_gpu, "no|yes|optional (CPU only in this build)");
    po.Read(argc, argv);
    if (po.NumArgs() != 3) {
      po.PrintUsage();
      return 1;
    }
    gpu::SelectDevice(use_gpu);
    SetNumThreads(num_threads);
    NnetModel model;
    ReadNnetModel(po.GetArg(1), &model);
    if (!subnet.empty()) model.CutSubnet(ParseSubnetConfig(subnet));
    if (!recal.empty()) {
      std::vector<Matrix<float>> utts;
      const int64 seen = ReadRecalibrationUtterances(recal, num_utts, ropts.seed, &utts);
      model.FrontEnd().CheckFeatureDim(utts[0].NumCols(), recal);
      RecalibrateBn(utts, model.FrontEnd().cmn, ropts, &model.Net());
      TD_LOG << "BN statistics recalibrated on " << utts.size() << " of " << seen << " utterances";
    }
    EmbeddingExtractor extractor(&model.Net(), model.FrontEnd(), eopts);
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
