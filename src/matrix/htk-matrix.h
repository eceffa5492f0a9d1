// htk-matrix.h: HTK parameter files (the on-disk form of compute-fbank --output-format=htk
// and copy-feats --htk-in), read and written as Kaldi does.
//
// Layout (HTK book, section 5.10.1; everything big-endian whatever the machine):
//   int32  num_samples    frames
//   int32  sample_period  frame period in 100 ns units (Kaldi writes 100000 = 10 ms always)
//   int16  sample_size    bytes per frame = 4 * dim
//   uint16 sample_kind    base kind (low 6 bits: 7 = FBANK, 6 = MFCC, ...) | qualifier bits
//   then num_samples * dim float32 values, frame after frame.
// In a Kaldi archive an HTK object follows "key " directly: no "\0B" header, no trailing
// newline, and there is no text form.
//
// Reading follows Kaldi's ReadHtk: compressed (_C) and VQ (_V) files and the waveform,
// IREFC and DISCRETE base kinds are refused. One deliberate difference: a file with the CRC
// qualifier (_K) has its trailing 2-byte checksum consumed (and ignored, as Kaldi means to);
// Kaldi's check for that flag masks the wrong bits and never fires, so its reader leaves the
// two bytes in the stream. The returned header has _K cleared, like Kaldi's.
#ifndef TDNAS_MATRIX_HTK_MATRIX_H_
#define TDNAS_MATRIX_HTK_MATRIX_H_

#include <istream>
#include <ostream>

#include "base/io-funcs.h"
#include "matrix/kaldi-matrix.h"

namespace tdnas {

struct HtkHeader {
  int32 num_samples = 0;
  int32 sample_period = 0;
  int16 sample_size = 0;
  uint16 sample_kind = 0;
};

// Base parameter kinds (low 6 bits of sample_kind) and qualifier bits (octal, as in HParm.h).
constexpr uint16 kHtkWaveform = 0, kHtkIrefc = 5, kHtkMfcc = 6, kHtkFbank = 7,
                 kHtkDiscrete = 10, kHtkUser = 9;
constexpr uint16 kHtkBaseMask = 077;
constexpr uint16 kHtkHasEnergy = 0100, kHtkCompressed = 02000, kHtkHasChecksum = 010000,
                 kHtkHasC0 = 020000, kHtkHasVq = 040000;

// The header compute-fbank-feats writes for an fbank matrix: 10 ms period whatever the frame
// shift, FBANK with _E when --use-energy, else FBANK with _0 (Kaldi's choice, kept as is).
HtkHeader FbankHtkHeader(int32 num_frames, int32 dim, bool use_energy);

// Writes header and data (float32 big-endian). TD_ERR if the header's sample count and size
// do not match the matrix, or on a stream failure.
template <typename Real>
void WriteHtk(std::ostream &os, const Matrix<Real> &m, const HtkHeader &header);

// Reads one HTK object into *m (dim = sample_size / 4) and, if non-null, *header.
// TD_ERR on a short read, an unsupported kind, or a sample size that is not a multiple of 4.
template <typename Real>
void ReadHtk(std::istream &is, Matrix<Real> *m, HtkHeader *header);

}  // namespace tdnas

#endif  // TDNAS_MATRIX_HTK_MATRIX_H_
