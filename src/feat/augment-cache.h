// augment-cache.h: a thread-safe, byte-bounded LRU cache of immutable values keyed by
// string, used by wave augmentation (feat/wave-augment.h) to keep decoded noise/music/babble
// files, decoded + normalised RIRs and RIR spectra between crops. Values are shared_ptr to
// const, so a reader keeps its value alive after eviction; a value larger than the whole
// bound is returned but not kept. Two threads missing the same key at once both compute it
// (the result is the same; one copy is kept).
#ifndef TDNAS_FEAT_AUGMENT_CACHE_H_
#define TDNAS_FEAT_AUGMENT_CACHE_H_

#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "base/io-funcs.h"

namespace tdnas {

template <class V>
class ByteLruCache {
 public:
  explicit ByteLruCache(int64 max_bytes) : max_bytes_(max_bytes) {}

  // The cached value for `key`, or make() (with its size in bytes from bytes_of) stored
  // and returned. make() runs without the lock held.
  std::shared_ptr<const V> Get(const std::string &key,
                               const std::function<std::shared_ptr<const V>()> &make,
                               const std::function<int64(const V &)> &bytes_of) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = map_.find(key);
      if (it != map_.end()) {
        lru_.splice(lru_.begin(), lru_, it->second);
        hits_++;
        return it->second->value;
      }
      misses_++;
    }
    std::shared_ptr<const V> value = make();
    const int64 bytes = bytes_of(*value);
    if (bytes > max_bytes_) return value;
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = map_.find(key);
    if (it != map_.end()) return it->second->value;  // another thread was first
    lru_.push_front(Entry{key, value, bytes});
    map_[key] = lru_.begin();
    bytes_ += bytes;
    while (bytes_ > max_bytes_ && !lru_.empty()) {
      bytes_ -= lru_.back().bytes;
      map_.erase(lru_.back().key);
      lru_.pop_back();
    }
    return value;
  }

  int64 Bytes() const { std::lock_guard<std::mutex> lock(mutex_); return bytes_; }
  int64 Hits() const { std::lock_guard<std::mutex> lock(mutex_); return hits_; }
  int64 Misses() const { std::lock_guard<std::mutex> lock(mutex_); return misses_; }
  int64 MaxBytes() const { return max_bytes_; }

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const V> value;
    int64 bytes;
  };
  const int64 max_bytes_;
  mutable std::mutex mutex_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string, typename std::list<Entry>::iterator> map_;
  int64 bytes_ = 0, hits_ = 0, misses_ = 0;
};

}  // namespace tdnas

#endif  // TDNAS_FEAT_AUGMENT_CACHE_H_
