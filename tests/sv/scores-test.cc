// Tests of score-file parsing (float values identical to strtof, Kaldi's line rules, errors,
// lines across read blocks) and of the radix sort (same order as std::sort).
#include "sv/scores.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>

namespace tdnas {
namespace {

float Parse(const std::string &s) {
  float f = -12345;
  EXPECT_TRUE(ParseScore(s.data(), s.data() + s.size(), &f)) << s;
  return f;
}

bool SameBits(float a, float b) { return std::memcmp(&a, &b, 4) == 0; }

TEST(Scores, ParseScoreEqualsStrtof) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> u(-50, 50);
  const char *formats[] = {"%.6f", "%.1f", "%g", "%.9g", "%.3e", "%.17g", "%.0f", "%.10f"};
  char buf[64];
  for (int i = 0; i < 200000; i++) {
    double v = u(rng) * std::pow(10.0, static_cast<int>(rng() % 9) - 4);
    std::snprintf(buf, sizeof(buf), formats[i % 8], v);
    float want = std::strtof(buf, nullptr);
    ASSERT_TRUE(SameBits(Parse(buf), want)) << buf;
  }
  for (const char *s : {"0", "-0", "-0.0", "1e10", "16777216", "16777217", "0.1", "+1.5", "1E-3",
                        "inf", "-inf", "3.4028235e38", "1e-45", ".5", "5.", "123456789.123"})
    EXPECT_TRUE(SameBits(Parse(s), std::strtof(s, nullptr))) << s;
  float f;
  for (const char *s : {"", "-", "abc", "1.5x", "1..5", "1e", "--1", " 1", "1 "})
    EXPECT_FALSE(ParseScore(s, s + std::strlen(s), &f)) << "'" << s << "'";
}

void ReadString(const std::string &text, std::vector<float> *t, std::vector<float> *n) {
  std::istringstream is(text);
  ReadScoreLabels(is, "test", t, n);
}

TEST(Scores, ScoreLabelLines) {
  std::vector<float> t, n;
  ReadString("1.5 target\n-2 nontarget\n\t3\t  target  \n0.25 nontarget", &t, &n);
  EXPECT_EQ(t, (std::vector<float>{1.5f, 3.0f}));
  EXPECT_EQ(n, (std::vector<float>{-2.0f, 0.25f}));
  // In memory, the same rules.
  std::string text = "1 target\n2 nontarget\n";
  std::vector<float> t2, n2;
  ParseScoreLabels(text.data(), text.size(), "mem", &t2, &n2);
  EXPECT_EQ(t2.size(), 1u);
  EXPECT_EQ(n2.size(), 1u);
  // Kaldi's errors: wrong field count, an empty line, an unknown label, a bad number, CRLF.
  for (const char *bad : {"1.5\n", "1.5 target x\n", "1 target\n\n2 target\n", "1 Target\n",
                          "x target\n", "1 target\r\n"}) {
    std::vector<float> a, b;
    EXPECT_THROW(ReadString(bad, &a, &b), FatalError) << bad;
  }
}

TEST(Scores, LinesAcrossReadBlocks) {
  // More than one 8 MiB read block, with a long line straddling each boundary.
  std::string text;
  std::vector<float> want_t, want_n;
  std::mt19937 rng(2);
  char buf[64];
  while (text.size() < (size_t(1) << 24) + 1000) {
    float v = static_cast<float>(static_cast<int>(rng() % 2000000) - 1000000) / 1000;
    bool tar = rng() % 7 == 0;
    std::snprintf(buf, sizeof(buf), "%.3f%s%s\n", v, rng() % 50 ? " " : "      \t ",
                  tar ? "target" : "nontarget");
    text += buf;
    (tar ? want_t : want_n).push_back(std::strtof(buf, nullptr));
  }
  std::vector<float> t, n;
  ReadString(text, &t, &n);
  EXPECT_EQ(t, want_t);
  EXPECT_EQ(n, want_n);
}

TEST(Scores, TrialScores) {
  std::istringstream is("a b 0.5\nc\td  -1e-3\n");
  std::vector<TrialScore> out;
  ReadTrialScores(is, "s", &out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].enroll, "c");
  EXPECT_EQ(out[1].test, "d");
  EXPECT_EQ(out[1].score, -1e-3f);
  std::istringstream bad("a b\n");
  EXPECT_THROW(ReadTrialScores(bad, "s", &out), FatalError);
}

TEST(Scores, SortScoresMatchesStdSort) {
  std::mt19937 rng(3);
  for (size_t size : {0, 1, 5, 255, 256, 1000, 100000}) {
    for (int kind = 0; kind < 4; kind++) {
      std::vector<float> v(size);
      for (float &x : v) {
        if (kind == 0) x = std::normal_distribution<float>(0, 3)(rng);
        if (kind == 1) x = static_cast<float>(static_cast<int>(rng() % 21) - 10);  // ties
        if (kind == 2) x = std::uniform_real_distribution<float>(1, 2)(rng);       // one exponent
        if (kind == 3) {
          uint32 bits = rng();
          std::memcpy(&x, &bits, 4);
          if (x != x) x = std::numeric_limits<float>::infinity();
        }
      }
      if (size > 2) v[1] = -std::numeric_limits<float>::infinity();
      std::vector<float> want(v);
      std::sort(want.begin(), want.end());
      SortScores(&v);
      ASSERT_EQ(v, want) << size << " " << kind;  // -0 == +0 compare equal here
    }
  }
  std::vector<float> nan(1000, 1.0f);
  nan[500] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(SortScores(&nan), FatalError);
}

}  // namespace
}  // namespace tdnas
