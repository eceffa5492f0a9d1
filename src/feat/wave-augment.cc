// wave-augment.cc: see wave-augment.h.
#include "feat/wave-augment.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <sstream>

#include "base/log.h"
#include "feat/resample.h"
#include "util/kaldi-io.h"
#include "util/text-utils.h"

namespace tdnas {

void WaveAugmentOptions::Register(OptionsItf *opts) {
  opts->Register("aug-choices", &aug_choices, "Comma-separated augmentations, one drawn "
                 "uniformly per utterance: none,reverb,noise,music,babble,speed,tempo-up,"
                 "tempo-down,compand (a name may repeat to weight it). Empty: the reference's "
                 "8 (none,reverb,noise,babble,music,tempo-up,tempo-down,compand), leaving out "
                 "those whose list is not given");
  opts->Register("noise-list", &noise_list, "wav.scp-style list of noise files (MUSAN noise)");
  opts->Register("music-list", &music_list, "wav.scp-style list of music files (MUSAN music)");
  opts->Register("babble-list", &babble_list, "wav.scp-style list of speech files summed into "
                 "babble (MUSAN speech)");
  opts->Register("rir-list", &rir_list, "wav.scp-style list of room impulse responses");
  opts->Register("snr-noise", &snr_noise, "SNR range in dB for noise, lo:hi (uniform)");
  opts->Register("snr-music", &snr_music, "SNR range in dB for music, lo:hi (uniform)");
  opts->Register("snr-babble", &snr_babble, "SNR range in dB for babble, lo:hi (uniform)");
  opts->Register("babble-count", &babble_count, "Number of speech files in babble, lo:hi "
                 "(uniform integer, inclusive)");
  opts->Register("speeds", &speeds, "Comma-separated speed factors for the choice 'speed' "
                 "(resampling: pitch changes)");
  opts->Register("tempo-up", &tempo_up, "Comma-separated tempo factors for 'tempo-up' (WSOLA: "
                 "pitch kept)");
  opts->Register("tempo-down", &tempo_down, "Comma-separated tempo factors for 'tempo-down'");
  opts->Register("rir-shift-to-peak", &rir_shift_to_peak, "Align the reverberant output with "
                 "the RIR's peak (direct path) instead of with the RIR's first sample");
  opts->Register("seed", &seed, "Seed; each utterance's draws come from (seed, key)");
}

namespace {

const double kFullScale = 32768.0;

double Uniform(std::mt19937_64 *rng) { return ((*rng)() >> 11) * (1.0 / 9007199254740992.0); }
double UniformRange(std::mt19937_64 *rng, const std::pair<double, double> &r) {
  return r.first + (r.second - r.first) * Uniform(rng);
}
int64 UniformInt(std::mt19937_64 *rng, int64 n) {  // [0, n)
  return std::min<int64>(n - 1, static_cast<int64>(Uniform(rng) * n));
}

std::pair<double, double> ParseRange(const std::string &s, const char *name) {
  std::vector<std::string> parts;
  SplitStringToVector(s, ":", false, &parts);
  double lo = 0, hi = 0;
  char *end = nullptr;
  bool ok = parts.size() == 2;
  if (ok) { lo = std::strtod(parts[0].c_str(), &end); ok = *end == '\0' && !parts[0].empty(); }
  if (ok) { hi = std::strtod(parts[1].c_str(), &end); ok = *end == '\0' && !parts[1].empty(); }
  if (!ok || hi < lo) TD_ERR << "Bad --" << name << " '" << s << "': expected lo:hi with lo <= hi";
  return {lo, hi};
}

std::vector<double> ParseList(const std::string &s, const char *name) {
  std::vector<std::string> parts;
  SplitStringToVector(s, ",", true, &parts);
  std::vector<double> out;
  for (const std::string &p : parts) {
    char *end = nullptr;
    const double v = std::strtod(p.c_str(), &end);
    if (*end != '\0' || !(v > 0)) TD_ERR << "Bad --" << name << " '" << s << "'";
    out.push_back(v);
  }
  return out;
}

// In-place iterative radix-2 complex FFT (size a power of two), sign -1 forward, +1 inverse
// (unscaled).
void Fft(std::vector<std::complex<double>> *data, int sign) {
  std::vector<std::complex<double>> &a = *data;
  const size_t n = a.size();
  for (size_t i = 1, j = 0; i < n; i++) {
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  for (size_t len = 2; len <= n; len <<= 1) {
    std::vector<std::complex<double>> w(len / 2);
    for (size_t k = 0; k < len / 2; k++) w[k] = std::polar(1.0, sign * 2.0 * M_PI * k / len);
    for (size_t s = 0; s < n; s += len)
      for (size_t k = 0; k < len / 2; k++) {
        const std::complex<double> u = a[s + k], v = a[s + k + len / 2] * w[k];
        a[s + k] = u + v;
        a[s + k + len / 2] = u - v;
      }
  }
}

}  // namespace

uint64 AugmentSeed(int32 seed, const std::string &key) {
  uint64 h = 1469598103934665603ull;  // FNV-1a of the key
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
  uint64 z = h + 0x9e3779b97f4a7c15ull * (static_cast<uint64>(static_cast<uint32>(seed)) + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;  // splitmix64 finaliser
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

double ReferencePowerDb(const float *x, int64 n) {
  double s = 0;
  for (int64 i = 0; i < n; i++) s += double(x[i]) * x[i];
  const double mean = n > 0 ? s / n / (kFullScale * kFullScale) : 0.0;
  return 10.0 * std::log10(mean + 1e-4);
}

void AddNoiseAtSnr(const std::vector<float> &noise, int64 offset, double snr_db,
                   std::vector<float> *signal) {
  const int64 n = static_cast<int64>(signal->size()), len = static_cast<int64>(noise.size());
  if (n == 0) return;
  if (len == 0) TD_ERR << "AddNoiseAtSnr: empty noise";
  std::vector<float> part(n);
  for (int64 i = 0, j = offset % len; i < n; i++, j = (j + 1 == len) ? 0 : j + 1)
    part[i] = noise[j];
  const double clean_db = ReferencePowerDb(signal->data(), n);
  const double noise_db = ReferencePowerDb(part.data(), n);
  const double gain = std::sqrt(std::pow(10.0, (clean_db - noise_db - snr_db) / 10.0));
  for (int64 i = 0; i < n; i++) (*signal)[i] += static_cast<float>(gain * part[i]);
}

void Reverberate(const std::vector<float> &rir, bool shift_to_peak, std::vector<float> *signal) {
  const int64 n = static_cast<int64>(signal->size()), l = static_cast<int64>(rir.size());
  if (n == 0) return;
  double norm = 0;
  int64 peak = 0;
  for (int64 i = 0; i < l; i++) {
    norm += double(rir[i]) * rir[i];
    if (std::fabs(rir[i]) > std::fabs(rir[peak])) peak = i;
  }
  if (l == 0 || norm == 0) TD_ERR << "Reverberate: empty or all-zero RIR";
  norm = std::sqrt(norm);
  const int64 shift = shift_to_peak ? peak : 0;
  // One complex FFT of z = x + i h gives both spectra: X = (Z_k + conj Z_-k) / 2,
  // H = (Z_k - conj Z_-k) / 2i.
  size_t size = 1;
  while (size < static_cast<size_t>(n + l - 1)) size <<= 1;
  std::vector<std::complex<double>> z(size);
  for (int64 i = 0; i < n; i++) z[i].real((*signal)[i]);
  for (int64 i = 0; i < l; i++) z[i].imag(rir[i] / norm);
  Fft(&z, -1);
  std::vector<std::complex<double>> y(size);
  for (size_t k = 0; k < size; k++) {
    const std::complex<double> a = z[k], b = std::conj(z[(size - k) % size]);
    const std::complex<double> x = 0.5 * (a + b), h = (a - b) / std::complex<double>(0, 2);
    y[k] = x * h;
  }
  Fft(&y, +1);
  for (int64 i = 0; i < n; i++) (*signal)[i] = static_cast<float>(y[i + shift].real() / size);
}

void SpeedPerturb(const std::vector<float> &in, double factor, double samp_freq,
                  std::vector<float> *out) {
  if (factor == 1.0) { *out = in; return; }
  // Read the samples as if recorded at rate * factor, write them at rate.
  ResampleWaveform(in.data(), static_cast<int64>(in.size()), samp_freq * factor, samp_freq, out);
}

void TempoPerturb(const std::vector<float> &in, double factor, double samp_freq,
                  std::vector<float> *out) {
  const int64 n = static_cast<int64>(in.size());
  if (factor == 1.0 || n == 0) { *out = in; return; }
  const int64 frame = std::max<int64>(8, 2 * static_cast<int64>(0.015 * samp_freq));
  const int64 hop = frame / 2, tol = static_cast<int64>(0.008 * samp_freq);
  const int64 n_out = static_cast<int64>(std::floor(n / factor));
  std::vector<double> acc(n_out + frame, 0.0), wsum(n_out + frame, 0.0), win(frame);
  for (int64 j = 0; j < frame; j++) win[j] = 0.5 - 0.5 * std::cos(2.0 * M_PI * j / frame);
  auto at = [&](int64 i) -> double { return i >= 0 && i < n ? in[i] : 0.0; };
  int64 prev = 0;
  for (int64 k = 0; k * hop < n_out; k++) {
    int64 start = 0;
    if (k > 0) {
      const int64 nominal = static_cast<int64>(std::llround(k * hop * factor));
      const int64 natural = prev + hop;  // continues the previous frame seamlessly
      double best = -HUGE_VAL;
      start = nominal;
      for (int64 d = -tol; d <= tol; d++) {
        const int64 c = nominal + d;
        if (c < 0) continue;
        double corr = 0;
        if (c + frame <= n && natural + frame <= n) {
          const float *a = in.data() + natural, *b = in.data() + c;
          for (int64 j = 0; j < frame; j++) corr += double(a[j]) * b[j];
        } else {
          for (int64 j = 0; j < frame; j++) corr += at(natural + j) * at(c + j);
        }
        if (corr > best) { best = corr; start = c; }
      }
    }
    for (int64 j = 0; j < frame; j++) {
      acc[k * hop + j] += win[j] * at(start + j);
      wsum[k * hop + j] += win[j];
    }
    prev = start;
  }
  out->resize(n_out);
  for (int64 i = 0; i < n_out; i++)
    (*out)[i] = static_cast<float>(wsum[i] > 1e-3 ? acc[i] / wsum[i] : acc[i]);
}

void Compand(double samp_freq, std::vector<float> *signal) {
  static const double kIn[] = {-80, -60, -40, -20, 0}, kOut[] = {-80, -40, -20, -12, -6};
  const double attack = 1.0 - std::exp(-1.0 / (0.020 * samp_freq));
  const double decay = 1.0 - std::exp(-1.0 / (0.200 * samp_freq));
  double env = std::pow(10.0, -20.0 / 20.0);  // start at -20 dBFS
  for (float &v : *signal) {
    const double a = std::fabs(v) / kFullScale;
    env += (a > env ? attack : decay) * (a - env);
    const double in_db = 20.0 * std::log10(std::max(env, 1e-5));
    double out_db;
    if (in_db <= kIn[0]) {
      out_db = in_db + (kOut[0] - kIn[0]);
    } else if (in_db >= kIn[4]) {
      out_db = kOut[4] + (in_db - kIn[4]);
    } else {
      int i = 0;
      while (in_db > kIn[i + 1]) i++;
      const double t = (in_db - kIn[i]) / (kIn[i + 1] - kIn[i]);
      out_db = kOut[i] + t * (kOut[i + 1] - kOut[i]);
    }
    v = static_cast<float>(v * std::pow(10.0, (out_db - in_db) / 20.0));
  }
}

AudioList::AudioList(const std::string &rxfilename) {
  Input ki(rxfilename);
  std::string line;
  while (std::getline(ki.Stream(), line)) {
    std::string key, rest;
    if (!SplitFirstToken(line, &key, &rest)) continue;
    if (rest.empty()) TD_ERR << "Bad line in " << rxfilename << ": '" << line << "'";
    entries_.emplace_back(key, rest);
  }
  ki.Close();
  if (entries_.empty()) TD_ERR << "Audio list " << rxfilename << " is empty";
}

void AudioList::Read(int32 i, double samp_freq, std::vector<float> *samples) const {
  TD_ASSERT(i >= 0 && i < Size());
  WaveData wave;
  {
    Input ki(entries_[i].second);
    wave.Read(ki.Stream());
    ki.Close();
  }
  const float *x = wave.Data().RowData(0);
  if (wave.SampFreq() == samp_freq) {
    samples->assign(x, x + wave.NumSamples());
  } else {
    ResampleWaveform(x, wave.NumSamples(), wave.SampFreq(), samp_freq, samples);
  }
  if (samples->empty()) TD_ERR << "Audio list entry " << entries_[i].first << " is empty";
}

WaveAugmenter::WaveAugmenter(const WaveAugmentOptions &opts) : opts_(opts) {
  if (!opts.noise_list.empty()) noise_ = AudioList(opts.noise_list);
  if (!opts.music_list.empty()) music_ = AudioList(opts.music_list);
  if (!opts.babble_list.empty()) babble_ = AudioList(opts.babble_list);
  if (!opts.rir_list.empty()) rir_ = AudioList(opts.rir_list);
  snr_noise_ = ParseRange(opts.snr_noise, "snr-noise");
  snr_music_ = ParseRange(opts.snr_music, "snr-music");
  snr_babble_ = ParseRange(opts.snr_babble, "snr-babble");
  babble_count_ = ParseRange(opts.babble_count, "babble-count");
  if (babble_count_.first < 1) TD_ERR << "--babble-count must be >= 1";
  speeds_ = ParseList(opts.speeds, "speeds");
  tempo_up_ = ParseList(opts.tempo_up, "tempo-up");
  tempo_down_ = ParseList(opts.tempo_down, "tempo-down");
  if (opts.aug_choices.empty()) {
    for (const char *c : {"none", "reverb", "noise", "babble", "music", "tempo-up",
                          "tempo-down", "compand"}) {
      const std::string s = c;
      if ((s == "reverb" && rir_.Empty()) || (s == "noise" && noise_.Empty()) ||
          (s == "babble" && babble_.Empty()) || (s == "music" && music_.Empty()))
        continue;
      choices_.push_back(s);
    }
  } else {
    SplitStringToVector(opts.aug_choices, ",", true, &choices_);
  }
  for (const std::string &c : choices_) {
    if (c == "reverb" && rir_.Empty()) TD_ERR << "--aug-choices has reverb but no --rir-list";
    else if (c == "noise" && noise_.Empty()) TD_ERR << "--aug-choices has noise but no --noise-list";
    else if (c == "music" && music_.Empty()) TD_ERR << "--aug-choices has music but no --music-list";
    else if (c == "babble" && babble_.Empty())
      TD_ERR << "--aug-choices has babble but no --babble-list";
    else if (c == "speed" && speeds_.empty()) TD_ERR << "--aug-choices has speed but no --speeds";
    else if (c == "tempo-up" && tempo_up_.empty()) TD_ERR << "tempo-up needs --tempo-up";
    else if (c == "tempo-down" && tempo_down_.empty()) TD_ERR << "tempo-down needs --tempo-down";
    else if (c != "none" && c != "reverb" && c != "noise" && c != "music" && c != "babble" &&
             c != "speed" && c != "tempo-up" && c != "tempo-down" && c != "compand")
      TD_ERR << "Unknown augmentation '" << c << "' in --aug-choices";
  }
  if (choices_.empty()) TD_ERR << "No augmentation choices";
}

void WaveAugmenter::Augment(const std::string &key, const WaveData &in, WaveData *out,
                            std::string *description) const {
  std::mt19937_64 rng(AugmentSeed(opts_.seed, key));
  const std::string &choice = choices_[UniformInt(&rng, choices_.size())];
  if (in.NumChannels() < 1 || in.NumSamples() < 1) TD_ERR << "No audio for " << key;
  const float *x = in.Data().RowData(0);
  std::vector<float> samples(x, x + in.NumSamples()), result;
  Apply(choice, key, samples, in.SampFreq(), &result, description);
  Matrix<float> m(1, static_cast<int32>(result.size()));
  std::copy(result.begin(), result.end(), m.RowData(0));
  *out = WaveData(in.SampFreq(), m);
}

void WaveAugmenter::Apply(const std::string &choice, const std::string &key,
                          const std::vector<float> &in, double samp_freq, std::vector<float> *out,
                          std::string *description) const {
  // The same stream as Augment(): the first draw picked the choice.
  std::mt19937_64 rng(AugmentSeed(opts_.seed, key));
  UniformInt(&rng, choices_.size());
  std::ostringstream desc;
  desc << choice;
  std::vector<float> noise;
  auto add_from = [&](const AudioList &list, const std::pair<double, double> &snr_range) {
    const int32 i = static_cast<int32>(UniformInt(&rng, list.Size()));
    list.Read(i, samp_freq, &noise);
    const int64 offset = UniformInt(&rng, noise.size());
    const double snr = UniformRange(&rng, snr_range);
    *out = in;
    AddNoiseAtSnr(noise, offset, snr, out);
    desc << " file=" << list.Key(i) << " snr=" << snr;
  };
  if (choice == "none") {
    *out = in;
  } else if (choice == "reverb") {
    const int32 i = static_cast<int32>(UniformInt(&rng, rir_.Size()));
    rir_.Read(i, samp_freq, &noise);
    *out = in;
    Reverberate(noise, opts_.rir_shift_to_peak, out);
    desc << " rir=" << rir_.Key(i);
  } else if (choice == "noise") {
    add_from(noise_, snr_noise_);
  } else if (choice == "music") {
    add_from(music_, snr_music_);
  } else if (choice == "babble") {
    const int64 lo = static_cast<int64>(babble_count_.first);
    const int64 count = lo + UniformInt(&rng, static_cast<int64>(babble_count_.second) - lo + 1);
    std::vector<float> sum(in.size(), 0.0f), one;
    desc << " files=";
    std::vector<int32> used;  // distinct files while the list has enough
    for (int64 c = 0; c < count; c++) {
      int32 i = static_cast<int32>(UniformInt(&rng, babble_.Size()));
      while (babble_.Size() >= count && std::count(used.begin(), used.end(), i) > 0)
        i = static_cast<int32>(UniformInt(&rng, babble_.Size()));
      used.push_back(i);
      babble_.Read(i, samp_freq, &noise);
      const int64 offset = UniformInt(&rng, noise.size());
      for (size_t t = 0, j = offset; t < sum.size(); t++, j = (j + 1 == noise.size()) ? 0 : j + 1)
        sum[t] += noise[j];
      desc << (c ? "," : "") << babble_.Key(i);
    }
    const double snr = UniformRange(&rng, snr_babble_);
    *out = in;
    AddNoiseAtSnr(sum, 0, snr, out);
    desc << " snr=" << snr;
  } else if (choice == "speed") {
    const double f = speeds_[UniformInt(&rng, speeds_.size())];
    SpeedPerturb(in, f, samp_freq, out);
    desc << " factor=" << f;
  } else if (choice == "tempo-up" || choice == "tempo-down") {
    const std::vector<double> &fs = choice == "tempo-up" ? tempo_up_ : tempo_down_;
    const double f = fs[UniformInt(&rng, fs.size())];
    TempoPerturb(in, f, samp_freq, out);
    desc << " factor=" << f;
  } else if (choice == "compand") {
    *out = in;
    Compand(samp_freq, out);
  } else {
    TD_ERR << "Unknown augmentation '" << choice << "'";
  }
  if (out->empty()) TD_ERR << "Augmentation " << choice << " left no samples for " << key;
  if (description != nullptr) *description = desc.str();
}

}  // namespace tdnas
