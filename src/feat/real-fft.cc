// real-fft.cc: see real-fft.h.
#include "feat/real-fft.h"

#include <cmath>

#include "base/log.h"

namespace tdnas {

RealFft::RealFft(int32 n) : n_(n), m_(n / 2) {
  if (n < 1) TD_ERR << "RealFft: bad size " << n;
  fast_ = n >= 4 && (n & (n - 1)) == 0;
  if (fast_) {
    int32 bits = 0;
    while ((1 << bits) < m_) bits++;
    bitrev_.resize(m_);
    for (int32 i = 0; i < m_; i++) {
      int32 r = 0;
      for (int32 b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      bitrev_[i] = r;
    }
    tw_re_.resize(std::max(1, m_ - 1));
    tw_im_.resize(std::max(1, m_ - 1));
    for (int32 h = 1; h < m_; h *= 2)
      for (int32 j = 0; j < h; j++) {
        const double a = -M_PI * j / h;
        tw_re_[h - 1 + j] = static_cast<float>(std::cos(a));
        tw_im_[h - 1 + j] = static_cast<float>(std::sin(a));
      }
    post_re_.resize(m_ + 1);
    post_im_.resize(m_ + 1);
    for (int32 k = 0; k <= m_; k++) {
      const double a = -2.0 * M_PI * k / n_;
      post_re_[k] = static_cast<float>(std::cos(a));
      post_im_[k] = static_cast<float>(std::sin(a));
    }
  } else {
    int32 r = n;
    for (int32 p = 2; r > 1;) {
      if (r % p == 0) { factors_.push_back(p); r /= p; }
      else p = (p == 2) ? 3 : (p * p > r ? r : p + 2);
    }
    roots_.resize(n);
    for (int32 k = 0; k < n; k++) roots_[k] = std::polar(1.0, -2.0 * M_PI * k / n);
  }
}

void RealFft::ComplexFft(float *re, float *im) const {
  const int32 m = m_;
  for (int32 i = 0; i < m; i++) {
    int32 j = bitrev_[i];
    if (j > i) { std::swap(re[i], re[j]); std::swap(im[i], im[j]); }
  }
  // First stage (h = 1): twiddle 1.
  for (int32 s = 0; s < m; s += 2) {
    float ar = re[s], ai = im[s], br = re[s + 1], bi = im[s + 1];
    re[s] = ar + br; im[s] = ai + bi; re[s + 1] = ar - br; im[s + 1] = ai - bi;
  }
  // Second stage (h = 2): twiddles 1, -i.
  if (m >= 4) {
    for (int32 s = 0; s < m; s += 4) {
      float ar = re[s], ai = im[s], br = re[s + 2], bi = im[s + 2];
      re[s] = ar + br; im[s] = ai + bi; re[s + 2] = ar - br; im[s + 2] = ai - bi;
      ar = re[s + 1]; ai = im[s + 1]; br = im[s + 3]; bi = -re[s + 3];  // b * (-i)
      re[s + 1] = ar + br; im[s + 1] = ai + bi; re[s + 3] = ar - br; im[s + 3] = ai - bi;
    }
  }
  for (int32 h = 4; h < m; h *= 2) {
    const float *__restrict wr = tw_re_.data() + h - 1;
    const float *__restrict wi = tw_im_.data() + h - 1;
    for (int32 s = 0; s < m; s += 2 * h) {
      float *__restrict ar = re + s, *__restrict ai = im + s;
      float *__restrict br = re + s + h, *__restrict bi = im + s + h;
      for (int32 j = 0; j < h; j++) {
        const float tr = wr[j] * br[j] - wi[j] * bi[j];
        const float ti = wr[j] * bi[j] + wi[j] * br[j];
        br[j] = ar[j] - tr; bi[j] = ai[j] - ti;
        ar[j] += tr; ai[j] += ti;
      }
    }
  }
}

namespace {
thread_local std::vector<float> tl_scratch;
thread_local std::vector<std::complex<double>> tl_cscratch;
}  // namespace

void RealFft::Forward(const float *x, float *re, float *im) const {
  if (!fast_) {
    tl_cscratch.resize(2 * n_);
    GeneralDft(x, tl_cscratch.data());
    for (int32 k = 0; k < NumBins(); k++) {
      re[k] = static_cast<float>(tl_cscratch[k].real());
      im[k] = static_cast<float>(tl_cscratch[k].imag());
    }
    return;
  }
  const int32 m = m_;
  tl_scratch.resize(2 * m);
  float *zr = tl_scratch.data(), *zi = zr + m;
  for (int32 j = 0; j < m; j++) { zr[j] = x[2 * j]; zi[j] = x[2 * j + 1]; }
  ComplexFft(zr, zi);
  // X[k] = E[k] + W^k O[k], E = (Z[k] + conj Z[m-k]) / 2, O = (Z[k] - conj Z[m-k]) / 2i.
  re[0] = zr[0] + zi[0]; im[0] = 0;
  re[m] = zr[0] - zi[0]; im[m] = 0;
  for (int32 k = 1; k < m; k++) {
    const float ar = zr[k], ai = zi[k], br = zr[m - k], bi = -zi[m - k];
    const float er = 0.5f * (ar + br), ei = 0.5f * (ai + bi);
    const float or_ = 0.5f * (ai - bi), oi = -0.5f * (ar - br);
    const float wr = post_re_[k], wi = post_im_[k];
    re[k] = er + wr * or_ - wi * oi;
    im[k] = ei + wr * oi + wi * or_;
  }
}

void RealFft::PowerSpectrum(const float *x, float *power) const {
  const int32 nb = NumBins();
  thread_local std::vector<float> buf;
  buf.resize(2 * nb);
  float *re = buf.data(), *im = re + nb;
  Forward(x, re, im);
  for (int32 k = 0; k < nb; k++) power[k] = re[k] * re[k] + im[k] * im[k];
}

void RealFft::GeneralDft(const float *x, std::complex<double> *out) const {
  // out[0, n) receives the result; out[n, 2n) holds the input as complex.
  std::complex<double> *in = out + n_;
  for (int32 i = 0; i < n_; i++) in[i] = std::complex<double>(x[i], 0.0);
  MixedRadix(in, 1, n_, 0, out);
}

// DFT of size n of in[0], in[stride], ... into out[0, n), by splitting on the prime factor
// p = factors_[fi]: p sub-DFTs of size n/p on the decimated sequences, then combination.
void RealFft::MixedRadix(const std::complex<double> *in, int32 stride, int32 n, int32 fi,
                         std::complex<double> *out) const {
  if (n == 1) { out[0] = in[0]; return; }
  const int32 p = factors_[fi], m = n / p;
  for (int32 r = 0; r < p; r++) MixedRadix(in + r * stride, stride * p, m, fi + 1, out + r * m);
  const int32 root_step = n_ / n;  // e^{-2 pi i / n} = roots_[root_step]
  std::complex<double> t[64];
  std::vector<std::complex<double>> big;
  std::complex<double> *tp = t;
  if (p > 64) { big.resize(p); tp = big.data(); }
  for (int32 k = 0; k < m; k++) {
    for (int32 r = 0; r < p; r++)
      tp[r] = out[r * m + k] * roots_[(static_cast<int64>(r) * k * root_step) % n_];
    for (int32 q = 0; q < p; q++) {
      std::complex<double> acc = 0;
      for (int32 r = 0; r < p; r++)
        acc += tp[r] * roots_[(static_cast<int64>(r) * q * m * root_step) % n_];
      out[k + q * m] = acc;
    }
  }
}

}  // namespace tdnas
