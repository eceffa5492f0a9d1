// wccn.cc: see wccn.h.
#include "sv/wccn.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "base/log.h"

namespace tdnas {

namespace {

// Rows of `table` minus their speaker's mean, for speakers with at least min_utts rows.
Matrix<double> CenterBySpeaker(const EmbeddingTable &table, const std::vector<std::string> &speaker,
                               int32 min_utts, WccnInfo *info) {
  TD_ASSERT(static_cast<int32>(speaker.size()) == table.NumRows());
  std::map<std::string, std::vector<int32>> rows_of;  // ordered: a reproducible row order
  for (int32 i = 0; i < table.NumRows(); i++) rows_of[speaker[i]].push_back(i);
  const int32 dim = table.Dim();
  int32 used = 0;
  for (const auto &kv : rows_of) {
    if (static_cast<int32>(kv.second.size()) >= min_utts) {
      used += kv.second.size();
      info->num_speakers++;
    } else {
      info->skipped_speakers++;
    }
  }
  info->num_utts = used;
  if (used < 2)
    TD_ERR << "WCCN needs at least 2 utterances of speakers with >= " << min_utts
           << " utterances each; have " << used << " (" << table.NumRows() << " embeddings, "
           << rows_of.size() << " speakers)";
  Matrix<double> z(used, dim);
  std::vector<double> mean(dim);
  int32 r = 0;
  for (const auto &kv : rows_of) {
    if (static_cast<int32>(kv.second.size()) < min_utts) continue;
    std::fill(mean.begin(), mean.end(), 0.0);
    for (int32 i : kv.second)
      for (int32 d = 0; d < dim; d++) mean[d] += table.Row(i)[d];
    for (int32 d = 0; d < dim; d++) mean[d] /= kv.second.size();
    for (int32 i : kv.second) {
      double *out = z.RowData(r++);
      for (int32 d = 0; d < dim; d++) out[d] = table.Row(i)[d] - mean[d];
    }
  }
  return z;
}

Matrix<double> Covariance(const Matrix<double> &centered) {
  const int32 dim = centered.NumCols();
  Matrix<double> cov(dim, dim);
  cov.AddMatMat(1.0 / centered.NumRows(), centered, kTrans, centered, kNoTrans, 0.0);
  return cov;
}

// In place: a -> L with a = L L^T (lower triangle; the upper one is zeroed). False when a is
// not (numerically) positive definite.
bool Cholesky(Matrix<double> *a) {
  const int32 n = a->NumRows();
  for (int32 j = 0; j < n; j++) {
    double d = (*a)(j, j);
    for (int32 k = 0; k < j; k++) d -= (*a)(j, k) * (*a)(j, k);
    if (!(d > 0)) return false;
    const double ljj = std::sqrt(d);
    (*a)(j, j) = ljj;
    for (int32 i = j + 1; i < n; i++) {
      double s = (*a)(i, j);
      for (int32 k = 0; k < j; k++) s -= (*a)(i, k) * (*a)(j, k);
      (*a)(i, j) = s / ljj;
    }
    for (int32 i = 0; i < j; i++) (*a)(i, j) = 0;
  }
  return true;
}

// Inverse of a lower-triangular matrix by forward substitution, column by column.
Matrix<double> InvertLower(const Matrix<double> &l) {
  const int32 n = l.NumRows();
  Matrix<double> inv(n, n);
  for (int32 c = 0; c < n; c++) {
    for (int32 i = c; i < n; i++) {
      double s = i == c ? 1.0 : 0.0;
      for (int32 k = c; k < i; k++) s -= l(i, k) * inv(k, c);
      inv(i, c) = s / l(i, i);
    }
  }
  return inv;
}

}  // namespace

Matrix<double> WithinClassCovariance(const EmbeddingTable &table,
                                     const std::vector<std::string> &speaker, int32 min_utts,
                                     WccnInfo *info) {
  return Covariance(CenterBySpeaker(table, speaker, min_utts, info));
}

double LedoitWolfShrinkage(const Matrix<double> &cov, const Matrix<double> &centered) {
  const int32 dim = cov.NumRows(), n = centered.NumRows();
  double trace = 0, cov_sq = 0;
  for (int32 i = 0; i < dim; i++) trace += cov(i, i);
  const double mu = trace / dim;
  double d2 = 0;
  for (int32 i = 0; i < dim; i++)
    for (int32 j = 0; j < dim; j++) {
      const double c = cov(i, j);
      cov_sq += c * c;
      const double off = c - (i == j ? mu : 0.0);
      d2 += off * off;
    }
  if (!(d2 > 0)) return 1.0;
  // |z z^T - C|_F^2 = |z|^4 - 2 z^T C z + |C|_F^2, so no dim x dim matrix per sample.
  Matrix<double> zc(n, dim);
  zc.AddMatMat(1.0, centered, kNoTrans, cov, kNoTrans, 0.0);
  double b2 = 0;
  for (int32 k = 0; k < n; k++) {
    const double *z = centered.RowData(k), *y = zc.RowData(k);
    double zz = 0, zcz = 0;
    for (int32 d = 0; d < dim; d++) {
      zz += z[d] * z[d];
      zcz += z[d] * y[d];
    }
    b2 += zz * zz - 2 * zcz + cov_sq;
  }
  b2 /= static_cast<double>(n) * n;
  return std::min(b2, d2) / d2;
}

Matrix<float> ComputeWccn(const EmbeddingTable &table, const std::vector<std::string> &speaker,
                          const WccnOptions &opts, WccnInfo *info) {
  if (opts.shrinkage > 1) TD_ERR << "--shrinkage must be <= 1 (negative: automatic), got "
                                 << opts.shrinkage;
  if (opts.min_utts_per_spk < 2)
    TD_ERR << "--min-utts-per-spk must be >= 2 (one utterance has no within-class spread), got "
           << opts.min_utts_per_spk;
  *info = WccnInfo();
  Matrix<double> z = CenterBySpeaker(table, speaker, opts.min_utts_per_spk, info);
  Matrix<double> cov = Covariance(z);
  const double s = opts.shrinkage < 0 ? LedoitWolfShrinkage(cov, z) : opts.shrinkage;
  info->shrinkage = s;
  const int32 dim = cov.NumRows();
  double mu = 0;
  for (int32 i = 0; i < dim; i++) mu += cov(i, i);
  mu /= dim;
  for (int32 i = 0; i < dim; i++)
    for (int32 j = 0; j < dim; j++) cov(i, j) = (1 - s) * cov(i, j) + (i == j ? s * mu : 0.0);
  if (!Cholesky(&cov))
    TD_ERR << "The within-class covariance (shrinkage " << s << ", " << info->num_utts
           << " utterances of " << info->num_speakers << " speakers, dim " << dim
           << ") is not positive definite: use more utterances than dimensions, or "
              "--shrinkage > 0 (negative: automatic)";
  return Matrix<float>(InvertLower(cov));
}

}  // namespace tdnas
