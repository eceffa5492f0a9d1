// options-itf.h: the interface option structs register themselves with.
// Library code depends on this header only, never on the argument parser, so components
// (FbankOptions, TrainOptions, ...) can be filled from a command line, a config file or a
// test without pulling in Boost.
#ifndef TDNAS_UTIL_OPTIONS_ITF_H_
#define TDNAS_UTIL_OPTIONS_ITF_H_

#include <cstdint>
#include <string>

namespace tdnas {

class OptionsItf {
 public:
  // `name` is the Kaldi-style hyphenated name without "--"; the current value of *ptr is
  // the default shown by --help.
  virtual void Register(const std::string &name, bool *ptr, const std::string &doc) = 0;
  virtual void Register(const std::string &name, int32_t *ptr, const std::string &doc) = 0;
  virtual void Register(const std::string &name, uint32_t *ptr, const std::string &doc) = 0;
  virtual void Register(const std::string &name, int64_t *ptr, const std::string &doc) = 0;
  virtual void Register(const std::string &name, float *ptr, const std::string &doc) = 0;
  virtual void Register(const std::string &name, double *ptr, const std::string &doc) = 0;
  virtual void Register(const std::string &name, std::string *ptr, const std::string &doc) = 0;
  virtual ~OptionsItf() {}
};

}  // namespace tdnas

#endif  // TDNAS_UTIL_OPTIONS_ITF_H_
