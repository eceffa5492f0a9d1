// bn-recalibrate.h: BN recalibration of a materialised subnet (spec section 4): forward passes
// in training mode, no gradients, over random crops of training utterances; the running
// statistics become the average of the per-batch statistics.
//
// Weight sharing leaves a subnet's BN running statistics those of whatever subnets trained the
// shared channels, so a subnet is recalibrated before it is evaluated or exported. Like
// Once-for-All's set_running_statistics, the statistics are reset and replaced by the exact
// mean over batches of each batch's mean and (unbiased) variance, not by a momentum average,
// so the result does not depend on the previous statistics or on the batch order.
//
// Crops: batch k has batch_size crops of one length drawn uniformly in [min_frames,
// max_frames] (2-6 s in the reference), each from a random utterance at a random start
// (wrap-padded if short), mean-normalised if the model's front end says so. Everything is
// drawn from `seed`, so recalibrating twice gives the same bits.
// The network may live on the GPU: crops are cut on the host and each batch goes to the device;
// the per-batch statistics come back and are averaged in double on the host.
#ifndef TDNAS_NNET_BN_RECALIBRATE_H_
#define TDNAS_NNET_BN_RECALIBRATE_H_

#include <string>
#include <vector>

#include "matrix/kaldi-matrix.h"
#include "nnet/static-tdnn.h"

namespace tdnas {

class OptionsItf;

namespace nnet {

struct BnRecalibrateOptions {
  int32 num_batches = 0;      // 0: enough batches to use every utterance given once on average
  int32 batch_size = 64;
  int32 min_frames = 200;     // 2 s
  int32 max_frames = 600;     // 6 s
  int32 seed = 666;
  void Register(OptionsItf *opts);
  void Validate() const;
};

// Reads a seeded uniform random subset of at most num_utts utterances of a feature table
// (reservoir sampling in table order, generator MixSeed(seed, 5)): the recalibration set of
// nnet-sample-subnet and nnet-extract-embeddings, so both pick the same utterances for the
// same options. Returns the number of utterances in the table; TD_ERR if it has none.
int64 ReadRecalibrationUtterances(const std::string &rspecifier, int32 num_utts, int32 seed,
                                  std::vector<Matrix<float>> *utts);

// utts: the recalibration utterances, (T, dim) each. cmn: per-crop mean subtraction.
void RecalibrateBn(const std::vector<Matrix<float>> &utts, bool cmn,
                   const BnRecalibrateOptions &opts, StaticTdnn *net);

}  // namespace nnet
}  // namespace tdnas

#endif  // TDNAS_NNET_BN_RECALIBRATE_H_
