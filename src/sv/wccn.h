// wccn.h: within-class covariance normalisation (WCCN) of speaker embeddings.
//
// Cosine scoring treats every direction of the embedding space alike, yet the directions in
// which one speaker's utterances differ (channel, phonetic content, session) are nuisance.
// WCCN (Hatch, Kajarekar and Stolcke, ICSLP 2006) estimates the within-speaker covariance W
// on labelled training embeddings and maps x -> L^-1 x with W = L L^T (Cholesky), so that a
// cosine score afterwards is a^T W^-1 b / (|L^-1 a| |L^-1 b|): nuisance directions are
// scaled down, speaker directions up.
//
// The embeddings are L2-normalised first (as cosine scoring sees them); W is the scatter of
// each embedding around its speaker's mean, over speakers with at least min_utts_per_spk
// utterances. A few thousand utterances of a 192-dim embedding estimate W poorly in its
// smallest directions, and inverting amplifies exactly those, so W is shrunk toward
// (tr W / dim) I: W_s = (1 - s) W + s (tr W / dim) I. With shrinkage < 0 (the default), s is
// Ledoit and Wolf's estimate (J. Multivariate Anal. 88, 2004), computed from the training
// embeddings alone: the expected squared error of the sample covariance over its distance
// from the scaled identity, clipped to [0, 1]. No test data or tuning goes into the transform.
#ifndef TDNAS_SV_WCCN_H_
#define TDNAS_SV_WCCN_H_

#include <string>
#include <vector>

#include "matrix/kaldi-matrix.h"
#include "sv/cosine-scoring.h"
#include "util/options-itf.h"

namespace tdnas {

struct WccnOptions {
  double shrinkage = -1;       // < 0: Ledoit-Wolf; else the fixed s in [0, 1]
  int32 min_utts_per_spk = 2;  // speakers with fewer utterances carry no within-class data
  void Register(OptionsItf *opts) {
    opts->Register("shrinkage", &shrinkage,
                   "Weight s of (tr W / dim) I in the shrunk within-class covariance "
                   "(1 - s) W + s (tr W / dim) I; negative: Ledoit-Wolf's estimate from the data");
    opts->Register("min-utts-per-spk", &min_utts_per_spk,
                   "Speakers with fewer utterances are left out of the within-class covariance");
  }
};

struct WccnInfo {
  double shrinkage = 0;  // the s used
  int32 num_speakers = 0, num_utts = 0, skipped_speakers = 0;
};

// Within-class scatter of the (L2-normalised) rows of `table` around their speakers' means,
// divided by the number of rows used. speaker[i] is row i's speaker. Speakers with fewer than
// min_utts rows are skipped (counted in *info). TD_ERR when fewer than 2 rows are left.
Matrix<double> WithinClassCovariance(const EmbeddingTable &table,
                                     const std::vector<std::string> &speaker, int32 min_utts,
                                     WccnInfo *info);

// Ledoit-Wolf shrinkage intensity for covariance `cov` estimated from the `centered` rows
// (row k = sample k minus its mean): min(b2, d2) / d2, where d2 = |cov - mu I|_F^2 and
// b2 = (1/n^2) sum_k |z_k z_k^T - cov|_F^2. Returns 1 when d2 == 0 (cov already mu I).
double LedoitWolfShrinkage(const Matrix<double> &cov, const Matrix<double> &centered);

// The WCCN transform L^-1 (lower triangular, dim x dim) for `table`'s rows and labels.
// TD_ERR (with advice) when the shrunk covariance is not positive definite.
Matrix<float> ComputeWccn(const EmbeddingTable &table, const std::vector<std::string> &speaker,
                          const WccnOptions &opts, WccnInfo *info);

}  // namespace tdnas

#endif  // TDNAS_SV_WCCN_H_
