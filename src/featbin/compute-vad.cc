// compute-vad: Kaldi's energy-based voice activity detection (log energy in column 0).
#include "feat/voice-activity-detection.h"
#include "util/kaldi-table.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

using namespace tdnas;

int main(int argc, char *argv[]) {
  return RunMain(argc, argv, [&]() -> int {
    const char *usage =
        "Energy-based voice activity detection for speaker recognition. Reads features\n"
        "whose column 0 is log energy (e.g. compute-fbank --use-energy=true) and writes,\n"
        "per utterance, one float per frame: 1.0 for a voiced frame, 0.0 otherwise. A frame\n"
        "counts as voiced when enough of the frames around it are louder than a threshold\n"
        "tied to the utterance's mean energy (the --vad-* options). Feed the result to\n"
        "select-voiced-frames.\n"
        "\n"
        "Usage: compute-vad [options] <feats-rspecifier> <vad-wspecifier>\n"
        "e.g.: compute-vad scp:feats.scp ark:vad.ark\n";
    ParseOptions po(usage);
    bool omit_unvoiced_utts = false;
    po.Register("omit-unvoiced-utts", &omit_unvoiced_utts,
                "Write nothing for an utterance in which no frame is voiced (by default its "
                "all-zero vector is written)");
    VadEnergyOptions opts;
    opts.Register(&po);
    po.Read(argc, argv);
    if (po.NumArgs() != 2) {
      po.PrintUsage();
      return 1;
    }
    int64 num_done = 0, num_err = 0, num_unvoiced = 0;
    double tot_length = 0.0, tot_decision = 0.0;
    BaseFloatVectorWriter writer(po.GetArg(2));
    for (SequentialBaseFloatMatrixReader reader(po.GetArg(1)); !reader.Done(); reader.Next()) {
      const std::string &utt = reader.Key();
      const Matrix<float> &feat = reader.Value();
      if (feat.NumRows() == 0) {
        TD_WARN << "Empty feature matrix for utterance " << utt;
        num_err++;
        continue;
      }
      Vector<float> vad_result;
      ComputeVadEnergy(opts, feat, &vad_result);
      double sum = 0.0;
      for (int32 i = 0; i < vad_result.Dim(); i++) sum += vad_result.Data()[i];
      if (sum == 0.0) {
        TD_WARN << "No frames were judged voiced for utterance " << utt;
        num_unvoiced++;
      } else {
        num_done++;
      }
      tot_decision += sum;
      tot_length += vad_result.Dim();
      if (!(omit_unvoiced_utts && sum == 0)) writer.Write(utt, vad_result);
    }
    writer.Close();
    TD_LOG << "Applied energy based voice activity detection; processed " << num_done
           << " utterances successfully; " << num_err << " had empty features, and "
           << num_unvoiced << " were completely unvoiced.";
    TD_LOG << "Proportion of voiced frames was " << (tot_decision / tot_length) << " over "
           << tot_length << " frames.";
    return num_done != 0 ? 0 : 1;
  });
}
