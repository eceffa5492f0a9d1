// feat-to-dim: prints the feature dimension (of the first matrix, or of every matrix).
#include "util/kaldi-table.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

using namespace tdnas;

int main(int argc, char *argv[]) {
  return RunMain(argc, argv, [&]() -> int {
    const char *usage =
        "Reads an archive of features.  If second argument is wxfilename, writes\n"
        "the feature dimension of the first feature file; if second argument is\n"
        "wspecifier, writes an archive of the feature dimension, indexed by utterance\n"
        "id.\n"
        "Usage: feat-to-dim [options] <feat-rspecifier> (<dim-wspecifier>|<dim-wxfilename>)\n"
        "e.g.: feat-to-dim scp:feats.scp -\n";
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
