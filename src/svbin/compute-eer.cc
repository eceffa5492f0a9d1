// compute-eer: Kaldi's compute-eer (same input, same stdout, same LOG line), plus optional
// minDCF lines. stdout: the EER in percent with 4 significant digits and no newline.
#include <iostream>

#include "sv/eer.h"
#include "sv/min-dcf.h"
#include "sv/scores.h"
#include "util/kaldi-io.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

using namespace tdnas;

int main(int argc, char *argv[]) {
  return RunMain(argc, argv, [&]() -> int {
    const char *usage =
        "Equal error rate of a verification system: the operating point where the miss\n"
        "rate equals the false-alarm rate. Each input line is \"<score> target\" or\n"
        "\"<score> nontarget\" (higher score = more likely the same speaker). The EER is\n"
        "printed on stdout in percent, with no newline; the log line also gives the\n"
        "threshold, and --p-target adds minDCF lines.\n"
        "\n"
        "Usage: compute-eer <scores-in>\n"
        "e.g.: compute-eer exp/score_labels.txt\n"
        " or:  paste -d' ' trials scores | awk '{print $6, $3}' | compute-eer -\n";
    std::string p_target_list;  // empty: Kaldi's behaviour (EER only)
    ParseOptions po(usage);
    po.Register("p-target", &p_target_list,
                "(tdnas) Comma-separated target priors, e.g. 0.01,0.001: for each, also log "
                "the normalised minDCF with c-miss = c-fa = 1. Empty: EER only");
    po.Read(argc, argv);
    if (po.NumArgs() != 1) {
      po.PrintUsage();
      return 1;
    }
    std::string scores_rxfilename = po.GetArg(1);
    std::vector<double> p_targets;
    if (!p_target_list.empty()) p_targets = ParsePTargets(p_target_list);

    std::vector<float> target_scores, nontarget_scores;
    {
      Input ki(scores_rxfilename);
      ReadScoreLabels(ki.Stream(), PrintableRxfilename(scores_rxfilename), &target_scores,
                      &nontarget_scores);
      ki.Close();
    }
    if (target_scores.empty() && nontarget_scores.empty()) TD_ERR << "Empty input.";
    if (target_scores.empty()) TD_ERR << "No target scores seen.";
    if (nontarget_scores.empty()) TD_ERR << "No non-target scores seen.";

    SortScores(&target_scores);
    SortScores(&nontarget_scores);
    float threshold;
    float eer = ComputeEerSorted(target_scores, nontarget_scores, &threshold);
    TD_LOG << "Equal error rate is " << (100.0 * eer) << "%, at threshold " << threshold;
    for (const DcfResult &r : ComputeMinDcfSorted(target_scores, nontarget_scores, p_targets))
      TD_LOG << "minDCF(p-target=" << r.p_target << ") is " << r.min_dcf << ", at threshold "
             << r.threshold;
    std::cout.precision(4);
    std::cout << (100.0 * eer);
    std::cout.flush();
    return 0;
  });
}
