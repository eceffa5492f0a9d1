// copy-int-vector: copies integer vectors (alignments etc.), tables or single files.
#include "util/kaldi-table.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

using namespace tdnas;

int main(int argc, char *argv[]) {
  return RunMain(argc, argv, [&]() -> int {
    const char *usage =
        "Copy integer vectors (for example alignments), either a whole table or a single\n"
        "file, optionally converting between binary and text.\n"
        "\n"
        "Usage: copy-int-vector [options] (vector-in-rspecifier|vector-in-rxfilename) "
        "(vector-out-wspecifier|vector-out-wxfilename)\n"
        " e.g.: copy-int-vector --binary=false lengths.vec -\n"
        "   copy-int-vector ark:ali.ark ark,scp:ali_copy.ark,ali_copy.scp\n";
    ParseOptions po(usage);
    bool binary = true;
    po.Register("binary", &binary, "Single-file output only: false writes "
                "text. Tables follow their wspecifier (ark,t: for text)");
    po.Read(argc, argv);
    if (po.NumArgs() != 2) {
      po.PrintUsage();
      return 1;
    }
    std::string in = po.GetArg(1), out = po.GetArg(2);
    bool in_table = BothTablesOrNeither(in, out);
    if (!in_table) {
      // A single file holds one integer vector in ReadIntegerVector's format.
      bool bin_in;
      std::vector<int32> v;
      {
        Input ki(in, &bin_in);
        ReadIntegerVector(ki.Stream(), bin_in, &v);
      }
      Output ko(out, binary);
      WriteIntegerVector(ko.Stream(), binary, v);
      ko.Close();
      TD_LOG << "Copied vector to " << out;
      return 0;
    }
    Int32VectorWriter writer(out);
    int64 num_done = 0;
    for (SequentialInt32VectorReader reader(in); !reader.Done(); reader.Next()) {
      writer.Write(reader.Key(), reader.Value());
      num_done++;
    }
    writer.Close();
    TD_LOG << "Copied " << num_done << " vectors of int32.";
    return num_done != 0 ? 0 : 1;
  });
}
