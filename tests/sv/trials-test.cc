// Tests of trial lists: Kaldi and VoxCeleb formats, id conversion, errors, round trip.
#include "sv/trials.h"

#include <gtest/gtest.h>

#include <sstream>

#include "base/log.h"

namespace tdnas {
namespace {

TEST(Trials, VoxCelebPathToUttId) {
  EXPECT_EQ(VoxCelebPathToUttId("id10270/x6uYqmx31kE/00001.wav"), "id10270-x6uYqmx31kE-00001");
  EXPECT_EQ(VoxCelebPathToUttId("id00012/21Uxsk56VDQ/00001.m4a"), "id00012-21Uxsk56VDQ-00001");
  EXPECT_EQ(VoxCelebPathToUttId("a.b/c"), "a.b-c");  // a dot in a directory is kept
  EXPECT_THROW(VoxCelebPathToUttId(".wav"), FatalError);
}

TEST(Trials, ReadsBothFormats) {
  std::istringstream is(
      "spk1-u1 spk1-u2 target\n"
      "spk1-u1 spk2-u1 nontarget\n"
      "\n"
      "1 id10270/x6uYqmx31kE/00001.wav id10270/8jEAjG6SegY/00008.wav\n"
      "0 id10270/x6uYqmx31kE/00001.wav id10300/ize_eiCFEg0/00003.wav\r\n");
  std::vector<Trial> trials;
  ReadTrials(is, "trials", &trials);
  ASSERT_EQ(trials.size(), 4u);
  EXPECT_EQ(trials[0], (Trial{"spk1-u1", "spk1-u2", true}));
  EXPECT_EQ(trials[1], (Trial{"spk1-u1", "spk2-u1", false}));
  EXPECT_EQ(trials[2], (Trial{"id10270-x6uYqmx31kE-00001", "id10270-8jEAjG6SegY-00008", true}));
  EXPECT_EQ(trials[3], (Trial{"id10270-x6uYqmx31kE-00001", "id10300-ize_eiCFEg0-00003", false}));
  std::ostringstream os;
  WriteTrials(os, trials);
  std::istringstream again(os.str());
  std::vector<Trial> back;
  ReadTrials(again, "again", &back);
  EXPECT_EQ(back, trials);
  EXPECT_EQ(os.str().substr(0, 24), "spk1-u1 spk1-u2 target\ns");
}

TEST(Trials, MalformedLinesAreErrors) {
  for (const char *bad : {"a b\n", "a b maybe\n", "2 a.wav b.wav\n", "a b target extra\n"}) {
    std::istringstream is(bad);
    std::vector<Trial> t;
    EXPECT_THROW(ReadTrials(is, "bad", &t), FatalError) << bad;
  }
}

}  // namespace
}  // namespace tdnas
