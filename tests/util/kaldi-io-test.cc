// Tests of util/kaldi-io.h: filename classes, files, offsets, pipes, atomic outputs.
#include "util/kaldi-io.h"

#include <gtest/gtest.h>

#include <dirent.h>

#include "base/io-funcs.h"
#include "table-test-util.h"

namespace tdnas {
namespace {

using namespace testutil;

TEST(KaldiIo, ClassifyRxfilename) {
  EXPECT_EQ(ClassifyRxfilename("-"), InputType::kStandard);
  EXPECT_EQ(ClassifyRxfilename(""), InputType::kStandard);
  EXPECT_EQ(ClassifyRxfilename("a.ark"), InputType::kFile);
  EXPECT_EQ(ClassifyRxfilename("gunzip -c a.gz |"), InputType::kPipe);
  EXPECT_EQ(ClassifyRxfilename("gunzip -c a.gz|"), InputType::kPipe);
  EXPECT_EQ(ClassifyRxfilename("a.ark:123"), InputType::kOffsetFile);
  EXPECT_EQ(ClassifyRxfilename("/x/y:z.ark"), InputType::kFile);
  EXPECT_EQ(ClassifyRxfilename("a.ark:"), InputType::kFile);
  EXPECT_EQ(ClassifyRxfilename(":12"), InputType::kFile);
  EXPECT_EQ(ClassifyRxfilename("| cat"), InputType::kNone);
  EXPECT_EQ(ClassifyRxfilename(" a.ark"), InputType::kNone);
  EXPECT_EQ(ClassifyRxfilename("a.ark "), InputType::kNone);
}

TEST(KaldiIo, ClassifyWxfilename) {
  EXPECT_EQ(ClassifyWxfilename("-"), OutputType::kStandard);
  EXPECT_EQ(ClassifyWxfilename("a.ark"), OutputType::kFile);
  EXPECT_EQ(ClassifyWxfilename("| gzip -c > a.gz"), OutputType::kPipe);
  EXPECT_EQ(ClassifyWxfilename("cat |"), OutputType::kNone);
  EXPECT_EQ(ClassifyWxfilename("a.ark:12"), OutputType::kNone);
  EXPECT_EQ(ClassifyWxfilename("a.ark "), OutputType::kNone);
}

TEST(KaldiIo, FileRoundTripWithBinaryHeader) {
  TempDir tmp;
  {
    Output out(tmp("a.bin"), true);
    WriteBasicType(out.Stream(), true, int32(42));
    out.Close();
  }
  EXPECT_EQ(ReadFile(tmp("a.bin")), std::string("\0B\x04\x2a\0\0\0", 7));
  bool binary = false;
  Input in(tmp("a.bin"), &binary);
  EXPECT_TRUE(binary);
  int32 x;
  ReadBasicType(in.Stream(), true, &x);
  EXPECT_EQ(x, 42);
  EXPECT_EQ(in.Close(), 0);

  Output t(tmp("a.txt"), false);
  t.Stream() << 1.0f / 3;  // text outputs get Kaldi's precision 7
  t.Close();
  EXPECT_EQ(ReadFile(tmp("a.txt")), "0.3333333");
  Input ti(tmp("a.txt"), &binary);
  EXPECT_FALSE(binary);
}

TEST(KaldiIo, OutputIsAtomic) {
  TempDir tmp;
  std::string name = tmp("out.ark");
  {
    Output out(name, true, false);
    out.Stream() << "partial";
    out.Stream().flush();
    EXPECT_FALSE(FileExists(name));  // written under a temporary name until Close()
    out.Close();
  }
  EXPECT_EQ(ReadFile(name), "partial");
  // An exception before Close(): the old file stays, the temporary file is removed.
  try {
    Output out(name, true, false);
    out.Stream() << "new contents";
    TD_ERR << "simulated failure";
  } catch (const FatalError &) {
  }
  EXPECT_EQ(ReadFile(name), "partial");
  int entries = 0;
  DIR *d = opendir(tmp.Path().c_str());
  while (struct dirent *e = readdir(d)) entries += e->d_name[0] != '.' || e->d_name[1] == 'o';
  closedir(d);
  EXPECT_EQ(entries, 1) << "temporary file left behind";
  // Destructor without Close() and without an exception commits.
  { Output out(name, true, false); out.Stream() << "x"; }
  EXPECT_EQ(ReadFile(name), "x");
}

TEST(KaldiIo, DevNullWrittenInPlace) {
  Output out("/dev/null", true, false);
  out.Stream() << "data";
  out.Close();
  EXPECT_TRUE(FileExists("/dev/null"));
}

TEST(KaldiIo, OpenErrorsNameTheFile) {
  EXPECT_NE(ErrorOf([] { Input in("/nonexistent/dir/x.ark"); }).find("/nonexistent/dir/x.ark"),
            std::string::npos);
  EXPECT_NE(ErrorOf([] { Output out("/nonexistent/dir/y.ark", true); }).find("/nonexistent/dir/y.ark"),
            std::string::npos);
  EXPECT_NE(ErrorOf([] { Input in("/tmp"); }).find("directory"), std::string::npos);
  EXPECT_NE(ErrorOf([] { Input in("| cat"); }).find("Invalid"), std::string::npos);
}

TEST(KaldiIo, ByteOffsetsAndReuse) {
  TempDir tmp;
  WriteFile(tmp("f"), "hello world, again");
  Input in(tmp("f") + ":6");
  std::string w;
  in.Stream() >> w;
  EXPECT_EQ(w, "world,");
  in.Open(tmp("f") + ":0");  // same file: seeks
  in.Stream() >> w;
  EXPECT_EQ(w, "hello");
  in.Open(tmp("f") + ":13");
  in.Stream() >> w;
  EXPECT_EQ(w, "again");
}

TEST(KaldiIo, LargeReadsAndWrites) {
  TempDir tmp;
  std::string data(3 * 1024 * 1024 + 17, 'a');
  for (size_t i = 0; i < data.size(); i++) data[i] = static_cast<char>(i * 7 + (i >> 12));
  {
    Output out(tmp("big"), true, false);
    out.Stream().write(data.data(), 100);
    out.Stream().write(data.data() + 100, data.size() - 100);
    EXPECT_EQ(out.Tell(), static_cast<int64_t>(data.size()));
    out.Close();
  }
  Input in(tmp("big"));
  std::string back(data.size(), '\0');
  in.Stream().read(&back[0], 5);
  in.Stream().read(&back[5], back.size() - 5);
  EXPECT_TRUE(in.Stream().good());
  EXPECT_EQ(back, data);
  EXPECT_EQ(in.Stream().get(), EOF);
}

TEST(KaldiIo, InputPipe) {
  Input in("printf 'a b c' |");
  std::string s;
  std::getline(in.Stream(), s);
  EXPECT_EQ(s, "a b c");
  EXPECT_EQ(in.Close(), 0);
}

TEST(KaldiIo, FailingInputPipeIsAnError) {
  std::string msg = ErrorOf([] {
    Input in("printf abc; exit 3 |");
    std::string s;
    std::getline(in.Stream(), s);
    EXPECT_EQ(s, "abc");
    in.Close();
  });
  EXPECT_NE(msg.find("printf abc; exit 3 |"), std::string::npos) << msg;
  EXPECT_NE(msg.find("exit status 3"), std::string::npos) << msg;
  // The destructor checks too.
  msg = ErrorOf([] {
    Input in("false |");
    in.Stream().get();
  });
  EXPECT_NE(msg.find("false |"), std::string::npos) << msg;
}

TEST(KaldiIo, OutputPipe) {
  TempDir tmp;
  Output out("| cat > " + tmp("p.txt"), false, false);
  out.Stream() << "through a pipe\n";
  out.Close();
  EXPECT_EQ(ReadFile(tmp("p.txt")), "through a pipe\n");
  std::string msg = ErrorOf([] {
    Output bad("| cat > /dev/null; exit 4", false, false);
    bad.Stream() << "x";
    bad.Close();
  });
  EXPECT_NE(msg.find("exit 4"), std::string::npos) << msg;
}

}  // namespace
}  // namespace tdnas
