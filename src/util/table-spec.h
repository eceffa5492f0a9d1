// table-spec.h: rspecifier / wspecifier parsing (Kaldi's table grammar).
//
//   rspecifier: [opts,]ark:<rxfilename> | [opts,]scp:<rxfilename>
//     opts (comma separated, before the colon, any order):
//       o  / no   each key is asked for once (random access may discard after use)
//       s  / ns   keys in the archive/scp are sorted (random access can stop early)
//       cs / ncs  random-access keys are asked for in sorted order (lets it discard)
//       p  / np   permissive: an entry that cannot be read is skipped with a WARNING
//       b, t      accepted and ignored: binary/text is detected per object
//       bg        read ahead in the background; accepted and treated as a no-op here
//   wspecifier: [opts,]ark:<wxfilename> | [opts,]scp:<wxfilename> |
//               [opts,]ark,scp:<ark-wxfilename>,<scp-wxfilename>
//     opts: b (binary, default) / t (text), f / nf (flush after each object; default nf),
//           p (permissive: with scp output, keys absent from the scp are skipped)
// E.g. "ark:-", "ark,t:-", "scp:feats.scp", "ark:gunzip -c a.gz|", "ark,s,cs:-",
// "scp,p:wav.scp", "ark,scp:x.ark,x.scp", "ark,t,f:| gzip -c > x.gz".
// A bad specifier classifies as kNone and *error says what is wrong.
#ifndef TDNAS_UTIL_TABLE_SPEC_H_
#define TDNAS_UTIL_TABLE_SPEC_H_

#include <string>

namespace tdnas {

enum class RspecifierType { kNone, kArchive, kScript };
enum class WspecifierType { kNone, kArchive, kScript, kBoth };

struct RspecifierOptions {
  bool once = false;
  bool sorted = false;
  bool called_sorted = false;
  bool permissive = false;
  bool background = false;
};

struct WspecifierOptions {
  bool binary = true;
  bool flush = false;
  bool permissive = false;
};

RspecifierType ClassifyRspecifier(const std::string &rspecifier, std::string *rxfilename,
                                  RspecifierOptions *opts, std::string *error = nullptr);

// For kBoth, archive_wxfilename and script_wxfilename are both set; for kArchive only the
// first, for kScript only the second.
WspecifierType ClassifyWspecifier(const std::string &wspecifier, std::string *archive_wxfilename,
                                  std::string *script_wxfilename, WspecifierOptions *opts,
                                  std::string *error = nullptr);

// For binaries that take either <rspecifier> <wspecifier> or <rxfilename> <wxfilename>:
// true when both are table specifiers, false when neither is; otherwise an ERROR saying what
// is wrong with the one that did not parse.
bool BothTablesOrNeither(const std::string &rspecifier_or_rxfilename,
                         const std::string &wspecifier_or_wxfilename);

}  // namespace tdnas

#endif  // TDNAS_UTIL_TABLE_SPEC_H_
