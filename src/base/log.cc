// log.cc: message formatting and the fatal-error path (see log.h).
#include "base/log.h"

#include <unistd.h>

#include <atomic>
#include <cstring>

namespace tdnas {

namespace {
std::string g_program_name;
std::atomic<int> g_verbose_level{0};
}  // namespace

void SetProgramName(const char *argv0) {
  const char *slash = std::strrchr(argv0, '/');
  g_program_name = slash ? slash + 1 : argv0;
}
const std::string &GetProgramName() { return g_program_name; }
void SetVerboseLevel(int level) { g_verbose_level = level; }
int GetVerboseLevel() { return g_verbose_level; }

std::string MakeLocation(const char *func, const char *file, int line) {
  // Kaldi prints the path relative to src/ (e.g. util/kaldi-table.h); keep the last two parts.
  const char *f = file, *p = file + std::strlen(file);
  int slashes = 0;
  while (p > file) { --p; if (*p == '/' && ++slashes == 2) { f = p + 1; break; } }
  std::string loc = "(";
  loc += g_program_name.empty() ? "tdnas" : g_program_name;
  loc += "[" TDNAS_VERSION "]:";
  // A binary's body is the lambda given to RunMain(); Kaldi users expect to read main() there.
  bool in_binary = std::strstr(file, "bin/") != nullptr;
  loc += (in_binary && std::strcmp(func, "operator()") == 0) ? "main" : func;
  loc += "():";
  loc += f;
  loc += ":" + std::to_string(line) + ")";
  return loc;
}

void EmitLogLine(const char *severity, const std::string &location, const std::string &msg) {
  std::string line = std::string(severity) + " " + location + " " + msg + "\n";
  // One write() call: lines from several threads stay whole.
  ssize_t unused = ::write(2, line.data(), line.size());
  (void)unused;
}

MessageLogger::~MessageLogger() noexcept(false) {
  std::string loc = MakeLocation(func_, file_, line_);
  switch (kind_) {
    case LogKind::kLog: EmitLogLine("LOG", loc, ss_.str()); break;
    case LogKind::kWarning: EmitLogLine("WARNING", loc, ss_.str()); break;
    case LogKind::kVlog: {
      std::string sev = "VLOG[" + std::to_string(vlevel_) + "]";
      EmitLogLine(sev.c_str(), loc, ss_.str());
      break;
    }
    case LogKind::kError:
      // Never throw while another exception unwinds: print and abort the unwinding path.
      if (std::uncaught_exceptions() > 0) {
        EmitLogLine("ERROR", loc, ss_.str());
        return;
      }
      throw FatalError(ss_.str(), loc);
  }
}

void AssertFailed(const char *cond, const char *func, const char *file, int line) {
  throw FatalError(std::string("Assertion failed: (") + cond + ")", MakeLocation(func, file, line));
}

}  // namespace tdnas
