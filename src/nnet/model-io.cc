// model-io.cc: NnetModel reading and writing.
#include "nnet/model-io.h"

#include <cstring>
#include <sstream>

#include "matrix/kaldi-matrix.h"
#include "matrix/kaldi-vector.h"
#include "nnet/search-space.h"
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

NnetModel::NnetModel(const SupernetShape &shape, const StaticTdnnOptions &opts, uint64 seed)
    : kind_(ModelKind::kSupernet), super_(new Supernet(opts, shape)) {
  super_->InitParams(seed);
  front_end_.feature_dim = opts.input_dim;
}

StaticTdnn &NnetModel::Net() {
  return const_cast<StaticTdnn &>(static_cast<const NnetModel *>(this)->Net());
}
const StaticTdnn &NnetModel::Net() const {
  if (super_)
    TD_ERR << "the model is a weight-sharing supernet (" << super_->Shape().ToString()
           << "); give --subnet=CONFIG to use one of its subnets";
  if (!net_) TD_ERR << "model has no network (not read or initialised)";
  return *net_;
}

Supernet &NnetModel::Super() {
  return const_cast<Supernet &>(static_cast<const NnetModel *>(this)->Super());
}
const Supernet &NnetModel::Super() const {
  if (!super_) TD_ERR << "the model is not a supernet (it is the static subnet "
                      << (net_ ? net_->Config().ToString() : std::string("none")) << ")";
  return *super_;
}

const StaticTdnnOptions &NnetModel::NetOptions() const {
  return super_ ? super_->Options() : Net().Options();
}
Buffer &NnetModel::ParamBuffer() { return super_ ? super_->ParamBuffer() : Net().ParamBuffer(); }
Buffer &NnetModel::GradBuffer() { return super_ ? super_->GradBuffer() : Net().GradBuffer(); }

std::string NnetModel::Describe() const {
  if (super_) return "supernet (" + super_->Shape().ToString() + ")";
  return "static subnet " + Net().Config().ToString();
}

void NnetModel::CutSubnet(const SubnetConfig &cfg) {
  if (!super_) {
    if (cfg != Net().Config())
      TD_ERR << "the model is the static subnet " << Net().Config().ToString()
             << "; it cannot give the subnet " << cfg.ToString();
    return;
  }
  std::unique_ptr<StaticTdnn> net(new StaticTdnn(cfg, super_->Options()));
  super_->Materialize(net.get());
  net_.swap(net);
  super_.reset();
  kind_ = ModelKind::kStatic;
  train_ = TrainState();
}

void NnetModel::SetAamOptions(const AamOptions &aam) {
  if (super_) {
    super_->SetAamOptions(aam);
    return;
  }
  StaticTdnnOptions o = Net().Options();
  if (o.aam.margin == aam.margin && o.aam.scale == aam.scale) return;
  o.aam = aam;
  std::unique_ptr<StaticTdnn> net(new StaticTdnn(net_->Config(), o));
  CopyNetWeights(*net_, net.get());
  net_.swap(net);
}

namespace {

void WriteNetOptions(std::ostream &os, bool binary, const StaticTdnnOptions &o) {
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
}

void ReadNetOptions(std::istream &is, bool binary, StaticTdnnOptions *o) {
  ExpectToken(is, binary, "<NetOptions>");
  ExpectToken(is, binary, "<InputDim>");
  ReadBasicType(is, binary, &o->input_dim);
  ExpectToken(is, binary, "<EmbedDim>");
  ReadBasicType(is, binary, &o->embed_dim);
  ExpectToken(is, binary, "<AttentionDim>");
  ReadBasicType(is, binary, &o->attention_dim);
  ExpectToken(is, binary, "<NumClasses>");
  ReadBasicType(is, binary, &o->num_classes);
  ExpectToken(is, binary, "<BnMomentum>");
  ReadBasicType(is, binary, &o->bn_momentum);
  ExpectToken(is, binary, "<BnEps>");
  ReadBasicType(is, binary, &o->bn_eps);
  ExpectToken(is, binary, "<MinVar>");
  ReadBasicType(is, binary, &o->min_var);
  ExpectToken(is, binary, "<AamMargin>");
  ReadBasicType(is, binary, &o->aam.margin);
  ExpectToken(is, binary, "<AamScale>");
  ReadBasicType(is, binary, &o->aam.scale);
  ExpectToken(is, binary, "</NetOptions>");
  if (o->input_dim <= 0 || o->embed_dim <= 0 || o->attention_dim <= 0 || o->num_classes < 0)
    TD_ERR << "bad <NetOptions> in model file";
}

}  // namespace

void NnetModel::Write(std::ostream &os, bool binary) const {
  WriteToken(os, binary, "<TdnasNnet>");
  WriteToken(os, binary, "<Version>");
  WriteBasicType(os, binary, kModelVersion);
  WriteToken(os, binary, "<Kind>");
  WriteToken(os, binary, ModelKindName(kind_));
  if (super_) {
    WriteToken(os, binary, "<Shape>");
    WriteToken(os, binary, "<MaxWidth>");
    WriteBasicType(os, binary, super_->Shape().max_width);
    WriteToken(os, binary, "<MaxCatWidth>");
    WriteBasicType(os, binary, super_->Shape().max_cat_width);
    WriteToken(os, binary, "</Shape>");
  } else {
    WriteToken(os, binary, "<Config>");
    WriteToken(os, binary, Net().Config().ToString());
  }
  if (!binary) os << "\n";
  WriteNetOptions(os, binary, NetOptions());
  front_end_.Write(os, binary);
  WriteToken(os, binary, "<Speakers>");
  WriteBasicType(os, binary, static_cast<int32>(speakers_.size()));
  for (const auto &s : speakers_) WriteToken(os, binary, s);
  if (!binary) os << "\n";
  if (super_) {
    WriteTensorTable(os, binary, "Params", super_->Params(), super_->ParamBuffer());
    WriteTensorTable(os, binary, "State", super_->State(),
                     const_cast<Supernet &>(*super_).StateBuffer());
  } else {
    StaticTdnn &net = const_cast<StaticTdnn &>(Net());
    WriteTensorTable(os, binary, "Params", net.Params(), net.ParamBuffer());
    WriteTensorTable(os, binary, "State", net.State(), net.StateBuffer());
  }
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
  SubnetConfig cfg;
  SupernetShape shape;
  if (kind == "static") {
    kind_ = ModelKind::kStatic;
    ExpectToken(is, binary, "<Config>");
    std::string cfg_str;
    ReadToken(is, binary, &cfg_str);
    cfg = ParseSubnetConfig(cfg_str);
  } else if (kind == "supernet") {
    kind_ = ModelKind::kSupernet;
    ExpectToken(is, binary, "<Shape>");
    ExpectToken(is, binary, "<MaxWidth>");
    ReadBasicType(is, binary, &shape.max_width);
    ExpectToken(is, binary, "<MaxCatWidth>");
    ReadBasicType(is, binary, &shape.max_cat_width);
    ExpectToken(is, binary, "</Shape>");
    shape.Validate();
  } else {
    TD_ERR << "unknown model kind '" << kind << "' (static or supernet)";
  }
  StaticTdnnOptions o;
  ReadNetOptions(is, binary, &o);
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
  net_.reset();
  super_.reset();
  if (kind_ == ModelKind::kSupernet) {
    super_.reset(new Supernet(o, shape));
    ReadTensorTable(is, binary, "Params", super_->Params(), &super_->ParamBuffer());
    ReadTensorTable(is, binary, "State", super_->State(), &super_->StateBuffer());
  } else {
    net_.reset(new StaticTdnn(cfg, o));
    ReadTensorTable(is, binary, "Params", net_->Params(), &net_->ParamBuffer());
    ReadTensorTable(is, binary, "State", net_->State(), &net_->StateBuffer());
  }
  train_ = TrainState();
  if (PeekToken(is, binary) == 'T') {
    train_.Read(is, binary);
    const int64_t np = ParamBuffer().Size();
    if (!train_.adam_m.empty() && (static_cast<int64_t>(train_.adam_m.size()) != np ||
                                   static_cast<int64_t>(train_.adam_v.size()) != np))
      TD_ERR << "<TrainState> optimizer moments have the wrong size";
  }
  ExpectToken(is, binary, "</TdnasNnet>");
}

std::string NnetModel::Info() const {
  const StaticTdnnOptions &o = NetOptions();
  const ParamTable &params = super_ ? super_->Params() : Net().Params();
  const ParamTable &state = super_ ? super_->State() : Net().State();
  std::ostringstream os;
  os << "kind " << ModelKindName(kind_) << "\n";
  if (super_) {
    os << "shape " << super_->Shape().ToString() << "\n";
    os << "largest " << super_->Largest().ToString() << "\n";
  } else {
    os << "config " << Net().Config().ToString() << "\n";
  }
  os << "input-dim " << o.input_dim << "\nembedding-dim " << o.embed_dim << "\n";
  os << "num-classes " << o.num_classes << "\n";
  os << "aam margin " << o.aam.margin << " scale " << o.aam.scale << "\n";
  os << "front-end " << front_end_.ToString() << "\n";
  os << "num-speakers " << speakers_.size();
  if (!speakers_.empty()) os << " (" << speakers_.front() << " .. " << speakers_.back() << ")";
  os << "\n";
  int64_t head = 0, transforms = 0;
  int hi = params.Find("head.weight");
  if (hi >= 0) head = params.Entry(hi).size;
  for (int i = 0; i < params.Size(); i++) {
    const std::string &n = params.Entry(i).name;
    if (n.size() > 4 && (n.compare(n.size() - 4, 4, ".k53") == 0 ||
                         n.compare(n.size() - 4, 4, ".k31") == 0))
      transforms += params.Entry(i).size;
  }
  os << "num-params " << params.NumElements() - head - transforms << " (+" << head
     << " AAM head";
  if (super_) os << ", +" << transforms << " kernel transforms";
  os << ")\n";
  os << "num-tensors " << params.Size() << " params, " << state.Size() << " state\n";
  for (int i = 0; i < params.Size(); i++) {
    const ParamEntry &e = params.Entry(i);
    os << "  param " << e.name << " " << ShapeString(e.shape) << "\n";
  }
  if (super_) {
    for (const char *st : {"largest", "kernel", "depth", "width1", "width2"})
      os << "space " << SearchSpace::Named(st, super_->Shape()).Describe() << "\n";
  }
  if (train_.present) {
    os << "train-state stage " << (train_.stage.empty() ? "none" : train_.stage) << " step "
       << train_.step << "/" << train_.total_steps << " seed " << train_.seed << "\n"
       << "train-options " << train_.options << "\n";
  } else {
    os << "train-state none\n";
  }
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
