// cosine-scoring.h: cosine scoring of speaker embeddings.
//
// Embeddings are L2-normalised once when stored, so a trial's score is a dot product
// (accumulated in double). Trials whose keys are missing are an error, or, when permissive,
// get a NaN score and are counted (SplitScoresByLabel then leaves them out).
#ifndef TDNAS_SV_COSINE_SCORING_H_
#define TDNAS_SV_COSINE_SCORING_H_

#include <string>
#include <unordered_map>
#include <vector>

#include "matrix/kaldi-matrix.h"
#include "matrix/kaldi-vector.h"
#include "sv/trials.h"

namespace tdnas {

// Scales v to unit L2 norm. TD_ERR for a zero (or non-finite) vector: it has no direction.
void L2Normalize(float *v, int32 dim);

// Cosine similarity a.b / (|a| |b|), in double.
double CosineScore(const float *a, const float *b, int32 dim);
double CosineScore(const Vector<float> &a, const Vector<float> &b);

// Embeddings by key, stored L2-normalised, contiguous (row i at Row(i)).
class EmbeddingTable {
 public:
  // Normalises and stores; TD_ERR on a duplicate key or a dimension mismatch.
  void Add(const std::string &key, const Vector<float> &embedding);
  // Row index, or -1.
  int32 Find(const std::string &key) const;
  const float *Row(int32 i) const { return data_.data() + static_cast<size_t>(i) * dim_; }
  int32 NumRows() const { return static_cast<int32>(keys_.size()); }
  int32 Dim() const { return dim_; }
  const std::string &Key(int32 i) const { return keys_[i]; }
  // Replaces every row x by m x, L2-normalised again (m: out_dim x Dim(), e.g. the WCCN
  // transform of compute-wccn). TD_ERR when m's columns do not match Dim().
  void Transform(const Matrix<float> &m, const std::string &what);

 private:
  int32 dim_ = 0;
  std::vector<float> data_;
  std::vector<std::string> keys_;
  std::unordered_map<std::string, int32> index_;
};

// scores[i] = cosine of trial i's enrollment and test embeddings (looked up in `enroll` and
// `test`, which may be the same table). Missing key: TD_ERR, or NaN when permissive.
// Returns the number of trials with a missing key.
int64 ScoreTrialsCosine(const EmbeddingTable &enroll, const EmbeddingTable &test,
                        const std::vector<Trial> &trials, bool permissive,
                        std::vector<float> *scores);

// Appends scores to *target / *nontarget by the trials' labels; NaN scores are skipped.
void SplitScoresByLabel(const std::vector<Trial> &trials, const std::vector<float> &scores,
                        std::vector<float> *target, std::vector<float> *nontarget);

}  // namespace tdnas

#endif  // TDNAS_SV_COSINE_SCORING_H_
