// real-fft.h: the FFT of a real frame, planned once per size.
//
// Sizes that are powers of two (>= 4) take the fast path: a float complex FFT of half the
// size m = n/2 over split real/imaginary arrays on the even/odd samples packed as
// z[j] = x[2j] + i x[2j+1], then one post-processing pass (the real-to-complex half-size
// trick). For m >= 16 the complex FFT is radix-4 decimation in time with SSE vectors: the
// first pass reads x directly (packing and bit-reversal folded into it), later passes use
// precomputed twiddle tables, one radix-2 pass finishes when log2(m) is odd. Smaller sizes
// use a scalar radix-2 FFT. The speed history is in docs/fbank-speed.md.
// Any other size (--round-to-power-of-two=false gives e.g. 400) takes the general path: a
// mixed-radix decimation-in-time DFT in double over the prime factors of the size.
// Both return bins k = 0..n/2 (n/2+1 values, Nyquist included for even n).
#ifndef TDNAS_FEAT_REAL_FFT_H_
#define TDNAS_FEAT_REAL_FFT_H_

#include <complex>
#include <vector>

#include "base/io-funcs.h"

namespace tdnas {

class RealFft {
 public:
  explicit RealFft(int32 n);
  int32 Size() const { return n_; }
  int32 NumBins() const { return n_ / 2 + 1; }
  bool IsFastPath() const { return fast_; }

  // x: n real samples. re/im: NumBins() values each. Thread-safe (scratch is per thread).
  void Forward(const float *x, float *re, float *im) const;
  // power[k] = |X_k|^2, k = 0..n/2.
  void PowerSpectrum(const float *x, float *power) const;

 private:
  // z = FFT_m of the packed x, into zr/zi (m_ values each); fast path only.
  void PackedComplexFft(const float *x, float *zr, float *zi) const;
  void ComplexFftScalar(float *re, float *im) const;  // in place, bit-reversal + radix-2
  void ComplexFftVector(const float *x, float *re, float *im) const;  // m_ >= 16
  void GeneralDft(const float *x, std::complex<double> *out) const;
  void MixedRadix(const std::complex<double> *in, int32 stride, int32 n, int32 fi,
                  std::complex<double> *out) const;

  int32 n_, m_;
  bool fast_, vector_;
  // Fast path, scalar (m_ < 16).
  std::vector<int32> bitrev_;       // m_ entries
  std::vector<float> tw_re_, tw_im_;  // stage twiddles, stage with half-size h at offset h-1
  // Fast path, vector (m_ >= 16).
  std::vector<int32> first_pos_;    // m_/4 entries: output offset of first-pass block c
  std::vector<float> tw4_;          // per radix-4 pass h: W^k, W^2k, W^3k (re[h], im[h] each)
  std::vector<float> tw2_;          // final radix-2 pass: W_m^k re[m/2], im[m/2]
  // Both: post-processing twiddles e^{-2 pi i k / n}, k = 0..m_.
  std::vector<float> post_re_, post_im_;
  // General path.
  std::vector<int32> factors_;
  std::vector<std::complex<double>> roots_;  // e^{-2 pi i k / n}, k = 0..n-1
};

}  // namespace tdnas

#endif  // TDNAS_FEAT_REAL_FFT_H_
