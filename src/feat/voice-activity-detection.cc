// voice-activity-detection.cc: see voice-activity-detection.h.
#include "feat/voice-activity-detection.h"

#include "base/log.h"

namespace tdnas {

void VadEnergyOptions::Register(OptionsItf *opts) {
  opts->Register("vad-energy-threshold", &vad_energy_threshold,
                 "Fixed part of the log-energy threshold; a frame is loud when feature column "
                 "0 (log energy) exceeds this plus --vad-energy-mean-scale times the "
                 "utterance's mean log energy");
  opts->Register("vad-energy-mean-scale", &vad_energy_mean_scale,
                 "Weight of the utterance's mean log energy in the threshold (0: the "
                 "threshold is --vad-energy-threshold alone); must be >= 0");
  opts->Register("vad-frames-context", &vad_frames_context,
                 "Frames on each side of a frame whose loudness also counts in its decision "
                 "(0: each frame decides alone); the window is cut at the utterance edges");
  opts->Register("vad-proportion-threshold", &vad_proportion_threshold,
                 "A frame is voiced when at least this fraction of the frames in its context "
                 "window are loud; must lie in (0, 1)");
}

void ComputeVadEnergy(const VadEnergyOptions &opts, const Matrix<float> &feats,
                      Vector<float> *voiced) {
  const int32 T = feats.NumRows();
  voiced->Resize(T);
  if (T == 0) return;
  if (feats.NumCols() < 1) TD_ERR << "VAD needs features with log energy in column 0";
  if (opts.vad_energy_mean_scale < 0) TD_ERR << "--vad-energy-mean-scale must be >= 0";
  if (opts.vad_frames_context < 0) TD_ERR << "--vad-frames-context must be >= 0";
  if (!(opts.vad_proportion_threshold > 0 && opts.vad_proportion_threshold < 1))
    TD_ERR << "--vad-proportion-threshold must be in (0, 1)";
  std::vector<float> e(T);
  double sum = 0;
  for (int32 t = 0; t < T; t++) {
    e[t] = feats.RowData(t)[0];
    sum += e[t];
  }
  float threshold = opts.vad_energy_threshold;
  if (opts.vad_energy_mean_scale != 0.0f)
    threshold += opts.vad_energy_mean_scale * static_cast<float>(sum) / T;
  const int32 c = opts.vad_frames_context;
  for (int32 t = 0; t < T; t++) {
    int32 num = 0, den = 0;
    for (int32 t2 = t - c; t2 <= t + c; t2++) {
      if (t2 < 0 || t2 >= T) continue;
      den++;
      if (e[t2] > threshold) num++;
    }
    voiced->Data()[t] = num >= den * opts.vad_proportion_threshold ? 1.0f : 0.0f;
  }
}

void SelectVoicedFrames(const Matrix<float> &feats, const Vector<float> &voiced,
                        Matrix<float> *out) {
  if (feats.NumRows() != voiced.Dim())
    TD_ERR << "Mismatch in number for frames " << feats.NumRows() << " for features and VAD "
           << voiced.Dim();
  int32 n = 0;
  for (int32 t = 0; t < voiced.Dim(); t++) n += voiced.Data()[t] != 0.0f;
  out->Resize(n, n > 0 ? feats.NumCols() : 0);
  int32 r = 0;
  for (int32 t = 0; t < voiced.Dim(); t++)
    if (voiced.Data()[t] != 0.0f)
      std::copy(feats.RowData(t), feats.RowData(t) + feats.NumCols(), out->RowData(r++));
}

}  // namespace tdnas
