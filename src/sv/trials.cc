// trials.cc: reading and writing trial lists (see trials.h).
#include "sv/trials.h"

#include <sstream>

#include "base/log.h"
#include "util/text-utils.h"

namespace tdnas {

std::string VoxCelebPathToUttId(const std::string &path) {
  std::string id = path;
  size_t slash = id.rfind('/'), dot = id.rfind('.');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) id.resize(dot);
  for (char &c : id)
    if (c == '/') c = '-';
  if (id.empty()) TD_ERR << "Cannot make an utterance id from path '" << path << "'";
  return id;
}

bool ParseTrialLine(const std::string &line, Trial *trial) {
  std::vector<std::string> f;
  SplitStringToVector(line, " \t\r", true, &f);
  if (f.size() != 3) return false;
  if (f[2] == "target" || f[2] == "nontarget") {
    trial->enroll = f[0];
    trial->test = f[1];
    trial->target = f[2] == "target";
    return true;
  }
  if (f[0] == "1" || f[0] == "0") {
    trial->enroll = VoxCelebPathToUttId(f[1]);
    trial->test = VoxCelebPathToUttId(f[2]);
    trial->target = f[0] == "1";
    return true;
  }
  return false;
}

void ReadTrials(std::istream &is, const std::string &name, std::vector<Trial> *trials) {
  std::string line;
  int64 line_no = 0;
  while (std::getline(is, line)) {
    line_no++;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Trial t;
    if (!ParseTrialLine(line, &t))
      TD_ERR << "Line " << line_no << " '" << line << "' in " << name
             << " is not a trial: expected '<enroll> <test> target|nontarget' or VoxCeleb's "
                "'1|0 <path> <path>'";
    trials->push_back(std::move(t));
  }
  if (is.bad()) TD_ERR << "Read error in " << name;
}

void WriteTrials(std::ostream &os, const std::vector<Trial> &trials) {
  for (const Trial &t : trials)
    os << t.enroll << ' ' << t.test << ' ' << (t.target ? "target" : "nontarget") << '\n';
  if (os.fail()) TD_ERR << "Write error while writing trials";
}

}  // namespace tdnas
