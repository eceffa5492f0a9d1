// table-spec.cc: see table-spec.h.
#include "util/table-spec.h"

#include <vector>

#include "base/log.h"
#include "util/kaldi-io.h"
#include "util/text-utils.h"

namespace tdnas {

static void SetError(std::string *error, const std::string &msg) {
  if (error) *error = msg;
}

RspecifierType ClassifyRspecifier(const std::string &spec, std::string *rxfilename,
                                  RspecifierOptions *opts_out, std::string *error) {
  RspecifierOptions opts;
  std::string dummy;
  if (!rxfilename) rxfilename = &dummy;
  rxfilename->clear();
  size_t colon = spec.find(':');
  if (colon == std::string::npos) {
    SetError(error, "no ':' (expected e.g. ark:foo.ark or scp:foo.scp)");
    return RspecifierType::kNone;
  }
  std::vector<std::string> parts;
  SplitStringToVector(spec.substr(0, colon), ",", false, &parts);
  RspecifierType type = RspecifierType::kNone;
  for (const std::string &p : parts) {
    if (p == "ark" || p == "scp") {
      if (type != RspecifierType::kNone) {
        SetError(error, "more than one of ark/scp before the ':'");
        return RspecifierType::kNone;
      }
      type = p == "ark" ? RspecifierType::kArchive : RspecifierType::kScript;
    } else if (p == "o") opts.once = true;
    else if (p == "no") opts.once = false;
    else if (p == "s") opts.sorted = true;
    else if (p == "ns") opts.sorted = false;
    else if (p == "cs") opts.called_sorted = true;
    else if (p == "ncs") opts.called_sorted = false;
    else if (p == "p") opts.permissive = true;
    else if (p == "np") opts.permissive = false;
    else if (p == "bg") opts.background = true;
    else if (p == "b" || p == "t") {}  // binary/text is detected per object
    else {
      SetError(error, "unknown option '" + p + "' (read options: o s cs p bg b t and their "
                      "negations no ns ncs np)");
      return RspecifierType::kNone;
    }
  }
  if (type == RspecifierType::kNone) {
    SetError(error, "neither ark nor scp before the ':'");
    return RspecifierType::kNone;
  }
  std::string file = spec.substr(colon + 1);
  if (ClassifyRxfilename(file) == InputType::kNone) {
    SetError(error, "invalid input filename '" + file + "'");
    return RspecifierType::kNone;
  }
  *rxfilename = file;
  if (opts_out) *opts_out = opts;
  return type;
}

WspecifierType ClassifyWspecifier(const std::string &spec, std::string *archive_wxfilename,
                                  std::string *script_wxfilename, WspecifierOptions *opts_out,
                                  std::string *error) {
  WspecifierOptions opts;
  std::string d1, d2;
  if (!archive_wxfilename) archive_wxfilename = &d1;
  if (!script_wxfilename) script_wxfilename = &d2;
  archive_wxfilename->clear();
  script_wxfilename->clear();
  size_t colon = spec.find(':');
  if (colon == std::string::npos) {
    SetError(error, "no ':' (expected e.g. ark:foo.ark or ark,scp:foo.ark,foo.scp)");
    return WspecifierType::kNone;
  }
  std::vector<std::string> parts;
  SplitStringToVector(spec.substr(0, colon), ",", false, &parts);
  bool ark = false, scp = false;
  for (const std::string &p : parts) {
    if (p == "ark" || p == "scp") {
      bool &flag = p == "ark" ? ark : scp;
      if (flag) {
        SetError(error, "'" + p + "' given twice");
        return WspecifierType::kNone;
      }
      flag = true;
    } else if (p == "b") opts.binary = true;
    else if (p == "t") opts.binary = false;
    else if (p == "f") opts.flush = true;
    else if (p == "nf") opts.flush = false;
    else if (p == "p") opts.permissive = true;
    else {
      SetError(error, "unknown option '" + p + "' (write options: b t f nf p)");
      return WspecifierType::kNone;
    }
  }
  std::string rest = spec.substr(colon + 1);
  WspecifierType type;
  if (ark && scp) {
    // The two filenames are separated by the first comma: "x.ark,x.scp".
    size_t comma = rest.find(',');
    if (comma == std::string::npos) {
      SetError(error, "ark,scp needs two filenames separated by a comma");
      return WspecifierType::kNone;
    }
    *archive_wxfilename = rest.substr(0, comma);
    *script_wxfilename = rest.substr(comma + 1);
    type = WspecifierType::kBoth;
  } else if (ark) {
    *archive_wxfilename = rest;
    type = WspecifierType::kArchive;
  } else if (scp) {
    *script_wxfilename = rest;
    type = WspecifierType::kScript;
  } else {
    SetError(error, "neither ark nor scp before the ':'");
    return WspecifierType::kNone;
  }
  // With scp alone the script is read (key -> wxfilename per line): it is an rxfilename.
  bool bad = (ark && ClassifyWxfilename(*archive_wxfilename) == OutputType::kNone) ||
             (type == WspecifierType::kBoth &&
              ClassifyWxfilename(*script_wxfilename) == OutputType::kNone) ||
             (type == WspecifierType::kScript &&
              ClassifyRxfilename(*script_wxfilename) == InputType::kNone);
  if (bad) {
    SetError(error, "invalid filename in '" + rest + "'");
    archive_wxfilename->clear();
    script_wxfilename->clear();
    return WspecifierType::kNone;
  }
  if (opts_out) *opts_out = opts;
  return type;
}

bool BothTablesOrNeither(const std::string &in, const std::string &out) {
  std::string rerr, werr;
  bool in_table = ClassifyRspecifier(in, nullptr, nullptr, &rerr) != RspecifierType::kNone;
  bool out_table = ClassifyWspecifier(out, nullptr, nullptr, nullptr, &werr) !=
                   WspecifierType::kNone;
  if (in_table == out_table) return in_table;
  if (in_table)
    TD_ERR << "Invalid wspecifier '" << out << "': " << werr << " (the input is a table, so "
           << "the output must be one too)";
  TD_ERR << "Invalid rspecifier '" << in << "': " << rerr << " (the output is a table, so "
         << "the input must be one too)";
  return false;
}

}  // namespace tdnas
