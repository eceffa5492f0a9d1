// wave-augment.h: waveform augmentation as in the EfficientTDNN reference (spec
// efficienttdnn.md section 1): one choice per utterance, drawn uniformly from a list:
//   none       the input unchanged
//   reverb     convolution with a room impulse response from --rir-list, the RIR divided by
//              its L2 norm, output truncated to the input length (start aligned with the
//              input, or with the RIR's peak under --rir-shift-to-peak)
//   noise      a --noise-list file added at an SNR drawn from --snr-noise (MUSAN noise 0:15)
//   music      a --music-list file added at an SNR from --snr-music (5:15)
//   babble     the sum of --babble-count (3:7) distinct --babble-list files (with repeats
//              only when the list is shorter), added at an SNR from
//              --snr-babble (13:20); the sum is scaled as one noise
//   speed      resampling speed change by a factor from --speeds (pitch changes too)
//   tempo-up   WSOLA time stretch keeping the pitch, factor from --tempo-up (1.1,1.2)
//   tempo-down the same with --tempo-down (0.8,0.9)
//   compand    dynamic range compression (envelope follower + dB transfer curve)
// SNR uses the reference's power: 10 log10(mean(x^2) + 1e-4) on the [-1, 1] scale (samples
// here are on the int16 scale, so x = sample / 32768), and the reference's gain
// sqrt(10^((clean_db - noise_db - snr) / 10)): with both levels above about -25 dBFS the
// true SNR is within 0.1 dB of the drawn one (tested); quieter inputs keep the reference's
// bias from the 1e-4 floor. Noise shorter than the utterance is repeated; the start in the
// noise is random.
// Every draw comes from a generator seeded by (--seed, utterance key), so the output of an
// utterance does not depend on its position in the input, on threads or on other keys.
#ifndef TDNAS_FEAT_WAVE_AUGMENT_H_
#define TDNAS_FEAT_WAVE_AUGMENT_H_

#include <complex>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "feat/augment-cache.h"
#include "feat/wave-reader.h"
#include "util/options-itf.h"

namespace tdnas {

struct WaveAugmentOptions {
  // Empty: every choice whose inputs were given (none, reverb if --rir-list, noise, babble,
  // music if their lists, tempo-up, tempo-down, compand): the reference's set of 8.
  std::string aug_choices;
  std::string noise_list, music_list, babble_list, rir_list;  // wav.scp-style rxfilenames
  std::string snr_noise = "0:15", snr_music = "5:15", snr_babble = "13:20";  // dB, lo:hi
  std::string babble_count = "3:7";  // number of speech files summed, lo:hi inclusive
  std::string speeds = "0.9,1.1";
  std::string tempo_up = "1.1,1.2", tempo_down = "0.8,0.9";
  bool rir_shift_to_peak = false;  // reference: output starts where the input starts
  int32 seed = 0;
  // Memory bound of the caches kept between utterances (MiB): 1/2 decoded noise/music/babble
  // files, 1/8 decoded + normalised RIRs, 3/8 RIR spectra per FFT size. 0: no caching.
  int32 cache_mb = 512;

  void Register(OptionsItf *opts);
};

// 10 log10(mean((x/32768)^2) + 1e-4): the reference's level in dB (0 dB = full scale).
double ReferencePowerDb(const float *x, int64 n);

// Adds `noise` (repeated as needed, starting at noise[offset]) scaled so that
// ReferencePowerDb(signal) - ReferencePowerDb(scaled noise part) = snr_db (up to the 1e-4).
void AddNoiseAtSnr(const std::vector<float> &noise, int64 offset, double snr_db,
                   std::vector<float> *signal);

// signal <- (signal * rir / ||rir||_2)[shift, shift + n), shift = 0 or argmax |rir|.
// FFT convolution in double (real FFTs of size ReverbFftSize via half-size complex FFTs).
// The same as PrepareRir + RirSpectrum + ReverberateWithSpectrum.
void Reverberate(const std::vector<float> &rir, bool shift_to_peak, std::vector<float> *signal);

// An RIR ready for convolution: taps divided by the L2 norm (double), index of max |tap|.
struct PreparedRir {
  std::vector<double> taps;
  int64 peak = 0;
};
void PrepareRir(const std::vector<float> &rir, PreparedRir *out);  // error if empty / all zero
// Power of two >= max(2, n + l - 1): the FFT size for n signal samples and l RIR taps.
int64 ReverbFftSize(int64 n, int64 l);
// The real FFT of the taps zero-padded to fft_size: bins 0..fft_size/2.
void RirSpectrum(const PreparedRir &rir, int64 fft_size,
                 std::vector<std::complex<double>> *spectrum);
// Reverberate() given the RIR's spectrum at ReverbFftSize(signal->size(), taps.size()).
void ReverberateWithSpectrum(const PreparedRir &rir,
                             const std::vector<std::complex<double>> &spectrum,
                             bool shift_to_peak, std::vector<float> *signal);

// Speed change by resampling: factor 1.1 plays 10% faster (n / 1.1 samples, pitch up).
// Factor 1 returns the input unchanged.
void SpeedPerturb(const std::vector<float> &in, double factor, double samp_freq,
                  std::vector<float> *out);

// WSOLA time stretch: about n / factor samples, pitch kept (frames 30 ms, 50% overlap, Hann,
// +-8 ms search for the best cross-correlation with the natural continuation).
void TempoPerturb(const std::vector<float> &in, double factor, double samp_freq,
                  std::vector<float> *out);

// Compression: envelope follower on |x| (attack 20 ms, decay 200 ms), gain from a
// piecewise-linear transfer curve in dBFS (-80 -> -80, -60 -> -40, -40 -> -20, -20 -> -12,
// 0 -> -6).
void Compand(double samp_freq, std::vector<float> *signal);

// A wav.scp-style list (key, rxfilename), read on demand.
class AudioList {
 public:
  AudioList() {}
  explicit AudioList(const std::string &rxfilename);
  bool Empty() const { return entries_.empty(); }
  int32 Size() const { return static_cast<int32>(entries_.size()); }
  const std::string &Key(int32 i) const { return entries_[i].first; }
  // Mono samples of entry i at samp_freq (channel 0; resampled when its rate differs).
  void Read(int32 i, double samp_freq, std::vector<float> *samples) const;

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

class WaveAugmenter {
 public:
  explicit WaveAugmenter(const WaveAugmentOptions &opts);
  const std::vector<std::string> &Choices() const { return choices_; }
  // Augments channel 0 of `in` into a mono `out` at the same rate. `description` (optional)
  // says what was done, e.g. "noise file=n3 snr=7.21".
  void Augment(const std::string &key, const WaveData &in, WaveData *out,
               std::string *description) const;
  // The same with a given choice (tests and --aug-choices with one entry).
  void Apply(const std::string &choice, const std::string &key, const std::vector<float> &in,
             double samp_freq, std::vector<float> *out, std::string *description) const;

 private:
  WaveAugmentOptions opts_;
  std::vector<std::string> choices_;
  AudioList noise_, music_, babble_, rir_;
  std::pair<double, double> snr_noise_, snr_music_, snr_babble_, babble_count_;
  std::vector<double> speeds_, tempo_up_, tempo_down_;
  // Caches shared by the threads calling Augment (see WaveAugmentOptions::cache_mb).
  std::shared_ptr<const std::vector<float>> ReadCached(const AudioList &list, const char *name,
                                                       int32 i, double samp_freq) const;
  std::unique_ptr<ByteLruCache<std::vector<float>>> audio_cache_;
  std::unique_ptr<ByteLruCache<PreparedRir>> rir_cache_;
  std::unique_ptr<ByteLruCache<std::vector<std::complex<double>>>> spectrum_cache_;
};

// The per-utterance generator: seeded by a hash of (seed, key).
uint64 AugmentSeed(int32 seed, const std::string &key);

}  // namespace tdnas

#endif  // TDNAS_FEAT_WAVE_AUGMENT_H_
