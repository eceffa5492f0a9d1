// model-io.cc: NnetModel reading and writing.
#include "nnet/model-io.h"

#include <cstring>
#include <sstream>

#include "matrix/kaldi-matrix.h"
#include "matrix/kaldi-vector.h"
#include "util/kaldi-io.h"

namespace tdnas {
namespace nnet {

namespace {

const int32 kModelVersion = 1;

void WriteFloatVector(std::ostream &os, bool binary, const std::vector<float> &v) {
  Vector<float> vec(static_cast<int32>(v.size()));
  if (!v.empty()) std::memcpy(vec.Data(), v.data(), v.size() * sizeof(float));
  vec.Write(os, binary);
}

void ReadFloatVector(std::istream &is, bool binary, std::vector<float> *v) {
  Vector<float> vec;
  vec.Read(is, binary);
  v->assign(vec.Data(), vec.Data() + vec.Dim());
}

std::string ShapeString(const std::vector<int64_t> &s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); i++) out += (i ? "," : "") + std::to_string(s[i]);
  return out + "]";
}

}  // namespace

// ---- FrontEndInfo ----

void FrontEndInfo::Write(std::ostream &os, bool binary) const {
  WriteToken(os, binary, "<FrontEnd>");
  WriteToken(os, binary, "<FeatureType>");
  WriteToken(os, binary, feature_type);
  WriteToken(os, binary, "<FeatureDim>");
  WriteBasicType(os, binary, feature_dim);
  WriteToken(os, binary, "<Cmn>");
  WriteBasicType(os, binary, cmn);
  WriteToken(os, binary, "<FeatureConfig>");
  WriteBasicType(os, binary, static_cast<int32>(feature_config.size()));
  for (const auto &t : feature_config) WriteToken(os, binary, t);
  WriteToken(os, binary, "</FrontEnd>");
  if (!binary) os << "\n";
}

void FrontEndInfo::Read(std::istream &is, bool binary) {
  ExpectToken(is, binary, "<FrontEnd>");
  ExpectToken(is, binary, "<FeatureType>");
  ReadToken(is, binary, &feature_type);
  ExpectToken(is, binary, "<FeatureDim>");
  ReadBasicType(is, binary, &feature_dim);
  ExpectToken(is, binary, "<Cmn>");
  ReadBasicType(is, binary, &cmn);
  ExpectToken(is, binary, "<FeatureConfig>");
  int32 n = 0;
  ReadBasicType(is, binary, &n);
  if (n < 0 || n > 10000) TD_ERR << "bad <FeatureConfig> count " << n;
  feature_config.resize(n);
  for (auto &t : feature_config) ReadToken(is, binary, &t);
  ExpectToken(is, binary, "</FrontEnd>");
}

std::string FrontEndInfo::ToString() const {
  std::ostringstream os;
  os << feature_type << " dim " << feature_dim << ", cmn " << (cmn ? "per-utterance" : "none");
  if (!feature_config.empty()) {
    os << ", options";
    for (const auto &t : feature_config) os << ' ' << t;
  }
  return os.str();
}

void FrontEndInfo::CheckFeatureDim(int32 dim, const std::string &what) const {
  if (dim != feature_dim)
    TD_ERR << what << " has feature dimension " << dim << " but the model expects "
           << feature_type << " features of dimension " << feature_dim;
}

// ---- TrainState ----

void TrainState::Write(std::ostream &os, bool binary) const {
  WriteToken(os, binary, "<TrainState>");
  WriteToken(os, binary, "<Stage>");
  WriteToken(os, binary, stage.empty() ? "none" : stage);
  WriteToken(os, binary, "<Seed>");
  WriteBasicType(os, binary, seed);
  WriteToken(os, binary, "<Step>");
  WriteBasicType(os, binary, step);
  WriteToken(os, binary, "<TotalSteps>");
  WriteBasicType(os, binary, total_steps);
  WriteToken(os, binary, "<AdamT>");
  WriteBasicType(os, binary, adam_t);
  WriteToken(os, binary, "<AdamM>");
  WriteFloatVector(os, binary, adam_m);
  WriteToken(os, binary, "<AdamV>");
  WriteFloatVector(os, binary, adam_v);
  WriteToken(os, binary, "<Options>");
  // Options are a free-form line: store as an int32 count of bytes then the bytes as tokens
  // would forbid spaces, so store space-separated words as a token list.
  std::istringstream words(options);
  std::vector<std::string> w;
  for (std::string s; words >> s;) w.push_back(s);
  WriteBasicType(os, binary, static_cast<int32>(w.size()));
  for (const auto &s : w) WriteToken(os, binary, s);
  WriteToken(os, binary, "</TrainState>");
  if (!binary) os << "\n";
}

void TrainState::Read(std::istream &is, bool binary) {
  ExpectToken(is, binary, "<TrainState>");
  ExpectToken(is, binary, "<Stage>");
  ReadToken(is, binary, &stage);
  if (stage == "none") stage.clear();
  ExpectToken(is, binary, "<Seed>");
  ReadBasicType(is, binary, &seed);
  ExpectToken(is, binary, "<Step>");
  ReadBasicType(is, binary, &step);
  ExpectToken(is, binary, "<TotalSteps>");
  ReadBasicType(is, binary, &total_steps);
  ExpectToken(is, binary, "<AdamT>");
  ReadBasicType(is, binary, &adam_t);
  ExpectToken(is, binary, "<AdamM>");
  ReadFloatVector(is, binary, &adam_m);
  ExpectToken(is, binary, "<AdamV>");
  ReadFloatVector(is, binary, &adam_v);
  ExpectToken(is, binary, "<Options>");
  int32 n = 0;
  ReadBasicType(is, binary, &n);
  if (n < 0 || n > 100000) TD_ERR << "bad <Options> count " << n;
  options.clear();
  for (int32 i = 0; i < n; i++) {
    std::string s;
    ReadToken(is, binary, &s);
    options += (i ? " " : "") + s;
  }
  ExpectToken(is, binary, "</TrainState>");
  present = true;
}

// ---- tensor tables ----

void WriteTensorTable(std::ostream &os, bool binary, const std::string &section,
                      const ParamTable &table, const Buffer &buf) {
  TD_ASSERT(buf.GetDevice() == Device::kCpu && buf.Size() >= table.TotalSize());
  WriteToken(os, binary, "<" + section + ">");
  WriteBasicType(os, binary, static_cast<int32>(table.Size()));
  if (!binary) os << "\n";
  for (int i = 0; i < table.Size(); i++) {
    const ParamEntry &e = table.Entry(i);
    WriteToken(os, binary, "<T>");
    WriteToken(os, binary, e.name);
    WriteToken(os, binary, "<Shape>");
    std::vector<int32> shape(e.shape.begin(), e.shape.end());
    WriteIntegerVector(os, binary, shape);
    const float *p = buf.Data() + e.offset;
    if (e.shape.size() == 1) {
      Vector<float> v(static_cast<int32>(e.size));
      std::memcpy(v.Data(), p, e.size * sizeof(float));
      v.Write(os, binary);
    } else {
      Matrix<float> m(static_cast<int32>(e.shape[0]), static_cast<int32>(e.size / e.shape[0]));
      std::memcpy(m.Data(), p, e.size * sizeof(float));
      m.Write(os, binary);
    }
  }
  WriteToken(os, binary, "</" + section + ">");
  if (!binary) os << "\n";
}

void ReadTensorTable(std::istream &is, bool binary, const std::string &section,
                     const ParamTable &table, Buffer *buf) {
  TD_ASSERT(buf->GetDevice() == Device::kCpu && buf->Size() >= table.TotalSize());
  ExpectToken(is, binary, "<" + section + ">");
  int32 n = 0;
  ReadBasicType(is, binary, &n);
  if (n != table.Size())
    TD_ERR << "<" << section << "> has " << n << " tensors, the network has " << table.Size();
  for (int i = 0; i < n; i++) {
    const ParamEntry &e = table.Entry(i);
    std::string name;
    ExpectToken(is, binary, "<T>");
    ReadToken(is, binary, &name);
    if (name != e.name)
      TD_ERR << "<" << section << "> tensor " << i << " is '" << name << "', expected '" << e.name
             << "'";
    ExpectToken(is, binary, "<Shape>");
    std::vector<int32> shape;
    ReadIntegerVector(is, binary, &shape);
    std::vector<int64_t> s64(shape.begin(), shape.end());
    if (s64 != e.shape)
      TD_ERR << "tensor " << name << " has shape " << ShapeString(s64) << ", the network expects "
             << ShapeString(e.shape);
    float *p = buf->Data() + e.offset;
    if (e.shape.size() == 1) {
      Vector<float> v;
      v.Read(is, binary);
      if (v.Dim() != e.size) TD_ERR << "tensor " << name << ": data size " << v.Dim();
      std::memcpy(p, v.Data(), e.size * sizeof(float));
    } else {
      Matrix<float> m;
      m.Read(is, binary);
      if (static_cast<int64_t>(m.NumRows()) * m.NumCols() != e.size || m.NumRows() != e.shape[0])
        TD_ERR << "tensor " << name << ": data is " << m.NumRows() << "x" << m.NumCols();
      std::memcpy(p, m.Data(), e.size * sizeof(float));
    }
  }
  ExpectToken(is, binary, "</" + section + ">");
}

// ---- NnetModel ----

const char *ModelKindName(ModelKind k) {
  return k == ModelKind::kStatic ? "static" : "supernet";
}

NnetModel::NnetModel(const SubnetConfig &cfg, const StaticTdnnOptions &opts, uint64 seed)
    : kind_(ModelKind::kStatic), net_(new StaticTdnn(cfg, opts)) {
  net_->InitParams(seed);
  front_end_.feature_dim = opts.input_dim;
}

StaticTdnn &NnetModel::Net() {
  if (!net_) TD_ERR << "model has no network (not read or initialised)";
  return *net_;
}
const StaticTdnn &NnetModel::Net() const {
  if (!net_) TD_ERR << "model has no network (not read or initialised)";
  return *net_;
}

void NnetModel::SetAamOptions(const AamOptions &aam) {
  StaticTdnnOptions o = Net().Options();
  if (o.aam.margin == aam.margin && o.aam.scale == aam.scale) return;
  o.aam = aam;
  std::unique_ptr<StaticTdnn> net(new StaticTdnn(net_->Config(), o));
  CopyNetWeights(*net_, net.get());
  net_.swap(net);
}

void NnetModel::Write(std::ostream &os, bool binary) const {
  const StaticTdnn &net = Net();
  const StaticTdnnOptions &o = net.Options();
  WriteToken(os, binary, "<TdnasNnet>");
  WriteToken(os, binary, "<Version>");
  WriteBasicType(os, binary, kModelVersion);
  WriteToken(os, binary, "<Kind>");
  WriteToken(os, binary, ModelKindName(kind_));
  WriteToken(os, binary, "<Config>");
  WriteToken(os, binary, net.Config().ToString());
  if (!binary) os << "\n";
  WriteToken(os, binary, "<NetOptions>");
  WriteToken(os, binary, "<InputDim>");
  WriteBasicType(os, binary, o.input_dim);
  WriteToken(os, binary, "<EmbedDim>");
  WriteBasicType(os, binary, o.embed_dim);
  WriteToken(os, binary, "<AttentionDim>");
  WriteBasicType(os, binary, o.attention_dim);
  WriteToken(os, binary, "<NumClasses>");
  WriteBasicType(os, binary, o.num_classes);
  WriteToken(os, binary, "<BnMomentum>");
  WriteBasicType(os, binary, o.bn_momentum);
  WriteToken(os, binary, "<BnEps>");
  WriteBasicType(os, binary, o.bn_eps);
  WriteToken(os, binary, "<MinVar>");
  WriteBasicType(os, binary, o.min_var);
  WriteToken(os, binary, "<AamMargin>");
  WriteBasicType(os, binary, o.aam.margin);
  WriteToken(os, binary, "<AamScale>");
  WriteBasicType(os, binary, o.aam.scale);
  WriteToken(os, binary, "</NetOptions>");
  if (!binary) os << "\n";
  front_end_.Write(os, binary);
  WriteToken(os, binary, "<Speakers>");
  WriteBasicType(os, binary, static_cast<int32>(speakers_.size()));
  for (const auto &s : speakers_) WriteToken(os, binary, s);
  if (!binary) os << "\n";
  Buffer &pb = const_cast<StaticTdnn &>(net).ParamBuffer();
  Buffer &sb = const_cast<StaticTdnn &>(net).StateBuffer();
  WriteTensorTable(os, binary, "Params", net.Params(), pb);
  WriteTensorTable(os, binary, "State", net.State(), sb);
  if (train_.present) train_.Write(os, binary);
  WriteToken(os, binary, "</TdnasNnet>");
  if (!binary) os << "\n";
}

void NnetModel::Read(std::istream &is, bool binary) {
  ExpectToken(is, binary, "<TdnasNnet>");
  ExpectToken(is, binary, "<Version>");
  int32 version = 0;
  ReadBasicType(is, binary, &version);
  if (version != kModelVersion)
    TD_ERR << "model file version " << version << ", this build reads version " << kModelVersion;
  ExpectToken(is, binary, "<Kind>");
  std::string kind;
  ReadToken(is, binary, &kind);
  if (kind != "static")
    TD_ERR << "model kind '" << kind << "' is not supported by this build (static only)";
  kind_ = ModelKind::kStatic;
  ExpectToken(is, binary, "<Config>");
  std::string cfg_str;
  ReadToken(is, binary, &cfg_str);
  SubnetConfig cfg = ParseSubnetConfig(cfg_str);
  StaticTdnnOptions o;
  ExpectToken(is, binary, "<NetOptions>");
  ExpectToken(is, binary, "<InputDim>");
  ReadBasicType(is, binary, &o.input_dim);
  ExpectToken(is, binary, "<EmbedDim>");
  ReadBasicType(is, binary, &o.embed_dim);
  ExpectToken(is, binary, "<AttentionDim>");
  ReadBasicType(is, binary, &o.attention_dim);
  ExpectToken(is, binary, "<NumClasses>");
  ReadBasicType(is, binary, &o.num_classes);
  ExpectToken(is, binary, "<BnMomentum>");
  ReadBasicType(is, binary, &o.bn_momentum);
  ExpectToken(is, binary, "<BnEps>");
  ReadBasicType(is, binary, &o.bn_eps);
  ExpectToken(is, binary, "<MinVar>");
  ReadBasicType(is, binary, &o.min_var);
  ExpectToken(is, binary, "<AamMargin>");
  ReadBasicType(is, binary, &o.aam.margin);
  ExpectToken(is, binary, "<AamScale>");
  ReadBasicType(is, binary, &o.aam.scale);
  ExpectToken(is, binary, "</NetOptions>");
  if (o.input_dim <= 0 || o.embed_dim <= 0 || o.attention_dim <= 0 || o.num_classes < 0)
    TD_ERR << "bad <NetOptions> in model file";
  front_end_.Read(is, binary);
  if (front_end_.feature_dim != o.input_dim)
    TD_ERR << "model front end dimension " << front_end_.feature_dim << " != network input "
           << o.input_dim;
  ExpectToken(is, binary, "<Speakers>");
  int32 n = 0;
  ReadBasicType(is, binary, &n);
  if (n < 0 || (n > 0 && n != o.num_classes))
    TD_ERR << "model lists " << n << " speakers for " << o.num_classes << " classes";
  speakers_.resize(n);
  for (auto &s : speakers_) ReadToken(is, binary, &s);
  net_.reset(new StaticTdnn(cfg, o));
  ReadTensorTable(is, binary, "Params", net_->Params(), &net_->ParamBuffer());
  ReadTensorTable(is, binary, "State", net_->State(), &net_->StateBuffer());
  train_ = TrainState();
  if (PeekToken(is, binary) == 'T') {
    train_.Read(is, binary);
    int64_t np = net_->Params().TotalSize();
    if (!train_.adam_m.empty() && (static_cast<int64_t>(train_.adam_m.size()) != np ||
                                   static_cast<int64_t>(train_.adam_v.size()) != np))
      TD_ERR << "<TrainState> optimizer moments have the wrong size";
  }
  ExpectToken(is, binary, "</TdnasNnet>");
}

std::string NnetModel::Info() const {
  const StaticTdnn &net = Net();
  const StaticTdnnOptions &o = net.Options();
  std::ostringstream os;
  os << "kind " << ModelKindName(kind_) << "\n";
  os << "config " << net.Config().ToString() << "\n";
  os << "input-dim " << o.input_dim << "\nembedding-dim " << o.embed_dim << "\n";
  os << "num-classes " << o.num_classes << "\n";
  os << "aam margin " << o.aam.margin << " scale " << o.aam.scale << "\n";
  os << "front-end " << front_end_.ToString() << "\n";
  os << "num-speakers " << speakers_.size();
  if (!speakers_.empty()) os << " (" << speakers_.front() << " .. " << speakers_.back() << ")";
  os << "\n";
  int64_t head = 0;
  int hi = net.Params().Find("head.weight");
  if (hi >= 0) head = net.Params().Entry(hi).size;
  os << "num-params " << net.Params().NumElements() - head << " (+" << head
     << " AAM head)\n";
  os << "num-tensors " << net.Params().Size() << " params, " << net.State().Size() << " state\n";
  for (int i = 0; i < net.Params().Size(); i++) {
    const ParamEntry &e = net.Params().Entry(i);
    os << "  param " << e.name << " " << ShapeString(e.shape) << "\n";
  }
  if (train_.present)
    os << "train-state stage " << (train_.stage.empty() ? "none" : train_.stage) << " step "
       << train_.step << "/" << train_.total_steps << " seed " << train_.seed << "\n"
       << "train-options " << train_.options << "\n";
  else
    os << "train-state none\n";
  return os.str();
}

void ReadNnetModel(const std::string &rxfilename, NnetModel *model) {
  bool binary = false;
  Input in(rxfilename, &binary);
  try {
    model->Read(in.Stream(), binary);
  } catch (const FatalError &e) {
    TD_ERR << "reading model from " << PrintableRxfilename(rxfilename) << ": " << e.what();
  }
  in.Close();
}

void WriteNnetModel(const NnetModel &model, const std::string &wxfilename, bool binary) {
  Output out(wxfilename, binary);
  model.Write(out.Stream(), binary);
  out.Close();
}

void CopyNetWeights(const StaticTdnn &src, StaticTdnn *dst) {
  if (src.Config() != dst->Config()) TD_ERR << "CopyNetWeights: configs differ";
  StaticTdnn &s = const_cast<StaticTdnn &>(src);
  TD_ASSERT(s.ParamBuffer().Size() == dst->ParamBuffer().Size());
  std::memcpy(dst->ParamBuffer().Data(), s.ParamBuffer().Data(),
              s.ParamBuffer().Size() * sizeof(float));
  std::memcpy(dst->StateBuffer().Data(), s.StateBuffer().Data(),
              s.StateBuffer().Size() * sizeof(float));
}

}  // namespace nnet
}  // namespace tdnas
