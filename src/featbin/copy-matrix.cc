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
    opts->Register("scale", &scale, "This option can be used to scale the matrices being copied.");
    opts->Register("apply-log", &apply_log, "This option can be used to apply log on the matrices. "
                   "Must be avoided if matrix has negative quantities.");
    opts->Register("apply-exp", &apply_exp, "This option can be used to apply exp on the matrices");
    opts->Register("apply-power", &apply_power, "This option can be used to apply a power on the "
                   "matrices");
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
        "Copy matrices, or archives of matrices (e.g. features or transforms)\n"
        "Also see copy-feats which has other format options\n"
        "\n"
        "Usage: copy-matrix [options] <matrix-in-rspecifier> <matrix-out-wspecifier>\n"
        "  or: copy-matrix [options] <matrix-in-rxfilename> <matrix-out-wxfilename>\n"
        " e.g.: copy-matrix --binary=false 1.mat -\n"
        "   copy-matrix ark:2.trans ark,t:-\n";
    ParseOptions po(usage);
    bool binary = true;
    CopyMatrixTransform tr;
    po.Register("binary", &binary, "Write in binary mode (only relevant if output is a wxfilename)");
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
