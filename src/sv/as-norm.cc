// as-norm.cc: AS-Norm cohort statistics by blocked GEMM + partial selection (see as-norm.h).
#include "sv/as-norm.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "base/log.h"

namespace tdnas {

AsNorm::AsNorm(const Matrix<float> &cohort, int32 top_n) : cohort_(cohort) {
  for (int32 r = 0; r < cohort_.NumRows(); r++) L2Normalize(cohort_.RowData(r), cohort_.NumCols());
  Init(top_n);
}

AsNorm::AsNorm(const EmbeddingTable &cohort, int32 top_n)
    : cohort_(cohort.NumRows(), cohort.Dim()) {
  for (int32 r = 0; r < cohort.NumRows(); r++)
    std::copy(cohort.Row(r), cohort.Row(r) + cohort.Dim(), cohort_.RowData(r));
  Init(top_n);
}

void AsNorm::Init(int32 top_n) {
  if (cohort_.NumRows() < 2) TD_ERR << "AS-Norm needs a cohort of at least 2 embeddings";
  if (top_n < 2) TD_ERR << "AS-Norm top-N must be at least 2, got " << top_n;
  top_n_ = std::min(top_n, cohort_.NumRows());
}

void AsNorm::ComputeStats(const float *rows, int32 num, int32 dim,
                          std::vector<CohortStats> *stats) const {
  if (num > 0 && dim != cohort_.NumCols())
    TD_ERR << "AS-Norm: embedding dimension " << dim << " != cohort dimension "
           << cohort_.NumCols();
  stats->resize(num);
  const int32 kBlock = 256;  // rows per GEMM: bounds memory at kBlock x cohort floats
  const int32 nc = cohort_.NumRows();
  std::vector<float> top(nc);
  for (int32 start = 0; start < num; start += kBlock) {
    int32 n = std::min(kBlock, num - start);
    Matrix<float> block(n, dim), scores(n, nc);
    std::copy(rows + static_cast<size_t>(start) * dim, rows + static_cast<size_t>(start + n) * dim,
              block.Data());
    scores.AddMatMat(1.0f, block, kNoTrans, cohort_, kTrans, 0.0f);  // (n, nc) cosines
    for (int32 i = 0; i < n; i++) {
      const float *s = scores.RowData(i);
      top.assign(s, s + nc);
      std::nth_element(top.begin(), top.begin() + (top_n_ - 1), top.end(), std::greater<float>());
      double sum = 0;
      for (int32 k = 0; k < top_n_; k++) sum += top[k];
      double mean = sum / top_n_, var = 0;
      for (int32 k = 0; k < top_n_; k++) var += (top[k] - mean) * (top[k] - mean);
      CohortStats &st = (*stats)[start + i];
      st.mean = mean;
      st.std = std::max(std::sqrt(var / (top_n_ - 1)), 1e-8);
    }
  }
}

void ApplyAsNorm(const AsNorm &asnorm, const EmbeddingTable &enroll, const EmbeddingTable &test,
                 const std::vector<Trial> &trials, std::vector<float> *scores) {
  TD_ASSERT(scores->size() == trials.size());
  std::vector<CohortStats> se, st;
  asnorm.ComputeStats(enroll, &se);
  if (&enroll == &test) st = se;
  else asnorm.ComputeStats(test, &st);
  for (size_t i = 0; i < trials.size(); i++) {
    float &s = (*scores)[i];
    if (std::isnan(s)) continue;
    int32 e = enroll.Find(trials[i].enroll), t = test.Find(trials[i].test);
    TD_ASSERT(e >= 0 && t >= 0);
    s = static_cast<float>(AsNorm::Normalize(s, se[e], st[t]));
  }
}

}  // namespace tdnas
