// Informer<T>: a local cache of one resource kept current by a Reflector (list, then watch),
// with event handlers, as client-go's informers.
//
// The cache keeps a compact T per object, made by a Transform from the object's JSON, so that
// it holds what evaluation and ownership need and not whole objects. Values are immutable and
// shared: readers get std::shared_ptr<const T> and may keep it after the cache moved on.
//
//   Informer<PodInfo> pods(client, {.resource = kPods}, &PodInfoFrom);
//   pods.AddHandlers({.on_add = [&](const std::string& key, const PodInfo&) { queue.Add(key); }});
//   std::jthread thread([&](std::stop_token stop) { pods.Run(stop); });
//   pods.WaitForSync(stop);
//   if (auto pod = pods.Get("default/web-0")) ...
//
// Handlers run on the informer's thread, in the order of the changes, after the cache has been
// updated (so a handler reading the cache sees at least that change) and without a cache lock
// held. After a relist (410 Gone) they get the difference between the cache and the new list:
// on_add for new keys, on_update for keys whose resourceVersion changed, on_delete for keys
// that are gone, in that order of kinds (adds and updates in list order, then deletes).
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "csp/kube/client.h"
#include "csp/kube/object_key.h"
#include "csp/kube/reflector.h"
#include "csp/kube/watch_stream.h"

namespace csp::kube {

template <typename T>
class Informer final : private ReflectorSink {
 public:
  using Value = std::shared_ptr<const T>;
  // Object JSON -> the value to cache. Runs on the informer's thread; must not throw.
  using Transform = std::function<T(const nlohmann::json& object)>;

  struct Handlers {
    std::function<void(const std::string& key, const T& value)> on_add = nullptr;
    std::function<void(const std::string& key, const T& old_value, const T& new_value)> on_update =
        nullptr;
    // `last_value` is what the cache held for the key.
    std::function<void(const std::string& key, const T& last_value)> on_delete = nullptr;
  };

  // `transform` may be empty only for Informer<nlohmann::json>, which then keeps whole objects.
  Informer(Client& client, InformerOptions options, Transform transform = nullptr)
      : transform_(std::move(transform)), reflector_(client, std::move(options), *this) {
    if (!transform_) {
      if constexpr (std::is_same_v<T, nlohmann::json>) {
        transform_ = [](const nlohmann::json& object) { return object; };
      } else {
        std::fputs("csp::kube::Informer: a Transform is required for this value type\n", stderr);
        std::abort();
      }
    }
  }
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Registers handlers; call it before Run.
  void AddHandlers(Handlers handlers) { handlers_.push_back(std::move(handlers)); }

  // Lists and watches until `stop` is requested. Call it once, on a thread of its own.
  void Run(std::stop_token stop) { reflector_.Run(stop); }

  // True once the first list is in the cache and its on_add handlers have run.
  bool HasSynced() const { return reflector_.HasSynced(); }
  bool WaitForSync(std::stop_token stop) const { return reflector_.WaitForSync(stop); }
  bool WaitForSyncFor(std::chrono::milliseconds timeout) const {
    return reflector_.WaitForSyncFor(timeout);
  }

  // The cached value for "namespace/name" (or "name" when cluster-scoped); nullptr if absent.
  Value Get(std::string_view key) const {
    std::shared_lock lock(mu_);
    const auto it = store_.find(key);
    return it == store_.end() ? nullptr : it->second.value;
  }

  // Every cached value, in key order.
  std::vector<Value> List() const {
    std::shared_lock lock(mu_);
    std::vector<Value> values;
    values.reserve(store_.size());
    for (const auto& [key, entry] : store_) values.push_back(entry.value);
    return values;
  }

  // The cached values of one namespace, in key order.
  std::vector<Value> ListNamespace(std::string_view ns) const {
    const std::string prefix = std::string(ns) + "/";
    std::shared_lock lock(mu_);
    std::vector<Value> values;
    for (auto it = store_.lower_bound(prefix);
         it != store_.end() && std::string_view(it->first).starts_with(prefix); ++it) {
      values.push_back(it->second.value);
    }
    return values;
  }

  // Key -> value for everything cached, one consistent view.
  std::map<std::string, Value, std::less<>> Snapshot() const {
    std::shared_lock lock(mu_);
    std::map<std::string, Value, std::less<>> snapshot;
    for (const auto& [key, entry] : store_) snapshot.emplace_hint(snapshot.end(), key, entry.value);
    return snapshot;
  }

  std::vector<std::string> Keys() const {
    std::shared_lock lock(mu_);
    std::vector<std::string> keys;
    keys.reserve(store_.size());
    for (const auto& [key, entry] : store_) keys.push_back(key);
    return keys;
  }

  std::size_t Size() const {
    std::shared_lock lock(mu_);
    return store_.size();
  }

  InformerStats Stats() const { return reflector_.Stats(); }
  std::string LastResourceVersion() const { return reflector_.LastResourceVersion(); }
  const InformerOptions& options() const { return reflector_.options(); }

 private:
  struct Entry {
    std::string resource_version;  // decides whether a relisted object changed
    Value value;
  };
  using Store = std::map<std::string, Entry, std::less<>>;

  // A LIST item, transformed as its page arrives so that the list is never held as JSON. An
  // item whose resourceVersion the cache already holds keeps its cached value untransformed.
  struct Listed {
    std::string key;
    std::string resource_version;
    Value value;
    bool changed = false;
  };

  void StartList() override { listed_ = {}; }

  // Only the informer's thread writes store_, so it reads it here without the lock.
  void AddListItem(nlohmann::json item) override {
    std::string key = ObjectKey(item);
    if (key.empty()) return;
    std::string rv = ResourceVersionOf(item);
    const auto old = store_.find(key);
    if (old != store_.end() && !rv.empty() && old->second.resource_version == rv) {
      listed_.push_back({std::move(key), std::move(rv), old->second.value});
      return;
    }
    Value value = std::make_shared<const T>(transform_(item));
    listed_.push_back({std::move(key), std::move(rv), std::move(value), true});
  }

  void FinishList() override {
    struct Change {
      std::string key;
      Value old_value;  // nullptr for an add
      Value new_value;  // nullptr for a delete
    };
    std::vector<Change> changes;
    Store next;
    for (Listed& item : listed_) {
      if (item.changed) {
        const auto old = store_.find(item.key);
        changes.push_back(
            {item.key, old != store_.end() ? old->second.value : nullptr, item.value});
      }
      next.insert_or_assign(std::move(item.key),
                            Entry{std::move(item.resource_version), std::move(item.value)});
    }
    listed_ = {};
    for (const auto& [key, entry] : store_) {
      if (!next.contains(key)) changes.push_back({key, entry.value, nullptr});
    }
    {
      std::unique_lock lock(mu_);
      store_.swap(next);
    }
    next.clear();  // outside the lock: old values may be large
    for (const Change& change : changes) {
      if (change.old_value == nullptr) {
        Notify(&Handlers::on_add, change.key, *change.new_value);
      } else if (change.new_value == nullptr) {
        Notify(&Handlers::on_delete, change.key, *change.old_value);
      } else {
        Notify(&Handlers::on_update, change.key, *change.old_value, *change.new_value);
      }
    }
  }

  void Apply(const WatchEvent& event) override {
    std::string key = ObjectKey(event.object);
    if (key.empty()) return;
    const auto old = store_.find(key);
    if (event.type == WatchEventType::kDeleted) {
      if (old == store_.end()) return;
      Value last = old->second.value;
      {
        std::unique_lock lock(mu_);
        store_.erase(old);
      }
      Notify(&Handlers::on_delete, key, *last);
      return;
    }
    std::string rv = ResourceVersionOf(event.object);
    if (old != store_.end() && !rv.empty() && old->second.resource_version == rv) return;
    Value value = std::make_shared<const T>(transform_(event.object));
    Value previous = old != store_.end() ? old->second.value : nullptr;
    {
      std::unique_lock lock(mu_);
      store_.insert_or_assign(key, Entry{std::move(rv), value});
    }
    if (previous == nullptr) {
      Notify(&Handlers::on_add, key, *value);
    } else {
      Notify(&Handlers::on_update, key, *previous, *value);
    }
  }

  template <typename Member, typename... Args>
  void Notify(Member member, const Args&... args) {
    for (const Handlers& handlers : handlers_) {
      const auto& handler = handlers.*member;
      if (handler) handler(args...);
    }
  }

  Transform transform_;
  std::vector<Handlers> handlers_;
  mutable std::shared_mutex mu_;  // readers share; the informer's thread writes
  Store store_;
  std::vector<Listed> listed_;  // the LIST in progress (informer thread only)
  Reflector reflector_;         // last: its Run uses the members above
};

}  // namespace csp::kube
