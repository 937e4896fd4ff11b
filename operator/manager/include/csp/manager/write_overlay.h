// WriteOverlay: what this operator wrote, until its caches have caught up.
//
// An informer learns about our own write a moment after the API server answered it. A
// reconcile in that moment would read the older object, plan the same patch again and emit the
// same Event twice, or update a report from a stale resourceVersion and meet a 409. So each
// successful write is recorded with the object the server returned, and a reconcile uses the
// newer of the cache and the overlay, by resourceVersion. The entry is dropped as soon as the
// cache holds that version or a later one.
//
// resourceVersions are compared as integers, which is what etcd-backed API servers hand out
// (the watch cache relies on the same ordering); a version that is not a number makes the
// cache win.
#pragma once

#include <charconv>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace csp::manager {

inline std::uint64_t ParseResourceVersion(std::string_view rv) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(rv.data(), rv.data() + rv.size(), v);
  return ec == std::errc() && end == rv.data() + rv.size() ? v : 0;
}

template <typename T>
class WriteOverlay {
 public:
  using Value = std::shared_ptr<const T>;

  // Records what the server returned for our write of `key`, at resourceVersion `rv`.
  void Record(const std::string& key, std::uint64_t rv, Value value) {
    if (rv == 0 || !value) return;
    std::lock_guard lock(mu_);
    auto& entry = entries_[key];
    if (rv >= entry.first) entry = {rv, std::move(value)};
  }

  // `cached` (at `cached_rv`; null when the cache has no object) or what we wrote, whichever
  // is newer. Forgets our write once the cache has caught up with it.
  Value Newest(const std::string& key, Value cached, std::uint64_t cached_rv) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return cached;
    if (cached && (cached_rv == 0 || cached_rv >= it->second.first)) {
      entries_.erase(it);
      return cached;
    }
    return it->second.second;
  }

  // Our writes under keys starting with `prefix` (e.g. "<namespace>/"), newest first not
  // guaranteed; for objects the cache does not hold yet (just created).
  std::vector<std::pair<std::string, Value>> WithPrefix(std::string_view prefix) const {
    std::lock_guard lock(mu_);
    std::vector<std::pair<std::string, Value>> out;
    for (auto it = entries_.lower_bound(prefix);
         it != entries_.end() && std::string_view(it->first).starts_with(prefix); ++it) {
      out.emplace_back(it->first, it->second.second);
    }
    return out;
  }

  // Forgets `key` (the object was deleted).
  void Forget(const std::string& key) {
    std::lock_guard lock(mu_);
    entries_.erase(key);
  }

  std::size_t Size() const {
    std::lock_guard lock(mu_);
    return entries_.size();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::pair<std::uint64_t, Value>, std::less<>> entries_;
};

}  // namespace csp::manager
