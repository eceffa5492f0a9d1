// voice-activity-detection.h: Kaldi's energy-based VAD (compute-vad) and voiced-frame
// selection (select-voiced-frames).
// Frame t is voiced when at least proportion-threshold of the frames in [t-context, t+context]
// (clipped to the utterance) have log energy (column 0) > threshold + mean-scale * mean energy.
#ifndef TDNAS_FEAT_VOICE_ACTIVITY_DETECTION_H_
#define TDNAS_FEAT_VOICE_ACTIVITY_DETECTION_H_

#include "matrix/kaldi-matrix.h"
#include "matrix/kaldi-vector.h"
#include "util/options-itf.h"

namespace tdnas {

struct VadEnergyOptions {
  float vad_energy_threshold = 5.0f;
  float vad_energy_mean_scale = 0.5f;
  int32 vad_frames_context = 0;
  float vad_proportion_threshold = 0.6f;

  void Register(OptionsItf *opts);
};

// feats: (T, D) with log energy in column 0. voiced: T values, 1.0 or 0.0.
void ComputeVadEnergy(const VadEnergyOptions &opts, const Matrix<float> &feats,
                      Vector<float> *voiced);

// Rows of feats whose voiced value is != 0, in order. Sizes must agree (TD_ERR otherwise).
void SelectVoicedFrames(const Matrix<float> &feats, const Vector<float> &voiced,
                        Matrix<float> *out);

}  // namespace tdnas

#endif  // TDNAS_FEAT_VOICE_ACTIVITY_DETECTION_H_
