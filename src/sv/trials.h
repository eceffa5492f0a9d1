// trials.h: trial lists (which enrollment/test pairs to score, and whether each is a target).
//
// Kaldi format:    "<enroll> <test> target|nontarget" per line (kaldi-compat.md section 1).
// VoxCeleb format: "1|0 <spk/video/name.wav> <spk/video/name.wav>" (veri_test2.txt etc.);
//                  1 = target; paths become utterance ids "spk-video-name" (section 6).
// ReadTrials accepts both, line by line, so a downloaded VoxCeleb list can be used directly.
#ifndef TDNAS_SV_TRIALS_H_
#define TDNAS_SV_TRIALS_H_

#include <istream>
#include <ostream>
#include <string>
#include <vector>

namespace tdnas {

struct Trial {
  std::string enroll, test;
  bool target = false;
  bool operator==(const Trial &o) const {
    return enroll == o.enroll && test == o.test && target == o.target;
  }
};

// "id10270/x6uYqmx31kE/00001.wav" -> "id10270-x6uYqmx31kE-00001": the extension is dropped
// and '/' becomes '-'. TD_ERR on an empty result.
std::string VoxCelebPathToUttId(const std::string &path);

// Parses one line in either format. False (with *trial untouched) if it is neither.
bool ParseTrialLine(const std::string &line, Trial *trial);

// Reads all lines (blank lines skipped). TD_ERR naming the line on a malformed one.
void ReadTrials(std::istream &is, const std::string &name, std::vector<Trial> *trials);

// Writes Kaldi-format lines "<enroll> <test> target|nontarget".
void WriteTrials(std::ostream &os, const std::vector<Trial> &trials);

}  // namespace tdnas

#endif  // TDNAS_SV_TRIALS_H_
