// copy-feats: copies feature matrices (tables or single files), optionally compressing them.
#include "matrix/compressed-matrix.h"
#include "util/htk-holder.h"
#include "util/kaldi-table.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

using namespace tdnas;

int main(int argc, char *argv[]) {
  return RunMain(argc, argv, [&]() -> int {
    const char *usage =
        "Copy feature matrices, e.g. to turn an archive into ark+scp, binary into text,\n"
        "or float into Kaldi's compressed format.\n"
        "Usage: copy-feats [options] <feature-rspecifier> <feature-wspecifier>\n"
        "or:   copy-feats [options] <feats-rxfilename> <feats-wxfilename>\n"
        "e.g.: compute-fbank scp:wav.scp ark:- | copy-feats ark:- ark,scp:fbank.ark,fbank.scp\n"
        " or: copy-feats scp:feats.scp ark,t:- | less\n"
        " or: copy-feats --compress=true ark:raw.ark ark,scp:feats.ark,feats.scp\n"
        " or: copy-feats --htk-in ark:feats-htk.ark ark:feats.ark\n"
        "See also: copy-matrix, feat-to-len, feat-to-dim\n";
    ParseOptions po(usage);
    bool binary = true, compress = false, htk_in = false;
    int32 compression_method_in = 1;
    std::string num_frames_wspecifier;
    po.Register("binary", &binary, "Single-file output only: false writes text. Tables "
                "follow their wspecifier (ark,t: for text)");
    po.Register("compress", &compress, "Store the output in Kaldi's lossy compressed matrix "
                "format (tables and single files; readers decompress transparently)");
    po.Register("compression-method", &compression_method_in,
                "With --compress: 1 auto (2 if more than 8 rows, else 3), 2 speech-feature "
                "(per-column 8-bit), 3 16-bit, 4 16-bit integers, 5 8-bit, 6 8-bit integers "
                "0..255, 7 8-bit on [0, 1]");
    po.Register("htk-in", &htk_in, "Read input as HTK features (the big-endian HTK file "
                "image, as compute-fbank --output-format=htk writes)");
    po.Register("write-num-frames", &num_frames_wspecifier,
                "If set, also write each matrix's number of rows (frames) to this "
                "wspecifier, e.g. ark,t:utt2num_frames; tables only");
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
      if (htk_in) {
        Input in(rspecifier);  // no "\0B" header in an HTK file
        ReadHtk(in.Stream(), &feats, nullptr);
      } else {
        ReadKaldiObject(rspecifier, &feats);
      }
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
    auto copy_one = [&](const std::string &key, const Matrix<float> &feats) {
      if (compress) compressed_writer.Write(key, CompressedMatrix(feats, method));
      else writer.Write(key, feats);
      if (num_frames_writer.IsOpen()) num_frames_writer.Write(key, feats.NumRows());
      num_done++;
    };
    if (htk_in) {
      for (SequentialHtkMatrixReader reader(rspecifier); !reader.Done(); reader.Next())
        copy_one(reader.Key(), reader.Value().first);
    } else {
      for (SequentialBaseFloatMatrixReader reader(rspecifier); !reader.Done(); reader.Next())
        copy_one(reader.Key(), reader.Value());
    }
    writer.Close();
    compressed_writer.Close();
    num_frames_writer.Close();
    TD_LOG << "Copied " << num_done << " feature matrices.";
    return num_done != 0 ? 0 : 1;
  });
}
