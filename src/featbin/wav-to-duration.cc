// wav-to-duration: duration in seconds of each audio item of a table.
#include <algorithm>

#include "feat/wave-holder.h"
#include "util/kaldi-table.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

using namespace tdnas;

int main(int argc, char *argv[]) {
  return RunMain(argc, argv, [&]() -> int {
    const char *usage =
        "Write each audio item's length in seconds (samples / sample rate) as one float\n"
        "per key, e.g. to make utt2dur; logs the mean, shortest and longest.\n"
        "Usage:  wav-to-duration [options...] <wav-rspecifier> <duration-wspecifier>\n"
        "e.g.: wav-to-duration scp:data/train/wav.scp ark,t:data/train/utt2dur\n";
    ParseOptions po(usage);
    bool read_entire_file = false;
    po.Register("read-entire-file", &read_entire_file, "Has no effect, kept so Kaldi scripts "
                "run: the audio is always decoded in full, so durations are always exact");
    po.Read(argc, argv);
    if (po.NumArgs() != 2) {
      po.PrintUsage();
      return 1;
    }
    double sum = 0, min_d = 1e30, max_d = 0;
    int64 num_done = 0;
    BaseFloatWriter writer(po.GetArg(2));
    for (SequentialTableReader<WaveHolder> reader(po.GetArg(1)); !reader.Done();
         reader.Next()) {
      const float d = static_cast<float>(reader.Value().Duration());
      writer.Write(reader.Key(), d);
      sum += d;
      min_d = std::min<double>(min_d, d);
      max_d = std::max<double>(max_d, d);
      num_done++;
    }
    writer.Close();
    TD_LOG << "Printed duration for " << num_done << " audio files.";
    if (num_done > 0)
      TD_LOG << "Mean duration was " << (sum / num_done) << ", min and max durations were "
             << min_d << ", " << max_d;
    return num_done != 0 ? 0 : 1;
  });
}
