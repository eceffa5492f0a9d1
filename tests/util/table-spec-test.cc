// Tests of util/table-spec.h: the rspecifier / wspecifier grammar.
#include "util/table-spec.h"

#include <gtest/gtest.h>

namespace tdnas {
namespace {

TEST(TableSpec, Rspecifiers) {
  std::string rx, err;
  RspecifierOptions o;
  EXPECT_EQ(ClassifyRspecifier("ark:-", &rx, &o), RspecifierType::kArchive);
  EXPECT_EQ(rx, "-");
  EXPECT_EQ(ClassifyRspecifier("scp:feats.scp", &rx, &o), RspecifierType::kScript);
  EXPECT_EQ(rx, "feats.scp");
  EXPECT_FALSE(o.sorted || o.called_sorted || o.once || o.permissive || o.background);
  EXPECT_EQ(ClassifyRspecifier("ark,s,cs:-", &rx, &o), RspecifierType::kArchive);
  EXPECT_TRUE(o.sorted && o.called_sorted && !o.once);
  EXPECT_EQ(ClassifyRspecifier("o,p,bg,t,b,scp:wav.scp", &rx, &o), RspecifierType::kScript);
  EXPECT_TRUE(o.once && o.permissive && o.background);
  EXPECT_EQ(ClassifyRspecifier("ark,p,np,s,ns:x", &rx, &o), RspecifierType::kArchive);
  EXPECT_FALSE(o.permissive || o.sorted);
  EXPECT_EQ(ClassifyRspecifier("ark:gunzip -c a.gz|", &rx, &o), RspecifierType::kArchive);
  EXPECT_EQ(rx, "gunzip -c a.gz|");
  EXPECT_EQ(ClassifyRspecifier("ark:a.ark:10", &rx, &o), RspecifierType::kArchive);
  EXPECT_EQ(rx, "a.ark:10");
}

TEST(TableSpec, BadRspecifiers) {
  std::string rx, err;
  for (const char *bad : {"foo.ark", "ark,scp:x", "arc:x", "ark,q:x", "s:x", "ark:| cat",
                          "scp: x"}) {
    err.clear();
    EXPECT_EQ(ClassifyRspecifier(bad, &rx, nullptr, &err), RspecifierType::kNone) << bad;
    EXPECT_FALSE(err.empty()) << bad;
  }
  ClassifyRspecifier("ark,zz:x", &rx, nullptr, &err);
  EXPECT_NE(err.find("zz"), std::string::npos);
}

TEST(TableSpec, Wspecifiers) {
  std::string a, s, err;
  WspecifierOptions o;
  EXPECT_EQ(ClassifyWspecifier("ark:-", &a, &s, &o), WspecifierType::kArchive);
  EXPECT_EQ(a, "-");
  EXPECT_TRUE(o.binary && !o.flush);
  EXPECT_EQ(ClassifyWspecifier("ark,t,f:| gzip -c > x.gz", &a, &s, &o), WspecifierType::kArchive);
  EXPECT_EQ(a, "| gzip -c > x.gz");
  EXPECT_TRUE(!o.binary && o.flush);
  EXPECT_EQ(ClassifyWspecifier("ark,scp:x.ark,x.scp", &a, &s, &o), WspecifierType::kBoth);
  EXPECT_EQ(a, "x.ark");
  EXPECT_EQ(s, "x.scp");
  EXPECT_EQ(ClassifyWspecifier("scp,ark,t,nf:x.ark,x.scp", &a, &s, &o), WspecifierType::kBoth);
  EXPECT_TRUE(!o.binary && !o.flush);
  EXPECT_EQ(ClassifyWspecifier("scp,p:out.scp", &a, &s, &o), WspecifierType::kScript);
  EXPECT_EQ(s, "out.scp");
  EXPECT_TRUE(o.permissive);
}

TEST(TableSpec, BadWspecifiers) {
  std::string a, s, err;
  for (const char *bad : {"x.ark", "ark,scp:x.ark", "ark,s:x", "t:x", "ark:cat |",
                          "ark,ark:x", "ark:x.ark "}) {
    err.clear();
    EXPECT_EQ(ClassifyWspecifier(bad, &a, &s, nullptr, &err), WspecifierType::kNone) << bad;
    EXPECT_FALSE(err.empty()) << bad;
  }
}

}  // namespace
}  // namespace tdnas
