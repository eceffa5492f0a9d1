// compute-fbank: Kaldi's compute-fbank-feats (same options, messages and exit codes), reading
// audio through libsndfile, with --num-threads for parallel utterances (output stays in
// input order). Also installed as compute-fbank-feats.
#include <malloc.h>

#include <cmath>
#include <deque>
#include <future>

#include "feat/cmvn.h"
#include "feat/feature-fbank.h"
#include "feat/wave-holder.h"
#include "util/htk-holder.h"
#include "util/kaldi-table.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

using namespace tdnas;

namespace {

struct Job {
  std::string key;
  Matrix<float> feats;
  double duration = 0;
  bool ok = false;
  std::string error, error_location;
};

uint64 KeySeed(const std::string &key) {  // FNV-1a: dither is reproducible per utterance
  uint64 h = 1469598103934665603ull;
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace

int main(int argc, char *argv[]) {
  return RunMain(argc, argv, [&]() -> int {
    // Audio buffers (MBs) are allocated and freed per utterance; keep them in the heap instead
    // of fresh mmaps so each utterance does not pay page faults again (was ~45% of run time).
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    const char *usage =
        "Compute log mel filter-bank features, one matrix (frames x bins) per audio item.\n"
        "Usage:  compute-fbank [options...] <wav-rspecifier> <feats-wspecifier>\n"
        "e.g.: compute-fbank --num-mel-bins=80 --dither=0 scp:wav.scp ark:feats.ark\n"
        " or: compute-fbank --output-format=htk scp:wav.scp ark:feats-htk.ark  (copy-feats\n"
        "     --htk-in ark:feats-htk.ark ark:feats.ark converts back)\n"
        "Audio: anything libsndfile reads (WAV 8/16/24/32-bit/float, FLAC, OGG, ...); wav.scp\n"
        "entries may be files or pipes ('sox x.flac -t wav - |').\n"
        "FFT: power-of-two sizes (the default 512) use Kaldi's split-radix float rounding\n"
        "(--fft=kaldi, the default: within ~2e-6 of compute-fbank-feats on every value);\n"
        "--fft=fast is ~1.3x faster and up to ~3e-2 off on bins 50+ dB below the frame peak.\n"
        "EfficientTDNN reference front end: --config=egs/voxceleb/v1/conf/fbank-reference.conf\n";
    ParseOptions po(usage);
    FbankOptions fbank_opts;
    bool subtract_mean = false, norm_vars = false;
    float norm_vars_epsilon = 1e-5f;
    float vtln_warp = 1.0f, min_duration = 0.0f;
    std::string vtln_map_rspecifier, utt2spk_rspecifier, output_format = "kaldi",
        utt2dur_wspecifier;
    int32 channel = -1, num_threads = 1;
    fbank_opts.Register(&po);
    po.Register("output-format", &output_format, "Format of the output files [kaldi, htk]: "
                "htk writes each matrix as an HTK parameter file image (big-endian, period "
                "100000, kind FBANK_0, or FBANK_E with --use-energy), binary tables only");
    po.Register("subtract-mean", &subtract_mean, "Remove each utterance's mean from every "
                "feature dimension (whole-utterance CMN); apply-cmvn-sliding is the usual "
                "alternative");
    po.Register("norm-vars", &norm_vars, "(tdnas) With --subtract-mean, also divide each "
                "dimension by its per-utterance standard deviation (sqrt(var + eps))");
    po.Register("norm-vars-epsilon", &norm_vars_epsilon, "(tdnas) eps for --norm-vars "
                "(torch.nn.InstanceNorm1d uses 1e-5)");
    po.Register("vtln-warp", &vtln_warp, "One VTLN frequency warp factor for every utterance "
                "(1 = no warping); ignored when --vtln-map is given");
    po.Register("vtln-map", &vtln_map_rspecifier, "Rspecifier of per-utterance warp factors "
                "(per-speaker with --utt2spk); an utterance with no entry is skipped");
    po.Register("utt2spk", &utt2spk_rspecifier, "Rspecifier mapping utterance to speaker, so "
                "that --vtln-map is looked up by speaker; needs --vtln-map");
    po.Register("channel", &channel, "Channel of the audio to use: 0 = first (left), 1 = "
                "second (right); -1 expects mono and takes channel 0 with a warning otherwise");
    po.Register("min-duration", &min_duration, "Skip, with a warning, audio shorter than this "
                "many seconds (0 keeps everything)");
    po.Register("write-utt2dur", &utt2dur_wspecifier, "If set, also write each processed "
                "utterance's duration in seconds to this wspecifier (e.g. ark,t:utt2dur)");
    po.Register("num-threads", &num_threads, "(tdnas) Number of utterances computed in "
                "parallel; output order is the input order");
    po.Read(argc, argv);
    if (po.NumArgs() != 2) {
      po.PrintUsage();
      return 1;
    }
    if (output_format != "kaldi" && output_format != "htk")
      TD_ERR << "Invalid output_format string " << output_format;
    if (num_threads < 1) TD_ERR << "--num-threads must be >= 1";
    if (norm_vars && !subtract_mean) TD_ERR << "--norm-vars needs --subtract-mean=true";
    const std::string wav_rspecifier = po.GetArg(1), output_wspecifier = po.GetArg(2);

    Fbank fbank(fbank_opts);
    BaseFloatMatrixWriter writer;
    HtkMatrixWriter htk_writer;
    if (output_format == "htk") htk_writer.Open(output_wspecifier);
    else writer.Open(output_wspecifier);
    BaseFloatWriter utt2dur_writer;
    if (!utt2dur_wspecifier.empty()) utt2dur_writer.Open(utt2dur_wspecifier);
    RandomAccessBaseFloatReader vtln_map_reader;
    RandomAccessTokenReader utt2spk_reader;
    if (!vtln_map_rspecifier.empty()) vtln_map_reader.Open(vtln_map_rspecifier);
    if (!utt2spk_rspecifier.empty()) {
      if (vtln_map_rspecifier.empty()) TD_ERR << "--utt2spk is only used with --vtln-map";
      utt2spk_reader.Open(utt2spk_rspecifier);
    }

    int64 num_utts = 0, num_success = 0;
    std::deque<std::future<Job>> pending;
    auto finish_one = [&]() {
      Job job = pending.front().get();
      pending.pop_front();
      if (!job.ok) {
        EmitLogLine("ERROR", job.error_location, job.error);
        TD_WARN << "Failed to compute features for utterance " << job.key;
        return;
      }
      if (htk_writer.IsOpen()) {
        HtkHeader header = FbankHtkHeader(job.feats.NumRows(), job.feats.NumCols(),
                                          fbank_opts.use_energy);
        HtkMatrixHolder::T htk_item(std::move(job.feats), header);
        htk_writer.Write(job.key, htk_item);
      } else {
        writer.Write(job.key, job.feats);
      }
      if (utt2dur_writer.IsOpen()) utt2dur_writer.Write(job.key, job.duration);
      if (++num_success % 10 == 0) TD_LOG << "Processed " << num_success << " utterances";
      TD_VLOG(2) << "Processed features for key " << job.key;
    };

    SequentialTableReader<WaveHolder> reader(PermissiveScp(wav_rspecifier));
    for (; !reader.Done(); reader.Next()) {
      num_utts++;
      std::string utt = reader.Key();
      auto wave = std::make_shared<WaveData>();
      try {
        wave->Swap(&reader.Value());
      } catch (const FatalError &e) {  // unreadable, corrupt or empty audio, failed pipe
        EmitLogLine("ERROR", e.location(), e.what());
        TD_WARN << "Failed to read audio for utterance " << utt << ", skipping it";
        continue;
      }
      if (wave->Duration() < min_duration) {
        TD_WARN << "File: " << utt << " is too short (" << wave->Duration()
                << " sec): producing no output.";
        continue;
      }
      const int32 num_chan = wave->NumChannels();
      int32 this_chan = channel;
      if (channel == -1) {
        this_chan = 0;
        if (num_chan != 1)
          TD_WARN << "Channel not specified but you have data with " << num_chan
                  << " channels; defaulting to zero";
      } else if (this_chan >= num_chan) {
        TD_WARN << "File with id " << utt << " has " << num_chan << " channels but you "
                << "specified channel " << channel << ", producing no output.";
        continue;
      }
      float warp = vtln_warp;
      if (vtln_map_reader.IsOpen()) {
        std::string who = utt;
        if (utt2spk_reader.IsOpen()) {
          if (!utt2spk_reader.HasKey(utt)) TD_ERR << "No speaker found for utterance " << utt;
          who = utt2spk_reader.Value(utt);
        }
        if (!vtln_map_reader.HasKey(who)) {
          TD_WARN << "No vtln-map entry for utterance-id (or speaker-id) " << who;
          continue;
        }
        warp = vtln_map_reader.Value(who);
      }
      auto work = [&fbank, wave, utt, this_chan, warp, subtract_mean, norm_vars,
                   norm_vars_epsilon]() {
        Job job;
        job.key = utt;
        job.duration = wave->Duration();
        try {
          fbank.ComputeFeatures(wave->Data().RowData(this_chan), wave->NumSamples(),
                                wave->SampFreq(), warp, KeySeed(utt), &job.feats);
          if (subtract_mean) NormalizeUtterance(norm_vars, norm_vars_epsilon, &job.feats);
          job.ok = true;
        } catch (const FatalError &e) {
          job.error = e.what();
          job.error_location = e.location();
        }
        return job;
      };
      if (num_threads == 1) {
        std::promise<Job> p;
        p.set_value(work());
        pending.push_back(p.get_future());
      } else {
        pending.push_back(std::async(std::launch::async, work));
      }
      while (static_cast<int32>(pending.size()) >= num_threads) finish_one();
    }
    while (!pending.empty()) finish_one();
    writer.Close();
    htk_writer.Close();
    if (utt2dur_writer.IsOpen()) utt2dur_writer.Close();
    TD_LOG << " Done " << num_success << " out of " << num_utts << " utterances.";
    return num_success != 0 ? 0 : 1;
  });
}
