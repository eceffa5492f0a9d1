// kaldi-table.h: Kaldi tables: archives and scp files read by key, sequentially or by random
// access, and written as archives, scp-addressed files, or both at once.
//
//   SequentialTableReader<KaldiObjectHolder<Matrix<float>>> reader("ark:feats.ark");
//   TableWriter<KaldiObjectHolder<Matrix<float>>> writer("ark,scp:out.ark,out.scp");
//   for (; !reader.Done(); reader.Next()) writer.Write(reader.Key(), reader.Value());
//
// Formats and specifiers: see table-spec.h and ../shared/spec/kaldi-compat.md sections 1-2.
//
// Archive entries are "key" + one space + object. The reader skips whitespace before a key,
// then consumes exactly one space or tab after it; a newline there is left for the object
// (an error if anything else follows the key). Keys are non-empty and whitespace-free.
//
// Sequential reading: file order, duplicate keys allowed. A bad entry is an ERROR naming the
// file and the key, unless the rspecifier has `p`: then a bad scp entry is skipped with a
// WARNING and a bad archive entry ends the archive with a WARNING (there is no way to find the
// next entry after corrupt binary data; Kaldi does the same).
//
// Random access (`RandomAccessTableReader`): an scp is loaded and sorted (a duplicate key is
// an ERROR); an object is loaded when asked for and the last one is cached. An archive is read
// forward as keys are asked for and what has been read is kept in memory, except:
//   s  archive sorted: a lookup stops at the first key greater than the one asked for;
//   cs keys asked for in sorted order: objects before the asked key are dropped;
//   o  each key asked for once: an object is dropped when another key is asked for.
// HasKey() answers false for an absent key; Value() of an absent key is an ERROR naming key and
// file. A Value() reference stays valid until the next call on the reader.
//
// Writing: `t` text / `b` binary (default), `f` flushes after every object. With ark,scp the scp
// lines are "key ark_wxfilename:offset" with offset pointing just past "key ". A plain file is
// written under a temporary name and renamed when the writer closes (see kaldi-io.h), so a run
// that dies leaves no complete-looking archive. An output that cannot be opened is an ERROR at
// Open(), before any work is done.
//
// `bg` (read ahead in a background thread) is accepted and is a no-op: reading is synchronous.
//
// Pipe inputs and outputs have their exit status checked when the table closes (destructor or
// Close()): a failed command is an ERROR naming it. Destructors close the table and may throw
// FatalError (not during unwinding: then everything is abandoned quietly); hold tables as
// local variables or members, not inside containers.
#ifndef TDNAS_UTIL_KALDI_TABLE_H_
#define TDNAS_UTIL_KALDI_TABLE_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "matrix/compressed-matrix.h"
#include "util/kaldi-holder.h"
#include "util/kaldi-io.h"
#include "util/table-spec.h"

namespace tdnas {

template <class Holder> class SequentialTableReader {
 public:
  typedef typename Holder::T T;
  SequentialTableReader() {}
  explicit SequentialTableReader(const std::string &rspecifier) { Open(rspecifier); }
  ~SequentialTableReader() noexcept(false) {}
  SequentialTableReader(const SequentialTableReader &) = delete;
  SequentialTableReader &operator=(const SequentialTableReader &) = delete;

  // ERROR for a bad rspecifier or an input that cannot be opened; reads the first entry.
  void Open(const std::string &rspecifier);
  bool IsOpen() const { return state_ != kClosed; }
  bool Done() const;
  const std::string &Key() const;
  T &Value();
  void Next();
  void FreeCurrent() { holder_.Clear(); }
  // Closes the inputs; a failed pipe command (read to its end) is an ERROR. Returns true when
  // no entry was skipped (permissive mode).
  bool Close();

 private:
  enum State { kClosed, kHaveObject, kEnd };
  void NextArchive();
  void NextScript();
  bool LoadScriptEntry(const std::string &rxfilename, const std::string &range,
                       std::string *error);
  void Fail(const std::string &msg);

  State state_ = kClosed;
  RspecifierType type_ = RspecifierType::kNone;
  RspecifierOptions opts_;
  std::string rspecifier_, rxfilename_, key_;
  Input input_, data_input_;  // the archive or scp file; for scp the current object's file
  Holder holder_;
  int64 line_number_ = 0;
  bool skipped_ = false;
};

template <class Holder> class RandomAccessTableReader {
 public:
  typedef typename Holder::T T;
  RandomAccessTableReader() {}
  explicit RandomAccessTableReader(const std::string &rspecifier) { Open(rspecifier); }
  ~RandomAccessTableReader() noexcept(false) {}
  RandomAccessTableReader(const RandomAccessTableReader &) = delete;
  RandomAccessTableReader &operator=(const RandomAccessTableReader &) = delete;

  void Open(const std::string &rspecifier);
  bool IsOpen() const { return open_; }
  bool HasKey(const std::string &key);
  // ERROR when the key is absent (or, without `p`, when its object cannot be read).
  const T &Value(const std::string &key);
  bool Close();

 private:
  Holder *FindInArchive(const std::string &key);
  bool ReadArchiveEntry(std::string *key, Holder *holder);
  bool LoadScript(size_t index, bool permissive);
  size_t FindInScript(const std::string &key) const;

  bool open_ = false;
  RspecifierType type_ = RspecifierType::kNone;
  RspecifierOptions opts_;
  std::string rspecifier_, rxfilename_;
  Input input_, data_input_;
  // scp: sorted (key, rxfilename-with-range) and the one loaded object.
  std::vector<std::pair<std::string, std::string>> scp_;
  size_t loaded_ = static_cast<size_t>(-1);
  Holder holder_;
  // archive: objects read and kept; reading state.
  std::map<std::string, std::unique_ptr<Holder>> kept_;
  std::string last_read_key_, last_asked_key_, pending_drop_;
  bool have_last_read_ = false, have_last_asked_ = false, archive_done_ = false;
};

template <class Holder> class TableWriter {
 public:
  typedef typename Holder::T T;
  TableWriter() {}
  explicit TableWriter(const std::string &wspecifier) { Open(wspecifier); }
  // Closes (committing the files) unless an exception is unwinding the stack.
  ~TableWriter() noexcept(false) {}
  TableWriter(const TableWriter &) = delete;
  TableWriter &operator=(const TableWriter &) = delete;

  void Open(const std::string &wspecifier);
  bool IsOpen() const { return open_; }
  // ERROR for an invalid key (empty or with whitespace) or a write failure.
  void Write(const std::string &key, const T &value);
  void Flush();
  void Close();

 private:
  bool open_ = false;
  WspecifierType type_ = WspecifierType::kNone;
  WspecifierOptions opts_;
  std::string wspecifier_, archive_wx_, script_wx_;
  Output archive_, script_;
  std::map<std::string, std::string> scp_targets_;  // scp-only writing: key -> wxfilename
};

// Kaldi's names for the common tables.
typedef KaldiObjectHolder<Matrix<float>> BaseFloatMatrixHolder;
typedef SequentialTableReader<KaldiObjectHolder<Matrix<float>>> SequentialBaseFloatMatrixReader;
typedef RandomAccessTableReader<KaldiObjectHolder<Matrix<float>>> RandomAccessBaseFloatMatrixReader;
typedef TableWriter<KaldiObjectHolder<Matrix<float>>> BaseFloatMatrixWriter;
typedef SequentialTableReader<KaldiObjectHolder<Matrix<double>>> SequentialDoubleMatrixReader;
typedef RandomAccessTableReader<KaldiObjectHolder<Matrix<double>>> RandomAccessDoubleMatrixReader;
typedef TableWriter<KaldiObjectHolder<Matrix<double>>> DoubleMatrixWriter;
typedef TableWriter<KaldiObjectHolder<CompressedMatrix>> CompressedMatrixWriter;
typedef SequentialTableReader<KaldiObjectHolder<Vector<float>>> SequentialBaseFloatVectorReader;
typedef RandomAccessTableReader<KaldiObjectHolder<Vector<float>>> RandomAccessBaseFloatVectorReader;
typedef TableWriter<KaldiObjectHolder<Vector<float>>> BaseFloatVectorWriter;
typedef SequentialTableReader<KaldiObjectHolder<Vector<double>>> SequentialDoubleVectorReader;
typedef RandomAccessTableReader<KaldiObjectHolder<Vector<double>>> RandomAccessDoubleVectorReader;
typedef TableWriter<KaldiObjectHolder<Vector<double>>> DoubleVectorWriter;
typedef SequentialTableReader<BasicHolder<int32>> SequentialInt32Reader;
typedef RandomAccessTableReader<BasicHolder<int32>> RandomAccessInt32Reader;
typedef TableWriter<BasicHolder<int32>> Int32Writer;
typedef SequentialTableReader<BasicHolder<float>> SequentialBaseFloatReader;
typedef RandomAccessTableReader<BasicHolder<float>> RandomAccessBaseFloatReader;
typedef TableWriter<BasicHolder<float>> BaseFloatWriter;
typedef SequentialTableReader<BasicHolder<double>> SequentialDoubleReader;
typedef RandomAccessTableReader<BasicHolder<double>> RandomAccessDoubleReader;
typedef TableWriter<BasicHolder<double>> DoubleWriter;
typedef SequentialTableReader<BasicVectorHolder<int32>> SequentialInt32VectorReader;
typedef RandomAccessTableReader<BasicVectorHolder<int32>> RandomAccessInt32VectorReader;
typedef TableWriter<BasicVectorHolder<int32>> Int32VectorWriter;
typedef SequentialTableReader<TokenHolder> SequentialTokenReader;
typedef RandomAccessTableReader<TokenHolder> RandomAccessTokenReader;
typedef TableWriter<TokenHolder> TokenWriter;
typedef SequentialTableReader<TokenVectorHolder> SequentialTokenVectorReader;
typedef RandomAccessTableReader<TokenVectorHolder> RandomAccessTokenVectorReader;
typedef TableWriter<TokenVectorHolder> TokenVectorWriter;

// Reads one object from a single rxfilename (not a table), e.g. "foo.mat" or "foo.ark:123",
// with binary/text detected from the header; ERROR on failure. Writes one object to a
// wxfilename.
template <class T> void ReadKaldiObject(const std::string &rxfilename, T *t);
template <class T> void WriteKaldiObject(const T &t, const std::string &wxfilename, bool binary);

}  // namespace tdnas

#include "util/kaldi-table-inl.h"

#endif  // TDNAS_UTIL_KALDI_TABLE_H_
