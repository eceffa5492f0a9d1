// real-fft.cc: see real-fft.h.
#include "feat/real-fft.h"

#include <cmath>

#if defined(__SSE2__)
#include <xmmintrin.h>
#define TDNAS_REAL_FFT_SSE 1
#endif

#include "base/log.h"

namespace tdnas {

namespace {
// e^{-2 pi i k / n} in double, rounded to float once.
inline float CosTw(int64 k, int64 n) { return static_cast<float>(std::cos(-2.0 * M_PI * k / n)); }
inline float SinTw(int64 k, int64 n) { return static_cast<float>(std::sin(-2.0 * M_PI * k / n)); }
int32 ReverseBits(int32 i, int32 bits) {
  int32 r = 0;
  for (int32 b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
  return r;
}
}  // namespace

RealFft::RealFft(int32 n) : n_(n), m_(n / 2), fast_(false), vector_(false) {
  if (n < 1) TD_ERR << "RealFft: bad size " << n;
  fast_ = n >= 4 && (n & (n - 1)) == 0;
  if (fast_) {
    int32 bits = 0;
    while ((1 << bits) < m_) bits++;
#ifdef TDNAS_REAL_FFT_SSE
    vector_ = m_ >= 16;
#endif
    if (vector_) {
      // First pass: block c (inputs z[c + r m/4], r = 0..3) lands at 4 * bitrev_{bits-2}(c).
      first_pos_.resize(m_ / 4);
      for (int32 c = 0; c < m_ / 4; c++) first_pos_[c] = 4 * ReverseBits(c, bits - 2);
      int32 len = 4;
      for (; 4 * len <= m_; len *= 4) {  // radix-4 pass with h = len, N = 4h
        const int32 h = len;
        for (int32 q = 1; q <= 3; q++) {
          for (int32 k = 0; k < h; k++) tw4_.push_back(CosTw(q * k, 4 * h));
          for (int32 k = 0; k < h; k++) tw4_.push_back(SinTw(q * k, 4 * h));
        }
      }
      if (2 * len == m_) {
        for (int32 k = 0; k < len; k++) tw2_.push_back(CosTw(k, m_));
        for (int32 k = 0; k < len; k++) tw2_.push_back(SinTw(k, m_));
      }
    } else {
      bitrev_.resize(m_);
      for (int32 i = 0; i < m_; i++) bitrev_[i] = ReverseBits(i, bits);
      tw_re_.resize(std::max(1, m_ - 1));
      tw_im_.resize(std::max(1, m_ - 1));
      for (int32 h = 1; h < m_; h *= 2)
        for (int32 j = 0; j < h; j++) {
          tw_re_[h - 1 + j] = CosTw(j, 2 * h);
          tw_im_[h - 1 + j] = SinTw(j, 2 * h);
        }
    }
    post_re_.resize(m_ + 1);
    post_im_.resize(m_ + 1);
    for (int32 k = 0; k <= m_; k++) {
      post_re_[k] = CosTw(k, n_);
      post_im_[k] = SinTw(k, n_);
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

void RealFft::ComplexFftScalar(float *re, float *im) const {
  const int32 m = m_;
  for (int32 i = 0; i < m; i++) {
    int32 j = bitrev_[i];
    if (j > i) { std::swap(re[i], re[j]); std::swap(im[i], im[j]); }
  }
  for (int32 h = 1; h < m; h *= 2) {
    const float *wr = tw_re_.data() + h - 1, *wi = tw_im_.data() + h - 1;
    for (int32 s = 0; s < m; s += 2 * h) {
      float *ar = re + s, *ai = im + s, *br = re + s + h, *bi = im + s + h;
      for (int32 j = 0; j < h; j++) {
        const float tr = wr[j] * br[j] - wi[j] * bi[j];
        const float ti = wr[j] * bi[j] + wi[j] * br[j];
        br[j] = ar[j] - tr; bi[j] = ai[j] - ti;
        ar[j] += tr; ai[j] += ti;
      }
    }
  }
}

#ifdef TDNAS_REAL_FFT_SSE
// Radix-4 decimation in time on split arrays, 4 lanes = 4 consecutive indices. In bit-reversed
// order a block of 4h holds the size-h DFTs of the residues 0, 2, 1, 3 (mod 4) of its
// subsequence, so with B_r = W_{4h}^{rk} A_r[k]:
//   X[k] = (B0+B2) + (B1+B3),  X[k+h] = (B0-B2) - i(B1-B3),
//   X[k+2h] = (B0+B2) - (B1+B3),  X[k+3h] = (B0-B2) + i(B1-B3).
void RealFft::ComplexFftVector(const float *x, float *re, float *im) const {
  const int32 m = m_, q4 = m / 4;
  // Pass 1 (h = 1): lanes are 4 consecutive blocks c..c+3, each a 4-point DFT of
  // z[c + r m/4] (r = 0..3), read straight from x (z[j] = x[2j] + i x[2j+1]); a 4x4
  // transpose then gives each block's 4 outputs as one vector.
  for (int32 c = 0; c < q4; c += 4) {
    __m128 yr[4], yi[4];
    for (int32 r = 0; r < 4; r++) {
      const float *p = x + 2 * (c + r * q4);
      const __m128 lo = _mm_loadu_ps(p), hi = _mm_loadu_ps(p + 4);
      yr[r] = _mm_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
      yi[r] = _mm_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1));
    }
    const __m128 ar = yr[0] + yr[2], ai = yi[0] + yi[2], br = yr[0] - yr[2], bi = yi[0] - yi[2];
    const __m128 cr = yr[1] + yr[3], ci = yi[1] + yi[3], dr = yr[1] - yr[3], di = yi[1] - yi[3];
    __m128 x0r = ar + cr, x0i = ai + ci, x2r = ar - cr, x2i = ai - ci;
    __m128 x1r = br + di, x1i = bi - dr, x3r = br - di, x3i = bi + dr;
    _MM_TRANSPOSE4_PS(x0r, x1r, x2r, x3r);
    _MM_TRANSPOSE4_PS(x0i, x1i, x2i, x3i);
    const int32 *pos = first_pos_.data() + c;
    _mm_storeu_ps(re + pos[0], x0r); _mm_storeu_ps(im + pos[0], x0i);
    _mm_storeu_ps(re + pos[1], x1r); _mm_storeu_ps(im + pos[1], x1i);
    _mm_storeu_ps(re + pos[2], x2r); _mm_storeu_ps(im + pos[2], x2i);
    _mm_storeu_ps(re + pos[3], x3r); _mm_storeu_ps(im + pos[3], x3i);
  }
  // Radix-4 passes h = 4, 16, ...
  const float *tw = tw4_.data();
  int32 h = 4;
  for (; 4 * h <= m; h *= 4) {
    const float *w1r = tw, *w1i = tw + h, *w2r = tw + 2 * h, *w2i = tw + 3 * h,
                *w3r = tw + 4 * h, *w3i = tw + 5 * h;
    tw += 6 * h;
    for (int32 s = 0; s < m; s += 4 * h) {
      float *r0 = re + s, *r2 = r0 + h, *r1 = r2 + h, *r3 = r1 + h;
      float *i0 = im + s, *i2 = i0 + h, *i1 = i2 + h, *i3 = i1 + h;
      for (int32 k = 0; k < h; k += 4) {
        const __m128 a1r = _mm_loadu_ps(r1 + k), a1i = _mm_loadu_ps(i1 + k);
        const __m128 a2r = _mm_loadu_ps(r2 + k), a2i = _mm_loadu_ps(i2 + k);
        const __m128 a3r = _mm_loadu_ps(r3 + k), a3i = _mm_loadu_ps(i3 + k);
        const __m128 t1r = _mm_loadu_ps(w1r + k), t1i = _mm_loadu_ps(w1i + k);
        const __m128 t2r = _mm_loadu_ps(w2r + k), t2i = _mm_loadu_ps(w2i + k);
        const __m128 t3r = _mm_loadu_ps(w3r + k), t3i = _mm_loadu_ps(w3i + k);
        const __m128 b1r = t1r * a1r - t1i * a1i, b1i = t1r * a1i + t1i * a1r;
        const __m128 b2r = t2r * a2r - t2i * a2i, b2i = t2r * a2i + t2i * a2r;
        const __m128 b3r = t3r * a3r - t3i * a3i, b3i = t3r * a3i + t3i * a3r;
        const __m128 b0r = _mm_loadu_ps(r0 + k), b0i = _mm_loadu_ps(i0 + k);
        const __m128 s0r = b0r + b2r, s0i = b0i + b2i, s1r = b0r - b2r, s1i = b0i - b2i;
        const __m128 s2r = b1r + b3r, s2i = b1i + b3i, s3r = b1r - b3r, s3i = b1i - b3i;
        _mm_storeu_ps(r0 + k, s0r + s2r); _mm_storeu_ps(i0 + k, s0i + s2i);
        _mm_storeu_ps(r2 + k, s1r + s3i); _mm_storeu_ps(i2 + k, s1i - s3r);  // X[k+h]
        _mm_storeu_ps(r1 + k, s0r - s2r); _mm_storeu_ps(i1 + k, s0i - s2i);  // X[k+2h]
        _mm_storeu_ps(r3 + k, s1r - s3i); _mm_storeu_ps(i3 + k, s1i + s3r);  // X[k+3h]
      }
    }
  }
  // Final radix-2 pass when log2(m) is odd (h = m/2).
  if (2 * h == m) {
    const float *wr = tw2_.data(), *wi = wr + h;
    for (int32 k = 0; k < h; k += 4) {
      const __m128 tr = _mm_loadu_ps(wr + k), ti = _mm_loadu_ps(wi + k);
      const __m128 a1r = _mm_loadu_ps(re + h + k), a1i = _mm_loadu_ps(im + h + k);
      const __m128 br = tr * a1r - ti * a1i, bi = tr * a1i + ti * a1r;
      const __m128 a0r = _mm_loadu_ps(re + k), a0i = _mm_loadu_ps(im + k);
      _mm_storeu_ps(re + k, a0r + br); _mm_storeu_ps(im + k, a0i + bi);
      _mm_storeu_ps(re + h + k, a0r - br); _mm_storeu_ps(im + h + k, a0i - bi);
    }
  }
}
#else
void RealFft::ComplexFftVector(const float *, float *, float *) const {
  TD_ERR << "RealFft: vector path not built";
}
#endif

void RealFft::PackedComplexFft(const float *x, float *zr, float *zi) const {
  if (vector_) {
    ComplexFftVector(x, zr, zi);
    return;
  }
  for (int32 j = 0; j < m_; j++) { zr[j] = x[2 * j]; zi[j] = x[2 * j + 1]; }
  ComplexFftScalar(zr, zi);
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
  PackedComplexFft(x, zr, zi);
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
  if (!vector_) {
    const int32 nb = NumBins();
    thread_local std::vector<float> buf;
    buf.resize(2 * nb);
    float *re = buf.data(), *im = re + nb;
    Forward(x, re, im);
    for (int32 k = 0; k < nb; k++) power[k] = re[k] * re[k] + im[k] * im[k];
    return;
  }
#ifdef TDNAS_REAL_FFT_SSE
  const int32 m = m_;
  tl_scratch.resize(2 * m);
  float *zr = tl_scratch.data(), *zi = zr + m;
  ComplexFftVector(x, zr, zi);
  power[0] = (zr[0] + zi[0]) * (zr[0] + zi[0]);
  power[m] = (zr[0] - zi[0]) * (zr[0] - zi[0]);
  // With A = Z[k], B = Z[m-k]: 2E = (ar+br, ai-bi), 2O = (ai+bi, br-ar), and since
  // W^{m-k} = -conj(W^k): X[k] = E + W^k O, X[m-k] = conj(E - W^k O). So one pass over
  // k = 1..m/2 gives both halves; the factor 1/2 is applied as 1/4 on the power (exact).
  const __m128 quarter = _mm_set1_ps(0.25f);
  for (int32 k = 1; k <= m / 2; k += 4) {
    const __m128 ar = _mm_loadu_ps(zr + k), ai = _mm_loadu_ps(zi + k);
    __m128 br = _mm_loadu_ps(zr + m - k - 3), bi = _mm_loadu_ps(zi + m - k - 3);
    br = _mm_shuffle_ps(br, br, _MM_SHUFFLE(0, 1, 2, 3));
    bi = _mm_shuffle_ps(bi, bi, _MM_SHUFFLE(0, 1, 2, 3));
    const __m128 er = ar + br, ei = ai - bi, or_ = ai + bi, oi = br - ar;
    const __m128 wr = _mm_loadu_ps(post_re_.data() + k), wi = _mm_loadu_ps(post_im_.data() + k);
    const __m128 tr = wr * or_ - wi * oi, ti = wr * oi + wi * or_;
    const __m128 pr = er + tr, pi = ei + ti, qr = er - tr, qi = ei - ti;
    _mm_storeu_ps(power + k, quarter * (pr * pr + pi * pi));
    __m128 q = quarter * (qr * qr + qi * qi);
    q = _mm_shuffle_ps(q, q, _MM_SHUFFLE(0, 1, 2, 3));
    _mm_storeu_ps(power + m - k - 3, q);
  }
#endif
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
