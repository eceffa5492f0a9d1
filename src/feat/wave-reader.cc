// wave-reader.cc: libsndfile decoding over a memory buffer; canonical 16-bit WAV writing.
#include "feat/wave-reader.h"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

namespace tdnas {

namespace {

// A read-only memory "file" for libsndfile's virtual I/O.
struct MemFile {
  const char *data;
  sf_count_t size;
  sf_count_t pos;
};

sf_count_t MemLength(void *user) { return static_cast<MemFile *>(user)->size; }

sf_count_t MemSeek(sf_count_t offset, int whence, void *user) {
  MemFile *f = static_cast<MemFile *>(user);
  sf_count_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? f->pos : f->size;
  sf_count_t p = base + offset;
  if (p < 0) return -1;
  f->pos = std::min(p, f->size);
  return f->pos;
}

sf_count_t MemRead(void *ptr, sf_count_t count, void *user) {
  MemFile *f = static_cast<MemFile *>(user);
  sf_count_t n = std::max<sf_count_t>(0, std::min(count, f->size - f->pos));
  if (n > 0) std::memcpy(ptr, f->data + f->pos, n);
  f->pos += n;
  return n;
}

sf_count_t MemWrite(const void *, sf_count_t, void *) { return 0; }

sf_count_t MemTell(void *user) { return static_cast<MemFile *>(user)->pos; }

// Closes the SNDFILE on every exit path.
struct SndCloser {
  SNDFILE *f;
  ~SndCloser() { if (f) sf_close(f); }
};

std::string DescribeHead(const char *bytes, size_t size) {
  std::string s;
  for (size_t i = 0; i < std::min<size_t>(size, 12); i++) {
    unsigned char c = bytes[i];
    s += (c >= 32 && c < 127) ? static_cast<char>(c) : '.';
  }
  return s;
}

// libsndfile accepts a WAV whose data chunk is cut short and quietly returns what is there;
// its log then holds "data : <declared> (should be <present>)". A declared size of 0 or
// 0xffffffff (or anything near 2^31) is the placeholder of WAV written to a pipe, which
// is fine; any other shortfall is a truncated file.
void CheckNotTruncated(SNDFILE *f) {
  char log[4096];
  log[0] = 0;
  sf_command(f, SFC_GET_LOG_INFO, log, sizeof(log));
  const char *p = std::strstr(log, "\ndata : ");
  if (p == nullptr) return;
  unsigned long long declared = 0, present = 0;
  if (std::sscanf(p, "\ndata : %llu (should be %llu)", &declared, &present) != 2) return;
  if (declared == 0 || declared >= 0x7ff00000ull) return;
  if (present < declared)
    TD_ERR << "WaveData: truncated audio: the WAV header declares " << declared
           << " data bytes, the stream holds " << present;
}

void PutLe(std::ostream &os, uint32_t v, int nbytes) {
  for (int i = 0; i < nbytes; i++) os.put(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

void ReadAllBytes(std::istream &is, std::string *bytes) {
  bytes->clear();
  char buf[1 << 16];
  while (is.read(buf, sizeof(buf)) || is.gcount() > 0) bytes->append(buf, is.gcount());
}

void WaveData::Read(std::istream &is) {
  std::string bytes;
  ReadAllBytes(is, &bytes);
  if (is.bad()) TD_ERR << "WaveData: I/O error while reading audio data";
  ReadFromMemory(bytes.data(), bytes.size());
}

void WaveData::ReadFromMemory(const char *bytes, size_t size) {
  if (size == 0) TD_ERR << "WaveData: empty input (0 bytes): not an audio file";
  MemFile mem{bytes, static_cast<sf_count_t>(size), 0};
  SF_VIRTUAL_IO vio{MemLength, MemSeek, MemRead, MemWrite, MemTell};
  SF_INFO info;
  std::memset(&info, 0, sizeof(info));
  SndCloser snd{sf_open_virtual(&vio, SFM_READ, &info, &mem)};
  if (snd.f == nullptr)
    TD_ERR << "WaveData: cannot decode audio (" << size << " bytes, starting '"
           << DescribeHead(bytes, size) << "'): libsndfile says: " << sf_strerror(nullptr);
  if (info.channels <= 0) TD_ERR << "WaveData: audio has no channels";
  if (info.samplerate <= 0) TD_ERR << "WaveData: bad sample rate " << info.samplerate;
  // Full scale -> 32768, so 16-bit PCM keeps its exact integer values and every other
  // encoding lands on the same scale. libsndfile normalises integer PCM to [-1, 1) by
  // dividing by 2^(bits-1) (exact for power-of-two scales) and returns float data as stored.
  sf_command(snd.f, SFC_SET_NORM_FLOAT, nullptr, SF_TRUE);
  const int nch = info.channels;
  samp_freq_ = static_cast<float>(info.samplerate);
  if (nch == 1 && info.frames > 0 && info.frames <= std::numeric_limits<int32>::max()) {
    // Mono with a known length (the usual case): decode straight into the row, no
    // intermediate buffer.
    data_.Resize(1, static_cast<int32>(info.frames));
    float *row = data_.RowData(0);
    sf_count_t got = 0;
    while (got < info.frames) {
      const sf_count_t r = sf_readf_float(snd.f, row + got, info.frames - got);
      if (r <= 0) break;
      got += r;
    }
    int err = sf_error(snd.f);
    if (err != SF_ERR_NO_ERROR)
      TD_ERR << "WaveData: error decoding audio: " << sf_error_number(err);
    if (got == 0) TD_ERR << "WaveData: audio contains no samples (empty or truncated file)";
    CheckNotTruncated(snd.f);
    if (got < info.frames) {  // shorter than the header says: keep what was decoded
      Matrix<float> part(1, static_cast<int32>(got));
      std::copy(row, row + got, part.RowData(0));
      data_ = part;
      row = data_.RowData(0);
    }
    for (sf_count_t i = 0; i < got; i++) row[i] *= 32768.0f;
    return;
  }
  std::vector<float> interleaved;
  if (info.frames > 0 && info.frames < (int64(1) << 31))
    interleaved.reserve(static_cast<size_t>(info.frames) * nch);
  const sf_count_t chunk = 1 << 15;
  std::vector<float> buf(static_cast<size_t>(chunk) * nch);
  while (true) {
    sf_count_t got = sf_readf_float(snd.f, buf.data(), chunk);
    if (got <= 0) break;
    interleaved.insert(interleaved.end(), buf.begin(), buf.begin() + got * nch);
  }
  int err = sf_error(snd.f);
  if (err != SF_ERR_NO_ERROR)
    TD_ERR << "WaveData: error decoding audio: " << sf_error_number(err);
  const int64 frames = static_cast<int64>(interleaved.size() / nch);
  if (frames == 0) TD_ERR << "WaveData: audio contains no samples (empty or truncated file)";
  CheckNotTruncated(snd.f);
  if (frames > std::numeric_limits<int32>::max())
    TD_ERR << "WaveData: audio too long (" << frames << " samples)";
  samp_freq_ = static_cast<float>(info.samplerate);
  data_.Resize(nch, static_cast<int32>(frames));
  for (int c = 0; c < nch; c++) {
    float *row = data_.RowData(c);
    const float *src = interleaved.data() + c;
    for (int64 i = 0; i < frames; i++) row[i] = src[i * nch] * 32768.0f;
  }
}

void WaveData::Write(std::ostream &os) const {
  const int32 nch = NumChannels();
  const int64 n = NumSamples();
  if (nch <= 0 || samp_freq_ <= 0) TD_ERR << "WaveData::Write: no audio to write";
  const uint64 data_bytes = static_cast<uint64>(n) * nch * 2;
  if (data_bytes + 36 > 0xffffffffull) TD_ERR << "WaveData::Write: audio too long for WAV";
  const uint32 rate = static_cast<uint32>(samp_freq_);
  os.write("RIFF", 4);
  PutLe(os, static_cast<uint32>(36 + data_bytes), 4);
  os.write("WAVEfmt ", 8);
  PutLe(os, 16, 4);                // fmt chunk size
  PutLe(os, 1, 2);                 // PCM
  PutLe(os, nch, 2);
  PutLe(os, rate, 4);
  PutLe(os, rate * nch * 2, 4);    // byte rate
  PutLe(os, nch * 2, 2);           // block align
  PutLe(os, 16, 2);                // bits per sample
  os.write("data", 4);
  PutLe(os, static_cast<uint32>(data_bytes), 4);
  std::vector<char> out(static_cast<size_t>(nch) * 2 * 4096);
  for (int64 start = 0; start < n; start += 4096) {
    int64 len = std::min<int64>(4096, n - start);
    char *p = out.data();
    for (int64 i = start; i < start + len; i++) {
      for (int32 c = 0; c < nch; c++) {
        float v = std::round(data_.Data()[static_cast<size_t>(c) * n + i]);
        v = std::min(32767.0f, std::max(-32768.0f, v));
        uint16_t u = static_cast<uint16_t>(static_cast<int16_t>(v));
        *p++ = static_cast<char>(u & 0xff);
        *p++ = static_cast<char>(u >> 8);
      }
    }
    os.write(out.data(), p - out.data());
  }
  if (!os) TD_ERR << "WaveData::Write: write failed";
}

void WaveData::Swap(WaveData *other) {
  std::swap(samp_freq_, other->samp_freq_);
  std::swap(data_, other->data_);
}

}  // namespace tdnas
