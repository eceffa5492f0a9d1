// kaldi-table-inl.h: template definitions for kaldi-table.h.
#ifndef TDNAS_UTIL_KALDI_TABLE_INL_H_
#define TDNAS_UTIL_KALDI_TABLE_INL_H_

#include <algorithm>

namespace tdnas {

// Non-template helpers (kaldi-table.cc).
enum class ArchiveKeyStatus { kKey, kEof, kError };
// Skips whitespace, reads the key and the one space/tab after it (a newline is left).
ArchiveKeyStatus ReadArchiveKey(std::istream &is, std::string *key, std::string *error);
// "key rxfilename[range]" -> parts; false (with *error) for a malformed line.
bool SplitScpLine(const std::string &line, std::string *key, std::string *rxfilename,
                  std::string *range, std::string *error);
// Reads all lines of an scp file: (key, rest-of-line); ERROR on a malformed line.
void ReadScriptFile(const std::string &rxfilename,
                    std::vector<std::pair<std::string, std::string>> *lines);
// Drains a pipe input to its end (so its exit status means something) and closes it.
void CloseDataInput(Input *input);

// Reads one object with `holder` from `is`, turning any failure into false + message.
template <class Holder>
bool ReadHolderGuarded(std::istream &is, Holder *holder, std::string *error) {
  try {
    if (holder->Read(is)) return true;
    *error = "object could not be read";
  } catch (const FatalError &e) {
    *error = e.what();
  }
  return false;
}

// ---------------------------------------------------------------- SequentialTableReader

template <class Holder> void SequentialTableReader<Holder>::Open(const std::string &rspecifier) {
  if (IsOpen()) Close();
  std::string error;
  type_ = ClassifyRspecifier(rspecifier, &rxfilename_, &opts_, &error);
  if (type_ == RspecifierType::kNone)
    TD_ERR << "Invalid rspecifier '" << rspecifier << "': " << error;
  rspecifier_ = rspecifier;
  input_.Open(rxfilename_);
  state_ = kHaveObject;
  line_number_ = 0;
  skipped_ = false;
  Next();
}

template <class Holder> bool SequentialTableReader<Holder>::Done() const {
  if (state_ == kClosed) TD_ERR << "SequentialTableReader: Done() called on a closed table";
  return state_ == kEnd;
}

template <class Holder> const std::string &SequentialTableReader<Holder>::Key() const {
  if (state_ != kHaveObject) TD_ERR << "SequentialTableReader: Key() called with no object";
  return key_;
}

template <class Holder> typename Holder::T &SequentialTableReader<Holder>::Value() {
  if (state_ != kHaveObject) TD_ERR << "SequentialTableReader: Value() called with no object";
  return holder_.Value();
}

template <class Holder> void SequentialTableReader<Holder>::Next() {
  if (state_ != kHaveObject) TD_ERR << "SequentialTableReader: Next() called at the end";
  if (type_ == RspecifierType::kArchive) NextArchive();
  else NextScript();
}

template <class Holder> void SequentialTableReader<Holder>::Fail(const std::string &msg) {
  if (!opts_.permissive)
    TD_ERR << msg << " (to skip bad entries, add the permissive option: '"
           << (type_ == RspecifierType::kArchive ? "ark,p:" : "scp,p:") << "')";
  TD_WARN << msg << "; skipping it (permissive mode)";
  skipped_ = true;
}

template <class Holder> void SequentialTableReader<Holder>::NextArchive() {
  std::istream &is = input_.Stream();
  std::string error;
  ArchiveKeyStatus st = ReadArchiveKey(is, &key_, &error);
  if (st == ArchiveKeyStatus::kEof) {
    state_ = kEnd;
    return;
  }
  if (st == ArchiveKeyStatus::kError) {
    state_ = kEnd;
    Fail("Bad archive " + PrintableRxfilename(rxfilename_) + ": " + error);
    return;
  }
  if (!ReadHolderGuarded(is, &holder_, &error)) {
    state_ = kEnd;
    Fail("Failed to read the object for key '" + key_ + "' from archive " +
         PrintableRxfilename(rxfilename_) + ": " + error);
  }
}

template <class Holder>
bool SequentialTableReader<Holder>::LoadScriptEntry(const std::string &rx,
                                                    const std::string &range,
                                                    std::string *error) {
  try {
    data_input_.Open(rx);
  } catch (const FatalError &e) {
    *error = e.what();
    return false;
  }
  bool ok;
  if (range.empty()) {
    ok = ReadHolderGuarded(data_input_.Stream(), &holder_, error);
  } else {
    Holder whole;
    ok = ReadHolderGuarded(data_input_.Stream(), &whole, error);
    if (ok) {
      try {
        ok = holder_.ExtractRange(whole, range);
        if (!ok) *error = "range specifiers are not supported for this type";
      } catch (const FatalError &e) {
        *error = e.what();
        ok = false;
      }
    }
  }
  if (ClassifyRxfilename(rx) != InputType::kOffsetFile) {
    try {
      CloseDataInput(&data_input_);
    } catch (const FatalError &e) {
      *error = e.what();
      ok = false;
    }
  }
  return ok;
}

template <class Holder> void SequentialTableReader<Holder>::NextScript() {
  std::istream &is = input_.Stream();
  while (true) {
    std::string line, key, rx, range, error;
    if (!std::getline(is, line)) {
      state_ = kEnd;
      return;
    }
    line_number_++;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::string where = "line " + std::to_string(line_number_) + " of scp " +
                        PrintableRxfilename(rxfilename_);
    if (!SplitScpLine(line, &key, &rx, &range, &error)) {
      state_ = kEnd;
      Fail("Bad " + where + ": " + error);  // the scp itself is broken: stop
      return;
    }
    if (LoadScriptEntry(rx, range, &error)) {
      key_ = key;
      return;
    }
    Fail("Failed to load the object for key '" + key + "' from " + PrintableRxfilename(rx) +
         " (" + where + "): " + error);
  }
}

template <class Holder> bool SequentialTableReader<Holder>::Close() {
  if (state_ == kClosed) return true;
  state_ = kClosed;
  holder_.Clear();
  if (data_input_.IsOpen()) data_input_.Close();
  input_.Close();
  return !skipped_;
}

// ---------------------------------------------------------------- RandomAccessTableReader

template <class Holder>
void RandomAccessTableReader<Holder>::Open(const std::string &rspecifier) {
  if (open_) Close();
  std::string error;
  type_ = ClassifyRspecifier(rspecifier, &rxfilename_, &opts_, &error);
  if (type_ == RspecifierType::kNone)
    TD_ERR << "Invalid rspecifier '" << rspecifier << "': " << error;
  rspecifier_ = rspecifier;
  kept_.clear();
  have_last_read_ = have_last_asked_ = archive_done_ = false;
  pending_drop_.clear();
  loaded_ = static_cast<size_t>(-1);
  if (type_ == RspecifierType::kScript) {
    ReadScriptFile(rxfilename_, &scp_);
    std::stable_sort(scp_.begin(), scp_.end(),
                     [](const std::pair<std::string, std::string> &a,
                        const std::pair<std::string, std::string> &b) { return a.first < b.first; });
    for (size_t i = 1; i < scp_.size(); i++)
      if (scp_[i].first == scp_[i - 1].first)
        TD_ERR << "Duplicate key '" << scp_[i].first << "' in scp "
               << PrintableRxfilename(rxfilename_) << " (random access needs unique keys)";
  } else {
    input_.Open(rxfilename_);
  }
  open_ = true;
}

template <class Holder>
size_t RandomAccessTableReader<Holder>::FindInScript(const std::string &key) const {
  auto it = std::lower_bound(
      scp_.begin(), scp_.end(), key,
      [](const std::pair<std::string, std::string> &a, const std::string &k) { return a.first < k; });
  if (it == scp_.end() || it->first != key) return static_cast<size_t>(-1);
  return it - scp_.begin();
}

template <class Holder>
bool RandomAccessTableReader<Holder>::LoadScript(size_t index, bool permissive) {
  if (loaded_ == index) return true;
  std::string key, rx, range, error;
  bool ok = SplitScpLine(scp_[index].first + " " + scp_[index].second, &key, &rx, &range, &error);
  if (ok) {
    try {
      data_input_.Open(rx);
      if (range.empty()) {
        ok = ReadHolderGuarded(data_input_.Stream(), &holder_, &error);
      } else {
        Holder whole;
        ok = ReadHolderGuarded(data_input_.Stream(), &whole, &error);
        if (ok && !holder_.ExtractRange(whole, range)) {
          error = "range specifiers are not supported for this type";
          ok = false;
        }
      }
      if (ClassifyRxfilename(rx) != InputType::kOffsetFile) CloseDataInput(&data_input_);
    } catch (const FatalError &e) {
      error = e.what();
      ok = false;
    }
  }
  if (ok) {
    loaded_ = index;
    return true;
  }
  loaded_ = static_cast<size_t>(-1);
  std::string msg = "Failed to load the object for key '" + scp_[index].first + "' from " +
                    PrintableRxfilename(rx) + " (scp " + PrintableRxfilename(rxfilename_) +
                    "): " + error;
  if (!permissive) TD_ERR << msg;
  TD_WARN << msg << "; treating the key as absent (permissive mode)";
  return false;
}

template <class Holder>
bool RandomAccessTableReader<Holder>::ReadArchiveEntry(std::string *key, Holder *holder) {
  std::istream &is = input_.Stream();
  std::string error;
  ArchiveKeyStatus st = ReadArchiveKey(is, key, &error);
  std::string msg;
  if (st == ArchiveKeyStatus::kEof) {
    archive_done_ = true;
    return false;
  }
  if (st == ArchiveKeyStatus::kError) {
    msg = "Bad archive " + PrintableRxfilename(rxfilename_) + ": " + error;
  } else if (!ReadHolderGuarded(is, holder, &error)) {
    msg = "Failed to read the object for key '" + *key + "' from archive " +
          PrintableRxfilename(rxfilename_) + ": " + error;
  } else {
    return true;
  }
  archive_done_ = true;
  if (!opts_.permissive) TD_ERR << msg;
  TD_WARN << msg << "; ignoring the rest of the archive (permissive mode)";
  return false;
}

template <class Holder>
Holder *RandomAccessTableReader<Holder>::FindInArchive(const std::string &key) {
  if (opts_.called_sorted && have_last_asked_ && key < last_asked_key_)
    TD_ERR << "Keys asked for out of order with the 'cs' (called sorted) option: '" << key
           << "' after '" << last_asked_key_ << "' (table " << rspecifier_ << ")";
  if (opts_.once && !pending_drop_.empty() && pending_drop_ != key) {
    kept_.erase(pending_drop_);
    pending_drop_.clear();
  }
  if (opts_.called_sorted) kept_.erase(kept_.begin(), kept_.lower_bound(key));
  have_last_asked_ = true;
  last_asked_key_ = key;
  auto it = kept_.find(key);
  if (it != kept_.end()) return it->second.get();
  if (opts_.sorted && have_last_read_ && last_read_key_ >= key) return nullptr;
  while (!archive_done_) {
    std::string k;
    std::unique_ptr<Holder> h(new Holder);
    if (!ReadArchiveEntry(&k, h.get())) break;
    if (have_last_read_ && opts_.sorted && k <= last_read_key_)
      TD_ERR << "Archive " << PrintableRxfilename(rxfilename_) << " is not sorted (key '" << k
             << "' after '" << last_read_key_ << "') but the 's' option says it is";
    if (kept_.count(k))
      TD_ERR << "Duplicate key '" << k << "' in archive " << PrintableRxfilename(rxfilename_);
    have_last_read_ = true;
    last_read_key_ = k;
    if (opts_.called_sorted && k < key) continue;  // will never be asked for
    Holder *ptr = h.get();
    kept_[k] = std::move(h);
    if (k == key) return ptr;
    if (opts_.sorted && k > key) return nullptr;
  }
  return nullptr;
}

template <class Holder>
bool RandomAccessTableReader<Holder>::HasKey(const std::string &key) {
  if (!open_) TD_ERR << "RandomAccessTableReader: HasKey() on a closed table";
  if (type_ == RspecifierType::kScript) {
    size_t i = FindInScript(key);
    if (i == static_cast<size_t>(-1)) return false;
    return opts_.permissive ? LoadScript(i, true) : true;
  }
  return FindInArchive(key) != nullptr;
}

template <class Holder>
const typename Holder::T &RandomAccessTableReader<Holder>::Value(const std::string &key) {
  if (!open_) TD_ERR << "RandomAccessTableReader: Value() on a closed table";
  if (type_ == RspecifierType::kScript) {
    size_t i = FindInScript(key);
    if (i == static_cast<size_t>(-1) || !LoadScript(i, opts_.permissive))
      TD_ERR << "Value(): key '" << key << "' not present in table " << rspecifier_;
    return holder_.Value();
  }
  Holder *h = FindInArchive(key);
  if (!h) TD_ERR << "Value(): key '" << key << "' not present in table " << rspecifier_;
  if (opts_.once) pending_drop_ = key;
  return h->Value();
}

template <class Holder> bool RandomAccessTableReader<Holder>::Close() {
  if (!open_) return true;
  open_ = false;
  kept_.clear();
  scp_.clear();
  holder_.Clear();
  if (data_input_.IsOpen()) data_input_.Close();
  if (input_.IsOpen()) input_.Close();
  return true;
}

// ---------------------------------------------------------------- TableWriter

template <class Holder> void TableWriter<Holder>::Open(const std::string &wspecifier) {
  if (open_) Close();
  std::string error;
  type_ = ClassifyWspecifier(wspecifier, &archive_wx_, &script_wx_, &opts_, &error);
  if (type_ == WspecifierType::kNone)
    TD_ERR << "Invalid wspecifier '" << wspecifier << "': " << error;
  wspecifier_ = wspecifier;
  if (type_ == WspecifierType::kBoth &&
      ClassifyWxfilename(archive_wx_) != OutputType::kFile)
    TD_ERR << "Invalid wspecifier '" << wspecifier << "': with ark,scp the archive must be a "
           << "file (scp lines hold byte offsets into it), not " << PrintableWxfilename(archive_wx_);
  if (type_ == WspecifierType::kScript) {
    std::vector<std::pair<std::string, std::string>> lines;
    ReadScriptFile(script_wx_, &lines);
    scp_targets_.clear();
    for (auto &kv : lines) scp_targets_[kv.first] = kv.second;
  } else {
    archive_.Open(archive_wx_, opts_.binary, false);
    if (type_ == WspecifierType::kBoth) script_.Open(script_wx_, false, false);
  }
  open_ = true;
}

template <class Holder>
void TableWriter<Holder>::Write(const std::string &key, const T &value) {
  if (!open_) TD_ERR << "TableWriter: Write() on a closed table";
  if (!IsToken(key))
    TD_ERR << "Invalid key '" << key << "' (keys must be non-empty without whitespace), "
           << "writing to " << wspecifier_;
  if (type_ == WspecifierType::kScript) {
    auto it = scp_targets_.find(key);
    if (it == scp_targets_.end()) {
      if (opts_.permissive) return;
      TD_ERR << "Key '" << key << "' is not in the scp file " << PrintableRxfilename(script_wx_)
             << " of wspecifier " << wspecifier_;
    }
    Output out(it->second, opts_.binary, false);
    if (!Holder::Write(out.Stream(), opts_.binary, value))
      TD_ERR << "Write failure for key '" << key << "' to " << PrintableWxfilename(it->second);
    out.Close();
    return;
  }
  std::ostream &os = archive_.Stream();
  os << key << ' ';
  int64 offset = archive_.Tell();
  if (!Holder::Write(os, opts_.binary, value) || os.fail())
    TD_ERR << "Write failure for key '" << key << "' to " << PrintableWxfilename(archive_wx_);
  if (type_ == WspecifierType::kBoth) {
    script_.Stream() << key << ' ' << archive_wx_ << ':' << offset << '\n';
    if (script_.Stream().fail())
      TD_ERR << "Write failure to scp " << PrintableWxfilename(script_wx_);
  }
  if (opts_.flush) Flush();
}

template <class Holder> void TableWriter<Holder>::Flush() {
  if (archive_.IsOpen() && !archive_.Stream().flush())
    TD_ERR << "Write failure (flush) to " << PrintableWxfilename(archive_wx_);
  if (script_.IsOpen() && !script_.Stream().flush())
    TD_ERR << "Write failure (flush) to " << PrintableWxfilename(script_wx_);
}

template <class Holder> void TableWriter<Holder>::Close() {
  if (!open_) return;
  open_ = false;
  archive_.Close();
  script_.Close();
}

// ---------------------------------------------------------------- single objects

template <class T> void ReadKaldiObject(const std::string &rxfilename, T *t) {
  std::string rx = rxfilename, range;
  if (!rx.empty() && rx.back() == ']') {
    size_t open = rx.rfind('[');
    if (open == std::string::npos) TD_ERR << "Invalid rxfilename '" << rxfilename << "'";
    range = rx.substr(open + 1, rx.size() - open - 2);
    rx = rx.substr(0, open);
  }
  bool binary;
  Input in(rx, &binary);
  try {
    if (range.empty()) {
      t->Read(in.Stream(), binary);
    } else {
      T whole;
      whole.Read(in.Stream(), binary);
      if (!ExtractObjectRange(whole, range, t))
        TD_ERR << "range specifiers are not supported for this type";
    }
  } catch (const FatalError &e) {
    TD_ERR << "Failed to read object from " << PrintableRxfilename(rxfilename) << ": " << e.what();
  }
  if (ClassifyRxfilename(rx) == InputType::kPipe) CloseDataInput(&in);
}

template <class T>
void WriteKaldiObject(const T &t, const std::string &wxfilename, bool binary) {
  Output out(wxfilename, binary);
  t.Write(out.Stream(), binary);
  out.Close();
}

}  // namespace tdnas

#endif  // TDNAS_UTIL_KALDI_TABLE_INL_H_
