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
        "Computes Equal Error Rate.\n"
        "Input is a series of lines, each with two fields.\n"
        "The first field must be a numeric score, and the second\n"
        "either the string 'target' or 'nontarget'.\n"
        "The EER will be printed to the standard output.\n"
        "\n"
        "Usage: compute-eer <scores-in>\n"
        "e.g.: compute-eer -\n";
    std::string p_target_list;  // empty: Kaldi's behaviour (EER only)
    ParseOptions po(usage);
    po.Register("p-target", &p_target_list,
                "If set (comma-separated list, e.g. 0.01,0.001), also log minDCF "
                "(c-miss = c-fa = 1) for each prior (not in Kaldi's compute-eer)");
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
