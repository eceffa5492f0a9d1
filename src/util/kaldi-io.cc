// kaldi-io.cc: see kaldi-io.h.
#include "util/kaldi-io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <streambuf>
#include <vector>

#include "base/io-funcs.h"
#include "base/log.h"

namespace tdnas {

// A stream buffer over a file descriptor, for reading or for writing (not both).
// Keeps a small put-back area so istream::unget() works across refills; large requests go
// straight to read(2)/write(2).
class FdStreamBuf : public std::streambuf {
 public:
  // Requests of kDirect bytes or more bypass the buffer (no extra copy).
  static constexpr size_t kBufSize = 1 << 20, kPutBack = 16, kDirect = 64 << 10;
  FdStreamBuf(int fd, bool for_write)
      : fd_(fd), write_(for_write), storage_(new char[kBufSize + kPutBack]), buf_(storage_.get()) {
    if (write_) setp(buf_, buf_ + kBufSize);
    else setg(buf_ + kPutBack, buf_ + kPutBack, buf_ + kPutBack);
  }
  bool SawEof() const { return eof_; }
  bool Failed() const { return error_; }
  int64_t BytesWritten() const { return written_ + (pptr() - pbase()); }
  // Input: positions the descriptor at `offset` and drops the buffer.
  bool SeekTo(int64_t offset) {
    if (lseek(fd_, offset, SEEK_SET) != offset) return false;
    setg(buf_ + kPutBack, buf_ + kPutBack, buf_ + kPutBack);
    eof_ = false;
    return true;
  }
  bool FlushAll() { return Flush() && !error_; }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    size_t keep = std::min<size_t>(kPutBack, gptr() - eback());
    std::memmove(buf_ + kPutBack - keep, gptr() - keep, keep);
    char *start = buf_ + kPutBack;
    ssize_t n = ReadSome(start, kBufSize);
    if (n <= 0) {
      setg(start - keep, start, start);
      return traits_type::eof();
    }
    setg(start - keep, start, start + n);
    return traits_type::to_int_type(*gptr());
  }
  std::streamsize xsgetn(char *s, std::streamsize n) override {
    std::streamsize done = 0;
    while (done < n) {
      std::streamsize avail = egptr() - gptr();
      if (avail > 0) {
        std::streamsize k = std::min(avail, n - done);
        std::memcpy(s + done, gptr(), k);
        gbump(static_cast<int>(k));
        done += k;
      } else if (n - done >= static_cast<std::streamsize>(kDirect)) {
        ssize_t k = ReadSome(s + done, n - done);
        if (k <= 0) break;
        done += k;
        // Keep the last bytes as put-back context.
        size_t keep = std::min<size_t>(kPutBack, done);
        std::memcpy(buf_ + kPutBack - keep, s + done - keep, keep);
        setg(buf_ + kPutBack - keep, buf_ + kPutBack, buf_ + kPutBack);
      } else if (underflow() == traits_type::eof()) {
        break;
      }
    }
    return done;
  }
  pos_type seekoff(off_type off, std::ios_base::seekdir dir, std::ios_base::openmode) override {
    if (write_) {
      if (off == 0 && dir == std::ios_base::cur) return pos_type(BytesWritten());
      return pos_type(off_type(-1));
    }
    if (dir == std::ios_base::cur) {
      off_t cur = lseek(fd_, 0, SEEK_CUR);
      if (cur < 0) return pos_type(off_type(-1));
      int64_t pos = cur - (egptr() - gptr());
      if (off == 0) return pos_type(pos);
      return SeekTo(pos + off) ? pos_type(pos + off) : pos_type(off_type(-1));
    }
    if (dir == std::ios_base::beg) return SeekTo(off) ? pos_type(off) : pos_type(off_type(-1));
    return pos_type(off_type(-1));
  }
  pos_type seekpos(pos_type pos, std::ios_base::openmode mode) override {
    return seekoff(off_type(pos), std::ios_base::beg, mode);
  }
  int_type overflow(int_type c) override {
    if (!Flush()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char *s, std::streamsize n) override {
    // An empty write (e.g. a 0x0 matrix's data) may come with s == nullptr.
    if (n <= 0) return 0;
    if (n < static_cast<std::streamsize>(epptr() - pptr())) {
      std::memcpy(pptr(), s, n);
      pbump(static_cast<int>(n));
      return n;
    }
    if (!Flush()) return 0;
    if (n < static_cast<std::streamsize>(kDirect)) {
      std::memcpy(pptr(), s, n);
      pbump(static_cast<int>(n));
      return n;
    }
    return WriteAll(s, n) ? n : 0;
  }
  int sync() override { return write_ ? (Flush() ? 0 : -1) : 0; }

 private:
  ssize_t ReadSome(char *p, size_t n) {
    while (true) {
      ssize_t k = read(fd_, p, n);
      if (k < 0 && errno == EINTR) continue;
      if (k == 0) eof_ = true;
      if (k < 0) error_ = true;
      return k;
    }
  }
  bool WriteAll(const char *p, size_t n) {
    while (n > 0) {
      ssize_t k = write(fd_, p, n);
      if (k < 0 && errno == EINTR) continue;
      if (k <= 0) { error_ = true; return false; }
      p += k;
      n -= k;
      written_ += k;
    }
    return true;
  }
  bool Flush() {
    if (!write_) return true;
    size_t n = pptr() - pbase();
    bool ok = WriteAll(pbase(), n);
    setp(buf_, buf_ + kBufSize);
    return ok;
  }
  int fd_;
  bool write_, eof_ = false, error_ = false;
  int64_t written_ = 0;
  std::unique_ptr<char[]> storage_;  // not zero-filled: opening an input stays cheap
  char *buf_;
};

static bool HasEdgeSpace(const std::string &s) {
  return !s.empty() && (std::isspace(static_cast<unsigned char>(s.front())) ||
                        std::isspace(static_cast<unsigned char>(s.back())));
}

// Splits "foo:123" into file and offset; false if it is not of that form.
static bool SplitOffset(const std::string &s, std::string *file, int64_t *offset) {
  size_t colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == s.size()) return false;
  for (size_t i = colon + 1; i < s.size(); i++)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  if (s.size() - colon - 1 > 18) return false;
  if (file) *file = s.substr(0, colon);
  if (offset) *offset = std::stoll(s.substr(colon + 1));
  return true;
}

InputType ClassifyRxfilename(const std::string &s) {
  if (s.empty() || s == "-") return InputType::kStandard;
  if (HasEdgeSpace(s)) return InputType::kNone;
  if (s.back() == '|') return s.size() > 1 ? InputType::kPipe : InputType::kNone;
  if (s.front() == '|') return InputType::kNone;
  if (SplitOffset(s, nullptr, nullptr)) return InputType::kOffsetFile;
  return InputType::kFile;
}

OutputType ClassifyWxfilename(const std::string &s) {
  if (s.empty() || s == "-") return OutputType::kStandard;
  if (HasEdgeSpace(s)) return OutputType::kNone;
  if (s.front() == '|') return s.size() > 1 ? OutputType::kPipe : OutputType::kNone;
  if (s.back() == '|') return OutputType::kNone;
  if (SplitOffset(s, nullptr, nullptr)) return OutputType::kNone;  // "foo:12" is input-only
  return OutputType::kFile;
}

std::string PrintableRxfilename(const std::string &s) {
  if (s.empty() || s == "-") return "standard input";
  if (ClassifyRxfilename(s) == InputType::kPipe) return "command '" + s + "'";
  return "file '" + s + "'";
}

std::string PrintableWxfilename(const std::string &s) {
  if (s.empty() || s == "-") return "standard output";
  if (ClassifyWxfilename(s) == OutputType::kPipe) return "command '" + s + "'";
  return "file '" + s + "'";
}

static std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}

// ---------------------------------------------------------------- Input

Input::Input() {}
Input::Input(const std::string &rxfilename, bool *binary) { Open(rxfilename, binary); }

Input::~Input() noexcept(false) {
  if (!IsOpen()) return;
  if (std::uncaught_exceptions() > 0) {
    try { CloseInternal(false); } catch (...) {}
  } else {
    CloseInternal(true);
  }
}

std::istream &Input::Stream() {
  if (!stream_) TD_ERR << "Input::Stream(): input is not open";
  return *stream_;
}

void Input::Open(const std::string &rxfilename, bool *binary) {
  InputType type = ClassifyRxfilename(rxfilename);
  std::string file = rxfilename;
  int64_t offset = 0;
  if (type == InputType::kOffsetFile) SplitOffset(rxfilename, &file, &offset);
  if (type == InputType::kOffsetFile && IsOpen() && type_ == InputType::kOffsetFile &&
      file == file_) {
    // Same archive again: just seek.
    stream_->clear();
    if (!buf_->SeekTo(offset))
      TD_ERR << "Failed to seek to byte " << offset << " of file '" << file << "'";
  } else {
    if (IsOpen()) CloseInternal(false);
    name_ = rxfilename;
    file_ = file;
    type_ = type;
    switch (type) {
      case InputType::kNone:
        TD_ERR << "Invalid input filename (rxfilename) '" << rxfilename << "'";
        break;
      case InputType::kStandard:
        fd_ = 0;
        break;
      case InputType::kPipe: {
        std::string cmd = rxfilename.substr(0, rxfilename.size() - 1);
        std::fflush(stdout);
        pipe_ = popen(cmd.c_str(), "re");
        if (!pipe_)
          TD_ERR << "Failed to start input pipe command '" << rxfilename << "': "
                 << std::strerror(errno);
        fd_ = fileno(pipe_);
        break;
      }
      case InputType::kFile:
      case InputType::kOffsetFile: {
        fd_ = open(file.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0)
          TD_ERR << "Failed to open input file '" << file << "': " << std::strerror(errno);
        struct stat st;
        if (fstat(fd_, &st) == 0 && S_ISDIR(st.st_mode)) {
          close(fd_);
          fd_ = -1;
          TD_ERR << "Failed to open input file '" << file << "': it is a directory";
        }
        break;
      }
    }
    buf_.reset(new FdStreamBuf(fd_, false));
    stream_.reset(new std::istream(buf_.get()));
    if (type == InputType::kOffsetFile && !buf_->SeekTo(offset))
      TD_ERR << "Failed to seek to byte " << offset << " of file '" << file << "'";
  }
  if (binary) *binary = InitInputStream(*stream_);
}

void Input::CloseInternal(bool check) {
  bool at_eof = buf_ && buf_->SawEof();
  stream_.reset();
  buf_.reset();
  int status = 0;
  if (pipe_) {
    status = pclose(pipe_);
  } else if (fd_ > 0) {
    close(fd_);
  }
  pipe_ = nullptr;
  fd_ = -1;
  InputType type = type_;
  type_ = InputType::kNone;
  if (type == InputType::kPipe && status != 0) {
    bool sigpipe = WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE;
    if (check && at_eof && !sigpipe)
      TD_ERR << "Input pipe command '" << name_ << "' failed (" << DescribeWaitStatus(status)
             << ")";
    TD_WARN << "Input pipe command '" << name_ << "' returned " << DescribeWaitStatus(status)
            << " (closed before reading it to the end)";
  }
  last_status_ = status;
}

int Input::Close() {
  if (!IsOpen()) return 0;
  CloseInternal(true);
  return last_status_;
}

// ---------------------------------------------------------------- Output

Output::Output() {}
Output::Output(const std::string &wxfilename, bool binary, bool write_header) {
  Open(wxfilename, binary, write_header);
}

Output::~Output() noexcept(false) {
  if (!IsOpen()) return;
  if (std::uncaught_exceptions() > uncaught_at_open_) {
    try { Abandon(); } catch (...) {}
  } else {
    Close();
  }
}

std::ostream &Output::Stream() {
  if (!stream_) TD_ERR << "Output::Stream(): output is not open";
  return *stream_;
}

int64_t Output::Tell() const { return buf_ ? buf_->BytesWritten() : 0; }

void Output::Open(const std::string &wxfilename, bool binary, bool write_header) {
  if (IsOpen()) Close();
  name_ = wxfilename;
  tmp_name_.clear();
  type_ = ClassifyWxfilename(wxfilename);
  uncaught_at_open_ = std::uncaught_exceptions();
  switch (type_) {
    case OutputType::kNone:
      TD_ERR << "Invalid output filename (wxfilename) '" << wxfilename << "'";
      break;
    case OutputType::kStandard:
      std::fflush(stdout);
      fd_ = 1;
      break;
    case OutputType::kPipe: {
      std::signal(SIGPIPE, SIG_IGN);
      std::fflush(stdout);
      pipe_ = popen(wxfilename.c_str() + 1, "we");
      if (!pipe_)
        TD_ERR << "Failed to start output pipe command '" << wxfilename << "': "
               << std::strerror(errno);
      fd_ = fileno(pipe_);
      break;
    }
    case OutputType::kFile: {
      struct stat st;
      bool in_place = lstat(wxfilename.c_str(), &st) == 0 && !S_ISREG(st.st_mode);
      std::string path = wxfilename;
      if (!in_place) {
        size_t slash = wxfilename.rfind('/');
        std::string dir = slash == std::string::npos ? "" : wxfilename.substr(0, slash + 1);
        std::string base = slash == std::string::npos ? wxfilename : wxfilename.substr(slash + 1);
        tmp_name_ = dir + "." + base + ".tmp." + std::to_string(getpid());
        path = tmp_name_;
      }
      fd_ = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
      if (fd_ < 0) {
        int err = errno;
        tmp_name_.clear();
        TD_ERR << "Failed to open output file '" << wxfilename << "': " << std::strerror(err);
      }
      break;
    }
  }
  buf_.reset(new FdStreamBuf(fd_, true));
  stream_.reset(new std::ostream(buf_.get()));
  if (write_header) InitOutputStream(*stream_, binary);
}

void Output::Close() {
  if (!IsOpen()) return;
  bool ok = buf_->FlushAll() && !stream_->fail();
  int err = errno;
  stream_.reset();
  buf_.reset();
  int status = 0;
  if (pipe_) status = pclose(pipe_);
  else if (fd_ > 1 && close(fd_) != 0) { ok = false; err = errno; }
  pipe_ = nullptr;
  fd_ = -1;
  OutputType type = type_;
  type_ = OutputType::kNone;
  if (!ok) {
    if (!tmp_name_.empty()) unlink(tmp_name_.c_str());
    TD_ERR << "Write error on " << PrintableWxfilename(name_) << ": " << std::strerror(err);
  }
  if (type == OutputType::kPipe && status != 0)
    TD_ERR << "Output pipe command '" << name_ << "' failed (" << DescribeWaitStatus(status)
           << ")";
  if (!tmp_name_.empty()) {
    if (rename(tmp_name_.c_str(), name_.c_str()) != 0) {
      err = errno;
      unlink(tmp_name_.c_str());
      TD_ERR << "Failed to rename '" << tmp_name_ << "' to '" << name_ << "': "
             << std::strerror(err);
    }
    tmp_name_.clear();
  }
}

void Output::Abandon() {
  if (!IsOpen()) return;
  if (buf_) buf_->FlushAll();
  stream_.reset();
  buf_.reset();
  if (pipe_) pclose(pipe_);
  else if (fd_ > 1) close(fd_);
  pipe_ = nullptr;
  fd_ = -1;
  type_ = OutputType::kNone;
  if (!tmp_name_.empty()) unlink(tmp_name_.c_str());
  tmp_name_.clear();
}

}  // namespace tdnas
