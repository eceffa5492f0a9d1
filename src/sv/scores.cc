// scores.cc: score-file parsing and radix sorting of scores (see scores.h).
#include "sv/scores.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "base/log.h"

namespace tdnas {

namespace {

inline bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Powers of ten that are exact in float (5^10 < 2^24).
const float kPow10[] = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f};

// Splits [begin, end) into at most `max` fields separated by blanks. Returns the number of
// fields found (max + 1 means "more than max").
int SplitFields(const char *begin, const char *end, int max, const char **fb, const char **fe) {
  int n = 0;
  const char *p = begin;
  while (true) {
    while (p < end && IsBlank(*p)) p++;
    if (p == end) return n;
    if (n == max) return max + 1;
    fb[n] = p;
    while (p < end && !IsBlank(*p)) p++;
    fe[n] = p;
    n++;
  }
}

[[noreturn]] void BadLine(const std::string &name, int64 line_no, const char *b, const char *e,
                          const char *expected) {
  TD_ERR << "Line " << line_no << " '" << std::string(b, e) << "' in " << name
         << " does not have the expected format: " << expected;
  std::abort();  // not reached: TD_ERR throws
}

// Calls per_block(begin, end) on successive pieces of `is`, each made of whole lines (the last
// piece may end without '\n'), read in large blocks.
template <class F> void ForEachBlock(std::istream &is, F per_block) {
  const size_t kBlock = size_t(1) << 23;
  std::vector<char> buf(kBlock);
  size_t have = 0;
  while (true) {
    if (have == buf.size()) buf.resize(buf.size() * 2);  // a line longer than the buffer
    is.read(buf.data() + have, static_cast<std::streamsize>(buf.size() - have));
    size_t got = static_cast<size_t>(is.gcount());
    size_t total = have + got;
    if (got == 0) {  // end of stream
      if (total > 0) per_block(buf.data(), buf.data() + total);
      break;
    }
    const char *last_nl = static_cast<const char *>(memrchr(buf.data(), '\n', total));
    size_t used = last_nl ? static_cast<size_t>(last_nl - buf.data()) + 1 : 0;
    if (used > 0) per_block(buf.data(), buf.data() + used);
    have = total - used;
    std::memmove(buf.data(), buf.data() + used, have);
  }
  if (is.bad()) TD_ERR << "Read error while reading text lines";
}

// Calls per_line(begin, end, line_no) for every line of `is` (without its '\n').
template <class F> void ForEachLine(std::istream &is, F per_line) {
  int64 line_no = 0;
  ForEachBlock(is, [&](const char *p, const char *end) {
    while (p < end) {
      const char *nl = static_cast<const char *>(std::memchr(p, '\n', end - p));
      const char *le = nl ? nl : end;
      per_line(p, le, ++line_no);
      p = le + 1;
    }
  });
}

}  // namespace

bool ParseScore(const char *begin, const char *end, float *out) {
  // Fast path: [-]digits[.digits][e[+-]digits] whose value is m * 10^k with m < 2^24 and
  // |k| <= 10. Then m and 10^|k| are exact floats and one IEEE multiply or divide rounds
  // correctly, i.e. gives exactly what strtof gives.
  const char *p = begin;
  bool neg = false;
  if (p < end && *p == '-') { neg = true; p++; }
  uint64 m = 0;
  int digits = 0, frac = 0;
  bool any = false;
  while (p < end && *p >= '0' && *p <= '9') {
    if (m < (uint64(1) << 40)) m = m * 10 + (*p - '0'); else digits = 100;
    p++;
    any = true;
  }
  if (p < end && *p == '.') {
    p++;
    while (p < end && *p >= '0' && *p <= '9') {
      if (m < (uint64(1) << 40)) m = m * 10 + (*p - '0'); else digits = 100;
      frac++;
      p++;
      any = true;
    }
  }
  int exp10 = 0;
  bool ok = any && digits == 0;
  if (ok && p < end && (*p == 'e' || *p == 'E')) {
    p++;
    bool eneg = false;
    if (p < end && (*p == '+' || *p == '-')) eneg = *p++ == '-';
    int e = 0;
    bool edig = false;
    while (p < end && *p >= '0' && *p <= '9' && e < 1000) { e = e * 10 + (*p++ - '0'); edig = true; }
    ok = edig;
    exp10 = eneg ? -e : e;
  }
  if (ok && p == end && m <= (uint64(1) << 24)) {
    int k = exp10 - frac;
    if (k >= -10 && k <= 10) {
      float v = static_cast<float>(m);
      v = k >= 0 ? v * kPow10[k] : v / kPow10[-k];
      *out = neg ? -v : v;
      return true;
    }
  }
  // Everything else (long mantissas, "inf", "nan", a leading '+', ...): strtof.
  std::string tok(begin, end);
  if (tok.empty() || IsBlank(tok[0])) return false;
  char *stop = nullptr;
  float v = std::strtof(tok.c_str(), &stop);
  if (stop != tok.c_str() + tok.size()) return false;
  *out = v;
  return true;
}

namespace {
void ParseScoreLabelLine(const char *b, const char *e, int64 line_no, const std::string &name,
                         std::vector<float> *target, std::vector<float> *nontarget) {
  const char *fb[2], *fe[2];
  if (SplitFields(b, e, 2, fb, fe) != 2) BadLine(name, line_no, b, e, "<score> target|nontarget");
  float score;
  if (!ParseScore(fb[0], fe[0], &score))
    TD_ERR << "Line " << line_no << " '" << std::string(b, e) << "' in " << name
           << ": bad score " << std::string(fb[0], fe[0]);
  size_t len = fe[1] - fb[1];
  if (len == 6 && std::memcmp(fb[1], "target", 6) == 0) target->push_back(score);
  else if (len == 9 && std::memcmp(fb[1], "nontarget", 9) == 0) nontarget->push_back(score);
  else BadLine(name, line_no, b, e, "<score> target|nontarget");
}
}  // namespace

namespace {
// The common line "<plain decimal> target|nontarget\n" (e.g. "%.6f" scores), parsed in one
// pass: returns the position after the '\n', or null if the line is anything else (the caller
// then takes the general path). Same values as ParseScore's fast path.
inline const char *ScanSimpleLine(const char *p, const char *end, float *score, bool *target) {
  const char *q = p;
  bool neg = false;
  if (q < end && *q == '-') { neg = true; q++; }
  uint32 m = 0;
  int nd = 0, frac = 0;
  while (q < end && static_cast<unsigned>(*q - '0') < 10 && nd < 9) { m = m * 10 + (*q++ - '0'); nd++; }
  if (q < end && *q == '.') {
    q++;
    while (q < end && static_cast<unsigned>(*q - '0') < 10 && nd < 9) {
      m = m * 10 + (*q++ - '0');
      nd++;
      frac++;
    }
  }
  if (nd == 0 || m > (1u << 24) || frac > 8 || q == end || *q != ' ') return nullptr;
  while (q < end && *q == ' ') q++;
  if (end - q >= 7 && std::memcmp(q, "target\n", 7) == 0) {
    *target = true;
    q += 7;
  } else if (end - q >= 10 && std::memcmp(q, "nontarget\n", 10) == 0) {
    *target = false;
    q += 10;
  } else {
    return nullptr;
  }
  float v = static_cast<float>(m);
  if (frac) v /= kPow10[frac];
  *score = neg ? -v : v;
  return q;
}

void ParseScoreLabelBlock(const char *p, const char *end, const std::string &name,
                          int64 *line_no, std::vector<float> *target, std::vector<float> *nontarget) {
  while (p < end) {
    float score;
    bool is_target;
    const char *next = ScanSimpleLine(p, end, &score, &is_target);
    ++*line_no;
    if (next) {
      (is_target ? target : nontarget)->push_back(score);
      p = next;
      continue;
    }
    const char *nl = static_cast<const char *>(std::memchr(p, '\n', end - p));
    const char *le = nl ? nl : end;
    ParseScoreLabelLine(p, le, *line_no, name, target, nontarget);
    p = le + 1;
  }
}
}  // namespace

void ParseScoreLabels(const char *data, size_t size, const std::string &name,
                      std::vector<float> *target, std::vector<float> *nontarget) {
  int64 line_no = 0;
  ParseScoreLabelBlock(data, data + size, name, &line_no, target, nontarget);
}

void ReadScoreLabels(std::istream &is, const std::string &name, std::vector<float> *target,
                     std::vector<float> *nontarget) {
  int64 line_no = 0;
  ForEachBlock(is, [&](const char *b, const char *e) {
    ParseScoreLabelBlock(b, e, name, &line_no, target, nontarget);
  });
}

void ReadTrialScores(std::istream &is, const std::string &name, std::vector<TrialScore> *out) {
  ForEachLine(is, [&](const char *b, const char *e, int64 line_no) {
    const char *fb[3], *fe[3];
    if (SplitFields(b, e, 3, fb, fe) != 3) BadLine(name, line_no, b, e, "<enroll> <test> <score>");
    TrialScore t;
    if (!ParseScore(fb[2], fe[2], &t.score))
      TD_ERR << "Line " << line_no << " '" << std::string(b, e) << "' in " << name
             << ": bad score " << std::string(fb[2], fe[2]);
    t.enroll.assign(fb[0], fe[0]);
    t.test.assign(fb[1], fe[1]);
    out->push_back(std::move(t));
  });
}

// LSD radix sort, three passes of 11 bits over keys that order like the floats: negative
// floats have all bits flipped, positive ones the sign bit set.
void SortScores(std::vector<float> *scores) {
  const size_t n = scores->size();
  if (n < 256) {
    for (float f : *scores)
      if (f != f) TD_ERR << "SortScores: NaN score";
    std::sort(scores->begin(), scores->end());
    return;
  }
  std::vector<uint32> keys(n), tmp(n);
  std::memcpy(keys.data(), scores->data(), n * sizeof(float));
  const int kBits = 11, kBuckets = 1 << kBits;
  std::vector<size_t> hist(3 * kBuckets, 0);
  for (size_t i = 0; i < n; i++) {
    uint32 u = keys[i];
    if ((u & 0x7fffffffu) > 0x7f800000u) TD_ERR << "SortScores: NaN score";
    u = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
    keys[i] = u;
    hist[u & (kBuckets - 1)]++;
    hist[kBuckets + ((u >> kBits) & (kBuckets - 1))]++;
    hist[2 * kBuckets + (u >> (2 * kBits))]++;
  }
  uint32 *src = keys.data(), *dst = tmp.data();
  for (int pass = 0; pass < 3; pass++) {
    size_t *h = hist.data() + pass * kBuckets;
    int shift = pass * kBits;
    bool trivial = false;
    for (int b = 0; b < kBuckets; b++)
      if (h[b] == n) trivial = true;  // every key in one bucket: this pass changes nothing
    if (trivial) continue;
    size_t sum = 0;
    for (int b = 0; b < kBuckets; b++) {
      size_t c = h[b];
      h[b] = sum;
      sum += c;
    }
    for (size_t i = 0; i < n; i++) {
      uint32 u = src[i];
      dst[h[(u >> shift) & (kBuckets - 1)]++] = u;
    }
    std::swap(src, dst);
  }
  for (size_t i = 0; i < n; i++) {
    uint32 u = src[i];
    src[i] = (u & 0x80000000u) ? (u & 0x7fffffffu) : ~u;
  }
  std::memcpy(scores->data(), src, n * sizeof(float));
}

}  // namespace tdnas
