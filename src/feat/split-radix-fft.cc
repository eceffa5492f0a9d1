// split-radix-fft.cc: see split-radix-fft.h.
#include "feat/split-radix-fft.h"

#include <cmath>

#if defined(__SSE2__)
#include <xmmintrin.h>
#define TDNAS_SRFFT_SSE 1
#endif

#include "base/log.h"

// The rounding must be that of separate multiplications and additions: no a*b+c fusion even
// when the build targets a CPU with FMA.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace tdnas {

namespace {

const double kTwoPi = 2.0 * M_PI;
const float kSqrtHalf = static_cast<float>(M_SQRT1_2);

// x[i], x[i + h] <- x[i] + x[i + h], x[i] - x[i + h] for i < h.
inline void HalvesSumDiff(float *x, int32 h) {
  float *y = x + h;
  int32 i = 0;
#ifdef TDNAS_SRFFT_SSE
  for (; i + 4 <= h; i += 4) {
    const __m128 a = _mm_loadu_ps(x + i), b = _mm_loadu_ps(y + i);
    _mm_storeu_ps(x + i, _mm_add_ps(a, b));
    _mm_storeu_ps(y + i, _mm_sub_ps(a, b));
  }
#endif
  for (; i < h; i++) {
    const float a = x[i], b = y[i];
    x[i] = a + b;
    y[i] = a - b;
  }
}

// Quarters a = (ar, ai), b = (br, bi) of length q: a <- a - i b, b <- a + i b.
inline void QuartersRotate(float *ar, float *ai, float *br, float *bi, int32 q) {
  int32 j = 0;
#ifdef TDNAS_SRFFT_SSE
  for (; j + 4 <= q; j += 4) {
    const __m128 r1 = _mm_loadu_ps(ar + j), i1 = _mm_loadu_ps(ai + j);
    const __m128 r2 = _mm_loadu_ps(br + j), i2 = _mm_loadu_ps(bi + j);
    _mm_storeu_ps(ar + j, _mm_add_ps(r1, i2));
    _mm_storeu_ps(ai + j, _mm_sub_ps(i1, r2));
    _mm_storeu_ps(br + j, _mm_sub_ps(r1, i2));
    _mm_storeu_ps(bi + j, _mm_add_ps(i1, r2));
  }
#endif
  for (; j < q; j++) {
    const float r1 = ar[j], i1 = ai[j], r2 = br[j], i2 = bi[j];
    ar[j] = r1 + i2;
    ai[j] = i1 - r2;
    br[j] = r1 - i2;
    bi[j] = i1 + r2;
  }
}

// (re, im) <- (re, im) e^{-i theta} with c = cos, p = -(sin + cos), q = sin - cos:
// t = c (re + im); im' = p re + t; re' = q im + t.
inline void Rotate3(float c, float p, float q, float *re, float *im) {
  const float r = *re, i = *im;
  const float t = c * (r + i);
  *im = p * r + t;
  *re = q * i + t;
}

}  // namespace

SplitRadixFft::SplitRadixFft(int32 n) : n_(n), m_(n / 2), log2m_(0) {
  if (n < 2 || (n & (n - 1)) != 0)
    TD_ERR << "SplitRadixFft: size must be a power of two >= 2, got " << n;
  while ((1 << log2m_) < m_) log2m_++;
  bitrev_.resize(m_);
  for (int32 i = 0; i < m_; i++) {
    int32 r = 0;
    for (int32 b = 0; b < log2m_; b++) r |= ((i >> b) & 1) << (log2m_ - 1 - b);
    bitrev_[i] = r;
  }
  tw_.resize(log2m_ + 1);
  for (int32 lg = 4; lg <= log2m_; lg++) {
    const int32 len = 1 << lg, quarter = len / 4;
    Twiddles &t = tw_[lg];
    for (std::vector<float> *v : {&t.c1, &t.p1, &t.q1, &t.c3, &t.p3, &t.q3})
      v->assign(quarter, 0.0f);
    for (int32 j = 1; j < quarter; j++) {
      // The angle is rounded to float first; cos and sin are the float functions.
      for (int32 mult : {1, 3}) {
        const float angle = static_cast<float>(static_cast<double>(mult * j) * kTwoPi / len);
        const float c = std::cos(angle), s = std::sin(angle);
        (mult == 1 ? t.c1 : t.c3)[j] = c;
        (mult == 1 ? t.p1 : t.p3)[j] = -(s + c);
        (mult == 1 ? t.q1 : t.q3)[j] = s - c;
      }
    }
  }
  // W_n^k, k = 0..n/4, by the recurrence w_k = w_{k-1} * W_n in float.
  const float step_angle = static_cast<float>(-kTwoPi / n);
  const float step_re = std::cos(step_angle), step_im = std::sin(step_angle);
  w_re_.assign(n / 4 + 1, 1.0f);
  w_im_.assign(n / 4 + 1, 0.0f);
  for (int32 k = 1; k <= n / 4; k++) {
    const float pr = w_re_[k - 1], pi = w_im_[k - 1];
    w_re_[k] = pr * step_re - pi * step_im;
    w_im_[k] = pr * step_im + pi * step_re;
  }
}

namespace {

// A block of length 2: sum and difference.
inline void Block2(float *re, float *im) {
  const float r0 = re[0], r1 = re[1], i0 = im[0], i1 = im[1];
  re[0] = r0 + r1;
  re[1] = r0 - r1;
  im[0] = i0 + i1;
  im[1] = i0 - i1;
}

// A block of length 4 (halves, the -i rotation of element 3, then a length-2 block).
inline void Block4(float *re, float *im) {
  HalvesSumDiff(re, 2);
  HalvesSumDiff(im, 2);
  QuartersRotate(re + 2, im + 2, re + 3, im + 3, 1);
  Block2(re, im);
}

// A block of length 8; its only twiddle is the one of element L/8 = 1.
inline void Block8(float *re, float *im) {
  HalvesSumDiff(re, 4);
  HalvesSumDiff(im, 4);
  QuartersRotate(re + 4, im + 4, re + 6, im + 6, 2);
  const float r1 = re[5], i1 = im[5], r2 = re[7], i2 = im[7];
  re[5] = kSqrtHalf * (r1 + i1);
  im[5] = kSqrtHalf * (i1 - r1);
  re[7] = kSqrtHalf * (i2 - r2);
  im[7] = -kSqrtHalf * (r2 + i2);
  Block4(re, im);
  Block2(re + 4, im + 4);
  Block2(re + 6, im + 6);
}

}  // namespace

void SplitRadixFft::Transform(float *re, float *im, int32 lg) const {
  switch (lg) {
    case 0: return;
    case 1: Block2(re, im); return;
    case 2: Block4(re, im); return;
    case 3: Block8(re, im); return;
    default: break;
  }
  const int32 len = 1 << lg, half = len / 2, quarter = half / 2, eighth = quarter / 2;
  HalvesSumDiff(re, half);
  HalvesSumDiff(im, half);
  float *ar = re + half, *ai = im + half, *br = ar + quarter, *bi = ai + quarter;
  QuartersRotate(ar, ai, br, bi, quarter);
  // Rotations of element j of the quarters by W^j and W^3j (quarter is a multiple of 4).
  // Elements 0 (W^0 = 1: left as they are) and eighth (W = (1 - i) sqrt(1/2) and
  // -(1 + i) sqrt(1/2), done with sqrt(1/2)) are special: the vector loop runs over them with
  // dummy table entries and they are put right afterwards from the saved inputs.
  const float r0a = ar[0], i0a = ai[0], r0b = br[0], i0b = bi[0];
  const float r1 = ar[eighth], i1 = ai[eighth], r2 = br[eighth], i2 = bi[eighth];
  const Twiddles &t = tw_[lg];
  int32 j = 0;
#ifdef TDNAS_SRFFT_SSE
  for (; j < quarter; j += 4) {
    const __m128 xr = _mm_loadu_ps(ar + j), xi = _mm_loadu_ps(ai + j);
    const __m128 t1 = _mm_mul_ps(_mm_loadu_ps(&t.c1[j]), _mm_add_ps(xr, xi));
    _mm_storeu_ps(ai + j, _mm_add_ps(_mm_mul_ps(_mm_loadu_ps(&t.p1[j]), xr), t1));
    _mm_storeu_ps(ar + j, _mm_add_ps(_mm_mul_ps(_mm_loadu_ps(&t.q1[j]), xi), t1));
    const __m128 yr = _mm_loadu_ps(br + j), yi = _mm_loadu_ps(bi + j);
    const __m128 t3 = _mm_mul_ps(_mm_loadu_ps(&t.c3[j]), _mm_add_ps(yr, yi));
    _mm_storeu_ps(bi + j, _mm_add_ps(_mm_mul_ps(_mm_loadu_ps(&t.p3[j]), yr), t3));
    _mm_storeu_ps(br + j, _mm_add_ps(_mm_mul_ps(_mm_loadu_ps(&t.q3[j]), yi), t3));
  }
#endif
  for (; j < quarter; j++) {
    Rotate3(t.c1[j], t.p1[j], t.q1[j], ar + j, ai + j);
    Rotate3(t.c3[j], t.p3[j], t.q3[j], br + j, bi + j);
  }
  ar[0] = r0a;
  ai[0] = i0a;
  br[0] = r0b;
  bi[0] = i0b;
  ar[eighth] = kSqrtHalf * (r1 + i1);
  ai[eighth] = kSqrtHalf * (i1 - r1);
  br[eighth] = kSqrtHalf * (i2 - r2);
  bi[eighth] = -kSqrtHalf * (r2 + i2);
  Transform(re, im, lg - 1);
  Transform(ar, ai, lg - 2);
  Transform(br, bi, lg - 2);
}

void SplitRadixFft::ComplexOfPacked(const float *x, float *zr, float *zi) const {
  int32 j = 0;
#ifdef TDNAS_SRFFT_SSE
  for (; j + 4 <= m_; j += 4) {
    const __m128 a = _mm_loadu_ps(x + 2 * j), b = _mm_loadu_ps(x + 2 * j + 4);
    _mm_storeu_ps(zr + j, _mm_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)));
    _mm_storeu_ps(zi + j, _mm_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
  }
#endif
  for (; j < m_; j++) {
    zr[j] = x[2 * j];
    zi[j] = x[2 * j + 1];
  }
  Transform(zr, zi, log2m_);
}

namespace {

// The real unpacking of the bit-reversed half-size transform zr/zi (m values); emit(k, re,
// im) receives X_k and X_{m-k} for k = k0..m/2, then X_0 and X_m.
template <class Emit>
inline void Unpack(const float *zr, const float *zi, const int32 *bitrev, const float *w_re,
                   const float *w_im, int32 m, int32 k0, Emit emit) {
  for (int32 k = k0; 2 * k <= m; k++) {
    const int32 kc = m - k, a = bitrev[k], b = bitrev[kc];
    const float c_re = 0.5f * (zr[a] + zr[b]), c_im = 0.5f * (zi[a] - zi[b]);
    const float d_re = 0.5f * (zi[a] + zi[b]), d_im = -0.5f * (zr[a] - zr[b]);
    const float wr = w_re[k], wi = w_im[k];
    emit(k, c_re + (wr * d_re - wi * d_im), c_im + (wr * d_im + wi * d_re));
    // X_{m-k} = conj(C_k) + W_n^{m-k} conj(D_k), W_n^{m-k} = -conj(W_n^k).
    if (kc != k) emit(kc, c_re + ((-wr) * d_re - wi * (-d_im)), (-c_im) + ((-wr) * (-d_im) + wi * d_re));
  }
  emit(0, zr[0] + zi[0], 0.0f);
  emit(m, zr[0] - zi[0], 0.0f);
}

}  // namespace

void SplitRadixFft::Forward(const float *x, float *re, float *im) const {
  thread_local std::vector<float> scratch;
  scratch.resize(2 * m_);
  float *zr = scratch.data(), *zi = zr + m_;
  ComplexOfPacked(x, zr, zi);
  Unpack(zr, zi, bitrev_.data(), w_re_.data(), w_im_.data(), m_, 1,
         [re, im](int32 k, float r, float i) { re[k] = r; im[k] = i; });
}

void SplitRadixFft::PowerSpectrum(const float *x, float *power) const {
  thread_local std::vector<float> scratch;
  scratch.resize(2 * m_);
  float *zr = scratch.data(), *zi = zr + m_;
  ComplexOfPacked(x, zr, zi);
  const int32 *br = bitrev_.data();
  int32 k = 1;
#ifdef TDNAS_SRFFT_SSE
  // Unpacking and power for k..k+3 and m-k..m-k-3 (k + 3 < m/2), the operations of Unpack()
  // lane by lane. X_{m-k} = conj(C) + (-conj(W)) conj(D): its real part c_re + ((-wr) d_re -
  // wi (-d_im)) is c_re + (wi d_im - wr d_re) exactly (negation commutes with rounding).
  const int32 m = m_;
  const __m128 half = _mm_set1_ps(0.5f), neg_half = _mm_set1_ps(-0.5f);
  for (; 2 * (k + 3) < m; k += 4) {
    const int32 a0 = br[k], a1 = br[k + 1], a2 = br[k + 2], a3 = br[k + 3];
    const int32 b0 = br[m - k], b1 = br[m - k - 1], b2 = br[m - k - 2], b3 = br[m - k - 3];
    const __m128 ar = _mm_setr_ps(zr[a0], zr[a1], zr[a2], zr[a3]);
    const __m128 ai = _mm_setr_ps(zi[a0], zi[a1], zi[a2], zi[a3]);
    const __m128 bre = _mm_setr_ps(zr[b0], zr[b1], zr[b2], zr[b3]);
    const __m128 bim = _mm_setr_ps(zi[b0], zi[b1], zi[b2], zi[b3]);
    const __m128 c_re = _mm_mul_ps(half, _mm_add_ps(ar, bre));
    const __m128 c_im = _mm_mul_ps(half, _mm_sub_ps(ai, bim));
    const __m128 d_re = _mm_mul_ps(half, _mm_add_ps(ai, bim));
    const __m128 d_im = _mm_mul_ps(neg_half, _mm_sub_ps(ar, bre));
    const __m128 wr = _mm_loadu_ps(&w_re_[k]), wi = _mm_loadu_ps(&w_im_[k]);
    const __m128 wr_dre = _mm_mul_ps(wr, d_re), wi_dim = _mm_mul_ps(wi, d_im);
    const __m128 im_sum = _mm_add_ps(_mm_mul_ps(wr, d_im), _mm_mul_ps(wi, d_re));
    const __m128 xr = _mm_add_ps(c_re, _mm_sub_ps(wr_dre, wi_dim));
    const __m128 xi = _mm_add_ps(c_im, im_sum);
    const __m128 yr = _mm_add_ps(c_re, _mm_sub_ps(wi_dim, wr_dre));
    const __m128 yi = _mm_add_ps(_mm_sub_ps(_mm_setzero_ps(), c_im), im_sum);
    _mm_storeu_ps(power + k, _mm_add_ps(_mm_mul_ps(xr, xr), _mm_mul_ps(xi, xi)));
    const __m128 py = _mm_add_ps(_mm_mul_ps(yr, yr), _mm_mul_ps(yi, yi));
    _mm_storeu_ps(power + m - k - 3, _mm_shuffle_ps(py, py, _MM_SHUFFLE(0, 1, 2, 3)));
  }
#endif
  Unpack(zr, zi, br, w_re_.data(), w_im_.data(), m_, k,
         [power](int32 k, float r, float i) { power[k] = r * r + i * i; });
}

}  // namespace tdnas
