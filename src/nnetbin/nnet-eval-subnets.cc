// nnet-eval-subnets.cc: measured EER / minDCF of a list of subnets of a supernet, appended to a
// results file that later runs resume from (library: nas/subnet-eval.h, nas/subnet-results.h).
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/log.h"
#include "gpu/gpu-api.h"
#include "nas/subnet-eval.h"
#include "nnet/parallel.h"
#include "nnet/search-space.h"
#include "util/kaldi-io.h"
#include "util/kaldi-table.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

int main(int argc, char *argv[]) {
  return tdnas::RunMain(argc, argv, [&]() -> int {
    using namespace tdnas;
    const char *usage =
        "For each subnet config (first field of each line of <configs>, e.g. from\n"
        "nnet-sample-subnet --list or nnet-search-subnet): materialise it from the supernet,\n"
        "recalibrate its BN statistics on random crops of the recalibration utterances, embed\n"
        "the dev utterances, score the trials by cosine, and append\n"
        "  CONFIG MACS PARAMS EER MINDCF\n"
        "to <results> (a file). Resumable: configs already in <results> are skipped, and each\n"
        "line is written as soon as it is known. <supernet>: a supernet model, or a static\n"
        "model of the largest config. Configs outside --space of the supernet's shape (its\n"
        "max width / cat width, read from the model: e.g. 128/384 for a scaled supernet) are\n"
        "skipped with a WARNING and counted in the final LOG line.\n"
        "Parallel: split the config list and give each job its own results file, e.g.\n"
        "  utils/split_scp.pl exp/nas/configs.txt exp/nas/configs.{1,2,3,4}\n"
        "  utils/run.pl JOB=1:4 exp/nas/log/eval.JOB.log nnet-eval-subnets exp/supernet/final.mdl\n"
        "    exp/nas/configs.JOB scp:data/train/feats.scp scp:data/dev/feats.scp\n"
        "    data/dev/trials exp/nas/results.JOB\n"
        "  cat exp/nas/results.{1,2,3,4} > exp/nas/results.txt\n"
        "(re-running the same command after a failure finishes only the missing configs).\n"
        "Usage:  nnet-eval-subnets [options] <supernet> <configs-rxfilename> "
        "<recal-feats-rspecifier> <dev-feats-rspecifier> <dev-trials-rxfilename> "
        "<results-filename>\n"
        "e.g.:\n"
        " nnet-eval-subnets exp/supernet/final.mdl exp/nas/configs.txt "
        "scp:data/train/feats.scp scp:data/dev/feats.scp data/dev/trials exp/nas/results.txt\n";
    ParseOptions po(usage);
    SubnetEvalOptions opts;
    int32 max_recal_utts = 6000, num_threads = 1, seed = 777;
    std::string space_name = "supernet";
    int32 max_width = 0, max_cat_width = 0;
    opts.Register(&po);
    po.Register("max-width", &max_width,
                "Supernet width (0: the model's; another value than the model's is an ERROR)");
    po.Register("max-cat-width", &max_cat_width,
                "Supernet cat width (0: the model's; another value than the model's is an ERROR)");
    po.Register("max-recal-utts", &max_recal_utts,
                "Use at most this many recalibration utterances (a seeded random subset; the "
                "spec: ~6,000 training utterances)");
    po.Register("recal-subset-seed", &seed, "Seed of the recalibration subset");
    po.Register("space", &space_name,
                "Search space (scaled to the supernet's shape) every config must lie in");
    po.Register("num-threads", &num_threads, "CPU threads of the nnet kernels");
    std::string use_gpu = "no", gpu_math = "fp32";
    po.Register("use-gpu", &use_gpu,
                "no|yes|optional: recalibrate and embed each subnet on the GPU (the supernet "
                "stays on the host; each materialised subnet is uploaded)");
    po.Register("gpu-math", &gpu_math,
                "GPU matrix-product precision: fp32 (default; matches the CPU to rounding), tf32 "
                "or bf16");
    po.Read(argc, argv);
    if (po.NumArgs() != 6) {
      po.PrintUsage();
      return 1;
    }
    opts.Validate();
    gpu::MathMode math_mode;
    if (!gpu::ParseMathMode(gpu_math, &math_mode))
      TD_ERR << "--gpu-math: expected fp32, tf32 or bf16, got '" << gpu_math << "'";
    gpu::SetMathMode(math_mode);
    if (gpu::SelectDevice(use_gpu)) opts.device = nnet::Device::kGpu;
    nnet::SetNumThreads(std::max(1, num_threads));
    const std::string model_rx = po.GetArg(1), configs_rx = po.GetArg(2),
                      recal_rspec = po.GetArg(3), dev_rspec = po.GetArg(4),
                      trials_rx = po.GetArg(5), results_file = po.GetArg(6);
    nnet::NnetModel model;
    nnet::ReadNnetModel(model_rx, &model);
    // A static model is the paper's largest config (SupernetFromModel): shape 512/1536.
    const SupernetShape shape = model.IsSupernet() ? model.Super().Shape() : SupernetShape();
    if ((max_width > 0 && max_width != shape.max_width) ||
        (max_cat_width > 0 && max_cat_width != shape.max_cat_width))
      TD_ERR << "--max-width=" << max_width << " --max-cat-width=" << max_cat_width
             << " conflict with the model " << model_rx << " (supernet " << shape.ToString()
             << ")";
    const SearchSpace space = SearchSpace::Named(space_name, shape);

    // Configs still to do.
    std::unordered_set<std::string> done;
    if (std::ifstream(results_file).good())
      for (const SubnetResult &r : ReadSubnetResults(results_file, false))
        done.insert(r.config.ToString());
    std::vector<SubnetConfig> todo;
    int32 total = 0, n_bad = 0, n_outside = 0;
    {
      Input in(configs_rx);
      std::string line, field, why;
      std::unordered_set<std::string> queued;
      for (int32 n = 1; std::getline(in.Stream(), line); ++n) {
        std::istringstream is(line);
        if (!(is >> field) || field[0] == '#') continue;
        ++total;
        SubnetConfig cfg;
        if (!ParseSubnetConfig(field, &cfg, &why)) {
          if (!LookupNamedSubnetConfig(field, &cfg)) {
            TD_WARN << configs_rx << " line " << n << ": '" << field << "': " << why;
            ++n_bad;
            continue;
          }
        }
        if (!space.Contains(cfg, &why)) {
          TD_WARN << field << " is not in search space '" << space_name << "' of the supernet ("
                  << shape.ToString() << "): " << why << "; skipped";
          ++n_outside;
          continue;
        }
        const std::string key = cfg.ToString();
        if (done.count(key) || !queued.insert(key).second) continue;
        todo.push_back(cfg);
      }
    }
    TD_LOG << total << " configs, " << done.size() << " already in " << results_file << ", "
           << todo.size() << " to evaluate";
    std::ostringstream skipped;
    skipped << " (" << n_bad << " unparsable, " << n_outside << " outside the space skipped)";
    if (todo.empty()) {
      TD_LOG << "Done 0 out of 0 subnets (nothing left to do)" << skipped.str();
      return 0;
    }

    nnet::StaticTdnnOptions nopts = model.NetOptions();   // static or supernet
    nopts.num_classes = 0;
    nnet::Supernet supernet(nopts);
    SupernetFromModel(model, &supernet);

    std::vector<Matrix<float>> recal;
    for (SequentialBaseFloatMatrixReader reader(recal_rspec); !reader.Done(); reader.Next()) {
      model.FrontEnd().CheckFeatureDim(reader.Value().NumCols(), "recalibration features");
      recal.push_back(reader.Value());
    }
    if (static_cast<int32>(recal.size()) > max_recal_utts) {
      std::mt19937_64 rng(seed);
      for (int32 i = 0; i < max_recal_utts; ++i)
        std::swap(recal[i], recal[i + UniformInt(&rng, recal.size() - i)]);
      recal.resize(max_recal_utts);
    }
    std::vector<Trial> trials;
    {
      Input in(trials_rx);
      ReadTrials(in.Stream(), trials_rx, &trials);
    }
    std::unordered_set<std::string> needed;
    for (const Trial &t : trials) {
      needed.insert(t.enroll);
      needed.insert(t.test);
    }
    std::vector<std::pair<std::string, Matrix<float>>> dev;
    for (SequentialBaseFloatMatrixReader reader(dev_rspec); !reader.Done(); reader.Next()) {
      if (!needed.count(reader.Key())) continue;
      model.FrontEnd().CheckFeatureDim(reader.Value().NumCols(), "dev features");
      dev.emplace_back(reader.Key(), reader.Value());
    }
    TD_LOG << recal.size() << " recalibration utterances, " << dev.size() << " dev utterances, "
           << trials.size() << " trials";
    const SubnetEvaluator evaluator(supernet, model.FrontEnd(), recal, dev, trials, opts);

    std::ofstream out(results_file, std::ios::app);
    if (!out) TD_ERR << "cannot open results file '" << results_file << "' for appending";
    int32 n_ok = 0;
    for (const SubnetConfig &cfg : todo) {
      SubnetResult r;
      try {
        r = evaluator.Evaluate(cfg);
      } catch (const FatalError &e) {
        TD_WARN << "evaluating " << cfg.ToString() << " failed: " << e.what();
        continue;
      }
      out << FormatSubnetResult(r) << '\n';
      out.flush();
      if (!out) TD_ERR << "error writing '" << results_file << "'";
      TD_LOG << cfg.ToString() << ": EER " << r.eer << "% minDCF " << r.mindcf << " ("
             << HumanCount(r.macs) << " MACs)";
      ++n_ok;
    }
    TD_LOG << "Done " << n_ok << " out of " << todo.size() << " subnets" << skipped.str();
    return n_ok > 0 ? 0 : 1;
  });
}
