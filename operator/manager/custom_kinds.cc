#include "csp/manager/custom_kinds.h"

#include <algorithm>

#include "csp/kube/object_key.h"
#include "csp/log/log.h"
#include "csp/manager/resources.h"
#include "csp/manager/write_overlay.h"
#include "csp/names/names.h"

namespace csp::manager {

using json = nlohmann::json;

namespace {

std::string NamespaceOf(const std::string& key) { return kube::SplitObjectKey(key).first; }

std::string Describe(const policy::WorkloadKind& k) { return k.kind + " in " + k.ApiVersion(); }

std::string NameOf(const json& object) {
  const json* meta = object.contains("metadata") ? &object["metadata"] : nullptr;
  return meta && meta->is_object() ? meta->value("name", "") : "";
}

}  // namespace

std::string CustomKind::OverlayKey(std::string_view ns, std::string_view name) const {
  return declaration.kind + "." + declaration.group + "/" + std::string(ns) + "/" +
         std::string(name);
}

CachedWorkload CacheCustomWorkload(const json& object, std::string_view api_version,
                                   std::string_view kind) {
  CachedWorkload out{.resource_version = ObjectResourceVersion(object)};
  if (!object.is_object()) return out;
  json kept = object;
  kept.erase("status");
  if (auto meta = kept.find("metadata"); meta != kept.end() && meta->is_object()) {
    // Kept aside (CachedWorkload::resource_version), so that an update changing nothing we
    // read compares equal.
    meta->erase("resourceVersion");
    meta->erase("managedFields");
    if (auto a = meta->find("annotations"); a != meta->end() && a->is_object()) {
      a->erase("kubectl.kubernetes.io/last-applied-configuration");
    }
  }
  if (!kept.contains("apiVersion")) kept["apiVersion"] = api_version;
  if (!kept.contains("kind")) kept["kind"] = kind;
  out.object = PackedJson(kept);
  return out;
}

struct CustomKinds::Running {
  kube::ResourceRef ref;
  std::shared_ptr<kube::Informer<CachedWorkload>> informer;
  std::stop_source stop;
  std::mutex mu;
  std::optional<Error> last_error;                                  // the last list or watch error
  std::optional<std::stop_callback<std::function<void()>>> linked;  // the manager's stop
  std::jthread thread;
  ~Running() {
    stop.request_stop();
    if (thread.joinable()) thread.join();
  }
};

CustomKinds::CustomKinds(kube::Client& client, Callbacks callbacks, bool streaming_list)
    : client_(client), callbacks_(std::move(callbacks)), streaming_list_(streaming_list) {}

CustomKinds::~CustomKinds() { Stop(); }

void CustomKinds::Stop() {
  {
    std::lock_guard lock(mu_);
    current_ = std::make_shared<CustomKindSet>();
  }
  running_.clear();  // joins
}

std::shared_ptr<const CustomKindSet> CustomKinds::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

std::shared_ptr<CustomKinds::Running> CustomKinds::Watch(const kube::ResourceRef& ref,
                                                         const policy::WorkloadKind& kind,
                                                         std::stop_token stop) {
  auto running = std::make_shared<Running>();
  running->ref = ref;
  kube::InformerOptions options{.resource = ref, .streaming_list = streaming_list_};
  // As for the built-in kinds (caches.cc): the parts no cached value keeps are never parsed.
  options.drop_list_item_fields = {"status", "metadata.managedFields"};
  Running* r = running.get();
  options.on_error = [r, on_error = callbacks_.on_error, name = ref.Name()](const Error& e) {
    {
      std::lock_guard lock(r->mu);
      r->last_error = e;
    }
    if (on_error) on_error(name, e);
  };
  const std::string api_version = kind.ApiVersion();
  const std::string kind_name = kind.kind;
  running->informer = std::make_shared<kube::Informer<CachedWorkload>>(
      client_, std::move(options), [api_version, kind_name](const json& object) {
        return CacheCustomWorkload(object, api_version, kind_name);
      });
  const std::string prefix = kind.kind + "." + kind.group + "/";
  auto changed = [f = callbacks_.changed](const std::string& ns) {
    if (f) f(ns);
  };
  auto forget = [f = callbacks_.forget](const std::string& key) {
    if (f) f(key);
  };
  running->informer->AddHandlers({
      .on_add = [changed](const std::string& key,
                          const CachedWorkload&) { changed(NamespaceOf(key)); },
      .on_update =
          [changed](const std::string& key, const CachedWorkload& a, const CachedWorkload& b) {
            if (!(a == b)) changed(NamespaceOf(key));
          },
      .on_delete =
          [changed, forget, prefix](const std::string& key, const CachedWorkload&) {
            forget(prefix + key);
            changed(NamespaceOf(key));
          },
  });
  running->linked.emplace(stop, std::function<void()>([r] { r->stop.request_stop(); }));
  running->thread = std::jthread([r] { r->informer->Run(r->stop.get_token()); });
  LogInfo("watching a custom workload kind", {{"resource", ref.Name()}});
  return running;
}

controllers::KindStatusInput CustomKinds::Place(
    const policy::WorkloadKind& kind, CustomKindSet& next,
    std::map<std::string, std::shared_ptr<Running>>& keep, std::stop_token stop) {
  controllers::KindStatusInput in;
  auto resources = client_.GetPath(
      kube::ResourceRef{.group = kind.group, .version = kind.version}.GroupVersionPath());
  if (!resources && resources.error().code != Code::kNotFound) {
    // A failed discovery (the API server busy, say) changes nothing: a kind watched so far
    // stays watched, and its results stay in the reports.
    in.state = controllers::KindState::kListing;
    in.message = "API discovery failed: " + resources.error().message;
    const auto current = Current();
    for (const CustomKind& k : current->kinds) {
      if (!(k.declaration == kind)) continue;
      const std::string name = k.ref.Name() + "/" + k.ref.version;
      if (auto it = running_.find(name); it != running_.end()) keep[name] = it->second;
      next.kinds.push_back(k);
      in.state = controllers::KindState::kWatching;
      in.message = "watched; API discovery failed just now: " + resources.error().message;
    }
    return in;
  }
  in.discovered = resources ? controllers::FindInDiscovery(*resources, kind) : std::nullopt;
  if (!in.discovered) {
    in.state = controllers::KindState::kNotInstalled;
    in.message = "no " + (kind.resource.empty() ? "resource" : "resource " + kind.resource) +
                 " serves " + Describe(kind) + " (is its CRD installed?)";
    return in;
  }
  if (!in.discovered->namespaced) {
    in.state = controllers::KindState::kInvalidSpec;
    in.message = in.discovered->resource + " is cluster-scoped: only namespaced kinds are " +
                 "judged (their results go to their namespace's reports)";
    return in;
  }
  const kube::ResourceRef ref{.group = kind.group,
                              .version = kind.version,
                              .resource = in.discovered->resource,
                              .namespaced = in.discovered->namespaced};
  const std::string name = ref.Name() + "/" + kind.version;
  std::shared_ptr<Running> running;
  if (auto it = keep.find(name); it != keep.end()) {
    running = it->second;
  } else if (auto it = running_.find(name); it != running_.end()) {
    running = it->second;
  } else {
    running = Watch(ref, kind, stop);
  }
  keep[name] = running;
  next.kinds.push_back(
      {.declaration = kind,
       .ref = ref,
       .scale = kind.scale_down == policy::ScaleDownMode::kScaleSubresource && in.discovered->scale,
       .informer = running->informer});
  if (running->informer->HasSynced()) {
    in.state = controllers::KindState::kWatching;
    return in;
  }
  std::lock_guard lock(running->mu);
  if (running->last_error && running->last_error->code == Code::kPermissionDenied) {
    in.state = controllers::KindState::kForbidden;
    in.message = "csp-operator may not list " + ref.Name() + " (grant list, watch and patch " +
                 "in a ClusterRole labeled " +
                 "containersecurity.dev/aggregate-to-workload-kinds: \"true\"): " +
                 running->last_error->message;
  } else {
    in.state = controllers::KindState::kListing;
  }
  return in;
}

Status CustomKinds::Sync(const std::vector<std::shared_ptr<const json>>& workload_kinds,
                         std::chrono::sys_seconds now, std::stop_token stop) {
  auto next = std::make_shared<CustomKindSet>();
  std::map<std::string, std::shared_ptr<Running>> keep;
  std::vector<std::pair<const json*, json>> statuses;  // (object, status to have)
  for (const auto& object : workload_kinds) {
    controllers::KindStatusInput in;
    auto parsed = policy::ParseWorkloadKind(*object);
    if (!parsed) {
      in.state = controllers::KindState::kInvalidSpec;
      in.message = parsed.error().message;
    } else if (policy::FindWorkloadKind(next->declarations, parsed->group, parsed->kind)) {
      in.state = controllers::KindState::kInvalidSpec;
      in.message = "another WorkloadKind declares " + Describe(*parsed);
    } else {
      next->declarations.push_back(*parsed);
      in = Place(*parsed, *next, keep, stop);
    }
    // Set by the API server, always an integer.
    in.generation = object->value(json::json_pointer("/metadata/generation"), std::int64_t{0});
    in.previous = object->contains("status") ? &(*object)["status"] : nullptr;
    in.now = now;
    statuses.emplace_back(object.get(), controllers::WorkloadKindStatus(in));
  }
  std::vector<std::shared_ptr<Running>> stopped;
  for (auto& [name, running] : running_) {
    if (keep.contains(name)) continue;
    LogInfo("no longer watching a custom workload kind", {{"resource", running->ref.Name()}});
    stopped.push_back(running);
  }
  bool changed = false;
  {
    std::lock_guard lock(mu_);
    changed = current_->declarations != next->declarations || !stopped.empty();
    current_ = std::move(next);
  }
  if (changed && callbacks_.declarations_changed) callbacks_.declarations_changed();
  running_ = std::move(keep);
  stopped.clear();  // joins their threads, outside the lock

  Status first;
  const kube::ResourceRef workload_kinds_ref = kube::ToResourceRef(names::kWorkloadKindsResource);
  for (const auto& [object, status] : statuses) {
    if (object->contains("status") && (*object)["status"] == status) continue;
    // A PUT on the version cached (RBAC grants update, as for policies): a 409 waits for the
    // next Sync, which the newer version's event queues.
    json updated = *object;
    updated["status"] = status;
    auto written = client_.UpdateStatus(workload_kinds_ref, "", updated);
    if (!written && written.error().code != Code::kNotFound &&
        written.error().code != Code::kAborted && first) {
      first = Error{written.error().code,
                    "status of WorkloadKind " + NameOf(*object) + ": " + written.error().message};
    }
  }
  return first;
}

void CustomKinds::WaitForSync(std::stop_token stop, std::chrono::milliseconds timeout) const {
  const auto current = Current();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const CustomKind& k : current->kinds) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (stop.stop_requested() || left.count() <= 0) return;
    k.informer->WaitForSyncFor(left);
  }
}

}  // namespace csp::manager
