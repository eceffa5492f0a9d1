// main-wrapper.cc: see main-wrapper.h.
#include "util/main-wrapper.h"

#include <csignal>
#include <exception>
#include <new>

#include "base/log.h"

namespace tdnas {

int RunMain(int argc, char *argv[], const std::function<int()> &body) {
  SetProgramName(argv[0]);
  try {
    return body();
  } catch (const FatalError &e) {
    EmitLogLine("ERROR", e.location(), e.what());
  } catch (const std::bad_alloc &e) {
    EmitLogLine("ERROR", MakeLocation("main", __FILE__, __LINE__),
                "Out of memory (std::bad_alloc); try smaller batches or fewer threads.");
  } catch (const std::exception &e) {
    EmitLogLine("ERROR", MakeLocation("main", __FILE__, __LINE__),
                std::string("Unexpected exception: ") + e.what());
  }
  return 1;
}

}  // namespace tdnas
