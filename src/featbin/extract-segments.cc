// extract-segments: cuts the segments listed in a segments file out of recordings.
#include <fstream>
#include <sstream>

#include "feat/wave-holder.h"
#include "util/kaldi-io.h"
#include "util/kaldi-table.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

using namespace tdnas;

int main(int argc, char *argv[]) {
  return RunMain(argc, argv, [&]() -> int {
    const char *usage =
        "Cut the pieces listed in a Kaldi segments file out of longer recordings and write\n"
        "each piece as a WAV item keyed by its segment id.\n"
        "Usage:  extract-segments [options] <wav-rspecifier> <segments-file> <wav-wspecifier>\n"
        "e.g.: extract-segments scp:wav.scp segments ark:- | compute-fbank ark:- ark:feats.ark\n"
        "Each line of <segments-file> is\n"
        "  <segment-id> <recording-id> <start-time> <end-time> [<channel>]\n"
        "with times in seconds and <recording-id> a key of <wav-rspecifier>, e.g.\n"
        "  spk1-rec7-000150-000420 spk1-rec7 1.50 4.20\n"
        "An <end-time> of -1 means the end of the recording. Without <channel> every channel\n"
        "is kept; with it (0 = first) only that one.\n";
    ParseOptions po(usage);
    float min_segment_length = 0.1f, max_overshoot = 0.5f;
    po.Register("min-segment-length", &min_segment_length,
                "Segments shorter than this many seconds (after any end-time clipping) are "
                "skipped with a warning");
    po.Register("max-overshoot", &max_overshoot, "Seconds an end time may lie past the end of "
                "the recording: within this the segment is clipped to the recording, beyond "
                "it the segment is skipped");
    po.Read(argc, argv);
    if (po.NumArgs() != 3) {
      po.PrintUsage();
      return 1;
    }
    RandomAccessTableReader<WaveHolder> reader(po.GetArg(1));
    Input ki(po.GetArg(2));
    TableWriter<WaveHolder> writer(po.GetArg(3));
    int64 num_lines = 0, num_success = 0;
    std::string line;
    while (std::getline(ki.Stream(), line)) {
      num_lines++;
      std::istringstream is(line);
      std::string segment, recording, extra;
      double start, end;
      int32 channel = -1;
      if (!(is >> segment >> recording >> start >> end)) {
        TD_WARN << "Invalid line in segments file: " << line;
        continue;
      }
      if (is >> channel) {
        if (is >> extra) {
          TD_WARN << "Invalid line in segments file: " << line;
          continue;
        }
      }
      if (start < 0 || (end != -1 && end <= 0) || (end != -1 && start >= end)) {
        TD_WARN << "Invalid line in segments file [bad start/end times]: " << line;
        continue;
      }
      if (!reader.HasKey(recording)) {
        TD_WARN << "Could not find recording " << recording << ", skipping segment " << segment;
        continue;
      }
      const WaveData &wave = reader.Value(recording);
      const float rate = wave.SampFreq();
      const double duration = wave.Duration();
      if (end == -1) end = duration;
      if (end > duration) {
        if (end - duration > max_overshoot) {
          TD_WARN << "Segment " << segment << " has end time " << end << " more than "
                  << max_overshoot << " seconds past the end of recording " << recording
                  << " (" << duration << " s); skipping it";
          continue;
        }
        end = duration;
      }
      if (end - start < min_segment_length) {
        TD_WARN << "Segment " << segment << " too short, skipping it.";
        continue;
      }
      const int64 s0 = static_cast<int64>(start * rate);
      const int64 s1 = std::min<int64>(static_cast<int64>(end * rate), wave.NumSamples());
      const int32 nch = wave.NumChannels();
      if (channel >= nch) {
        TD_WARN << "Invalid channel " << channel << " >= " << nch << " for segment " << segment;
        continue;
      }
      const int32 c0 = channel < 0 ? 0 : channel, c1 = channel < 0 ? nch : channel + 1;
      Matrix<float> part(c1 - c0, static_cast<int32>(s1 - s0));
      for (int32 c = c0; c < c1; c++)
        std::copy(wave.Data().RowData(c) + s0, wave.Data().RowData(c) + s1,
                  part.RowData(c - c0));
      writer.Write(segment, WaveData(rate, part));
      num_success++;
    }
    writer.Close();
    TD_LOG << "Successfully processed " << num_success << " lines out of " << num_lines
           << " in the segments file. ";
    return num_success != 0 ? 0 : 1;
  });
}
