// cmvn.cc: see cmvn.h.
#include "feat/cmvn.h"

#include <cmath>
#include <vector>

#include "base/log.h"

namespace tdnas {

void SlidingWindowCmnOptions::Register(OptionsItf *opts) {
  opts->Register("cmn-window", &cmn_window, "Length in frames of the window whose mean "
                 "(and variance) is removed from each frame (600 frames = 6 s at a 10 ms "
                 "shift); shorter utterances use all their frames");
  opts->Register("min-cmn-window", &min_window, "With --center=false, frames earlier than "
                 "this use the statistics of the first min-cmn-window frames rather than only "
                 "the few seen so far; not used with --center=true");
  opts->Register("max-warnings", &max_warnings, "Per utterance, how many variance-flooring "
                 "warnings to print: 0 prints none, -1 prints every one");
  opts->Register("norm-vars", &normalize_variance, "Also divide by the standard deviation "
                 "over the window (variance floored at 1e-10); false removes the mean only");
  opts->Register("center", &center, "true: the window is centred on the current frame "
                 "(moved inwards near the utterance edges); false: it ends at the current "
                 "frame, so no future frames are used after the first --min-cmn-window");
}

void SlidingWindowCmnOptions::Check() const {
  if (cmn_window <= 0) TD_ERR << "--cmn-window must be positive";
  if (min_window <= 0 && !center) TD_ERR << "--min-cmn-window must be positive";
}

void SlidingWindowCmn(const SlidingWindowCmnOptions &opts, const Matrix<float> &input,
                      Matrix<float> *output) {
  opts.Check();
  const int32 T = input.NumRows(), D = input.NumCols();
  output->Resize(T, D);
  std::vector<double> sum(D, 0.0), sumsq(D, 0.0);
  int32 last_start = -1, last_end = -1, warnings = 0;
  auto add = [&](int32 r, double sign) {
    const float *x = input.RowData(r);
    for (int32 d = 0; d < D; d++) {
      sum[d] += sign * x[d];
      if (opts.normalize_variance) sumsq[d] += sign * double(x[d]) * x[d];
    }
  };
  for (int32 t = 0; t < T; t++) {
    int32 start, end;
    if (opts.center) {
      start = t - opts.cmn_window / 2;
      end = start + opts.cmn_window;
    } else {
      start = t - opts.cmn_window;
      end = t + 1;
    }
    if (start < 0) {  // shift the window right
      end -= start;
      start = 0;
    }
    if (!opts.center && end > t) end = std::max(t + 1, opts.min_window);
    if (end > T) {
      start -= end - T;
      end = T;
      if (start < 0) start = 0;
    }
    if (last_start == -1) {
      for (int32 r = start; r < end; r++) add(r, 1.0);
    } else {
      for (int32 r = last_start; r < start; r++) add(r, -1.0);
      for (int32 r = last_end; r < end; r++) add(r, 1.0);
    }
    last_start = start;
    last_end = end;
    const int32 n = end - start;
    const float *x = input.RowData(t);
    float *y = output->RowData(t);
    for (int32 d = 0; d < D; d++) y[d] = static_cast<float>(x[d] - sum[d] / n);
    if (opts.normalize_variance) {
      if (n == 1) {
        for (int32 d = 0; d < D; d++) y[d] = 0.0f;
      } else {
        for (int32 d = 0; d < D; d++) {
          double var = sumsq[d] / n - sum[d] * sum[d] / (double(n) * n);
          if (var < 1.0e-10) {
            var = 1.0e-10;
            if (opts.max_warnings < 0 || warnings++ < opts.max_warnings)
              TD_WARN << "Flooring when normalizing variance, floored 1 elements; num-frames "
                      << n;
          }
          y[d] = static_cast<float>(y[d] / std::sqrt(var));
        }
      }
    }
  }
}

void NormalizeUtterance(bool norm_vars, double var_eps, Matrix<float> *feats) {
  const int32 T = feats->NumRows(), D = feats->NumCols();
  if (T == 0) return;
  std::vector<double> mean(D, 0.0), var(D, 0.0);
  for (int32 t = 0; t < T; t++) {
    const float *x = feats->RowData(t);
    for (int32 d = 0; d < D; d++) mean[d] += x[d];
  }
  for (double &m : mean) m /= T;
  if (norm_vars) {
    for (int32 t = 0; t < T; t++) {
      const float *x = feats->RowData(t);
      for (int32 d = 0; d < D; d++) var[d] += (x[d] - mean[d]) * (x[d] - mean[d]);
    }
    for (double &v : var) v = 1.0 / std::sqrt(v / T + var_eps);
  }
  for (int32 t = 0; t < T; t++) {
    float *x = feats->RowData(t);
    for (int32 d = 0; d < D; d++) {
      double v = x[d] - mean[d];
      if (norm_vars) v *= var[d];
      x[d] = static_cast<float>(v);
    }
  }
}

}  // namespace tdnas
