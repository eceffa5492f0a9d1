// archive-reader-fuzz: libFuzzer target for the archive readers (util/kaldi-table.h).
// Each input is written to a temporary file and read as an archive of float matrices, double
// vectors, int32 vectors, int32 scalars and tokens, sequentially and by random access
// (plain, s,cs, o); the first bytes also go to the scp range parser. Any FatalError or
// std::exception is a clean rejection; a crash, sanitizer report, hang or leak is a finding.
// scp files are not fuzzed as such: their lines name files and shell commands to run.
// Build and run: make fuzz (mk/fuzz.mk), seeded with testdata/kaldi-archives.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

#include "util/kaldi-table.h"

using namespace tdnas;

// Corrupt headers can claim matrices of many GB; a real program then gets std::bad_alloc
// (an ERROR from main). Make that happen here at 256 MB instead of exhausting memory.
static const size_t kMaxAlloc = size_t(256) << 20;
void *operator new(size_t n) {
  if (n > kMaxAlloc) throw std::bad_alloc();
  void *p = std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  return p;
}
void *operator new[](size_t n) { return operator new(n); }
void *operator new(size_t n, const std::nothrow_t &) noexcept {
  return n > kMaxAlloc ? nullptr : std::malloc(n ? n : 1);
}
void *operator new[](size_t n, const std::nothrow_t &) noexcept {
  return n > kMaxAlloc ? nullptr : std::malloc(n ? n : 1);
}
void operator delete(void *p, const std::nothrow_t &) noexcept { std::free(p); }
void operator delete[](void *p, const std::nothrow_t &) noexcept { std::free(p); }
void operator delete(void *p) noexcept { std::free(p); }
void operator delete[](void *p) noexcept { std::free(p); }
void operator delete(void *p, size_t) noexcept { std::free(p); }
void operator delete[](void *p, size_t) noexcept { std::free(p); }

template <class Holder> static void ReadSequential(const std::string &rspecifier) {
  try {
    SequentialTableReader<Holder> reader(rspecifier);
    for (; !reader.Done(); reader.Next()) {
      (void)reader.Key();
      (void)reader.Value();
    }
    reader.Close();
  } catch (const std::exception &) {
  }
}

template <class Holder> static void ReadRandom(const std::string &rspecifier) {
  try {
    RandomAccessTableReader<Holder> reader(rspecifier);
    for (const char *key : {"a", "b", "utt1", "zz"})
      if (reader.HasKey(key)) (void)reader.Value(key);
    (void)reader.Value("never-there");
  } catch (const std::exception &) {
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const std::string path = "/tmp/tdnas-fuzz-" + std::to_string(getpid()) + ".ark";
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  std::string ark = "ark:" + path;
  ReadSequential<KaldiObjectHolder<Matrix<float>>>(ark);
  ReadSequential<KaldiObjectHolder<Vector<double>>>(ark);
  ReadSequential<BasicVectorHolder<int32>>(ark);
  ReadSequential<BasicHolder<int32>>(ark);
  ReadSequential<TokenVectorHolder>(ark);
  ReadRandom<KaldiObjectHolder<Matrix<float>>>(ark);
  ReadRandom<KaldiObjectHolder<Matrix<float>>>("ark,s,cs:" + path);
  ReadRandom<KaldiObjectHolder<Vector<float>>>("ark,o:" + path);
  if (size > 0 && data[0] == 'p') ReadSequential<KaldiObjectHolder<Matrix<float>>>("ark,p:" + path);
  try {
    int32 r0, r1, c0, c1;
    std::string range(reinterpret_cast<const char *>(data), std::min<size_t>(size, 24));
    ParseMatrixRangeSpecifier(range, 100, 13, &r0, &r1, &c0, &c1);
  } catch (const std::exception &) {
  }
  return 0;
}
