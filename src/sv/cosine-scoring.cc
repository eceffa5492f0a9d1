// cosine-scoring.cc: see cosine-scoring.h.
#include "sv/cosine-scoring.h"

#include <cmath>
#include <limits>

#include "base/log.h"

namespace tdnas {

void L2Normalize(float *v, int32 dim) {
  double sum = 0;
  for (int32 i = 0; i < dim; i++) sum += static_cast<double>(v[i]) * v[i];
  double norm = std::sqrt(sum);
  if (!(norm > 0) || !std::isfinite(norm))
    TD_ERR << "Cannot L2-normalise a vector of norm " << norm << " (dim " << dim << ")";
  for (int32 i = 0; i < dim; i++) v[i] = static_cast<float>(v[i] / norm);
}

namespace {
// L2Normalize with an error that names the embedding (a NaN from a broken network or a zero
// vector has no direction; `context` says where it came from).
void NormalizeNamed(float *v, int32 dim, const std::string &key, const std::string &context) {
  double sq = 0;
  for (int32 i = 0; i < dim; i++) sq += static_cast<double>(v[i]) * v[i];
  if (!(sq > 0) || !std::isfinite(sq))
    TD_ERR << "Embedding " << key << " has norm " << std::sqrt(sq) << context
           << ": no direction to score";
  L2Normalize(v, dim);
}
}  // namespace

double CosineScore(const float *a, const float *b, int32 dim) {
  double ab = 0, aa = 0, bb = 0;
  for (int32 i = 0; i < dim; i++) {
    ab += static_cast<double>(a[i]) * b[i];
    aa += static_cast<double>(a[i]) * a[i];
    bb += static_cast<double>(b[i]) * b[i];
  }
  if (!(aa > 0 && bb > 0)) TD_ERR << "Cosine score of a zero vector";
  return ab / std::sqrt(aa * bb);
}

double CosineScore(const Vector<float> &a, const Vector<float> &b) {
  if (a.Dim() != b.Dim()) TD_ERR << "Cosine score: dimension mismatch " << a.Dim() << " vs " << b.Dim();
  return CosineScore(a.Data(), b.Data(), a.Dim());
}

void EmbeddingTable::Add(const std::string &key, const Vector<float> &embedding) {
  if (keys_.empty()) dim_ = embedding.Dim();
  if (embedding.Dim() != dim_ || dim_ == 0)
    TD_ERR << "Embedding for " << key << " has dimension " << embedding.Dim() << ", expected "
           << dim_;
  std::vector<float> row(embedding.Data(), embedding.Data() + dim_);
  NormalizeNamed(row.data(), dim_, key, "");
  if (!index_.emplace(key, NumRows()).second) TD_ERR << "Duplicate embedding key " << key;
  keys_.push_back(key);
  data_.insert(data_.end(), row.begin(), row.end());
}

void EmbeddingTable::Transform(const Matrix<float> &m, const std::string &what) {
  if (m.NumCols() != dim_ || m.NumRows() == 0)
    TD_ERR << "Transform " << what << " is " << m.NumRows() << " x " << m.NumCols()
           << ", the embeddings have dimension " << dim_;
  const int32 out_dim = m.NumRows();
  std::vector<float> out(keys_.size() * static_cast<size_t>(out_dim));
  for (int32 r = 0; r < NumRows(); r++) {
    const float *x = Row(r);
    float *y = out.data() + static_cast<size_t>(r) * out_dim;
    for (int32 i = 0; i < out_dim; i++) {
      const float *mi = m.RowData(i);
      double acc = 0;
      for (int32 d = 0; d < dim_; d++) acc += static_cast<double>(mi[d]) * x[d];
      y[i] = static_cast<float>(acc);
    }
    NormalizeNamed(y, out_dim, keys_[r], " after transform " + what);
  }
  data_.swap(out);
  dim_ = out_dim;
}

int32 EmbeddingTable::Find(const std::string &key) const {
  auto it = index_.find(key);
  return it == index_.end() ? -1 : it->second;
}

int64 ScoreTrialsCosine(const EmbeddingTable &enroll, const EmbeddingTable &test,
                        const std::vector<Trial> &trials, bool permissive,
                        std::vector<float> *scores) {
  if (enroll.NumRows() > 0 && test.NumRows() > 0 && enroll.Dim() != test.Dim())
    TD_ERR << "Enrollment embeddings have dimension " << enroll.Dim() << ", test "
           << test.Dim();
  scores->assign(trials.size(), std::numeric_limits<float>::quiet_NaN());
  int64 missing = 0;
  for (size_t i = 0; i < trials.size(); i++) {
    int32 e = enroll.Find(trials[i].enroll), t = test.Find(trials[i].test);
    if (e < 0 || t < 0) {
      const std::string &key = e < 0 ? trials[i].enroll : trials[i].test;
      if (!permissive) TD_ERR << "No embedding for " << key << " (trial " << i + 1 << ")";
      missing++;
      continue;
    }
    const float *a = enroll.Row(e), *b = test.Row(t);
    double dot = 0;
    for (int32 d = 0; d < enroll.Dim(); d++) dot += static_cast<double>(a[d]) * b[d];
    (*scores)[i] = static_cast<float>(dot);
  }
  return missing;
}

void SplitScoresByLabel(const std::vector<Trial> &trials, const std::vector<float> &scores,
                        std::vector<float> *target, std::vector<float> *nontarget) {
  TD_ASSERT(trials.size() == scores.size());
  for (size_t i = 0; i < trials.size(); i++) {
    if (std::isnan(scores[i])) continue;
    (trials[i].target ? target : nontarget)->push_back(scores[i]);
  }
}

}  // namespace tdnas
