// Tests of Kaldi-style option parsing (util/parse-options.h).
#include "util/parse-options.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <vector>

#include "base/log.h"

namespace tdnas {
namespace {

struct Opts {
  int32_t num_bins = 23;
  float freq = 16000;
  bool snip = true;
  bool energy = false;
  std::string name = "povey";
  void Register(OptionsItf *po) {
    po->Register("num-mel-bins", &num_bins, "bins");
    po->Register("sample-frequency", &freq, "Hz");
    po->Register("snip-edges", &snip, "snip");
    po->Register("use-energy", &energy, "energy");
    po->Register("window-type", &name, "window");
  }
};

int Parse(ParseOptions *po, std::vector<std::string> args) {
  args.insert(args.begin(), "prog");
  args.insert(args.begin() + 1, "--print-args=false");
  std::vector<const char *> argv;
  for (auto &a : args) argv.push_back(a.c_str());
  return po->Read(static_cast<int>(argv.size()), argv.data());
}

TEST(ParseOptions, ValuesBareBooleansAndPositionals) {
  ParseOptions po("usage");
  Opts o;
  o.Register(&po);
  int n = Parse(&po, {"--num-mel-bins=80", "--use-energy", "--snip-edges=false",
                      "--window_type=hamming", "--sample-frequency=8000", "scp:a.scp", "-"});
  EXPECT_EQ(n, 2);
  EXPECT_EQ(o.num_bins, 80);
  EXPECT_TRUE(o.energy);
  EXPECT_FALSE(o.snip);
  EXPECT_EQ(o.name, "hamming");
  EXPECT_EQ(o.freq, 8000);
  EXPECT_EQ(po.GetArg(1), "scp:a.scp");
  EXPECT_EQ(po.GetArg(2), "-");
  EXPECT_EQ(po.GetOptArg(3), "");
}

TEST(ParseOptions, OptionsEndAtFirstPositionalAndLastValueWins) {
  ParseOptions po("usage");
  Opts o;
  o.Register(&po);
  int n = Parse(&po, {"--num-mel-bins=40", "--num-mel-bins=50", "in", "--num-mel-bins=60"});
  EXPECT_EQ(n, 2);
  EXPECT_EQ(o.num_bins, 50);
  EXPECT_EQ(po.GetArg(2), "--num-mel-bins=60");
}

TEST(ParseOptions, EmptyStringValue) {
  ParseOptions po("usage");
  Opts o;
  o.Register(&po);
  Parse(&po, {"--window-type=", "x"});
  EXPECT_EQ(o.name, "");
}

TEST(ParseOptions, ConfigFilesCommandLineWins) {
  char path1[] = "/tmp/tdnas-po-XXXXXX", path2[] = "/tmp/tdnas-po-XXXXXX";
  close(mkstemp(path1));
  close(mkstemp(path2));
  std::ofstream(path1) << "# comment\n--num-mel-bins=30\n--use-energy=true\n  --window-type=hann # trailing\n";
  std::ofstream(path2) << "--num-mel-bins=31\n--sample-frequency=8000\n";
  ParseOptions po("usage");
  Opts o;
  o.Register(&po);
  Parse(&po, {std::string("--config=") + path1, "--sample-frequency=22050",
              std::string("--config=") + path2, "x"});
  EXPECT_EQ(o.num_bins, 31);        // later config wins over earlier
  EXPECT_TRUE(o.energy);
  EXPECT_EQ(o.name, "hann");
  EXPECT_EQ(o.freq, 22050);         // command line wins over configs
  std::remove(path1);
  std::remove(path2);
}

TEST(ParseOptions, UnknownOptionAndBadValueAreFatal) {
  {
    ParseOptions po("usage");
    Opts o;
    o.Register(&po);
    EXPECT_THROW(Parse(&po, {"--no-such-option=1", "x"}), FatalError);
  }
  {
    ParseOptions po("usage");
    Opts o;
    o.Register(&po);
    EXPECT_THROW(Parse(&po, {"--num-mel-bins=abc", "x"}), FatalError);
  }
  {
    ParseOptions po("usage");
    Opts o;
    o.Register(&po);
    EXPECT_THROW(Parse(&po, {"--config=/nonexistent/file.conf", "x"}), FatalError);
  }
}

TEST(ParseOptions, UsageListsTypesAndDefaults) {
  ParseOptions po("Compute things.\nUsage: prog [options] <in> <out>\n");
  Opts o;
  o.Register(&po);
  std::string u = po.UsageText();
  EXPECT_NE(u.find("--num-mel-bins"), std::string::npos);
  EXPECT_NE(u.find("(int, default = 23)"), std::string::npos);
  EXPECT_NE(u.find("(bool, default = true)"), std::string::npos);
  EXPECT_NE(u.find("(string, default = \"povey\")"), std::string::npos);
  EXPECT_NE(u.find("(float, default = 16000)"), std::string::npos);
  EXPECT_NE(u.find("Standard options:"), std::string::npos);
  EXPECT_NE(u.find("--verbose"), std::string::npos);
}

}  // namespace
}  // namespace tdnas
