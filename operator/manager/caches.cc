#include "csp/manager/caches.h"

#include "csp/common/json_fields.h"
#include "csp/controllers/compact_workload.h"
#include "csp/controllers/owner_resolution.h"
#include "csp/manager/resources.h"
#include "csp/manager/write_overlay.h"
#include "csp/names/names.h"
#include "csp/policy/workload.h"

namespace csp::manager {

using json = nlohmann::json;

namespace {

kube::InformerOptions OptionsFor(const kube::ResourceRef& ref, const Caches::OnError& on_error,
                                 bool streaming_list) {
  kube::InformerOptions options{.resource = ref, .streaming_list = streaming_list};
  const std::string name = ref.Name();
  options.on_error = [on_error, name](const Error& e) {
    if (on_error) on_error(name, e);
  };
  return options;
}

policy::Labels NamespaceLabels(const json& object) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return {};
  auto labels = meta->find("labels");
  return policy::LabelsFromJson(labels != meta->end() ? &*labels : nullptr);
}

// Keeps the metadata fields named, and of spec only `spec_keys`.
json Keep(const json& object, std::initializer_list<const char*> meta_keys,
          std::initializer_list<const char*> spec_keys) {
  json out = json::object();
  if (!object.is_object()) return out;
  if (auto meta = object.find("metadata"); meta != object.end() && meta->is_object()) {
    json m = json::object();
    for (const char* key : meta_keys) {
      if (auto it = meta->find(key); it != meta->end()) m[key] = *it;
    }
    out["metadata"] = std::move(m);
  }
  if (auto spec = object.find("spec"); spec != object.end() && spec->is_object()) {
    json s = json::object();
    for (const char* key : spec_keys) {
      if (auto it = spec->find(key); it != spec->end()) s[key] = *it;
    }
    out["spec"] = std::move(s);
  }
  return out;
}

// Our reports hold up to 500 KiB each (api.md): a few per page, so that a restart's LIST,
// parsed a page at a time, never holds more than a few MB of them.
kube::InformerOptions ReportOptions(names::ReportApi api, const Caches::OnError& on_error,
                                    bool streaming_list) {
  kube::InformerOptions options =
      OptionsFor(kube::ToResourceRef(names::NamesOf(api).reports), on_error, streaming_list);
  options.page_size = 10;
  return options;
}

kube::InformerOptions NodeReportOptions(names::ReportApi api, const Caches::OnError& on_error,
                                        bool streaming_list) {
  kube::InformerOptions options = OptionsFor(
      kube::ToResourceRef(names::NamesOf(api).cluster_reports), on_error, streaming_list);
  // Every agent's report (one per node), and the legacy shared one, which carries the same label.
  options.label_selector =
      std::string(names::kManagedByLabel) + "=" + std::string(names::kManagedByAgent);
  return options;
}

}  // namespace

bool IsOwnedByWorkload(const json& object) {
  auto owner = controllers::ControllerRef(object);
  return owner && policy::IsWorkloadKind(policy::ApiGroup(owner->api_version), owner->kind);
}

json CacheWorkload(const json& object) {
  json compact = controllers::CompactWorkload(object);
  if (!compact.is_object()) return compact;
  auto meta = compact.find("metadata");
  if (meta != compact.end() && meta->is_object()) meta->erase("resourceVersion");
  return compact;
}

std::uint64_t ObjectResourceVersion(const json& object) {
  const json* meta = FieldAt(object, "metadata");
  const std::string* rv = meta != nullptr ? StringPtrAt(*meta, "resourceVersion") : nullptr;
  return rv != nullptr ? ParseResourceVersion(*rv) : 0;
}

CachedWorkload CacheWorkloadValue(const json& object, std::string_view api_version,
                                  std::string_view kind) {
  CachedWorkload out{.resource_version = ObjectResourceVersion(object)};
  if (IsOwnedByWorkload(object)) {
    out.owned = true;  // reported on its owner (caches.h)
    // Admission judges a controller's new Pods as their top-level owner (docs/admission.md):
    // a ReplicaSet or Job in between keeps what ResolveOwner follows. Pods own nothing.
    if (kind != names::kPods.kind) {
      json kept = Keep(object, {"name", "namespace", "uid", "ownerReferences"}, {});
      kept.erase("spec");
      out.object = PackedJson(kept);
    }
    return out;
  }
  // LIST items come without apiVersion and kind (watch events carry them): the engine needs
  // both to recognise the workload.
  if (object.is_object() && (!object.contains("kind") || !object.contains("apiVersion"))) {
    json typed = object;
    typed["apiVersion"] = api_version;
    typed["kind"] = kind;
    out.object = PackedJson(CacheWorkload(typed));
  } else {
    out.object = PackedJson(CacheWorkload(object));
  }
  return out;
}

CachedReport CacheReport(const json& object) {
  CachedReport out{.summary = controllers::SummarizeReport(object)};
  if (!out.summary.managed) return out;
  if (auto meta = object.find("metadata"); meta != object.end() && meta->is_object()) {
    if (auto labels = meta->find("labels"); labels != meta->end() && labels->is_object()) {
      auto p = labels->find(std::string(names::kPolicyLabel));
      if (p != labels->end() && p->is_string()) out.policy = p->get<std::string>();
    }
  }
  controllers::IndexReportResults(object, out.previous);
  return out;
}

ReportCaches::ReportCaches(kube::Client& client, names::ReportApi api,
                           const kube::InformerOptions& reports_options,
                           const kube::InformerOptions& node_reports_options)
    : api(api),
      reports_ref(reports_options.resource),
      node_reports_ref(node_reports_options.resource),
      reports(client, reports_options, &CacheReport),
      node_reports(client, node_reports_options) {}

std::string ReportCaches::OverlayKey(std::string_view ns, std::string_view name) const {
  return std::string(names::NamesOf(api).name) + ":" + std::string(ns) + "/" + std::string(name);
}

Caches::Caches(kube::Client& client, OnError on_error,
               const std::vector<names::ReportApi>& report_apis, bool streaming_list)
    : policies(client, OptionsFor(kPolicies, on_error, streaming_list)),
      namespaces(client, OptionsFor(kNamespaces, on_error, streaming_list), &NamespaceLabels),
      nodes(client, OptionsFor(kNodes, on_error, streaming_list),
            [](const json& o) {
              return Keep(o, {"name", "labels"}, {});
            }),
      security_profiles(client, OptionsFor(kSecurityProfiles, on_error, streaming_list),
                        [](const json& o) { return Keep(o, {"name"}, {"type"}); }),
      workload_kinds(client, OptionsFor(kWorkloadKinds, on_error, streaming_list)) {
  for (names::ReportApi api : report_apis) {
    reports.push_back(
        std::make_unique<ReportCaches>(client, api, ReportOptions(api, on_error, streaming_list),
                                       NodeReportOptions(api, on_error, streaming_list)));
  }
  for (const WorkloadResource& w : WorkloadResources()) {
    std::string api_version = w.ref.ApiVersion();
    std::string kind(w.kind);
    kube::InformerOptions options = OptionsFor(w.ref, on_error, streaming_list);
    // 10,000 whole Pods of one LIST would be ~300 MB of JSON: the informer transforms each
    // page as it comes, and the parts no cached value keeps (status, managedFields: most of a
    // Pod) are never parsed.
    options.drop_list_item_fields = {"status", "metadata.managedFields"};
    workloads.push_back(std::make_unique<kube::Informer<CachedWorkload>>(
        client, std::move(options), [api_version, kind](const json& object) {
          return CacheWorkloadValue(object, api_version, kind);
        }));
  }
}

kube::Informer<CachedWorkload>* Caches::Workloads(std::string_view group, std::string_view kind) {
  const auto all = WorkloadResources();
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].kind == kind && all[i].api_group == group) return workloads[i].get();
  }
  return nullptr;
}

void Caches::Start(std::stop_token stop) {
  auto run = [stop](auto* informer) {
    return std::jthread([informer, stop] { informer->Run(stop); });
  };
  threads_.push_back(run(&policies));
  threads_.push_back(run(&namespaces));
  threads_.push_back(run(&nodes));
  threads_.push_back(run(&security_profiles));
  threads_.push_back(run(&workload_kinds));
  for (auto& r : reports) {
    threads_.push_back(run(&r->reports));
    threads_.push_back(run(&r->node_reports));
  }
  for (auto& w : workloads) threads_.push_back(run(w.get()));
}

void Caches::Join() { threads_.clear(); }

bool Caches::Synced() const {
  if (!policies.HasSynced() || !namespaces.HasSynced() || !nodes.HasSynced() ||
      !security_profiles.HasSynced() || !workload_kinds.HasSynced()) {
    return false;
  }
  for (const auto& r : reports) {
    if (!r->reports.HasSynced() || !r->node_reports.HasSynced()) return false;
  }
  for (const auto& w : workloads) {
    if (!w->HasSynced()) return false;
  }
  return true;
}

bool Caches::WaitForSync(std::stop_token stop) const {
  for (const auto* informer : {&policies, &nodes, &security_profiles, &workload_kinds}) {
    if (!informer->WaitForSync(stop)) return false;
  }
  if (!namespaces.WaitForSync(stop)) return false;
  for (const auto& r : reports) {
    if (!r->reports.WaitForSync(stop) || !r->node_reports.WaitForSync(stop)) return false;
  }
  for (const auto& w : workloads) {
    if (!w->WaitForSync(stop)) return false;
  }
  return true;
}

std::vector<Caches::ResourceStats> Caches::Stats() const {
  std::vector<ResourceStats> out;
  out.push_back({kPolicies.Name(), policies.Stats(), policies.Size()});
  out.push_back({kNamespaces.Name(), namespaces.Stats(), namespaces.Size()});
  out.push_back({kNodes.Name(), nodes.Stats(), nodes.Size()});
  out.push_back({kSecurityProfiles.Name(), security_profiles.Stats(), security_profiles.Size()});
  out.push_back({kWorkloadKinds.Name(), workload_kinds.Stats(), workload_kinds.Size()});
  for (const auto& r : reports) {
    out.push_back({r->reports_ref.Name(), r->reports.Stats(), r->reports.Size()});
    out.push_back({r->node_reports_ref.Name(), r->node_reports.Stats(), r->node_reports.Size()});
  }
  const auto all = WorkloadResources();
  for (std::size_t i = 0; i < all.size(); ++i) {
    out.push_back({all[i].ref.Name(), workloads[i]->Stats(), workloads[i]->Size()});
  }
  return out;
}

}  // namespace csp::manager
