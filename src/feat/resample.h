// resample.h: band-limited resampling between two rates with a windowed-sinc filter (the
// same filter family as Kaldi's LinearResample: Hann-windowed sinc, cut-off 0.99 * half of
// the lower rate, num_zeros = 6 zero crossings on each side). Output length is
// floor(n * out_rate / in_rate) samples; the filter taps for each output phase are
// precomputed, so the cost is O(output samples * taps).
#ifndef TDNAS_FEAT_RESAMPLE_H_
#define TDNAS_FEAT_RESAMPLE_H_

#include <vector>

#include "base/io-funcs.h"

namespace tdnas {

void ResampleWaveform(const float *in, int64 n, double in_rate, double out_rate,
                      std::vector<float> *out, int32 num_zeros = 6);

}  // namespace tdnas

#endif  // TDNAS_FEAT_RESAMPLE_H_
