// feat-to-len: writes the number of frames of each feature matrix (or of one matrix).
#include <iostream>

#include "util/kaldi-table.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

using namespace tdnas;

int main(int argc, char *argv[]) {
  return RunMain(argc, argv, [&]() -> int {
    const char *usage =
        "Report the number of rows (frames) of feature matrices: with an output\n"
        "wspecifier, one integer per utterance (the usual utt2num_frames); with no output\n"
        "argument, the total over all utterances, printed on stdout.\n"
        "Usage: feat-to-len [options] <in-rspecifier> [<out-wspecifier>]\n"
        "e.g.: feat-to-len scp:data/train/feats.scp ark,t:data/train/utt2num_frames\n"
        "or: feat-to-len scp:data/train/feats.scp\n";
    ParseOptions po(usage);
    po.Read(argc, argv);
    if (po.NumArgs() != 1 && po.NumArgs() != 2) {
      po.PrintUsage();
      return 1;
    }
    std::string rspecifier = po.GetArg(1);
    if (po.NumArgs() == 1) {
      int64 tot = 0;
      for (SequentialBaseFloatMatrixReader reader(rspecifier); !reader.Done(); reader.Next())
        tot += reader.Value().NumRows();
      std::cout << tot << std::endl;
      return 0;
    }
    Int32Writer writer(po.GetArg(2));
    int64 num_done = 0;
    for (SequentialBaseFloatMatrixReader reader(rspecifier); !reader.Done(); reader.Next()) {
      writer.Write(reader.Key(), reader.Value().NumRows());
      num_done++;
    }
    writer.Close();
    TD_LOG << "Done " << num_done << " utterances.";
    return num_done != 0 ? 0 : 1;
  });
}
