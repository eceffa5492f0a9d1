// copy-matrix: copies matrices (tables or single files), optionally transforming elements.
#include <cmath>

#include "util/kaldi-table.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

using namespace tdnas;

// Elementwise options, applied in this order: log, exp, power, scale.
struct CopyMatrixTransform {
  float scale = 1.0f, apply_power = 1.0f;
  bool apply_log = false, apply_exp = false;
  void Register(OptionsItf *opts) {
    opts->Register("scale", &scale, "Multiply every element by this, after the other "
                   "transforms (1 = unchanged)");
    opts->Register("apply-log", &apply_log, "Replace every element by its natural log (NaN "
                   "for negative and -inf for zero elements); not with --apply-exp");
    opts->Register("apply-exp", &apply_exp, "Replace every element x by e^x; not with "
                   "--apply-log");
    opts->Register("apply-power", &apply_power, "Raise every element to this power, after "
                   "log/exp and before --scale (1 = unchanged)");
  }
  void Apply(Matrix<float> *m) const {
    float *d = m->Data();
    size_t n = static_cast<size_t>(m->NumRows()) * m->NumCols();
    for (size_t i = 0; i < n; i++) {
      if (apply_log) d[i] = std::log(d[i]);
      if (apply_exp) d[i] = std::exp(d[i]);
      if (apply_power != 1.0f) d[i] = std::pow(d[i], apply_power);
      if (scale != 1.0f) d[i] *= scale;
    }
  }
  bool Trivial() const { return scale == 1.0f && apply_power == 1.0f && !apply_log && !apply_exp; }
};

int main(int argc, char *argv[]) {
  return RunMain(argc, argv, [&]() -> int {
    const char *usage =
        "Copy float matrices (features, transforms, ...), a whole table or one file, with\n"
        "optional element-wise log, exp, power and scaling, applied in that order.\n"
        "For compressed output use copy-feats.\n"
        "\n"
        "Usage: copy-matrix [options] <matrix-in-rspecifier> <matrix-out-wspecifier>\n"
        "  or: copy-matrix [options] <matrix-in-rxfilename> <matrix-out-wxfilename>\n"
        " e.g.: copy-matrix --binary=false lda.mat -\n"
        "   copy-matrix --apply-exp=true ark:log_post.ark ark,t:-\n";
    ParseOptions po(usage);
    bool binary = true;
    CopyMatrixTransform tr;
    po.Register("binary", &binary, "Single-file output only: false writes "
                "text. Tables follow their wspecifier (ark,t: for text)");
    tr.Register(&po);
    po.Read(argc, argv);
    if (po.NumArgs() != 2) {
      po.PrintUsage();
      return 1;
    }
    if (tr.apply_log && tr.apply_exp) TD_ERR << "Only one of apply-log and apply-exp can be given";
    std::string in = po.GetArg(1), out = po.GetArg(2);
    bool in_table = BothTablesOrNeither(in, out);
    if (!in_table) {
      Matrix<float> mat;
      ReadKaldiObject(in, &mat);
      tr.Apply(&mat);
      WriteKaldiObject(mat, out, binary);
      TD_LOG << "Copied matrix to " << out;
      return 0;
    }
    BaseFloatMatrixWriter writer(out);
    int64 num_done = 0;
    for (SequentialBaseFloatMatrixReader reader(in); !reader.Done(); reader.Next()) {
      if (tr.Trivial()) {
        writer.Write(reader.Key(), reader.Value());
      } else {
        Matrix<float> &mat = reader.Value();
        tr.Apply(&mat);
        writer.Write(reader.Key(), mat);
      }
      num_done++;
    }
    writer.Close();
    TD_LOG << "Copied " << num_done << " matrices.";
    return num_done != 0 ? 0 : 1;
  });
}
