// wave-reader.h: audio input (and 16-bit WAV output) for the feature front end.
//
// Reading goes through libsndfile over a memory buffer, so anything libsndfile decodes works
// from any std::istream the table library hands out (file, pipe "cmd |", "f.ark:123" offset):
// WAV 8/16/24/32-bit PCM and float, FLAC, OGG/Vorbis, AIFF, ...
// Samples are floats on Kaldi's int16 scale: a 16-bit file gives exactly its integer sample
// values (Kaldi keeps raw int16 values, never [-1,1]); other encodings are scaled so full scale
// is 32768 (24-bit: v / 256, float: v * 32768), which makes a FLAC and a WAV of the same audio
// give the same numbers and features.
// Writing produces a canonical 44-byte-header 16-bit PCM RIFF/WAVE file, as Kaldi's wav-copy
// and extract-segments do (values rounded and clipped to int16).
#ifndef TDNAS_FEAT_WAVE_READER_H_
#define TDNAS_FEAT_WAVE_READER_H_

#include <istream>
#include <ostream>
#include <string>

#include "matrix/kaldi-matrix.h"

namespace tdnas {

class WaveData {
 public:
  WaveData() {}
  WaveData(float samp_freq, const Matrix<float> &data) : samp_freq_(samp_freq), data_(data) {}

  // Reads a whole audio file from `is` (consumes the stream to its end). Corrupt, empty,
  // truncated or unsupported input -> TD_ERR naming the problem.
  void Read(std::istream &is);
  // Decodes `size` bytes of an audio file held in memory.
  void ReadFromMemory(const char *bytes, size_t size);
  // Writes 16-bit PCM WAV (44-byte header); samples rounded, clipped to [-32768, 32767].
  void Write(std::ostream &os) const;

  // (channels, samples), int16 scale.
  const Matrix<float> &Data() const { return data_; }
  Matrix<float> &Data() { return data_; }
  float SampFreq() const { return samp_freq_; }
  int32 NumChannels() const { return data_.NumRows(); }
  int64 NumSamples() const { return data_.NumCols(); }
  // Seconds: samples / rate.
  double Duration() const { return samp_freq_ > 0 ? data_.NumCols() / double(samp_freq_) : 0.0; }

  void Clear() { data_.Resize(0, 0); samp_freq_ = 0; }
  void Swap(WaveData *other);
  void CopyFrom(const WaveData &other) { samp_freq_ = other.samp_freq_; data_ = other.data_; }

 private:
  float samp_freq_ = 0;
  Matrix<float> data_;
};

// Reads all remaining bytes of `is` into *bytes (used for audio and for pipes).
void ReadAllBytes(std::istream &is, std::string *bytes);

}  // namespace tdnas

#endif  // TDNAS_FEAT_WAVE_READER_H_
