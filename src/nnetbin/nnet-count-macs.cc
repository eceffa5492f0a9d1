// nnet-count-macs.cc: MACs and parameters of EfficientTDNN subnets (exact rules of the spec,
// see nnet/mac-count.h), one line per config; also search-space sizes and random configs.
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "base/log.h"
#include "nnet/mac-count.h"
#include "nnet/search-space.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

namespace tdnas {
namespace {

struct CountMacsOptions {
  int32 frames = kDefaultMacFrames;  // 3 s at hop 10 ms, centre-padded: the published figures
  bool human = false;
  std::string configs;               // file of configs, one per line (first token), or "-"
  std::string space = "supernet";    // every config must lie in it; anything materialisable
  bool print_space_size = false;
  int32 random = 0;
  int32 seed = 666;                  // the reference training seed
  bool uniform = false;              // --random: uniform over subnets, not per dimension

  void Register(OptionsItf *opts) {
    opts->Register("frames", &frames, "Number of frames T the MACs are counted at");
    opts->Register("human", &human, "Add columns with the counts as 1.45G / 5.79M");
    opts->Register("configs", &configs,
                   "Read configs from this file ('-' = stdin), one per line (first token; "
                   "blank lines and lines starting with # are skipped)");
    opts->Register("space", &space,
                   "Search space every config must lie in, and that --random and "
                   "--print-space-size use: supernet|fine|coarse|largest|kernel|depth|width1|width2");
    opts->Register("print-space-size", &print_space_size,
                   "Print the exact number of subnets in --space");
    opts->Register("random", &random, "Also count this many random configs of --space");
    opts->Register("seed", &seed, "Seed of the random configs");
    opts->Register("uniform", &uniform,
                   "With --random: draw uniformly over subnets instead of each dimension "
                   "independently and uniformly (the training schedule's sampling)");
  }
};

// Counts one config and appends "CONFIG MACS PARAMS[ MACS_H PARAMS_H]\n" to *out.
void AppendLine(const char *name, size_t name_len, const SubnetConfig &cfg,
                const CountMacsOptions &opts, std::string *out) {
  SubnetCost cost = CountSubnetCost(cfg, opts.frames);
  char buf[48];
  char *p = buf, *end = buf + sizeof(buf);
  *p++ = ' ';
  p = std::to_chars(p, end, cost.macs).ptr;
  *p++ = ' ';
  p = std::to_chars(p, end, cost.params).ptr;
  out->append(name, name_len);
  out->append(buf, p - buf);
  if (opts.human) {
    out->push_back(' ');
    out->append(HumanCount(cost.macs));
    out->push_back(' ');
    out->append(HumanCount(cost.params));
  }
  out->push_back('\n');
  if (out->size() > (1 << 16)) {
    std::fwrite(out->data(), 1, out->size(), stdout);
    out->clear();
  }
}

}  // namespace
}  // namespace tdnas

int main(int argc, char *argv[]) {
  return tdnas::RunMain(argc, argv, [&]() -> int {
    using namespace tdnas;
    const char *usage =
        "Print the MACs (at --frames frames, batch 1) and parameters of EfficientTDNN subnets,\n"
        "one line per config: CONFIG MACS PARAMS. A config is depth-widths-kernels-cat\n"
        "(d, c0..cd, k0..kd, C) or one of largest, smallest, base, mobile, small.\n"
        "Usage:  nnet-count-macs [options] [<config> ...]\n"
        "e.g.:\n"
        " nnet-count-macs --human base 2-256-256-256-3-3-3-400\n"
        " nnet-sample-subnet ... | nnet-count-macs --configs=- --space=fine\n"
        " nnet-count-macs --space=fine --print-space-size\n"
        " nnet-count-macs --space=coarse --random=10 --seed=1\n";
    ParseOptions po(usage);
    CountMacsOptions opts;
    opts.Register(&po);
    po.Read(argc, argv);
    if (po.NumArgs() == 0 && opts.configs.empty() && opts.random <= 0 && !opts.print_space_size) {
      po.PrintUsage();
      return 1;
    }
    if (opts.frames < 1) TD_ERR << "--frames must be >= 1, got " << opts.frames;
    const SearchSpace space = SearchSpace::Named(opts.space);
    if (opts.print_space_size) {
      TD_LOG << space.Describe();
      std::printf("%llu\n", static_cast<unsigned long long>(space.Size()));
    }

    std::string out, why, str;
    SubnetConfig cfg;
    int64 num_done = 0;
    // Parses, checks and counts one config; an invalid one is fatal (a cost table with holes
    // would mislead a search).
    auto process = [&](const char *b, size_t len) {
      str.assign(b, len);  // reuses its storage: no allocation per config
      if (!ParseSubnetConfig(str, &cfg, &why) || !space.Contains(cfg, &why)) {
        std::fwrite(out.data(), 1, out.size(), stdout);
        std::fflush(stdout);
        TD_ERR << "invalid subnet config '" << str << "'"
               << (why.empty() ? "" : ": ") << why << " (space '" << space.Name() << "')";
      }
      AppendLine(b, len, cfg, opts, &out);
      ++num_done;
    };

    for (int32 i = 1; i <= po.NumArgs(); ++i) {
      std::string arg = po.GetArg(i);
      process(arg.data(), arg.size());
    }
    if (!opts.configs.empty()) {
      FILE *in = opts.configs == "-" ? stdin : std::fopen(opts.configs.c_str(), "r");
      if (in == nullptr) TD_ERR << "cannot open --configs file '" << opts.configs << "'";
      char *line = nullptr;
      size_t cap = 0;
      ssize_t len;
      while ((len = getline(&line, &cap, in)) >= 0) {
        const char *b = line, *e = line + len;
        while (b < e && (*b == ' ' || *b == '\t')) ++b;
        if (b == e || *b == '\n' || *b == '\r' || *b == '#') continue;
        const char *t = b;
        while (t < e && *t != ' ' && *t != '\t' && *t != '\n' && *t != '\r') ++t;
        process(b, t - b);
      }
      std::free(line);
      if (in != stdin) std::fclose(in);
    }
    if (opts.random > 0) {
      std::mt19937_64 rng(opts.seed);
      for (int32 n = 0; n < opts.random; ++n) {
        if (opts.uniform) space.SampleUniformConfig(&rng, &cfg);
        else space.SampleConfig(&rng, &cfg);
        str.clear();
        cfg.AppendTo(&str);
        AppendLine(str.data(), str.size(), cfg, opts, &out);
        ++num_done;
      }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    if (std::fflush(stdout) != 0) TD_ERR << "error writing to stdout";
    if (num_done > 0 || !opts.print_space_size)
      TD_LOG << "Done " << num_done << " configs at " << opts.frames << " frames";
    return 0;
  });
}
