// copy-feats: copies feature matrices (tables or single files), optionally compressing them.
#include "matrix/compressed-matrix.h"
#include "util/kaldi-table.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

using namespace tdnas;

int main(int argc, char *argv[]) {
  return RunMain(argc, argv, [&]() -> int {
    const char *usage =
        "Copy features [and possibly change format]\n"
        "Usage: copy-feats [options] <feature-rspecifier> <feature-wspecifier>\n"
        "or:   copy-feats [options] <feats-rxfilename> <feats-wxfilename>\n"
        "e.g.: copy-feats ark:- ark,scp:foo.ark,foo.scp\n"
        " or: copy-feats ark:foo.ark ark,t:txt.ark\n"
        " or: copy-feats --compress=true ark:raw.ark ark,scp:feats.ark,feats.scp\n"
        "See also: copy-matrix, feat-to-len, feat-to-dim\n";
    ParseOptions po(usage);
    bool binary = true, compress = false;
    int32 compression_method_in = 1;
    std::string num_frames_wspecifier;
    po.Register("binary", &binary, "Binary-mode output (not relevant if writing to archive)");
    po.Register("compress", &compress, "If true, write output in compressed form (only "
                "currently supported for wxfilename, i.e. archive/script, output)");
    po.Register("compression-method", &compression_method_in,
                "Only relevant if --compress=true; the method (1 through 7) to compress the "
                "matrix.  Search for CompressionMethod in src/matrix/compressed-matrix.h.");
    po.Register("write-num-frames", &num_frames_wspecifier,
                "Wspecifier to write length in frames of each utterance. e.g. 'ark,t:"
                "utt2num_frames'.  Only applicable if writing tables, not when this program "
                "is writing individual files.  See also feat-to-len.");
    po.Read(argc, argv);
    if (po.NumArgs() != 2) {
      po.PrintUsage();
      return 1;
    }
    if (compression_method_in < 1 || compression_method_in > 7)
      TD_ERR << "Invalid --compression-method=" << compression_method_in << " (expected 1..7)";
    CompressionMethod method = static_cast<CompressionMethod>(compression_method_in);
    std::string rspecifier = po.GetArg(1), wspecifier = po.GetArg(2);
    bool in_table = BothTablesOrNeither(rspecifier, wspecifier);

    if (!in_table) {
      if (!num_frames_wspecifier.empty())
        TD_ERR << "--write-num-frames option not supported when writing/reading single files.";
      Matrix<float> feats;
      ReadKaldiObject(rspecifier, &feats);
      if (compress) WriteKaldiObject(CompressedMatrix(feats, method), wspecifier, binary);
      else WriteKaldiObject(feats, wspecifier, binary);
      TD_LOG << "Copied features from " << rspecifier << " to " << wspecifier;
      return 0;
    }

    // Open every output before reading anything, so a bad output fails fast.
    BaseFloatMatrixWriter writer;
    CompressedMatrixWriter compressed_writer;
    Int32Writer num_frames_writer;
    if (compress) compressed_writer.Open(wspecifier);
    else writer.Open(wspecifier);
    if (!num_frames_wspecifier.empty()) num_frames_writer.Open(num_frames_wspecifier);

    int64 num_done = 0;
    for (SequentialBaseFloatMatrixReader reader(rspecifier); !reader.Done(); reader.Next()) {
      const std::string &key = reader.Key();
      const Matrix<float> &feats = reader.Value();
      if (compress) compressed_writer.Write(key, CompressedMatrix(feats, method));
      else writer.Write(key, feats);
      if (num_frames_writer.IsOpen()) num_frames_writer.Write(key, feats.NumRows());
      num_done++;
    }
    writer.Close();
    compressed_writer.Close();
    num_frames_writer.Close();
    TD_LOG << "Copied " << num_done << " feature matrices.";
    return num_done != 0 ? 0 : 1;
  });
}
