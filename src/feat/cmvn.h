// cmvn.h: mean (and variance) normalisation of feature matrices.
//  - SlidingWindowCmn: Kaldi's apply-cmvn-sliding (window of cmn-window frames, trailing or
//    centred, at least min-cmn-window frames at the start; sums in double).
//  - NormalizeUtterance: per-utterance CMN / CMVN over all frames, the network front end's
//    normalisation (with norm_vars: (x - mean) / sqrt(var + eps), var biased, as
//    torch.nn.InstanceNorm1d with eps 1e-5 computes it).
#ifndef TDNAS_FEAT_CMVN_H_
#define TDNAS_FEAT_CMVN_H_

#include <string>

#include "matrix/kaldi-matrix.h"
#include "util/options-itf.h"

namespace tdnas {

struct SlidingWindowCmnOptions {
  int32 cmn_window = 600;     // frames (6 s at 100 Hz)
  int32 min_window = 100;     // frames used at the start, before a full window is available
  int32 max_warnings = 5;
  bool normalize_variance = false;
  bool center = false;

  void Register(OptionsItf *opts);
  void Check() const;
};

// input: (T, D). output: resized to (T, D).
void SlidingWindowCmn(const SlidingWindowCmnOptions &opts, const Matrix<float> &input,
                      Matrix<float> *output);

// In place: subtract the column means; with norm_vars also divide by sqrt(var + var_eps).
void NormalizeUtterance(bool norm_vars, double var_eps, Matrix<float> *feats);

}  // namespace tdnas

#endif  // TDNAS_FEAT_CMVN_H_
