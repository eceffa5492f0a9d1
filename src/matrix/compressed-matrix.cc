// compressed-matrix.cc: the CompressedMatrix codec (CM, CM2, CM3), byte-identical to Kaldi.
//
// Every formula below is evaluated in the precision Kaldi's writer and reader use (a float
// expression stays float, a literal like 0.499 or 1/64.0 promotes to double), because the
// stored bytes and the decompressed floats must match Kaldi's bit for bit. Do not simplify
// these expressions algebraically and do not let the compiler fuse multiply-adds.
#pragma GCC optimize("fp-contract=off")

#include "matrix/compressed-matrix.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace tdnas {

namespace {

// On-disk global header after the token (16 bytes, raw little-endian, no size bytes).
struct GlobalHeader {
  float min_value;
  float range;
  int32 num_rows;
  int32 num_cols;
};
static_assert(sizeof(GlobalHeader) == 16, "GlobalHeader must be 16 bytes");

// Per-column header of the CM format: four uint16 quantiles, as codes on the global scale.
struct PerColHeader {
  uint16 p0, p25, p75, p100;
};
static_assert(sizeof(PerColHeader) == 8, "PerColHeader must be 8 bytes");

inline uint16 FloatToUint16(float min_value, float range, float value) {
  float f = (value - min_value) / range;
  if (f > 1.0f) f = 1.0f;
  if (f < 0.0f) f = 0.0f;
  return static_cast<uint16>(static_cast<int>(f * 65535 + 0.499));  // f*65535 in float
}

inline uint8_t FloatToUint8(float min_value, float range, float value) {
  float f = (value - min_value) / range;
  if (f > 1.0f) f = 1.0f;
  if (f < 0.0f) f = 0.0f;
  return static_cast<uint8_t>(static_cast<int>(f * 255 + 0.499));
}

// 1.52590218966964e-05f is 1/65535 rounded to float; the product is evaluated in float.
inline float Uint16ToFloat(float min_value, float range, uint16 value) {
  return min_value + range * 1.52590218966964e-05f * value;
}

// One byte of the CM format: [p0,p25) -> 0..64, [p25,p75) -> 64..192, [p75,p100] -> 192..255.
inline uint8_t FloatToChar(float p0, float p25, float p75, float p100, float value) {
  int ans;
  if (value < p25) {
    float f = (value - p0) / (p25 - p0);
    ans = static_cast<int>(f * 64 + 0.5);
    ans = std::min(std::max(ans, 0), 64);
  } else if (value < p75) {
    float f = (value - p25) / (p75 - p25);
    ans = 64 + static_cast<int>(f * 128 + 0.5);
    ans = std::min(std::max(ans, 64), 192);
  } else {
    float f = (value - p75) / (p100 - p75);
    ans = 192 + static_cast<int>(f * 63 + 0.5);
    ans = std::min(std::max(ans, 192), 255);
  }
  return static_cast<uint8_t>(ans);
}

// (p25 - p0) * value is a float product; the scale factor is a double, so the rest is double.
inline float CharToFloat(float p0, float p25, float p75, float p100, uint8_t value) {
  if (value <= 64) return p0 + (p25 - p0) * value * (1 / 64.0);
  if (value <= 192) return p25 + (p75 - p25) * (value - 64) * (1 / 128.0);
  return p75 + (p100 - p75) * (value - 192) * (1 / 63.0);
}

// The k-th smallest (0-based) of n uint16 codes for each rank in ranks[0..3], in linear time:
// a 256-bin histogram of the high bytes locates each rank's bucket, a second histogram of the
// low bytes within that bucket finishes it. hist_hi must hold 256 zeroed-then-filled counts.
void SelectCodes(const uint16 *codes, int32 n, const uint32 *hist_hi, const int32 *ranks,
                 int *out) {
  for (int k = 0; k < 4; k++) {
    if (k > 0 && ranks[k] == ranks[k - 1]) { out[k] = out[k - 1]; continue; }
    int32 r = ranks[k], hi = 0;
    while (r >= static_cast<int32>(hist_hi[hi])) r -= hist_hi[hi++];
    uint32 hist_lo[256] = {0};
    for (int32 i = 0; i < n; i++)
      if ((codes[i] >> 8) == hi) hist_lo[codes[i] & 255]++;
    int lo = 0;
    while (r >= static_cast<int32>(hist_lo[lo])) r -= hist_lo[lo++];
    out[k] = (hi << 8) | lo;
  }
}

// Quantile codes of one column: the codes of the sorted values at positions 0, n/4, 3*(n/4)
// and n-1 (Kaldi finds these with nth_element on the values; since the value -> code map is
// monotone, selecting among the codes gives the same codes), then clamped to increase.
PerColHeader ComputeColHeader(float min_value, float range, const std::vector<float> &col,
                              std::vector<uint16> *codes_buf) {
  int32 n = static_cast<int32>(col.size());
  TD_ASSERT(n > 0);
  auto code = [&](float v) { return static_cast<int>(FloatToUint16(min_value, range, v)); };
  PerColHeader h;
  if (n >= 5) {
    int32 q = n / 4;
    std::vector<uint16> &codes = *codes_buf;
    codes.resize(n);
    uint32 hist_hi[256] = {0};
    for (int32 i = 0; i < n; i++) {
      codes[i] = FloatToUint16(min_value, range, col[i]);
      hist_hi[codes[i] >> 8]++;
    }
    const int32 ranks[4] = {0, q, 3 * q, n - 1};
    int c[4];
    SelectCodes(codes.data(), n, hist_hi, ranks, c);
    h.p0 = std::min(c[0], 65532);
    h.p25 = std::min(std::max(c[1], h.p0 + 1), 65533);
    h.p75 = std::min(std::max(c[2], h.p25 + 1), 65534);
    h.p100 = std::max(c[3], h.p75 + 1);
  } else {  // fewer than 5 rows: sorted values 0..3 where present, else one code above
    std::vector<float> s(col);
    std::sort(s.begin(), s.end());
    h.p0 = std::min(code(s[0]), 65532);
    h.p25 = n > 1 ? std::min(std::max(code(s[1]), h.p0 + 1), 65533) : h.p0 + 1;
    h.p75 = n > 2 ? std::min(std::max(code(s[2]), h.p25 + 1), 65534) : h.p25 + 1;
    h.p100 = n > 3 ? std::max(code(s[3]), h.p75 + 1) : h.p75 + 1;
  }
  return h;
}

// Minimum and maximum of n >= 1 values. Four independent lanes: a single running min/max
// was spilled to the stack by GCC and took half of the CM compression time.
template <typename Real> void MinMax(const Real *x, size_t n, Real *mn_out, Real *mx_out) {
  Real mn[4] = {x[0], x[0], x[0], x[0]}, mx[4] = {x[0], x[0], x[0], x[0]};
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (int k = 0; k < 4; k++) {
      Real v = x[i + k];
      mn[k] = v < mn[k] ? v : mn[k];
      mx[k] = v > mx[k] ? v : mx[k];
    }
  }
  for (; i < n; i++) {
    mn[0] = x[i] < mn[0] ? x[i] : mn[0];
    mx[0] = x[i] > mx[0] ? x[i] : mx[0];
  }
  for (int k = 1; k < 4; k++) {
    mn[0] = mn[k] < mn[0] ? mn[k] : mn[0];
    mx[0] = mx[k] > mx[0] ? mx[k] : mx[0];
  }
  *mn_out = mn[0];
  *mx_out = mx[0];
}

// Bytes of payload after the 16-byte global header; -1 if the sizes are invalid.
int64 PayloadSize(int format, int64 rows, int64 cols) {
  if (rows < 0 || cols < 0) return -1;
  switch (format) {
    case 1: return cols * (static_cast<int64>(sizeof(PerColHeader)) + rows);
    case 2: return 2 * rows * cols;
    case 3: return rows * cols;
  }
  return -1;
}

template <typename T> void PutRaw(uint8_t *dst, const T &v) { std::memcpy(dst, &v, sizeof(T)); }
template <typename T> T GetRaw(const uint8_t *src) {
  T v;
  std::memcpy(&v, src, sizeof(T));
  return v;
}

}  // namespace

template <typename Real>
void CompressedMatrix::CopyFromMat(const Matrix<Real> &mat, CompressionMethod method) {
  data_.clear();
  format_ = kOneByteWithColHeaders;
  min_value_ = range_ = 0;
  num_rows_ = num_cols_ = 0;
  if (mat.NumRows() == 0) return;  // empty: written as a CM header of zeros, like Kaldi
  const int32 rows = mat.NumRows(), cols = mat.NumCols();
  if (method == kAutomaticMethod) method = rows > 8 ? kSpeechFeature : kTwoByteAuto;
  switch (method) {
    case kSpeechFeature: format_ = kOneByteWithColHeaders; break;
    case kTwoByteAuto: case kTwoByteSignedInteger: format_ = kTwoByte; break;
    case kOneByteAuto: case kOneByteUnsignedInteger: case kOneByteZeroOne: format_ = kOneByte; break;
    default: TD_ERR << "CompressedMatrix: invalid compression method " << static_cast<int>(method);
  }
  const Real *src = mat.Data();
  const size_t n = static_cast<size_t>(rows) * cols;
  if (method == kTwoByteSignedInteger) {
    min_value_ = -32768.0f;
    range_ = 65535.0f;
  } else if (method == kOneByteUnsignedInteger) {
    min_value_ = 0.0f;
    range_ = 255.0f;
  } else if (method == kOneByteZeroOne) {
    min_value_ = 0.0f;
    range_ = 1.0f;
  } else {
    Real mn, mx;
    MinMax(src, n, &mn, &mx);
    float min_value = static_cast<float>(mn), max_value = static_cast<float>(mx);
    if (max_value == min_value) max_value = min_value + (1.0 + std::fabs(min_value));
    if (!std::isfinite(min_value) || !std::isfinite(max_value))
      TD_ERR << "CompressedMatrix: cannot compress a matrix with inf or nan values";
    min_value_ = min_value;
    range_ = max_value - min_value;
    TD_ASSERT(range_ > 0.0f);
  }
  num_rows_ = rows;
  num_cols_ = cols;
  data_.resize(static_cast<size_t>(PayloadSize(format_, rows, cols)));
  const float mv = min_value_, rg = range_;
  if (format_ == kOneByteWithColHeaders) {
    uint8_t *hdr = data_.data();
    uint8_t *bytes = hdr + sizeof(PerColHeader) * cols;
    std::vector<float> col(rows);
    std::vector<uint16> codes;
    for (int32 c = 0; c < cols; c++, bytes += rows) {
      for (int32 r = 0; r < rows; r++) col[r] = static_cast<float>(src[static_cast<size_t>(r) * cols + c]);
      PerColHeader h = ComputeColHeader(mv, rg, col, &codes);
      PutRaw(hdr + sizeof(PerColHeader) * c, h);
      float p0 = Uint16ToFloat(mv, rg, h.p0), p25 = Uint16ToFloat(mv, rg, h.p25),
            p75 = Uint16ToFloat(mv, rg, h.p75), p100 = Uint16ToFloat(mv, rg, h.p100);
      for (int32 r = 0; r < rows; r++) bytes[r] = FloatToChar(p0, p25, p75, p100, col[r]);
    }
  } else if (format_ == kTwoByte) {
    uint8_t *dst = data_.data();
    for (size_t i = 0; i < n; i++)
      PutRaw<uint16>(dst + 2 * i, FloatToUint16(mv, rg, static_cast<float>(src[i])));
  } else {
    uint8_t *dst = data_.data();
    for (size_t i = 0; i < n; i++) dst[i] = FloatToUint8(mv, rg, static_cast<float>(src[i]));
  }
}

template <typename Real> void CompressedMatrix::CopyToMat(Matrix<Real> *mat) const {
  mat->Resize(num_rows_, num_cols_);
  if (mat->NumRows() == 0) return;
  const int32 rows = num_rows_, cols = num_cols_;
  const uint8_t *src = data_.data();
  Real *dst = mat->Data();
  if (format_ == kOneByteWithColHeaders) {
    const uint8_t *bytes = src + sizeof(PerColHeader) * cols;
    for (int32 c = 0; c < cols; c++, bytes += rows) {
      PerColHeader h = GetRaw<PerColHeader>(src + sizeof(PerColHeader) * c);
      float p0 = Uint16ToFloat(min_value_, range_, h.p0),
            p25 = Uint16ToFloat(min_value_, range_, h.p25),
            p75 = Uint16ToFloat(min_value_, range_, h.p75),
            p100 = Uint16ToFloat(min_value_, range_, h.p100);
      // The byte -> float map of a column has 256 entries; a table pays off for long columns.
      if (rows > 256) {
        float table[256];
        for (int v = 0; v < 256; v++) table[v] = CharToFloat(p0, p25, p75, p100, v);
        for (int32 r = 0; r < rows; r++) dst[static_cast<size_t>(r) * cols + c] = table[bytes[r]];
      } else {
        for (int32 r = 0; r < rows; r++)
          dst[static_cast<size_t>(r) * cols + c] = CharToFloat(p0, p25, p75, p100, bytes[r]);
      }
    }
  } else if (format_ == kTwoByte) {
    // increment = range * (1/65535) in double, stored as float; then min + u * increment in float.
    const float increment = range_ * (1.0 / 65535.0), mv = min_value_;
    const size_t n = static_cast<size_t>(rows) * cols;
    for (size_t i = 0; i < n; i++) dst[i] = mv + GetRaw<uint16>(src + 2 * i) * increment;
  } else {
    const float increment = range_ * (1.0 / 255.0), mv = min_value_;
    const size_t n = static_cast<size_t>(rows) * cols;
    for (size_t i = 0; i < n; i++) dst[i] = mv + src[i] * increment;
  }
}

void CompressedMatrix::Write(std::ostream &os, bool binary) const {
  if (!binary) {  // text: the decompressed values as a plain float matrix (as Kaldi does)
    Matrix<float> m;
    CopyToMat(&m);
    m.Write(os, binary);
    return;
  }
  if (data_.empty()) {
    // Empty matrix: Kaldi writes "CM " and its whole 20-byte in-memory header (a 4-byte format
    // field, zero, then the 16 bytes of zeros), i.e. 4 bytes more than a non-empty header.
    WriteToken(os, binary, "CM");
    const char zeros[20] = {0};
    os.write(zeros, sizeof(zeros));
    if (os.fail()) TD_ERR << "CompressedMatrix::Write: write failure";
    return;
  }
  WriteToken(os, binary, format_ == kTwoByte ? "CM2" : format_ == kOneByte ? "CM3" : "CM");
  uint8_t header[sizeof(GlobalHeader)];
  GlobalHeader h = {min_value_, range_, num_rows_, num_cols_};
  PutRaw(header, h);
  os.write(reinterpret_cast<const char *>(header), sizeof(header));
  os.write(reinterpret_cast<const char *>(data_.data()), data_.size());
  if (os.fail()) TD_ERR << "CompressedMatrix::Write: write failure";
}

void CompressedMatrix::Read(std::istream &is, bool binary) {
  *this = CompressedMatrix();
  if (!binary) {  // text: a float matrix, compressed with the automatic method
    Matrix<float> m;
    m.Read(is, binary);
    CopyFromMat(m);
    return;
  }
  if (is.peek() != 'C') {  // a plain FM/DM matrix where a compressed one was expected
    Matrix<float> m;
    m.Read(is, binary);
    CopyFromMat(m);
    return;
  }
  std::string token;
  ReadToken(is, binary, &token);
  int format = 0;
  if (token == "CM") format = kOneByteWithColHeaders;
  else if (token == "CM2") format = kTwoByte;
  else if (token == "CM3") format = kOneByte;
  else TD_ERR << "CompressedMatrix::Read: unexpected token " << token << ", expecting CM, CM2 or CM3";
  uint8_t header[sizeof(GlobalHeader)];
  is.read(reinterpret_cast<char *>(header), sizeof(header));
  if (is.fail()) TD_ERR << "CompressedMatrix::Read: truncated global header";
  GlobalHeader h = GetRaw<GlobalHeader>(header);
  if (h.num_cols == 0 && h.num_rows >= 0) {  // empty matrix (Kaldi checks cols only)
    // Kaldi writes 4 more zero bytes after an empty header (see Write) but reads only 16, so
    // its own reader copes only when the empty matrix is last. Skip up to 4 zero bytes: no
    // key, token or size byte starts with '\0', so this never eats a following object.
    for (int i = 0; i < 4 && is.peek() == 0; i++) is.get();
    return;
  }
  int64 size = PayloadSize(format, h.num_rows, h.num_cols);
  // 2^34 bytes: far beyond any feature matrix; anything larger is a corrupt header.
  if (size < 0 || size > (int64(1) << 34))
    TD_ERR << "CompressedMatrix::Read: implausible size " << h.num_rows << " x " << h.num_cols;
  // Read in bounded chunks so a corrupt size on a short stream fails before a huge allocation.
  const int64 kChunk = int64(1) << 24;
  std::vector<uint8_t> data;
  data.reserve(static_cast<size_t>(std::min(size, kChunk)));
  for (int64 done = 0; done < size;) {
    int64 step = std::min(kChunk, size - done);
    data.resize(static_cast<size_t>(done + step));
    is.read(reinterpret_cast<char *>(data.data() + done), step);
    if (is.fail())
      TD_ERR << "CompressedMatrix::Read: truncated payload for " << token << " " << h.num_rows
             << " x " << h.num_cols << " (expected " << size << " bytes)";
    done += step;
  }
  format_ = static_cast<DataFormat>(format);
  min_value_ = h.min_value;
  range_ = h.range;
  num_rows_ = h.num_rows;
  num_cols_ = h.num_cols;
  data_.swap(data);
}

template void CompressedMatrix::CopyFromMat(const Matrix<float> &, CompressionMethod);
template void CompressedMatrix::CopyFromMat(const Matrix<double> &, CompressionMethod);
template void CompressedMatrix::CopyToMat(Matrix<float> *) const;
template void CompressedMatrix::CopyToMat(Matrix<double> *) const;

}  // namespace tdnas
