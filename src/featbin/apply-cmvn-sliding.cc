// apply-cmvn-sliding: Kaldi's sliding-window cepstral mean (and variance) normalisation.
#include "feat/cmvn.h"
#include "util/kaldi-table.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

using namespace tdnas;

int main(int argc, char *argv[]) {
  return RunMain(argc, argv, [&]() -> int {
    const char *usage =
        "Normalise each utterance's features against a moving window: every frame has the\n"
        "mean of the frames in its window subtracted (and, with --norm-vars, is divided by\n"
        "their standard deviation). The window trails the frame, or is centred on it with\n"
        "--center=true. Empty matrices are skipped with a warning.\n"
        "Usage: apply-cmvn-sliding [options] <feats-rspecifier> <feats-wspecifier>\n"
        "e.g.: apply-cmvn-sliding --norm-vars=false --center=true --cmn-window=300 "
        "ark:feats.ark ark:cmn.ark\n";
    ParseOptions po(usage);
    SlidingWindowCmnOptions opts;
    opts.Register(&po);
    po.Read(argc, argv);
    if (po.NumArgs() != 2) {
      po.PrintUsage();
      return 1;
    }
    opts.Check();
    int64 num_done = 0, num_err = 0;
    BaseFloatMatrixWriter writer(po.GetArg(2));
    for (SequentialBaseFloatMatrixReader reader(po.GetArg(1)); !reader.Done(); reader.Next()) {
      const std::string &utt = reader.Key();
      const Matrix<float> &feat = reader.Value();
      if (feat.NumRows() == 0) {
        TD_WARN << "Empty feature matrix for utterance " << utt;
        num_err++;
        continue;
      }
      Matrix<float> cmvn_feat;
      SlidingWindowCmn(opts, feat, &cmvn_feat);
      writer.Write(utt, cmvn_feat);
      num_done++;
    }
    writer.Close();
    if (opts.normalize_variance)
      TD_LOG << "Applied sliding-window cepstral mean and variance normalization to "
             << num_done << " utterances, " << num_err << " had errors.";
    else
      TD_LOG << "Applied sliding-window cepstral mean normalization to " << num_done
             << " utterances, " << num_err << " had errors.";
    return num_done != 0 ? 0 : 1;
  });
}
