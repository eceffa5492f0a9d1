// main-wrapper.h: the one try/catch every binary's main() runs in.
//
//   int main(int argc, char *argv[]) {
//     return tdnas::RunMain(argc, argv, [&]() -> int { ...; return 0; });
//   }
// A FatalError becomes "ERROR (prog[ver]:func():file:line) msg" and exit status 1; any other
// exception an ERROR line too. Never a crash, never status >= 128 from our own code.
#ifndef TDNAS_UTIL_MAIN_WRAPPER_H_
#define TDNAS_UTIL_MAIN_WRAPPER_H_

#include <functional>

namespace tdnas {

int RunMain(int argc, char *argv[], const std::function<int()> &body);

}  // namespace tdnas

#endif  // TDNAS_UTIL_MAIN_WRAPPER_H_
