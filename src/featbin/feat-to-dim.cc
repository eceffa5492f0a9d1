// feat-to-dim: prints the feature dimension (of the first matrix, or of every matrix).
#include "util/kaldi-table.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

using namespace tdnas;

int main(int argc, char *argv[]) {
  return RunMain(argc, argv, [&]() -> int {
    const char *usage =
        "Report the number of columns (feature dimension) of feature matrices. With a\n"
        "plain output file (or - for stdout) only the first matrix is read and its\n"
        "dimension written as one number; with a wspecifier, one integer per utterance.\n"
        "Usage: feat-to-dim [options] <feat-rspecifier> (<dim-wspecifier>|<dim-wxfilename>)\n"
        "e.g.: feat-to-dim scp:data/train/feats.scp -\n";
    ParseOptions po(usage);
    po.Read(argc, argv);
    if (po.NumArgs() != 2) {
      po.PrintUsage();
      return 1;
    }
    std::string rspecifier = po.GetArg(1), wspecifier = po.GetArg(2);
    if (ClassifyWspecifier(wspecifier, nullptr, nullptr, nullptr) == WspecifierType::kNone) {
      Output out(wspecifier, false);  // opened first: a bad output fails before any reading
      SequentialBaseFloatMatrixReader reader(rspecifier);
      if (reader.Done()) TD_ERR << "Could not read any features (empty archive?)";
      out.Stream() << reader.Value().NumCols() << "\n";
      out.Close();
      return 0;
    }
    Int32Writer writer(wspecifier);
    int64 num_done = 0;
    for (SequentialBaseFloatMatrixReader reader(rspecifier); !reader.Done(); reader.Next()) {
      writer.Write(reader.Key(), reader.Value().NumCols());
      num_done++;
    }
    writer.Close();
    TD_LOG << "Done " << num_done << " utterances.";
    return num_done != 0 ? 0 : 1;
  });
}
