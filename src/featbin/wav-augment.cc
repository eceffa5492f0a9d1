// wav-augment: the EfficientTDNN reference's waveform augmentation (one of none, reverb,
// noise, babble, music, speed, tempo up/down, compand per utterance; seeded by --seed and the
// utterance key, so reproducible and independent of order). Writes 16-bit WAV.
#include "feat/wave-augment.h"
#include "feat/wave-holder.h"
#include "util/kaldi-io.h"
#include "util/kaldi-table.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

using namespace tdnas;

int main(int argc, char *argv[]) {
  return RunMain(argc, argv, [&]() -> int {
    const char *usage =
        "Augment waveforms: per utterance one augmentation drawn uniformly from --aug-choices\n"
        "(reverb with RIRs, additive noise/music/babble at an SNR, speed, tempo, compand).\n"
        "Usage: wav-augment [options] <wav-rspecifier> <wav-wspecifier>\n"
        "  or:  wav-augment [options] --utt-id=<key> <wav-rxfilename> <wav-wxfilename>\n"
        "e.g.: wav-augment --noise-list=musan_noise.scp --music-list=musan_music.scp \\\n"
        "        --babble-list=musan_speech.scp --rir-list=rirs.scp scp:wav.scp ark:aug.ark\n"
        "  in a wav.scp: utt1 wav-augment --utt-id=utt1 --noise-list=noise.scp utt1.wav - |\n";
    ParseOptions po(usage);
    WaveAugmentOptions opts;
    std::string utt_id;
    opts.Register(&po);
    po.Register("utt-id", &utt_id, "Key of the single utterance (single-file form; seeds the "
                "draws). Default: the input file name");
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
    WaveAugmenter augmenter(opts);
    std::string choices;
    for (const std::string &c : augmenter.Choices()) choices += (choices.empty() ? "" : ",") + c;
    TD_VLOG(1) << "Augmentation choices: " << choices;

    if (!in_table) {
      const std::string key = utt_id.empty() ? in : utt_id;
      WaveData wave, augmented;
      {
        Input ki(in);
        wave.Read(ki.Stream());
        ki.Close();
      }
      std::string desc;
      augmenter.Augment(key, wave, &augmented, &desc);
      TD_VLOG(1) << key << ": " << desc;
      Output ko(out, true, false);
      augmented.Write(ko.Stream());
      ko.Close();
      return 0;
    }
    int64 num_done = 0, num_err = 0;
    TableWriter<WaveHolder> writer(out);
    // Unreadable wav.scp entries are skipped with a warning (see PermissiveScp).
    for (SequentialTableReader<WaveHolder> reader(PermissiveScp(in)); !reader.Done();
         reader.Next()) {
      const std::string key = reader.Key();
      WaveData augmented;
      std::string desc;
      try {
        augmenter.Augment(key, reader.Value(), &augmented, &desc);
      } catch (const FatalError &e) {  // unreadable audio, failed pipe, bad noise file
        EmitLogLine("ERROR", e.location(), e.what());
        TD_WARN << "Failed to augment utterance " << key << ", skipping it";
        num_err++;
        continue;
      }
      TD_VLOG(1) << key << ": " << desc;
      writer.Write(key, augmented);
      num_done++;
    }
    writer.Close();
    TD_LOG << "Done " << num_done << " out of " << num_done + num_err << " utterances.";
    return num_done != 0 ? 0 : 1;
  });
}
