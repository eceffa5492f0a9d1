// model-io.h: the model files of tdnas: a static subnet or the weight-sharing supernet, with
// what it needs at run time, in Kaldi's binary object style, readable in text.
//
// Layout (tokens + Kaldi matrices/vectors; `nnet-copy --binary=false` prints it):
//   <TdnasNnet> <Version> 1 <Kind> static|supernet
//   <Config> 2-64-64-64-3-3-3-128                      (static: the subnet it is)
//   <Shape> <MaxWidth> 512 <MaxCatWidth> 1536 </Shape> (supernet instead: its size)
//   <NetOptions> <InputDim> 80 <EmbedDim> 192 <AttentionDim> 128 <NumClasses> N
//     <BnMomentum> 0.1 <BnEps> 1e-05 <MinVar> 1e-09 <AamMargin> 0.2 <AamScale> 30 </NetOptions>
//   <FrontEnd> <FeatureType> fbank <FeatureDim> 80 <Cmn> T <FeatureConfig> n tok.. </FrontEnd>
//   <Speakers> n spk1 spk2 ...                         (class id = position)
//   <Params> n  (<T> name <Shape> [ dims ] FM/FV ...)* </Params>
//                                 (supernet: the largest net's tensors, then every "<conv>.k53"
//                                  and "<conv>.k31" kernel transform, nnet/supernet.h)
//   <State> n   (the BN running statistics, same encoding) </State>
//   [<TrainState> ... </TrainState>]                   (checkpoints only, see TrainState)
//   </TdnasNnet>
// A tensor of rank >= 2 is stored as a Kaldi matrix with shape[0] rows, a rank-1 tensor as a
// Kaldi vector. Loading builds the network from the config and checks every tensor's name and
// shape against it, so a file that does not match its own config is an ERROR, never a silent
// reinterpretation.
//
// The front-end settings (feature type, dimension, CMN, the feature options used in training)
// travel with the model and are checked where features meet the model (CheckFeatureDim), so
// they are never re-typed as flags that can disagree.
//
// Writing goes through util's Output: a file is written under a temporary name and renamed
// when complete, so a process killed mid-write leaves the previous file intact.
#ifndef TDNAS_NNET_MODEL_IO_H_
#define TDNAS_NNET_MODEL_IO_H_

#include <cstdint>
#include <istream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "nnet/param-table.h"
#include "nnet/static-tdnn.h"
#include "nnet/subnet-config.h"
#include "nnet/supernet.h"

namespace tdnas {
namespace nnet {

// What the features fed to the model must be.
struct FrontEndInfo {
  std::string feature_type = "fbank";
  int32 feature_dim = kTdnnInputDim;
  // Mean subtraction over time per input (whole utterance at extraction, each crop in
  // training), applied by the data/extraction code, not by the caller.
  bool cmn = true;
  // The feature options the training features were made with (e.g. "--num-mel-bins=80"),
  // recorded for reproducibility and shown by nnet-info.
  std::vector<std::string> feature_config;

  void Write(std::ostream &os, bool binary) const;
  void Read(std::istream &is, bool binary);
  std::string ToString() const;
  // TD_ERR unless features of dimension dim can go into this model.
  void CheckFeatureDim(int32 dim, const std::string &what) const;
};

// Training state saved in checkpoints: enough to continue a run exactly.
struct TrainState {
  bool present = false;
  std::string stage;          // training stage (search-space name) of the run
  uint64 seed = 0;            // run seed: data order, crops and subnet samples derive from it
  int64 step = 0;             // optimizer steps completed
  int64 total_steps = 0;      // steps of the whole run
  int64 adam_t = 0;           // Adam's step counter (bias correction)
  std::vector<float> adam_m;  // Adam moments, laid out as the parameter buffer
  std::vector<float> adam_v;
  std::string options;        // the trainer's options (for nnet-info and resume checks)

  void Write(std::ostream &os, bool binary) const;
  void Read(std::istream &is, bool binary);
};

// Writes/reads "<Params> n (<T> name <Shape> [dims] data)* </Params>"-style sections. Reading
// checks names, order and shapes against the table and fills buf (laid out by the table).
void WriteTensorTable(std::ostream &os, bool binary, const std::string &section,
                      const ParamTable &table, const Buffer &buf);
void ReadTensorTable(std::istream &is, bool binary, const std::string &section,
                     const ParamTable &table, Buffer *buf);

enum class ModelKind { kStatic, kSupernet };
const char *ModelKindName(ModelKind k);

class NnetModel {
 public:
  NnetModel() {}
  // A freshly initialised static model (weights from seed).
  NnetModel(const SubnetConfig &cfg, const StaticTdnnOptions &opts, uint64 seed);
  // A freshly initialised supernet of the given shape (shared weights from seed as the
  // largest static net's, kernel transforms at identity).
  NnetModel(const SupernetShape &shape, const StaticTdnnOptions &opts, uint64 seed);

  ModelKind Kind() const { return kind_; }
  bool IsStatic() const { return kind_ == ModelKind::kStatic; }
  bool IsSupernet() const { return kind_ == ModelKind::kSupernet; }
  // The static network; TD_ERR for a supernet ("give --subnet=CONFIG").
  const SubnetConfig &Config() const { return Net().Config(); }
  StaticTdnn &Net();
  const StaticTdnn &Net() const;
  // The supernet; TD_ERR for a static model.
  Supernet &Super();
  const Supernet &Super() const;
  // Either kind: the network options, and the buffers the optimizer and checkpoints see.
  const StaticTdnnOptions &NetOptions() const;
  Buffer &ParamBuffer();
  Buffer &GradBuffer();
  // A human-readable name of the network: the static config, or "supernet <shape>".
  std::string Describe() const;
  // Makes this the static model of cfg: a supernet materialises it (weights through the
  // kernel transforms, BN statistics of its slices; no recalibration); a static model must
  // already be cfg (TD_ERR otherwise). Front end and speakers stay; training state is dropped
  // when the network changes.
  void CutSubnet(const SubnetConfig &cfg);
  FrontEndInfo &FrontEnd() { return front_end_; }
  const FrontEndInfo &FrontEnd() const { return front_end_; }
  std::vector<std::string> &Speakers() { return speakers_; }
  const std::vector<std::string> &Speakers() const { return speakers_; }
  TrainState &Train() { return train_; }
  const TrainState &Train() const { return train_; }

  // Changes the AAM-softmax margin/scale (training options; the weights are kept).
  void SetAamOptions(const AamOptions &aam);

  // Kaldi object I/O (after the "\0B" header, as KaldiObjectHolder expects).
  void Write(std::ostream &os, bool binary) const;
  void Read(std::istream &is, bool binary);

  // Human-readable summary (nnet-info).
  std::string Info() const;

 private:
  ModelKind kind_ = ModelKind::kStatic;
  std::unique_ptr<StaticTdnn> net_;
  std::unique_ptr<Supernet> super_;
  FrontEndInfo front_end_;
  std::vector<std::string> speakers_;
  TrainState train_;
};

// Reads a model file (binary or text, detected). TD_ERR naming the file on failure.
void ReadNnetModel(const std::string &rxfilename, NnetModel *model);
// Writes atomically (temporary name, then rename).
void WriteNnetModel(const NnetModel &model, const std::string &wxfilename, bool binary);

// Copies the parameters and BN state of src into dst (same config and options).
void CopyNetWeights(const StaticTdnn &src, StaticTdnn *dst);

}  // namespace nnet
}  // namespace tdnas

#endif  // TDNAS_NNET_MODEL_IO_H_
