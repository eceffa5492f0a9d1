// as-norm.h: adaptive symmetric score normalisation (AS-Norm) with a cohort of embeddings.
//
// For an embedding x, its cohort statistics are the mean mu and standard deviation sd of its
// top-N cosine scores against the cohort (the N most similar cohort embeddings). A trial
// score s between enrollment e and test t becomes
//   s' = 0.5 * [ (s - mu_e) / sd_e + (s - mu_t) / sd_t ]
// (efficienttdnn.md section 1: cohort of 6000 VoxCeleb2 utterances, N = 300). sd is the
// unbiased (N-1) standard deviation, as torch.std computes it in the reference code; it is
// floored at 1e-8 so a degenerate cohort cannot divide by zero.
#ifndef TDNAS_SV_AS_NORM_H_
#define TDNAS_SV_AS_NORM_H_

#include <vector>

#include "matrix/kaldi-matrix.h"
#include "sv/cosine-scoring.h"
#include "util/options-itf.h"

namespace tdnas {

struct AsNormOptions {
  int32 top_n = 300;  // the paper's setting for a 6000-utterance cohort
  void Register(OptionsItf *opts) {
    opts->Register("asnorm-top", &top_n,
                   "AS-Norm: how many of the highest cohort scores of each side "
                   "(enroll, test) give its mean and std; at least 2, capped at the cohort "
                   "size");
  }
};

struct CohortStats {
  double mean = 0, std = 1;
};

class AsNorm {
 public:
  // cohort: one embedding per row, any norm (normalised here). top_n >= 2; it is capped at
  // the cohort size.
  AsNorm(const Matrix<float> &cohort, int32 top_n);
  AsNorm(const EmbeddingTable &cohort, int32 top_n);

  // Statistics of `num` L2-normalised embeddings stored row after row at `rows`.
  void ComputeStats(const float *rows, int32 num, int32 dim, std::vector<CohortStats> *stats) const;
  void ComputeStats(const EmbeddingTable &table, std::vector<CohortStats> *stats) const {
    ComputeStats(table.NumRows() ? table.Row(0) : nullptr, table.NumRows(), table.Dim(), stats);
  }

  static double Normalize(double score, const CohortStats &e, const CohortStats &t) {
    return 0.5 * ((score - e.mean) / e.std + (score - t.mean) / t.std);
  }

  int32 TopN() const { return top_n_; }

 private:
  void Init(int32 top_n);
  Matrix<float> cohort_;  // L2-normalised rows
  int32 top_n_ = 0;
};

// Normalises the trial scores in place (NaN scores stay NaN). `scores` as from
// ScoreTrialsCosine with the same tables and trials.
void ApplyAsNorm(const AsNorm &asnorm, const EmbeddingTable &enroll, const EmbeddingTable &test,
                 const std::vector<Trial> &trials, std::vector<float> *scores);

}  // namespace tdnas

#endif  // TDNAS_SV_AS_NORM_H_
