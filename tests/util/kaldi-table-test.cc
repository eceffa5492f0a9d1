// Tests of util/kaldi-table.h on the real Kaldi archives in testdata/kaldi-archives and on
// archives written here: sequential and random access, ark/scp/ark,scp, ranges, errors.
#include "util/kaldi-table.h"

#include <gtest/gtest.h>

#include <cmath>

#include "table-test-util.h"

namespace tdnas {
namespace {

using namespace testutil;

const std::vector<int32> kFeatRows = {285, 199, 415, 105, 118, 255, 111, 418, 130, 359};

std::vector<std::string> Keys(const std::string &rspecifier) {
  std::vector<std::string> keys;
  for (SequentialBaseFloatMatrixReader r(rspecifier); !r.Done(); r.Next()) keys.push_back(r.Key());
  return keys;
}

float MaxAbsDiff(const Matrix<float> &a, const Matrix<float> &b) {
  EXPECT_EQ(a.NumRows(), b.NumRows());
  EXPECT_EQ(a.NumCols(), b.NumCols());
  float m = 0;
  for (int r = 0; r < std::min(a.NumRows(), b.NumRows()); r++)
    for (int c = 0; c < std::min(a.NumCols(), b.NumCols()); c++)
      m = std::max(m, std::fabs(a(r, c) - b(r, c)));
  return m;
}

Matrix<float> TestMatrix(int rows, int cols, float seed) {
  Matrix<float> m(rows, cols);
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < cols; c++) m(r, c) = std::sin(seed + r * 0.37f + c * 1.1f) * 10;
  return m;
}

TEST(KaldiTable, ReadsKaldiBinaryTextAndCompressedFeatures) {
  std::string d = ArchiveDir();
  SequentialBaseFloatMatrixReader bin("ark:" + d + "/feats.ark");
  SequentialBaseFloatMatrixReader txt("ark:" + d + "/feats_ascii.ark");
  SequentialBaseFloatMatrixReader cmp("ark,p:" + d + "/feats_compressed.ark");
  for (size_t i = 0; i < kFeatRows.size(); i++, bin.Next(), cmp.Next()) {
    ASSERT_FALSE(bin.Done());
    EXPECT_EQ(bin.Value().NumRows(), kFeatRows[i]);
    EXPECT_EQ(bin.Value().NumCols(), 13);
    if (i < 2) {  // the text archive has the first two, printed with 7 significant digits
      ASSERT_FALSE(txt.Done());
      EXPECT_EQ(txt.Key(), bin.Key());
      EXPECT_LT(MaxAbsDiff(txt.Value(), bin.Value()), 1e-4);
      txt.Next();
    }
    // Compressed: decodes to exactly feats.ark (Kaldi's copy-feats output is byte-identical).
    ASSERT_FALSE(cmp.Done()) << "CompressedMatrix decoding failed (codec not there yet?)";
    EXPECT_EQ(cmp.Key(), bin.Key());
    EXPECT_EQ(MaxAbsDiff(cmp.Value(), bin.Value()), 0.0f);
  }
  EXPECT_TRUE(bin.Done());
  EXPECT_TRUE(txt.Done());
  EXPECT_TRUE(cmp.Done());
}

TEST(KaldiTable, ReadsVectorsIntVectorsAndScp) {
  std::string d = ArchiveDir();
  const std::vector<int32> conf_dims = {58, 299, 58, 625, 427, 77, 63, 1191, 369, 206};
  const std::vector<int32> ali_lens = {449, 267, 246, 261, 396, 470, 242, 329, 239, 395};
  SequentialBaseFloatVectorReader vb("ark:" + d + "/conf.ark"), vt("ark:" + d + "/conf_ascii.ark");
  SequentialInt32VectorReader ab("ark:" + d + "/ali.ark"), at("ark:" + d + "/ali_ascii.ark");
  for (int i = 0; i < 10; i++) {
    EXPECT_EQ(vb.Value().Dim(), conf_dims[i]);
    EXPECT_EQ(vt.Key(), vb.Key());
    EXPECT_EQ(vt.Value().Dim(), conf_dims[i]);
    EXPECT_EQ(ab.Value().size(), static_cast<size_t>(ali_lens[i]));
    EXPECT_EQ(at.Value(), ab.Value());
    vb.Next(); vt.Next(); ab.Next(); at.Next();
  }
  EXPECT_TRUE(vb.Done() && vt.Done() && ab.Done() && at.Done());
  // scp with byte offsets: the same vectors, in scp order, sequentially and by key.
  std::string scp = d + "/conf.local.scp";
  std::vector<std::pair<std::string, std::string>> lines;
  ReadScriptFile(scp, &lines);
  ASSERT_EQ(lines.size(), 10u);
  int n = 0;
  SequentialBaseFloatVectorReader ark("ark:" + d + "/conf.ark");
  // Paths in conf.local.scp are relative to the archive folder: run there.
  char cwd[4096];
  ASSERT_TRUE(getcwd(cwd, sizeof(cwd)));
  ASSERT_EQ(chdir(d.c_str()), 0);
  {
    RandomAccessBaseFloatVectorReader ra("scp:conf.local.scp");
    for (SequentialBaseFloatVectorReader s("scp:conf.local.scp"); !s.Done(); s.Next(), ark.Next(), n++) {
      EXPECT_EQ(s.Key(), ark.Key());
      EXPECT_EQ(s.Value(), ark.Value());
      ASSERT_TRUE(ra.HasKey(ark.Key()));
      EXPECT_EQ(ra.Value(ark.Key()), ark.Value());
    }
    EXPECT_FALSE(ra.HasKey("nope"));
  }
  ASSERT_EQ(chdir(cwd), 0);
  EXPECT_EQ(n, 10);
}

TEST(KaldiTable, ScpRangesLikeKaldi) {
  std::string d = ArchiveDir();
  char cwd[4096];
  ASSERT_TRUE(getcwd(cwd, sizeof(cwd)));
  ASSERT_EQ(chdir(d.c_str()), 0);
  std::vector<Matrix<float>> got;
  std::string msg = ErrorOf([&] {
    for (SequentialBaseFloatMatrixReader r("scp:feats_ascii.local.scp"); !r.Done(); r.Next())
      got.push_back(r.Value());
  });
  ASSERT_EQ(chdir(cwd), 0);
  // Lines 1-4 as Kaldi reads them; line 5 ([:,7:13] on 13 columns) is rejected as by Kaldi.
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].NumRows(), 285);
  EXPECT_EQ(got[1].NumRows(), 199);
  EXPECT_EQ(got[2], got[1]);  // [:] is the whole matrix
  EXPECT_EQ(got[3].NumRows(), 6);  // [0:5] is inclusive
  EXPECT_EQ(got[3].NumCols(), 13);
  EXPECT_EQ(got[3](5, 12), got[1](5, 12));
  EXPECT_NE(msg.find("Invalid range specifier: :,7:13 for matrix of size 199x13"), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("feats_ascii.ark:35877"), std::string::npos) << msg;
}

// Writes three matrices (one empty) with `wspecifier`; returns them.
std::vector<std::pair<std::string, Matrix<float>>> WriteThree(const std::string &wspecifier) {
  std::vector<std::pair<std::string, Matrix<float>>> items = {
      {"utt_a", TestMatrix(5, 3, 0)}, {"utt_b", Matrix<float>()}, {"utt_c", TestMatrix(2, 3, 1)}};
  BaseFloatMatrixWriter w(wspecifier);
  for (auto &kv : items) w.Write(kv.first, kv.second);
  w.Close();
  return items;
}

TEST(KaldiTable, ArkScpWriteThenReadBack) {
  TempDir tmp;
  for (bool text : {false, true}) {
    std::string ark = tmp(text ? "t.ark" : "b.ark"), scp = tmp(text ? "t.scp" : "b.scp");
    auto items = WriteThree(std::string(text ? "ark,scp,t:" : "ark,scp:") + ark + "," + scp);
    std::string ark_data = ReadFile(ark), scp_data = ReadFile(scp);
    EXPECT_EQ(ark_data.substr(0, 6), "utt_a ");
    if (!text) { EXPECT_EQ(ark_data.substr(6, 5), std::string("\0BFM ", 5)); }
    // scp offsets point just past "key ".
    EXPECT_EQ(scp_data.substr(0, scp_data.find('\n')), "utt_a " + ark + ":6");
    size_t i = 0;
    for (SequentialBaseFloatMatrixReader s("scp:" + scp), a("ark:" + ark); !s.Done();
         s.Next(), a.Next(), i++) {
      EXPECT_EQ(s.Key(), items[i].first);
      EXPECT_EQ(a.Key(), items[i].first);
      EXPECT_LT(MaxAbsDiff(s.Value(), items[i].second), text ? 1e-5 : 0.0f + 1e-30);
      EXPECT_EQ(s.Value(), a.Value());
    }
    EXPECT_EQ(i, 3u);
  }
}

TEST(KaldiTable, EmptyMatrixAndConcatenatedArchives) {
  TempDir tmp;
  auto items = WriteThree("ark:" + tmp("a.ark"));
  WriteFile(tmp("cat.ark"), ReadFile(tmp("a.ark")) + ReadFile(tmp("a.ark")));
  std::vector<std::string> keys = Keys("ark:" + tmp("cat.ark"));
  EXPECT_EQ(keys, std::vector<std::string>({"utt_a", "utt_b", "utt_c", "utt_a", "utt_b", "utt_c"}));
  RandomAccessBaseFloatMatrixReader ra("ark:" + tmp("a.ark"));
  EXPECT_EQ(ra.Value("utt_b").NumRows(), 0);
  // Text archive entries may follow each other; an empty text matrix is " [ ]".
  WriteThree("ark,t:" + tmp("a.txt"));
  EXPECT_NE(ReadFile(tmp("a.txt")).find("utt_b  [ ]\n"), std::string::npos);
  EXPECT_EQ(Keys("ark:" + tmp("a.txt")).size(), 3u);
}

TEST(KaldiTable, ScalarAndIntVectorArchivesText) {
  TempDir tmp;
  {
    Int32Writer w("ark,t:" + tmp("len.txt"));
    w.Write("utt1", 123);
    w.Write("utt2", 0);
    Int32VectorWriter wv("ark,t:" + tmp("ali.txt"));
    wv.Write("utt1", {1, 2, 3});
    TokenWriter wt("ark:" + tmp("tok.txt"));
    wt.Write("utt1", "spk1");
  }
  EXPECT_EQ(ReadFile(tmp("len.txt")), "utt1 123 \nutt2 0 \n");
  EXPECT_EQ(ReadFile(tmp("ali.txt")), "utt1 1 2 3 \n");
  EXPECT_EQ(ReadFile(tmp("tok.txt")), "utt1 spk1\n");
  SequentialInt32Reader r("ark:" + tmp("len.txt"));
  EXPECT_EQ(r.Value(), 123);
  r.Next();
  EXPECT_EQ(r.Key(), "utt2");
  RandomAccessTokenReader t("ark:" + tmp("tok.txt"));
  EXPECT_EQ(t.Value("utt1"), "spk1");
}

// Random access with every option combination gives the same answers.
TEST(KaldiTable, RandomAccessOptions) {
  TempDir tmp;
  std::vector<std::string> keys;
  {
    BaseFloatMatrixWriter w("ark,scp:" + tmp("r.ark") + "," + tmp("r.scp"));
    for (int i = 0; i < 20; i++) {
      char k[16];
      snprintf(k, sizeof(k), "key%02d", i);
      keys.push_back(k);
      w.Write(k, TestMatrix(i + 1, 4, i));
    }
  }
  for (std::string opts : {"ark:", "ark,s:", "ark,s,cs:", "ark,o:", "ark,s,cs,o:", "scp:", "scp,s,cs:"}) {
    std::string file = tmp(opts[0] == 'a' ? "r.ark" : "r.scp");
    RandomAccessBaseFloatMatrixReader ra(opts + file);
    bool cs = opts.find("cs") != std::string::npos, once = opts.find(",o") != std::string::npos;
    std::vector<int> order;
    for (int i = 0; i < 20; i += (cs ? 3 : 1)) order.push_back(cs ? i : (i * 7) % 20);
    for (int i : order) {
      ASSERT_TRUE(ra.HasKey(keys[i])) << opts << keys[i];
      EXPECT_EQ(ra.Value(keys[i]), TestMatrix(i + 1, 4, i)) << opts << keys[i];
      if (!once && !cs) { EXPECT_EQ(ra.Value(keys[i]).NumRows(), i + 1); }
      EXPECT_FALSE(ra.HasKey(keys[i] + "x")) << opts;
    }
    std::string msg = ErrorOf([&] { ra.Value("zzz"); });
    EXPECT_NE(msg.find("'zzz'"), std::string::npos) << msg;
    EXPECT_NE(msg.find(file), std::string::npos) << msg;
  }
  // cs asked out of order is an error.
  RandomAccessBaseFloatMatrixReader ra("ark,s,cs:" + tmp("r.ark"));
  ra.Value("key05");
  EXPECT_FALSE(ErrorOf([&] { ra.Value("key01"); }).empty());
}

TEST(KaldiTable, RandomAccessFromPipeAndStdinStyleInputs) {
  TempDir tmp;
  WriteThree("ark:" + tmp("a.ark"));
  RandomAccessBaseFloatMatrixReader ra("ark,s,cs:cat " + tmp("a.ark") + " |");
  EXPECT_TRUE(ra.HasKey("utt_a"));
  EXPECT_EQ(ra.Value("utt_c").NumRows(), 2);
  EXPECT_FALSE(ra.HasKey("utt_d"));
}

TEST(KaldiTable, DuplicateKeys) {
  TempDir tmp;
  WriteFile(tmp("d.scp"), "a x.ark:1\nb x.ark:2\na x.ark:3\n");
  std::string msg = ErrorOf([&] { RandomAccessBaseFloatMatrixReader r("scp:" + tmp("d.scp")); });
  EXPECT_NE(msg.find("Duplicate key 'a'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("d.scp"), std::string::npos) << msg;
  WriteThree("ark:" + tmp("a.ark"));
  WriteFile(tmp("dup.ark"), ReadFile(tmp("a.ark")) + ReadFile(tmp("a.ark")));
  RandomAccessBaseFloatMatrixReader r("ark:" + tmp("dup.ark"));
  msg = ErrorOf([&] { r.HasKey("zzz"); });
  EXPECT_NE(msg.find("Duplicate key 'utt_a'"), std::string::npos) << msg;
}

// Every kind of bad input gives an error naming the file (and key where there is one); with
// `p` the bad entry is skipped.
TEST(KaldiTable, BadInputs) {
  TempDir tmp;
  WriteThree("ark:" + tmp("a.ark"));
  std::string good = ReadFile(tmp("a.ark"));
  size_t second = good.find("utt_b");
  struct Case { std::string name, data, key, what; };
  std::vector<Case> cases = {
      {"truncated.ark", good.substr(0, second - 10), "utt_a", "unexpected end"},
      {"header.ark", std::string("utt_a \0X", 8) + good.substr(8), "utt_a", "not followed by 'B'"},
      {"token.ark", "utt_a " + std::string("\0BXM ", 5) + good.substr(11), "utt_a", "XM"},
      {"nospace.ark", "utt_a\r" + good.substr(6), "", "expected a space after key"},
      {"badkey.ark", "utt_a\x01" + good.substr(6), "", "invalid key"},
      {"trailing.ark", good + "junk", "junk", "truncated"},
  };
  for (const Case &c : cases) {
    WriteFile(tmp(c.name), c.data);
    std::string msg = ErrorOf([&] { Keys("ark:" + tmp(c.name)); });
    EXPECT_NE(msg.find(tmp(c.name)), std::string::npos) << c.name << ": " << msg;
    EXPECT_NE(msg.find(c.what), std::string::npos) << c.name << ": " << msg;
    if (!c.key.empty()) { EXPECT_NE(msg.find("'" + c.key + "'"), std::string::npos) << msg; }
    // Permissive: stops at the bad entry, keeps what came before, no error.
    std::vector<std::string> keys;
    EXPECT_EQ(ErrorOf([&] { keys = Keys("ark,p:" + tmp(c.name)); }), "") << c.name;
  }
  EXPECT_NE(ErrorOf([&] { Keys("ark:" + tmp("missing.ark")); }).find("missing.ark"), std::string::npos);
  EXPECT_NE(ErrorOf([&] { Keys("ark:" + tmp.Path()); }).find("directory"), std::string::npos);
  // scp with a missing target: error naming the target and the key; `p` skips just that entry.
  WriteFile(tmp("m.scp"), "utt_a " + tmp("a.ark") + ":6\nutt_x " + tmp("gone.ark") + ":6\n" +
                              "utt_c " + tmp("a.ark") + ":" + std::to_string(good.find("utt_c") + 6) + "\n");
  std::string msg = ErrorOf([&] { Keys("scp:" + tmp("m.scp")); });
  EXPECT_NE(msg.find("gone.ark"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'utt_x'"), std::string::npos) << msg;
  EXPECT_EQ(Keys("scp,p:" + tmp("m.scp")), std::vector<std::string>({"utt_a", "utt_c"}));
  RandomAccessBaseFloatMatrixReader rp("scp,p:" + tmp("m.scp"));
  EXPECT_FALSE(rp.HasKey("utt_x"));
  EXPECT_TRUE(rp.HasKey("utt_c"));
  RandomAccessBaseFloatMatrixReader rnp("scp:" + tmp("m.scp"));
  EXPECT_TRUE(rnp.HasKey("utt_x"));  // without p, HasKey only looks at the scp
  EXPECT_NE(ErrorOf([&] { rnp.Value("utt_x"); }).find("gone.ark"), std::string::npos);
  // Failing pipe command: an error naming the command when the table closes.
  msg = ErrorOf([&] { Keys("ark:cat " + tmp("a.ark") + "; exit 2 |"); });
  EXPECT_NE(msg.find("exit 2 |"), std::string::npos) << msg;
  msg = ErrorOf([&] { Keys("ark:nonexistent-command-xyz |"); });
  EXPECT_NE(msg.find("nonexistent-command-xyz"), std::string::npos) << msg;
  // Bad specifiers.
  EXPECT_NE(ErrorOf([&] { Keys("arc:" + tmp("a.ark")); }).find("Invalid rspecifier"), std::string::npos);
  EXPECT_NE(ErrorOf([&] { BaseFloatMatrixWriter w("ark,q:x"); }).find("Invalid wspecifier"), std::string::npos);
}

TEST(KaldiTable, WriterErrorsAndAtomicity) {
  TempDir tmp;
  EXPECT_NE(ErrorOf([&] { BaseFloatMatrixWriter w("ark:" + tmp("no/such/dir.ark")); })
                .find("no/such/dir.ark"), std::string::npos);
  EXPECT_NE(ErrorOf([&] { BaseFloatMatrixWriter w("ark,scp:| cat,x.scp"); }).find("must be a file"),
            std::string::npos);
  BaseFloatMatrixWriter w("ark:" + tmp("k.ark"));
  EXPECT_NE(ErrorOf([&] { w.Write("two words", Matrix<float>()); }).find("Invalid key"), std::string::npos);
  EXPECT_NE(ErrorOf([&] { w.Write("", Matrix<float>()); }).find("Invalid key"), std::string::npos);
  w.Close();
  // A run that fails half-way leaves no archive behind.
  ErrorOf([&] {
    BaseFloatMatrixWriter w2("ark,scp:" + tmp("half.ark") + "," + tmp("half.scp"));
    w2.Write("utt1", TestMatrix(3, 3, 0));
    TD_ERR << "simulated failure";
  });
  EXPECT_FALSE(FileExists(tmp("half.ark")));
  EXPECT_FALSE(FileExists(tmp("half.scp")));
}

TEST(KaldiTable, ScpOnlyWriter) {
  TempDir tmp;
  WriteFile(tmp("out.scp"), "u1 " + tmp("u1.mat") + "\nu2 " + tmp("u2.mat") + "\n");
  {
    BaseFloatMatrixWriter w("scp:" + tmp("out.scp"));
    w.Write("u1", TestMatrix(2, 2, 0));
    EXPECT_FALSE(ErrorOf([&] { w.Write("u3", TestMatrix(2, 2, 0)); }).empty());
  }
  Matrix<float> m;
  ReadKaldiObject(tmp("u1.mat"), &m);
  EXPECT_EQ(m, TestMatrix(2, 2, 0));
  BaseFloatMatrixWriter wp("scp,p:" + tmp("out.scp"));
  wp.Write("u3", TestMatrix(2, 2, 0));  // skipped
}

TEST(KaldiTable, ReadKaldiObjectWithOffsetAndRange) {
  TempDir tmp;
  WriteThree("ark:" + tmp("a.ark"));
  Matrix<float> m;
  ReadKaldiObject(tmp("a.ark") + ":6[1:2,0:1]", &m);
  Matrix<float> want;
  want.CopyFromSubMatrix(TestMatrix(5, 3, 0), 1, 2, 0, 2);
  EXPECT_EQ(m, want);
}

}  // namespace
}  // namespace tdnas
