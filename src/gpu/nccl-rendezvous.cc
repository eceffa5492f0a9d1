// nccl-rendezvous.cc: rank/world from the environment and the rendezvous file (see the header).
#include "gpu/nccl-rendezvous.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/log.h"

namespace tdnas {
namespace gpu {

namespace {

const char *Env(const char *name) {
  const char *v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : nullptr;
}

int ParseInt(const char *name, const char *value) {
  char *end = nullptr;
  errno = 0;
  long v = std::strtol(value, &end, 10);
  if (errno != 0 || end == value || *end != '\0' || v < 0 || v > 1000000)
    TD_ERR << "environment variable " << name << "='" << value << "' is not a valid number";
  return static_cast<int>(v);
}

const char kMagic[] = "tdnas-nccl-rendezvous";

std::string Hex(const std::vector<unsigned char> &b) {
  static const char d[] = "0123456789abcdef";
  std::string s;
  for (unsigned char c : b) {
    s += d[c >> 4];
    s += d[c & 15];
  }
  return s;
}

bool FromHex(const std::string &s, std::vector<unsigned char> *b) {
  if (s.size() % 2 != 0) return false;
  b->clear();
  for (size_t i = 0; i < s.size(); i += 2) {
    int v = 0;
    for (int k = 0; k < 2; k++) {
      const char c = s[i + k];
      int x = c >= '0' && c <= '9' ? c - '0' : (c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1);
      if (x < 0) return false;
      v = v * 16 + x;
    }
    b->push_back(static_cast<unsigned char>(v));
  }
  return true;
}

}  // namespace

ProcessRank RankFromEnvironment() {
  static const char *const kPairs[][2] = {{"TDNAS_RANK", "TDNAS_WORLD"},
                                          {"SLURM_PROCID", "SLURM_NTASKS"},
                                          {"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"},
                                          {"PMI_RANK", "PMI_SIZE"}};
  ProcessRank pr;
  for (const auto &p : kPairs) {
    const char *r = Env(p[0]), *w = Env(p[1]);
    if (r == nullptr && w == nullptr) continue;
    if (r == nullptr || w == nullptr)
      TD_ERR << (r ? p[0] : p[1]) << " is set but " << (r ? p[1] : p[0])
             << " is not: the launcher must set both";
    pr.rank = ParseInt(p[0], r);
    pr.world = ParseInt(p[1], w);
    pr.source = std::string(p[0]) + "/" + p[1];
    if (pr.world < 1 || pr.rank >= pr.world)
      TD_ERR << pr.source << " = " << pr.rank << "/" << pr.world
             << ": need 0 <= rank < world size";
    return pr;
  }
  return pr;
}

std::string RendezvousKey() {
  if (const char *k = Env("TDNAS_RENDEZVOUS_KEY")) return k;
  if (const char *j = Env("SLURM_JOB_ID")) {
    const char *s = Env("SLURM_STEP_ID");
    return std::string(j) + "." + (s ? s : "0");
  }
  if (const char *n = Env("PMIX_NAMESPACE")) return n;
  return "";
}

std::string RendezvousFile(const std::string &path) {
  std::string p = path;
  if (p.empty() && Env("TDNAS_RENDEZVOUS")) p = Env("TDNAS_RENDEZVOUS");
  if (p.empty())
    TD_ERR << "multi-process training needs a rendezvous file on a filesystem every rank "
              "sees: set TDNAS_RENDEZVOUS (utils/launch_gpus.sh does) or --rendezvous=DIR "
              "(e.g. the experiment directory)";
  struct stat st;
  const bool is_dir = p.back() == '/' || (stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode));
  if (!is_dir) return p;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  std::string key = RendezvousKey();
  for (char &c : key)
    if (!isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  return p + "/tdnas-nccl-id" + (key.empty() ? "" : "." + key);
}

void WriteRendezvous(const std::string &file, int world, const std::string &key,
                     const std::vector<unsigned char> &id) {
  const std::string tmp = file + ".tmp." + std::to_string(getpid());
  {
    std::ofstream os(tmp);
    if (!os)
      TD_ERR << "rank 0: cannot write the rendezvous file " << tmp << ": " << strerror(errno)
             << " (its directory must exist and be writable)";
    os << kMagic << " 1 world " << world << " key " << (key.empty() ? "-" : key) << "\n"
       << Hex(id) << "\n";
    os.flush();
    if (!os) TD_ERR << "rank 0: error writing the rendezvous file " << tmp;
  }
  if (std::rename(tmp.c_str(), file.c_str()) != 0) {
    const int e = errno;
    std::remove(tmp.c_str());
    TD_ERR << "rank 0: cannot rename " << tmp << " to the rendezvous file " << file << ": "
           << strerror(e);
  }
}

std::vector<unsigned char> ReadRendezvous(const std::string &file, int world,
                                          const std::string &key, size_t expected_bytes,
                                          double timeout_s, int rank) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const std::string want_key = key.empty() ? "-" : key;
  bool saw_stale = false;
  while (true) {
    std::ifstream is(file);
    if (is) {
      std::string magic, ws, kw, file_key, hex;
      int version = 0, file_world = 0;
      is >> magic >> version >> ws >> file_world >> kw >> file_key >> hex;
      std::vector<unsigned char> id;
      if (!is || magic != kMagic || version != 1 || ws != "world" || kw != "key" ||
          !FromHex(hex, &id) || id.size() != expected_bytes)
        TD_ERR << "rank " << rank << ": the rendezvous file " << file
               << " is not one tdnas wrote (or is damaged); remove it and start again";
      if (file_key == want_key) {
        if (file_world != world)
          TD_ERR << "rank " << rank << ": the rendezvous file " << file << " is for "
                 << file_world << " processes, this job has " << world
                 << " (launcher and job disagree)";
        return id;
      }
      saw_stale = true;   // an earlier job's file; rank 0 will replace it
    }
    const double waited = std::chrono::duration<double>(Clock::now() - start).count();
    if (waited >= timeout_s) {
      TD_ERR << "rank " << rank << " of " << world << ": timed out after " << timeout_s
             << " s waiting for the rendezvous file " << file
             << (saw_stale ? " (a file from another job, key != " + want_key + ", is there)"
                           : " (it does not exist)")
             << ": is rank 0 running, and is the path on a filesystem every rank sees? "
                "(--sync-timeout sets the wait)";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace gpu
}  // namespace tdnas
