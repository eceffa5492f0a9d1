// select-feats: keep a list of feature columns (e.g. drop fbank's energy column after VAD).
#include "matrix/select-columns.h"
#include "util/kaldi-table.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

using namespace tdnas;

int main(int argc, char *argv[]) {
  return RunMain(argc, argv, [&]() -> int {
    const char *usage =
        "Write only the listed columns of each feature matrix (0-based; ranges inclusive).\n"
        "Usage: select-feats [options] <column-list> <feats-rspecifier> <feats-wspecifier>\n"
        "e.g.: select-feats 1-80 ark:fbank_with_energy.ark ark:fbank.ark\n"
        " or:  select-feats 0,2-4 scp:feats.scp ark,t:-\n";
    ParseOptions po(usage);
    po.Read(argc, argv);
    if (po.NumArgs() != 3) {
      po.PrintUsage();
      return 1;
    }
    std::vector<int32> columns = ParseColumnList(po.GetArg(1));
    int64 num_done = 0, num_err = 0;
    BaseFloatMatrixWriter writer(po.GetArg(3));
    Matrix<float> out;
    for (SequentialBaseFloatMatrixReader reader(po.GetArg(2)); !reader.Done(); reader.Next()) {
      const Matrix<float> &in = reader.Value();
      if (in.NumRows() == 0) {  // a 0x0 matrix stays 0x0 (Kaldi's empty convention)
        writer.Write(reader.Key(), in);
        num_done++;
        continue;
      }
      bool ok = true;
      for (int32 c : columns) ok = ok && c < in.NumCols();
      if (!ok) {
        TD_WARN << "Utterance " << reader.Key() << " has " << in.NumCols()
                << " columns; a selected column is out of range; skipping it.";
        num_err++;
        continue;
      }
      SelectColumns(in, columns, &out);
      writer.Write(reader.Key(), out);
      num_done++;
    }
    writer.Close();
    TD_LOG << "Done " << num_done << " out of " << num_done + num_err << " utterances.";
    return num_done != 0 ? 0 : 1;
  });
}
