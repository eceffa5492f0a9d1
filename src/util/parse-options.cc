// parse-options.cc: see parse-options.h. Boost.ProgramOptions does the tokenising, type
// conversion and unknown-option detection; this file adds Kaldi's conventions on top
// (config files with command-line precedence, last value wins, usage format).
#include "util/parse-options.h"

#include <boost/program_options.hpp>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>

#include "base/log.h"

namespace po = boost::program_options;

namespace tdnas {

struct ParseOptions::Impl {
  struct Entry {
    std::string name, type, default_value, doc;
    bool standard;  // --config, --help, ... listed in their own section
  };
  po::options_description desc;
  std::vector<Entry> entries;
  bool registering_standard = false;
};

namespace {

template <class T> std::string ValueToString(const T &v) {
  std::ostringstream os;
  os << v;
  return os.str();
}
template <> std::string ValueToString<bool>(const bool &v) { return v ? "true" : "false"; }
template <> std::string ValueToString<std::string>(const std::string &v) { return "\"" + v + "\""; }

// Kaldi accepts --num_mel_bins for --num-mel-bins.
std::string NormalizeName(std::string name) {
  for (char &c : name) if (c == '_') c = '-';
  return name;
}

// Single-quote an argument for the --print-args echo when the shell would need it.
std::string QuoteForShell(const std::string &arg) {
  if (arg.empty()) return "''";
  bool plain = true;
  for (char c : arg)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string("-_./:=,+%@").find(c) != std::string::npos))
      plain = false;
  if (plain) return arg;
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

// "--x=y" lines of a config file; blank lines and '#' comments are skipped.
std::vector<std::string> ReadConfigFile(const std::string &filename) {
  std::ifstream is(filename);
  if (!is) TD_ERR << "Cannot open config file: " << filename;
  std::vector<std::string> args;
  std::string line;
  int lineno = 0;
  while (std::getline(is, line)) {
    lineno++;
    size_t hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    size_t b = line.find_first_not_of(" \t\r"), e = line.find_last_not_of(" \t\r");
    if (b == std::string::npos) continue;
    line = line.substr(b, e - b + 1);
    if (line.compare(0, 2, "--") != 0)
      TD_ERR << "Reading config file " << filename << ": line " << lineno
             << " does not look like --option=value: " << line;
    args.push_back(line);
  }
  return args;
}

}  // namespace

ParseOptions::ParseOptions(const char *usage) : impl_(new Impl), usage_(usage) {
  impl_->registering_standard = true;
  Register("config", &config_, "File of --name=value lines ('#' starts a comment); may be "
           "given several times, files are read in order and the command line overrides them");
  Register("print-args", &print_args_, "Echo the program's command line on stderr before it "
           "runs");
  Register("help", &help_, "Show this text and exit");
  Register("verbose", &verbose_, "Logging detail: 0 shows LOG/WARNING/ERROR only, N > 0 also "
           "shows VLOG[1..N] lines");
  impl_->registering_standard = false;
}

ParseOptions::~ParseOptions() {}

#define TDNAS_REGISTER_TYPED(T, TYPENAME, EXTRA)                                           \
  void ParseOptions::Register(const std::string &name_in, T *ptr, const std::string &doc) { \
    std::string name = NormalizeName(name_in);                                           \
    impl_->entries.push_back({name, TYPENAME, ValueToString(*ptr), doc,                  \
                              impl_->registering_standard});                             \
    auto *sem = po::value<T>()->notifier([ptr](const T &v) { *ptr = v; });               \
    EXTRA;                                                                                \
    impl_->desc.add_options()(name.c_str(), sem, doc.c_str());                            \
  }

TDNAS_REGISTER_TYPED(bool, "bool", sem->implicit_value(true, "true"))
TDNAS_REGISTER_TYPED(int32_t, "int", (void)0)
TDNAS_REGISTER_TYPED(uint32_t, "uint", (void)0)
TDNAS_REGISTER_TYPED(int64_t, "int64", (void)0)
TDNAS_REGISTER_TYPED(float, "float", (void)0)
TDNAS_REGISTER_TYPED(double, "double", (void)0)
#undef TDNAS_REGISTER_TYPED

// Boost refuses "--x=" (an empty value); Kaldi allows it for strings. Read() rewrites such
// arguments to carry this marker, which the notifier turns back into "".
static const char kEmptyValueMarker[] = "\x01tdnas-empty\x01";

// "--num_mel_bins=" -> "--num-mel-bins=<marker>": hyphenated name, empty value made visible.
static std::string NormalizeArg(const std::string &arg) {
  size_t eq = arg.find('=');
  std::string out = "--" + NormalizeName(arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2));
  if (eq == std::string::npos) return out;
  std::string value = arg.substr(eq + 1);
  return out + "=" + (value.empty() ? std::string(kEmptyValueMarker) : value);
}

void ParseOptions::Register(const std::string &name_in, std::string *ptr, const std::string &doc) {
  std::string name = NormalizeName(name_in);
  impl_->entries.push_back({name, "string", ValueToString(*ptr), doc, impl_->registering_standard});
  auto *sem = po::value<std::string>()->notifier([ptr](const std::string &v) {
    *ptr = (v == kEmptyValueMarker) ? std::string() : v;
  });
  impl_->desc.add_options()(name.c_str(), sem, doc.c_str());
}

std::string ParseOptions::UsageText() const {
  std::ostringstream os;
  os << "\n" << usage_ << "\n";
  auto section = [&](bool standard, const char *title) {
    bool any = false;
    for (const auto &e : impl_->entries)
      if (e.standard == standard) any = true;
    if (!any) return;
    os << title << ":\n";
    for (const auto &e : impl_->entries) {
      if (e.standard != standard) continue;
      char buf[64];
      std::snprintf(buf, sizeof(buf), "  --%-25s : ", e.name.c_str());
      os << buf << e.doc << " (" << e.type << ", default = " << e.default_value << ")\n";
    }
    os << "\n";
  };
  section(false, "Options");
  section(true, "Standard options");
  return os.str();
}

void ParseOptions::PrintUsage(bool print_command_line) const {
  std::cerr << UsageText();
  if (print_command_line) std::cerr << "Command line was: " << command_line_ << "\n";
}

int ParseOptions::Read(int argc, const char *const *argv) {
  SetProgramName(argv[0]);
  command_line_.clear();
  for (int i = 0; i < argc; i++) command_line_ += QuoteForShell(argv[i]) + " ";

  // Options come first; the first positional argument (or "--") ends them (Kaldi's rule).
  std::vector<std::string> option_args, configs;
  positional_.clear();
  int i = 1;
  for (; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--") { i++; break; }
    if (a.size() <= 2 || a.compare(0, 2, "--") != 0) break;
    if (a.compare(0, 9, "--config=") == 0 && a.size() > 9) {
      configs.push_back(a.substr(9));
    } else {
      option_args.push_back(NormalizeArg(a));
    }
  }
  for (; i < argc; i++) positional_.push_back(argv[i]);

  // Apply config files in order, then the command line: each option is stored on its own,
  // so the last value seen wins (Boost alone would refuse repeats).
  auto apply = [&](const std::vector<std::string> &args, const std::string &source) {
    po::parsed_options parsed(&impl_->desc);
    try {
      parsed = po::command_line_parser(args)
                   .options(impl_->desc)
                   .style(po::command_line_style::allow_long |
                          po::command_line_style::long_allow_adjacent)
                   .run();
    } catch (const po::error &e) {
      PrintUsage(true);
      TD_ERR << "Invalid option in " << source << ": " << e.what();
    }
    for (const po::option &opt : parsed.options) {
      po::parsed_options one(&impl_->desc);
      one.options.push_back(opt);
      po::variables_map vm;
      try {
        po::store(one, vm);
        po::notify(vm);
      } catch (const po::error &e) {
        PrintUsage(true);
        TD_ERR << "Invalid option value in " << source << ": " << e.what();
      }
    }
  };
  for (const auto &cfg : configs) {
    std::vector<std::string> lines = ReadConfigFile(cfg);
    for (auto &l : lines) l = NormalizeArg(l);
    apply(lines, "config file " + cfg);
  }
  apply(option_args, "command line");

  SetVerboseLevel(verbose_);
  if (help_) {
    PrintUsage();
    std::exit(0);
  }
  if (print_args_) std::cerr << command_line_ << "\n";
  return NumArgs();
}

std::string ParseOptions::GetArg(int i) const {
  if (i < 1 || i > NumArgs()) TD_ERR << "ParseOptions::GetArg: invalid index " << i;
  return positional_[i - 1];
}

std::string ParseOptions::GetOptArg(int i) const {
  return (i >= 1 && i <= NumArgs()) ? positional_[i - 1] : std::string();
}

}  // namespace tdnas
