// parse-options.h: Kaldi-style command-line parsing on top of Boost.ProgramOptions.
//
// Behaviour (as Kaldi's ParseOptions):
//   --x=y values; a bare boolean --x means true; underscores in names are read as hyphens;
//   options end at the first positional argument (or at "--");
//   --config=FILE (repeatable) holds "--x=y" lines, '#' comments; the command line wins,
//     later config files win over earlier ones;
//   --print-args (default true) echoes the command line to stderr;
//   --help prints the usage text with every option's type and default, exit 0;
//   --verbose=N sets the VLOG level;
//   an unknown option or a bad value: usage, ERROR line, exit 1.
// Binaries check the positional count themselves and call PrintUsage() + exit(1).
#ifndef TDNAS_UTIL_PARSE_OPTIONS_H_
#define TDNAS_UTIL_PARSE_OPTIONS_H_

#include <memory>
#include <string>
#include <vector>

#include "util/options-itf.h"

namespace tdnas {

class ParseOptions : public OptionsItf {
 public:
  explicit ParseOptions(const char *usage);
  ~ParseOptions() override;

  void Register(const std::string &name, bool *ptr, const std::string &doc) override;
  void Register(const std::string &name, int32_t *ptr, const std::string &doc) override;
  void Register(const std::string &name, uint32_t *ptr, const std::string &doc) override;
  void Register(const std::string &name, int64_t *ptr, const std::string &doc) override;
  void Register(const std::string &name, float *ptr, const std::string &doc) override;
  void Register(const std::string &name, double *ptr, const std::string &doc) override;
  void Register(const std::string &name, std::string *ptr, const std::string &doc) override;

  // Parses argv; on --help prints usage and exits 0; on bad options prints usage and
  // throws FatalError (main's wrapper turns it into ERROR + exit 1). Returns NumArgs().
  int Read(int argc, const char *const *argv);

  int NumArgs() const { return static_cast<int>(positional_.size()); }
  // 1-based, like Kaldi: GetArg(1) is the first positional argument.
  std::string GetArg(int i) const;
  // Empty string when there are fewer than i arguments.
  std::string GetOptArg(int i) const;

  void PrintUsage(bool print_command_line = false) const;
  // The usage text plus the options table, as --help prints it.
  std::string UsageText() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<std::string> positional_;
  std::string usage_;
  std::string command_line_;
  bool print_args_ = true;
  bool help_ = false;
  int32_t verbose_ = 0;
  std::string config_;  // registered so --help lists it; read specially (repeatable)
};

}  // namespace tdnas

#endif  // TDNAS_UTIL_PARSE_OPTIONS_H_
