// real-fft.h: the FFT of a real frame, planned once per size.
//
// Sizes that are powers of two (>= 4) take the fast path: a float complex FFT of half the
// size (iterative radix-2 over split real/imaginary arrays, twiddles precomputed in double)
// on the even/odd samples packed as z[j] = x[2j] + i x[2j+1], then one post-processing pass.
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
  void ComplexFft(float *re, float *im) const;  // in place, size m_ = n/2 (fast path)
  void GeneralDft(const float *x, std::complex<double> *out) const;
  void MixedRadix(const std::complex<double> *in, int32 stride, int32 n, int32 fi,
                  std::complex<double> *out) const;

  int32 n_, m_;
  bool fast_;
  // Fast path.
  std::vector<int32> bitrev_;       // m_ entries
  std::vector<float> tw_re_, tw_im_;  // stage twiddles, stage with half-size h at offset h-1
  std::vector<float> post_re_, post_im_;  // e^{-2 pi i k / n}, k = 0..m_
  // General path.
  std::vector<int32> factors_;
  std::vector<std::complex<double>> roots_;  // e^{-2 pi i k / n}, k = 0..n-1
};

}  // namespace tdnas

#endif  // TDNAS_FEAT_REAL_FFT_H_
