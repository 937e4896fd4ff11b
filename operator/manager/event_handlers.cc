#include "csp/manager/event_handlers.h"

#include "csp/kube/object_key.h"
#include "csp/manager/queue_keys.h"
#include "csp/manager/resources.h"

namespace csp::manager {

using json = nlohmann::json;

namespace {

std::string NamespaceOf(const std::string& key) { return kube::SplitObjectKey(key).first; }

std::int64_t GenerationOf(const json& object) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return 0;
  auto g = meta->find("generation");
  return g != meta->end() && g->is_number_integer() ? g->get<std::int64_t>() : 0;
}

}  // namespace

void RegisterEventHandlers(Caches& caches, const EventTargets& targets) {
  kube::WorkQueue& queue = targets.queue;
  auto enqueue_ns = [&queue](const std::string& ns) { queue.Add(NamespaceKey(ns)); };
  const auto policies_changed = targets.policies_changed;
  caches.policies.AddHandlers({
      .on_add =
          [&queue, policies_changed](const std::string& key, const json&) {
            policies_changed();
            queue.AddAfter(PolicyKey(key), kPolicyDelay);
          },
      .on_update =
          [&queue, policies_changed](const std::string& key, const json& old_value,
                                     const json& new_value) {
            // A spec change bumps the generation; a status write (ours) does not, and needs
            // only the status checked again.
            if (GenerationOf(old_value) != GenerationOf(new_value)) policies_changed();
            queue.AddAfter(PolicyKey(key), kPolicyDelay);
          },
      .on_delete =
          [policies_changed](const std::string&, const json&) {
            policies_changed();  // its reports go
          },
  });
  caches.namespaces.AddHandlers({
      .on_add = [enqueue_ns](const std::string& key, const policy::Labels&) { enqueue_ns(key); },
      .on_update =
          [enqueue_ns](const std::string& key, const policy::Labels& a, const policy::Labels& b) {
            if (a != b) enqueue_ns(key);
          },
      .on_delete = [enqueue_ns](const std::string& key, const policy::Labels&) { enqueue_ns(key); },
  });
  // Objects owned by another workload are reported on their owner, whose own events bring its
  // namespace back; only a change of ownership matters for them.
  const auto kinds = WorkloadResources();
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    const std::string kind(kinds[i].kind);
    caches.workloads[i]->AddHandlers({
        .on_add =
            [enqueue_ns](const std::string& key, const CachedWorkload& value) {
              if (!value.owned) enqueue_ns(NamespaceOf(key));
            },
        .on_update =
            [enqueue_ns](const std::string& key, const CachedWorkload& old_value,
                         const CachedWorkload& new_value) {
              if (old_value == new_value) return;
              if (old_value.owned && new_value.owned) return;
              enqueue_ns(NamespaceOf(key));
            },
        .on_delete =
            [&written = targets.written_workloads, enqueue_ns, kind](const std::string& key,
                                                                     const CachedWorkload& value) {
              written.Forget(kind + "/" + key);
              if (!value.owned) enqueue_ns(NamespaceOf(key));
            },
    });
  }
  // A status write (ours) leaves the generation as it is.
  auto kinds_changed = [&queue] { queue.Add(std::string(kWorkloadKindsKey)); };
  caches.workload_kinds.AddHandlers({
      .on_add = [kinds_changed](const std::string&, const json&) { kinds_changed(); },
      .on_update =
          [kinds_changed](const std::string&, const json& a, const json& b) {
            if (GenerationOf(a) != GenerationOf(b)) kinds_changed();
          },
      .on_delete = [kinds_changed](const std::string&, const json&) { kinds_changed(); },
  });
  // The node-aware rules' inputs: any change (the handlers compare compact values) rebuilds.
  auto nodes_changed = [&queue, also = targets.nodes_changed] {
    queue.AddAfter(std::string(kNodesKey), kNodesDelay);
    if (also) also();
  };
  std::vector<kube::Informer<json>*> node_inputs = {&caches.nodes, &caches.security_profiles};
  for (auto& r : caches.reports) node_inputs.push_back(&r->node_reports);
  for (auto* informer : node_inputs) {
    informer->AddHandlers({
        .on_add = [nodes_changed](const std::string&, const json&) { nodes_changed(); },
        .on_update =
            [nodes_changed](const std::string&, const json& a, const json& b) {
              if (a != b) nodes_changed();
            },
        .on_delete = [nodes_changed](const std::string&, const json&) { nodes_changed(); },
    });
  }
  // Ours (or one holding a name of ours): someone else's edit or delete is put right.
  auto ours = [](const std::string& key, const CachedReport& report) {
    const std::string name = key.substr(key.find('/') + 1);
    return report.summary.managed || name.starts_with("csp-");
  };
  for (auto& report_caches : caches.reports) {
    const ReportCaches* api = report_caches.get();
    report_caches->reports.AddHandlers({
        .on_add =
            [enqueue_ns, ours](const std::string& key, const CachedReport& r) {
              if (ours(key, r)) enqueue_ns(NamespaceOf(key));
            },
        .on_update =
            [enqueue_ns, ours](const std::string& key, const CachedReport& a,
                               const CachedReport& b) {
              if ((ours(key, a) || ours(key, b)) && a.summary.digest != b.summary.digest) {
                enqueue_ns(NamespaceOf(key));
              } else if (ours(key, a) != ours(key, b)) {
                enqueue_ns(NamespaceOf(key));
              }
            },
        .on_delete =
            [&written = targets.written_reports, enqueue_ns, ours, api](const std::string& key,
                                                                        const CachedReport& r) {
              const auto [ns, name] = kube::SplitObjectKey(key);
              written.Forget(api->OverlayKey(ns, name));
              if (ours(key, r)) enqueue_ns(ns);
            },
    });
  }
}

}  // namespace csp::manager
