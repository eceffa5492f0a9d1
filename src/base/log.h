// log.h: Kaldi-format messages and fatal errors.
//
//   TD_LOG << "Done " << n;          -> LOG (prog[0.1]:func():file.cc:12) Done 3
//   TD_WARN << "...";                -> WARNING (...)
//   TD_VLOG(2) << "...";             -> VLOG[2] (...), only when --verbose >= 2
//   TD_ERR << "bad " << x;           -> throws tdnas::FatalError; main() prints ERROR (...) and exits 1
//   TD_ASSERT(cond);                 -> always on (also in release builds)
//
// Library code throws; only main() catches (see util/main-wrapper.h). The ERROR line is printed
// once, by whoever catches, so a caller that recovers (permissive readers) can downgrade it.
#ifndef TDNAS_BASE_LOG_H_
#define TDNAS_BASE_LOG_H_

#include <sstream>
#include <stdexcept>
#include <string>

namespace tdnas {

// The fatal error every TD_ERR throws. what() is the message alone; location() the
// "(prog[ver]:func():file:line)" part, so the catcher can print a Kaldi-style line.
class FatalError : public std::runtime_error {
 public:
  FatalError(const std::string &msg, const std::string &location)
      : std::runtime_error(msg), location_(location) {}
  const std::string &location() const { return location_; }
 private:
  std::string location_;
};

void SetProgramName(const char *argv0);   // basename of argv[0]
const std::string &GetProgramName();
void SetVerboseLevel(int level);
int GetVerboseLevel();

// Prints "SEVERITY (prog[ver]:func():file:line) msg" to stderr, one write so lines from
// threads do not interleave. severity: "LOG", "WARNING", "ERROR", "VLOG[n]".
void EmitLogLine(const char *severity, const std::string &location, const std::string &msg);
std::string MakeLocation(const char *func, const char *file, int line);

enum class LogKind { kLog, kWarning, kVlog, kError };

class MessageLogger {
 public:
  MessageLogger(LogKind kind, int vlevel, const char *func, const char *file, int line)
      : kind_(kind), vlevel_(vlevel), func_(func), file_(file), line_(line) {}
  // Emits the line; for kError throws FatalError instead (the catcher prints it).
  ~MessageLogger() noexcept(false);
  std::ostream &stream() { return ss_; }
 private:
  LogKind kind_;
  int vlevel_;
  const char *func_, *file_;
  int line_;
  std::ostringstream ss_;
};

[[noreturn]] void AssertFailed(const char *cond, const char *func, const char *file, int line);

}  // namespace tdnas

#define TD_LOG ::tdnas::MessageLogger(::tdnas::LogKind::kLog, 0, __func__, __FILE__, __LINE__).stream()
#define TD_WARN ::tdnas::MessageLogger(::tdnas::LogKind::kWarning, 0, __func__, __FILE__, __LINE__).stream()
#define TD_ERR ::tdnas::MessageLogger(::tdnas::LogKind::kError, 0, __func__, __FILE__, __LINE__).stream()
#define TD_VLOG(n) \
  if ((n) > ::tdnas::GetVerboseLevel()) {} else \
    ::tdnas::MessageLogger(::tdnas::LogKind::kVlog, (n), __func__, __FILE__, __LINE__).stream()
#define TD_ASSERT(cond) \
  do { if (!(cond)) ::tdnas::AssertFailed(#cond, __func__, __FILE__, __LINE__); } while (0)

#endif  // TDNAS_BASE_LOG_H_
