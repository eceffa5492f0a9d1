// htk-matrix.cc: HTK parameter file reader and writer (see htk-matrix.h for the layout).
#include "matrix/htk-matrix.h"

#include <cstring>
#include <limits>
#include <vector>

#include "base/log.h"

namespace tdnas {

namespace {

// Big-endian encoding done byte by byte, so the code is the same on any host.
void PutBe32(uint32 v, unsigned char *p) {
  p[0] = static_cast<unsigned char>(v >> 24);
  p[1] = static_cast<unsigned char>(v >> 16);
  p[2] = static_cast<unsigned char>(v >> 8);
  p[3] = static_cast<unsigned char>(v);
}
void PutBe16(uint16 v, unsigned char *p) {
  p[0] = static_cast<unsigned char>(v >> 8);
  p[1] = static_cast<unsigned char>(v);
}
uint32 GetBe32(const unsigned char *p) {
  return (uint32(p[0]) << 24) | (uint32(p[1]) << 16) | (uint32(p[2]) << 8) | uint32(p[3]);
}
uint16 GetBe16(const unsigned char *p) { return static_cast<uint16>((p[0] << 8) | p[1]); }

constexpr int kHeaderBytes = 12;

}  // namespace

HtkHeader FbankHtkHeader(int32 num_frames, int32 dim, bool use_energy) {
  if (dim < 0 || dim > std::numeric_limits<int16>::max() / 4)
    TD_ERR << "HTK output: feature dimension " << dim << " does not fit the 16-bit sample size";
  HtkHeader h;
  h.num_samples = num_frames;
  h.sample_period = 100000;  // 10 ms in 100 ns units; Kaldi writes this for any frame shift
  h.sample_size = static_cast<int16>(4 * dim);
  h.sample_kind = kHtkFbank | (use_energy ? kHtkHasEnergy : kHtkHasC0);
  return h;
}

template <typename Real>
void WriteHtk(std::ostream &os, const Matrix<Real> &m, const HtkHeader &header) {
  const int32 rows = m.NumRows(), cols = m.NumCols();
  if (header.num_samples != rows || header.sample_size != 4 * cols)
    TD_ERR << "WriteHtk: header says " << header.num_samples << " frames of "
           << header.sample_size << " bytes but the matrix is " << rows << "x" << cols;
  unsigned char head[kHeaderBytes];
  PutBe32(static_cast<uint32>(header.num_samples), head);
  PutBe32(static_cast<uint32>(header.sample_period), head + 4);
  PutBe16(static_cast<uint16>(header.sample_size), head + 8);
  PutBe16(header.sample_kind, head + 10);
  os.write(reinterpret_cast<const char *>(head), kHeaderBytes);
  std::vector<unsigned char> row_bytes(4 * static_cast<size_t>(cols));
  for (int32 r = 0; r < rows; r++) {
    const Real *row = m.RowData(r);
    for (int32 c = 0; c < cols; c++) {
      float f = static_cast<float>(row[c]);
      uint32 bits;
      std::memcpy(&bits, &f, 4);
      PutBe32(bits, &row_bytes[4 * static_cast<size_t>(c)]);
    }
    os.write(reinterpret_cast<const char *>(row_bytes.data()), row_bytes.size());
  }
  if (os.fail()) TD_ERR << "WriteHtk: could not write to HTK feature file";
}

template <typename Real>
void ReadHtk(std::istream &is, Matrix<Real> *m, HtkHeader *header_out) {
  unsigned char head[kHeaderBytes];
  is.read(reinterpret_cast<char *>(head), kHeaderBytes);
  if (is.gcount() != kHeaderBytes) TD_ERR << "ReadHtk: could not read the 12-byte HTK header";
  HtkHeader h;
  h.num_samples = static_cast<int32>(GetBe32(head));
  h.sample_period = static_cast<int32>(GetBe32(head + 4));
  h.sample_size = static_cast<int16>(GetBe16(head + 8));
  h.sample_kind = GetBe16(head + 10);
  const bool has_checksum = (h.sample_kind & kHtkHasChecksum) != 0;
  h.sample_kind &= ~kHtkHasChecksum;
  if (h.sample_kind & (kHtkCompressed | kHtkHasVq))
    TD_ERR << "ReadHtk: compressed (_C) or vector-quantised (_V) HTK features are not "
           << "supported (sample kind " << h.sample_kind << ")";
  const uint16 base = h.sample_kind & kHtkBaseMask;
  if (base == kHtkWaveform || base == kHtkIrefc || base == kHtkDiscrete)
    TD_ERR << "ReadHtk: unsupported HTK base kind " << base
           << " (waveform, IREFC or DISCRETE)";
  if (h.num_samples < 0 || h.sample_size < 0 || h.sample_size % 4 != 0)
    TD_ERR << "ReadHtk: bad HTK header: " << h.num_samples << " samples of "
           << h.sample_size << " bytes";
  if (static_cast<int64>(h.num_samples) * (h.sample_size / 4) > (int64(1) << 32))
    TD_ERR << "ReadHtk: implausible HTK header: " << h.num_samples << " samples of "
           << h.sample_size << " bytes (not an HTK file?)";
  TD_VLOG(3) << "HTK header: " << h.num_samples << " samples, period " << h.sample_period
             << ", size " << h.sample_size << ", kind " << h.sample_kind;
  const int32 cols = h.sample_size / 4;
  m->Resize(h.num_samples, cols);
  std::vector<unsigned char> row_bytes(4 * static_cast<size_t>(cols));
  for (int32 r = 0; r < m->NumRows(); r++) {
    is.read(reinterpret_cast<char *>(row_bytes.data()), row_bytes.size());
    if (static_cast<size_t>(is.gcount()) != row_bytes.size())
      TD_ERR << "ReadHtk: HTK data ends at frame " << r << " of " << h.num_samples;
    Real *row = m->RowData(r);
    for (int32 c = 0; c < cols; c++) {
      uint32 bits = GetBe32(&row_bytes[4 * static_cast<size_t>(c)]);
      float f;
      std::memcpy(&f, &bits, 4);
      row[c] = static_cast<Real>(f);
    }
  }
  if (has_checksum) {
    char crc[2];
    is.read(crc, 2);
    if (is.gcount() != 2) TD_WARN << "ReadHtk: could not read the HTK checksum (ignored)";
  }
  if (header_out) *header_out = h;
}

template void WriteHtk(std::ostream &, const Matrix<float> &, const HtkHeader &);
template void WriteHtk(std::ostream &, const Matrix<double> &, const HtkHeader &);
template void ReadHtk(std::istream &, Matrix<float> *, HtkHeader *);
template void ReadHtk(std::istream &, Matrix<double> *, HtkHeader *);

}  // namespace tdnas
