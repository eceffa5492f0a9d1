// wave-holder.cc: see wave-holder.h.
#include "feat/wave-holder.h"

#include "base/log.h"
#include "util/table-spec.h"

namespace tdnas {

void ReadAudioObjectBytes(std::istream &is, std::string *bytes) {
  bytes->clear();
  char head[8];
  is.read(head, 8);
  bytes->assign(head, is.gcount());
  if (is.gcount() == 8 && bytes->compare(0, 4, "RIFF") == 0) {
    const unsigned char *u = reinterpret_cast<const unsigned char *>(head + 4);
    const uint32 riff_size = u[0] | (u[1] << 8) | (u[2] << 16) | (uint32(u[3]) << 24);
    // 0 and 0xffffffff (and values near 2^31) are placeholders written by pipes: read to EOF.
    if (riff_size >= 4 && riff_size < 0x7ff00000u) {
      std::string rest(riff_size + (riff_size & 1u), '\0');
      is.read(&rest[0], riff_size);
      rest.resize(is.gcount());
      bytes->append(rest);
      // A pad byte follows an odd-sized chunk; consume it if present.
      if ((riff_size & 1u) && is.peek() == 0) is.get();
      return;
    }
  }
  std::string rest;
  ReadAllBytes(is, &rest);
  bytes->append(rest);
}

bool WaveHolder::Read(std::istream &is) {
  std::string bytes;
  ReadAudioObjectBytes(is, &bytes);
  if (is.bad()) TD_ERR << "WaveHolder: I/O error while reading audio";
  WaveData w;
  w.ReadFromMemory(bytes.data(), bytes.size());
  t_.Swap(&w);
  return true;
}

std::string PermissiveScp(const std::string &rspecifier) {
  RspecifierOptions o;
  if (ClassifyRspecifier(rspecifier, nullptr, &o) != RspecifierType::kScript || o.permissive)
    return rspecifier;
  const size_t colon = rspecifier.find(':');
  return rspecifier.substr(0, colon) + ",p" + rspecifier.substr(colon);
}

}  // namespace tdnas
