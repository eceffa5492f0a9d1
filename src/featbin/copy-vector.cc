// copy-vector: copies float vectors (tables or single files).
#include "util/kaldi-table.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

using namespace tdnas;

int main(int argc, char *argv[]) {
  return RunMain(argc, argv, [&]() -> int {
    const char *usage =
        "Copy float vectors (embeddings, VAD decisions, means, ...), a whole table or one\n"
        "file, optionally scaled.\n"
        "\n"
        "Usage: copy-vector [options] (<vector-in-rspecifier>|<vector-in-rxfilename>) "
        "(<vector-out-wspecifier>|<vector-out-wxfilename>)\n"
        " e.g.: copy-vector --binary=false mean.vec -\n"
        "   copy-vector ark:xvector.ark ark,t:-\n";
    ParseOptions po(usage);
    bool binary = true;
    float scale = 1.0f;
    po.Register("binary", &binary, "Single-file output only: false writes "
                "text. Tables follow their wspecifier (ark,t: for text)");
    po.Register("scale", &scale, "Multiply every element by this (1 = unchanged)");
    po.Read(argc, argv);
    if (po.NumArgs() != 2) {
      po.PrintUsage();
      return 1;
    }
    std::string in = po.GetArg(1), out = po.GetArg(2);
    bool in_table = BothTablesOrNeither(in, out);
    auto apply_scale = [&](Vector<float> *v) {
      if (scale != 1.0f)
        for (int32 i = 0; i < v->Dim(); i++) v->Data()[i] *= scale;
    };
    if (!in_table) {
      Vector<float> vec;
      ReadKaldiObject(in, &vec);
      apply_scale(&vec);
      WriteKaldiObject(vec, out, binary);
      TD_LOG << "Copied vector to " << out;
      return 0;
    }
    BaseFloatVectorWriter writer(out);
    int64 num_done = 0;
    for (SequentialBaseFloatVectorReader reader(in); !reader.Done(); reader.Next()) {
      apply_scale(&reader.Value());
      writer.Write(reader.Key(), reader.Value());
      num_done++;
    }
    writer.Close();
    TD_LOG << "Copied " << num_done << " vectors.";
    return num_done != 0 ? 0 : 1;
  });
}
