// wave-holder.h: table holders for audio, so wav.scp / wave archives read like any table:
//
//   SequentialTableReader<WaveHolder> reader("scp:wav.scp");   // files, "cmd |" pipes, offsets
//   TableWriter<WaveHolder> writer("ark:out.ark");             // 16-bit WAV objects
//
// Follows the holder concept of util/kaldi-holder.h. An archive object is a complete audio file
// (RIFF/WAVE as written; any libsndfile format when read). Reading consumes the stream to its
// end unless the object is a RIFF/WAVE whose header sizes say where it ends (archives hold
// several WAV objects back to back), exactly as Kaldi's wave archives work.
// WaveInfoHolder reads only what is needed for the duration (used by wav-to-duration).
#ifndef TDNAS_FEAT_WAVE_HOLDER_H_
#define TDNAS_FEAT_WAVE_HOLDER_H_

#include <istream>
#include <ostream>
#include <string>

#include "feat/wave-reader.h"

namespace tdnas {

class WaveHolder {
 public:
  typedef WaveData T;
  static bool Write(std::ostream &os, bool binary, const T &t) {
    t.Write(os);
    return os.good();
  }
  // Reads one audio object; corrupt data -> TD_ERR (the table reader adds file and key).
  bool Read(std::istream &is);
  static bool IsReadInBinary() { return true; }
  T &Value() { return t_; }
  const T &Value() const { return t_; }
  void Clear() { t_.Clear(); }
  void Swap(WaveHolder *other) { t_.Swap(&other->t_); }
  bool ExtractRange(const WaveHolder &, const std::string &) { return false; }

 private:
  T t_;
};

// Reads the bytes of one audio object from `is`: for a RIFF/WAVE with a usable RIFF size,
// exactly 8 + size bytes (so archive entries that follow stay unread); otherwise everything up
// to the end of the stream.
void ReadAudioObjectBytes(std::istream &is, std::string *bytes);

// A wav.scp entry that cannot be read (missing file, failed pipe, corrupt or empty audio) is
// a per-utterance failure for the audio binaries (WARNING naming the key, then skipped), not
// a fatal table error: "scp:x" becomes "scp,p:x" (other rspecifiers are returned as given).
// With it, reader.Value() throws for the bad entry and the caller catches.
std::string PermissiveScp(const std::string &rspecifier);

}  // namespace tdnas

#endif  // TDNAS_FEAT_WAVE_HOLDER_H_
