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

// Quantile codes of one column. `col` is scratch (reordered). Positions 0, n/4, 3*(n/4), n-1.
PerColHeader ComputeColHeader(float min_value, float range, std::vector<float> *col) {
  std::vector<float> &s = *col;
  int32 n = static_cast<int32>(s.size());
  TD_ASSERT(n > 0);
  auto code = [&](float v) { return static_cast<int>(FloatToUint16(min_value, range, v)); };
  PerColHeader h;
  if (n >= 5) {
    int32 q = n / 4;
    // Only four order statistics are needed: partial selection, not a full sort.
    std::nth_element(s.begin(), s.begin() + q, s.end());
    std::nth_element(s.begin(), s.begin(), s.begin() + q);
    std::nth_element(s.begin() + q + 1, s.begin() + 3 * q, s.end());
    std::nth_element(s.begin() + 3 * q + 1, s.end() - 1, s.end());
    h.p0 = std::min(code(s[0]), 65532);
    h.p25 = std::min(std::max(code(s[q]), h.p0 + 1), 65533);
    h.p75 = std::min(std::max(code(s[3 * q]), h.p25 + 1), 65534);
    h.p100 = std::max(code(s[n - 1]), h.p75 + 1);
  } else {  // fewer than 5 rows: sorted values 0..3 where present, else one code above
    std::sort(s.begin(), s.end());
    h.p0 = std::min(code(s[0]), 65532);
    h.p25 = n > 1 ? std::min(std::max(code(s[1]), h.p0 + 1), 65533) : h.p0 + 1;
    h.p75 = n > 2 ? std::min(std::max(code(s[2]), h.p25 + 1), 65534) : h.p25 + 1;
    h.p100 = n > 3 ? std::max(code(s[3]), h.p75 + 1) : h.p75 + 1;
  }
  return h;
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
    Real mn = src[0], mx = src[0];
    for (size_t i = 1; i < n; i++) {
      mn = std::min(mn, src[i]);
      mx = std::max(mx, src[i]);
    }
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
    std::vector<float> col(rows), scratch;
    for (int32 c = 0; c < cols; c++, bytes += rows) {
      for (int32 r = 0; r < rows; r++) col[r] = static_cast<float>(src[static_cast<size_t>(r) * cols + c]);
      scratch = col;
      PerColHeader h = ComputeColHeader(mv, rg, &scratch);
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
