// select-voiced-frames: keeps the frames a VAD vector marks as voiced.
#include "feat/voice-activity-detection.h"
#include "util/kaldi-table.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

using namespace tdnas;

int main(int argc, char *argv[]) {
  return RunMain(argc, argv, [&]() -> int {
    const char *usage =
        "Drop unvoiced frames: for each utterance keep, in order, the feature rows whose\n"
        "value in the VAD vector (as written by compute-vad: one float per frame) is not 0.\n"
        "Utterances without a VAD vector, with a frame-count mismatch or with no voiced\n"
        "frame are skipped with a warning.\n"
        "Usage: select-voiced-frames [options] <feats-rspecifier> "
        " <vad-rspecifier> <feats-wspecifier>\n"
        "e.g.: select-voiced-frames scp:feats.scp scp:vad.scp ark:voiced.ark\n";
    ParseOptions po(usage);
    po.Read(argc, argv);
    if (po.NumArgs() != 3) {
      po.PrintUsage();
      return 1;
    }
    int64 num_done = 0, num_err = 0;
    RandomAccessBaseFloatVectorReader vad_reader(po.GetArg(2));
    BaseFloatMatrixWriter writer(po.GetArg(3));
    for (SequentialBaseFloatMatrixReader reader(po.GetArg(1)); !reader.Done(); reader.Next()) {
      const std::string &utt = reader.Key();
      const Matrix<float> &feat = reader.Value();
      if (feat.NumRows() == 0) {
        TD_WARN << "Empty feature matrix for utterance " << utt;
        num_err++;
        continue;
      }
      if (!vad_reader.HasKey(utt)) {
        TD_WARN << "No VAD input found for utterance " << utt;
        num_err++;
        continue;
      }
      const Vector<float> &voiced = vad_reader.Value(utt);
      if (feat.NumRows() != voiced.Dim()) {
        TD_WARN << "Mismatch in number for frames " << feat.NumRows() << " for features and VAD "
                << voiced.Dim() << ", for utterance " << utt;
        num_err++;
        continue;
      }
      Matrix<float> voiced_feat;
      SelectVoicedFrames(feat, voiced, &voiced_feat);
      if (voiced_feat.NumRows() == 0) {
        TD_WARN << "No features were judged as voiced for utterance " << utt;
        num_err++;
        continue;
      }
      writer.Write(utt, voiced_feat);
      num_done++;
    }
    writer.Close();
    TD_LOG << "Done selecting voiced frames; processed " << num_done << " utterances, "
           << num_err << " had errors.";
    return num_done != 0 ? 0 : 1;
  });
}
