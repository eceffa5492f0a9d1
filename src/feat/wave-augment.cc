// wave-augment.cc: see wave-augment.h.
#include "feat/wave-augment.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <map>
#include <mutex>
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
  opts->Register("cache-mb", &cache_mb, "Memory bound in MiB of what is kept between "
                 "utterances: decoded noise/music/babble files (1/2), decoded normalised RIRs "
                 "(1/8), RIR spectra (3/8); 0 = decode every time (same output)");
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

// Complex FFT of a power-of-two size m in double, planned once per size: bit reversal, then
// radix-2 stages with per-stage twiddle tables (stage of half-size h at offset h - 1).
// Unscaled; sign -1 forward, +1 inverse. Also holds the real-FFT post-processing twiddles
// e^{-2 pi i k / (2m)}, k = 0..m, for real transforms of size 2m.
class DoubleFftPlan {
 public:
  explicit DoubleFftPlan(size_t m) : m_(m), bitrev_(m), tw_(m > 1 ? m - 1 : 0), post_(m + 1) {
    int bits = 0;
    while ((size_t(1) << bits) < m) bits++;
    for (size_t i = 0; i < m; i++) {
      size_t r = 0;
      for (int b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      bitrev_[i] = r;
    }
    for (size_t h = 1; h < m; h <<= 1)
      for (size_t k = 0; k < h; k++) tw_[h - 1 + k] = std::polar(1.0, -M_PI * k / h);
    for (size_t k = 0; k <= m; k++) post_[k] = std::polar(1.0, -M_PI * k / m);
  }
  size_t Size() const { return m_; }
  const std::complex<double> &Post(size_t k) const { return post_[k]; }
  void Run(std::complex<double> *a, int sign) const {
    for (size_t i = 0; i < m_; i++)
      if (i < bitrev_[i]) std::swap(a[i], a[bitrev_[i]]);
    double *d = reinterpret_cast<double *>(a);
    for (size_t h = 1; h < m_; h <<= 1) {
      const double *w = reinterpret_cast<const double *>(tw_.data() + h - 1);
      for (size_t s = 0; s < m_; s += 2 * h) {
        double *p = d + 2 * s, *q = d + 2 * (s + h);
        for (size_t k = 0; k < h; k++) {
          const double wr = w[2 * k], wi = sign < 0 ? w[2 * k + 1] : -w[2 * k + 1];
          const double vr = q[2 * k] * wr - q[2 * k + 1] * wi;
          const double vi = q[2 * k] * wi + q[2 * k + 1] * wr;
          const double ur = p[2 * k], ui = p[2 * k + 1];
          p[2 * k] = ur + vr;
          p[2 * k + 1] = ui + vi;
          q[2 * k] = ur - vr;
          q[2 * k + 1] = ui - vi;
        }
      }
    }
  }

 private:
  size_t m_;
  std::vector<size_t> bitrev_;
  std::vector<std::complex<double>> tw_, post_;
};

// One plan per size, shared by all threads (sizes are few: one per crop length).
std::shared_ptr<const DoubleFftPlan> GetPlan(size_t m) {
  static std::mutex mutex;
  static std::map<size_t, std::shared_ptr<const DoubleFftPlan>> plans;
  std::lock_guard<std::mutex> lock(mutex);
  std::shared_ptr<const DoubleFftPlan> &p = plans[m];
  if (!p) p = std::make_shared<const DoubleFftPlan>(m);
  return p;
}

// X[k], k = 0..n/2, of the real x[0..len) zero-padded to n = 2m, via one complex FFT of
// size m on z[j] = x[2j] + i x[2j+1].
template <class T>
void RealForward(const T *x, int64 len, const DoubleFftPlan &plan,
                 std::vector<std::complex<double>> *spec) {
  const size_t m = plan.Size();
  std::vector<std::complex<double>> z(m);
  for (int64 i = 0; i < len; i++) {
    if (i & 1) z[i >> 1].imag(x[i]);
    else z[i >> 1].real(x[i]);
  }
  plan.Run(z.data(), -1);
  spec->resize(m + 1);
  for (size_t k = 0; k <= m; k++) {
    const std::complex<double> a = z[k % m], b = std::conj(z[(m - k) % m]);
    const double er = 0.5 * (a.real() + b.real()), ei = 0.5 * (a.imag() + b.imag());
    const double orr = 0.5 * (a.imag() - b.imag()), oi = -0.5 * (a.real() - b.real());
    const std::complex<double> &w = plan.Post(k);
    (*spec)[k] = std::complex<double>(er + w.real() * orr - w.imag() * oi,
                                      ei + w.real() * oi + w.imag() * orr);
  }
}

}  // namespace

int64 ReverbFftSize(int64 n, int64 l) {
  int64 size = 2;
  while (size < n + l - 1) size <<= 1;
  return size;
}

void PrepareRir(const std::vector<float> &rir, PreparedRir *out) {
  const int64 l = static_cast<int64>(rir.size());
  double norm = 0;
  int64 peak = 0;
  for (int64 i = 0; i < l; i++) {
    norm += double(rir[i]) * rir[i];
    if (std::fabs(rir[i]) > std::fabs(rir[peak])) peak = i;
  }
  if (l == 0 || norm == 0) TD_ERR << "Reverberate: empty or all-zero RIR";
  norm = std::sqrt(norm);
  out->taps.resize(l);
  for (int64 i = 0; i < l; i++) out->taps[i] = rir[i] / norm;
  out->peak = peak;
}

void RirSpectrum(const PreparedRir &rir, int64 fft_size,
                 std::vector<std::complex<double>> *spectrum) {
  TD_ASSERT(fft_size >= 2 && (fft_size & (fft_size - 1)) == 0 &&
            fft_size >= static_cast<int64>(rir.taps.size()));
  RealForward(rir.taps.data(), static_cast<int64>(rir.taps.size()), *GetPlan(fft_size / 2),
              spectrum);
}

void ReverberateWithSpectrum(const PreparedRir &rir,
                             const std::vector<std::complex<double>> &spectrum,
                             bool shift_to_peak, std::vector<float> *signal) {
  const int64 n = static_cast<int64>(signal->size()), l = static_cast<int64>(rir.taps.size());
  if (n == 0) return;
  const int64 size = ReverbFftSize(n, l);
  const size_t m = static_cast<size_t>(size / 2);
  TD_ASSERT(spectrum.size() == m + 1);
  const DoubleFftPlan &plan = *GetPlan(m);
  std::vector<std::complex<double>> x;
  RealForward(signal->data(), n, plan, &x);
  for (size_t k = 0; k <= m; k++) {
    const double ar = x[k].real(), ai = x[k].imag();
    const double br = spectrum[k].real(), bi = spectrum[k].imag();
    x[k] = std::complex<double>(ar * br - ai * bi, ar * bi + ai * br);
  }
  // Inverse real FFT: E = (Y_k + conj Y_{m-k}) / 2 (even samples), O = (Y_k - conj Y_{m-k})
  // conj(W^k) / 2 (odd samples), z = IFFT_m(E + i O), y[2j] = Re z_j / m, y[2j+1] = Im z_j / m.
  std::vector<std::complex<double>> z(m);
  for (size_t k = 0; k < m; k++) {
    const std::complex<double> a = x[k], b = std::conj(x[m - k]);
    const double er = 0.5 * (a.real() + b.real()), ei = 0.5 * (a.imag() + b.imag());
    const double dr = 0.5 * (a.real() - b.real()), di = 0.5 * (a.imag() - b.imag());
    const std::complex<double> &w = plan.Post(k);  // multiply by conj(w)
    const double orr = dr * w.real() + di * w.imag(), oi = di * w.real() - dr * w.imag();
    z[k] = std::complex<double>(er - oi, ei + orr);
  }
  plan.Run(z.data(), +1);
  const int64 shift = shift_to_peak ? rir.peak : 0;
  const double scale = 1.0 / m;
  for (int64 i = 0; i < n; i++) {
    const int64 j = i + shift;
    const double v = (j & 1) ? z[j >> 1].imag() : z[j >> 1].real();
    (*signal)[i] = static_cast<float>(v * scale);
  }
}

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
  if (signal->empty()) return;
  PreparedRir prepared;
  PrepareRir(rir, &prepared);
  std::vector<std::complex<double>> spectrum;
  RirSpectrum(prepared, ReverbFftSize(signal->size(), rir.size()), &spectrum);
  ReverberateWithSpectrum(prepared, spectrum, shift_to_peak, signal);
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
  if (opts.cache_mb < 0) TD_ERR << "--cache-mb must be >= 0";
  const int64 mb = int64(1) << 20, cache = opts.cache_mb * mb;
  audio_cache_.reset(new ByteLruCache<std::vector<float>>(cache / 2));
  rir_cache_.reset(new ByteLruCache<PreparedRir>(cache / 8));
  spectrum_cache_.reset(new ByteLruCache<std::vector<std::complex<double>>>(cache - cache / 2 -
                                                                             cache / 8));
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

std::shared_ptr<const std::vector<float>> WaveAugmenter::ReadCached(const AudioList &list,
                                                                   const char *name, int32 i,
                                                                   double samp_freq) const {
  std::ostringstream key;
  key << name << '/' << i << '@' << samp_freq;
  return audio_cache_->Get(
      key.str(),
      [&]() {
        auto p = std::make_shared<std::vector<float>>();
        list.Read(i, samp_freq, p.get());
        return std::shared_ptr<const std::vector<float>>(p);
      },
      [](const std::vector<float> &v) { return static_cast<int64>(v.size() * sizeof(float)); });
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
  auto add_from = [&](const AudioList &list, const char *name,
                      const std::pair<double, double> &snr_range) {
    const int32 i = static_cast<int32>(UniformInt(&rng, list.Size()));
    std::shared_ptr<const std::vector<float>> noise = ReadCached(list, name, i, samp_freq);
    const int64 offset = UniformInt(&rng, noise->size());
    const double snr = UniformRange(&rng, snr_range);
    *out = in;
    AddNoiseAtSnr(*noise, offset, snr, out);
    desc << " file=" << list.Key(i) << " snr=" << snr;
  };
  if (choice == "none") {
    *out = in;
  } else if (choice == "reverb") {
    const int32 i = static_cast<int32>(UniformInt(&rng, rir_.Size()));
    std::ostringstream rkey;
    rkey << i << '@' << samp_freq;
    std::shared_ptr<const PreparedRir> rir = rir_cache_->Get(
        rkey.str(),
        [&]() {
          std::vector<float> raw;
          rir_.Read(i, samp_freq, &raw);
          auto p = std::make_shared<PreparedRir>();
          PrepareRir(raw, p.get());
          return std::shared_ptr<const PreparedRir>(p);
        },
        [](const PreparedRir &r) { return static_cast<int64>(r.taps.size() * sizeof(double)); });
    *out = in;
    const int64 fft_size = ReverbFftSize(in.size(), rir->taps.size());
    rkey << '/' << fft_size;
    std::shared_ptr<const std::vector<std::complex<double>>> spectrum = spectrum_cache_->Get(
        rkey.str(),
        [&]() {
          auto p = std::make_shared<std::vector<std::complex<double>>>();
          RirSpectrum(*rir, fft_size, p.get());
          return std::shared_ptr<const std::vector<std::complex<double>>>(p);
        },
        [](const std::vector<std::complex<double>> &v) {
          return static_cast<int64>(v.size() * sizeof(v[0]));
        });
    if (!out->empty()) ReverberateWithSpectrum(*rir, *spectrum, opts_.rir_shift_to_peak, out);
    desc << " rir=" << rir_.Key(i);
  } else if (choice == "noise") {
    add_from(noise_, "noise", snr_noise_);
  } else if (choice == "music") {
    add_from(music_, "music", snr_music_);
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
      std::shared_ptr<const std::vector<float>> p = ReadCached(babble_, "babble", i, samp_freq);
      const std::vector<float> &noise = *p;
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
