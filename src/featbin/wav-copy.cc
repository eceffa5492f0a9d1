// wav-copy: copies audio tables (or one file) as 16-bit WAV; any libsndfile format in.
#include "feat/wave-holder.h"
#include "util/kaldi-io.h"
#include "util/kaldi-table.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

using namespace tdnas;

int main(int argc, char *argv[]) {
  return RunMain(argc, argv, [&]() -> int {
    const char *usage =
        "Copy audio, a whole table or a single file; any format libsndfile reads goes in,\n"
        "16-bit PCM WAV comes out (e.g. to turn a wav.scp of FLAC or pipes into an archive).\n"
        "Usage: wav-copy [options] <wav-rspecifier> <wav-wspecifier>\n"
        "  or:  wav-copy [options] <wav-rxfilename> <wav-wxfilename>\n"
        "e.g.: wav-copy id10001.flac id10001.wav\n"
        "  or: wav-copy scp:wav.scp ark,scp:wav.ark,wav_ark.scp\n";
    ParseOptions po(usage);
    po.Read(argc, argv);
    if (po.NumArgs() != 2) {
      po.PrintUsage();
      return 1;
    }
    const std::string in = po.GetArg(1), out = po.GetArg(2);
    const bool in_table = ClassifyRspecifier(in, nullptr, nullptr) != RspecifierType::kNone;
    const bool out_table =
        ClassifyWspecifier(out, nullptr, nullptr, nullptr) != WspecifierType::kNone;
    if (in_table != out_table)
      TD_ERR << "Either both arguments are tables or neither is: '" << in << "' '" << out << "'";
    if (!in_table) {
      Input ki(in);
      WaveData wave;
      wave.Read(ki.Stream());
      Output ko(out, true, false);
      wave.Write(ko.Stream());
      ko.Close();
      return 0;
    }
    int64 num_done = 0;
    TableWriter<WaveHolder> writer(out);
    for (SequentialTableReader<WaveHolder> reader(in); !reader.Done(); reader.Next()) {
      writer.Write(reader.Key(), reader.Value());
      num_done++;
    }
    writer.Close();
    TD_LOG << "Copied " << num_done << " wave files";
    return num_done != 0 ? 0 : 1;
  });
}
