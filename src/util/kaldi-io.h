// kaldi-io.h: Kaldi's extended filenames, opened as C++ streams.
//
// rxfilename (input), classified by ClassifyRxfilename():
//   "-" or ""       standard input
//   "cmd |"         output of a shell command (popen); trailing '|' marks it
//   "foo.ark:123"   file opened and positioned at byte 123 (as scp files point into archives)
//   anything else   a file
// wxfilename (output), classified by ClassifyWxfilename():
//   "-" or ""       standard output
//   "| cmd"         input of a shell command; leading '|' marks it
//   anything else   a file
// Filenames with leading/trailing whitespace, an input starting with '|' or an output ending
// with '|' are invalid (kNone), as in Kaldi.
//
// Pipes: the child's exit status is checked at Close(). A command that fails (non-zero exit,
// or killed by a signal) is an ERROR naming the command; the exception is an input pipe we
// closed before reading it to the end (the child may then die of SIGPIPE): a WARNING only.
// While an output pipe is open SIGPIPE is ignored, so a dying consumer gives a write ERROR,
// not a silent kill.
//
// Atomic file output: a plain file output (a regular file or one that does not exist yet) is
// written to "<dir>/.<name>.tmp.<pid>" and renamed to its name by a successful Close(). If
// the program dies or throws before Close(), the temporary file is removed (or, after a hard
// crash, left under its hidden temporary name), so a half-written archive never looks
// complete. Outputs that are not regular files (/dev/null, fifos, ...) are written in place.
//
// Streams are backed by a file-descriptor stream buffer with a 1 MiB buffer; large reads and
// writes bypass the buffer, so matrix I/O runs at memory/disk speed.
#ifndef TDNAS_UTIL_KALDI_IO_H_
#define TDNAS_UTIL_KALDI_IO_H_

#include <cstdint>
#include <istream>
#include <memory>
#include <ostream>
#include <string>

namespace tdnas {

enum class InputType { kNone, kFile, kStandard, kPipe, kOffsetFile };
enum class OutputType { kNone, kFile, kStandard, kPipe };

InputType ClassifyRxfilename(const std::string &rxfilename);
OutputType ClassifyWxfilename(const std::string &wxfilename);

// For messages: "standard input", "command 'gunzip -c a.gz |'", "file 'a.ark'".
std::string PrintableRxfilename(const std::string &rxfilename);
std::string PrintableWxfilename(const std::string &wxfilename);

class FdStreamBuf;

class Input {
 public:
  Input();
  // Opens or dies (TD_ERR naming the file). With `binary` non-null, also reads the "\0B"
  // header if present and sets *binary (Kaldi's Input(rxfilename, &binary)).
  explicit Input(const std::string &rxfilename, bool *binary = nullptr);
  ~Input() noexcept(false);
  Input(const Input &) = delete;
  Input &operator=(const Input &) = delete;

  // Opens; on failure throws FatalError naming the file. Re-opening the same file with a
  // different byte offset only seeks (scp files with many offsets into one archive).
  void Open(const std::string &rxfilename, bool *binary = nullptr);
  bool IsOpen() const { return stream_ != nullptr; }
  std::istream &Stream();
  const std::string &Name() const { return name_; }
  // Closes; for a pipe checks the child's exit status (see the top of this file). Returns the
  // raw wait status (0 = fine); TD_ERR when the pipe command failed after being read to EOF.
  int Close();

 private:
  void CloseInternal(bool check);
  std::string name_;        // rxfilename as given (without offset)
  std::string file_;        // for kFile/kOffsetFile: the path
  InputType type_ = InputType::kNone;
  int fd_ = -1, last_status_ = 0;
  FILE *pipe_ = nullptr;
  std::unique_ptr<FdStreamBuf> buf_;
  std::unique_ptr<std::istream> stream_;
};

class Output {
 public:
  Output();
  // Opens or dies. With write_header and binary, writes "\0B" (single objects, not archives).
  Output(const std::string &wxfilename, bool binary, bool write_header = true);
  // Without Close(): during exception unwinding the output is abandoned (temporary file
  // removed); otherwise it is closed and a failure is an ERROR.
  ~Output() noexcept(false);
  Output(const Output &) = delete;
  Output &operator=(const Output &) = delete;

  void Open(const std::string &wxfilename, bool binary, bool write_header = true);
  bool IsOpen() const { return stream_ != nullptr; }
  std::ostream &Stream();
  // Bytes written so far (the position in a file output; used for scp byte offsets).
  int64_t Tell() const;
  OutputType Type() const { return type_; }
  const std::string &Name() const { return name_; }
  // Flushes and closes; renames the temporary file into place; checks a pipe's exit status.
  // TD_ERR on any failure.
  void Close();
  // Closes without committing: the temporary file is removed (a pipe is still waited for).
  void Abandon();

 private:
  std::string name_, tmp_name_;
  OutputType type_ = OutputType::kNone;
  int fd_ = -1;
  FILE *pipe_ = nullptr;
  int uncaught_at_open_ = 0;
  std::unique_ptr<FdStreamBuf> buf_;
  std::unique_ptr<std::ostream> stream_;
};

}  // namespace tdnas

#endif  // TDNAS_UTIL_KALDI_IO_H_
