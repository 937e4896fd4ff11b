#include "csp/admission/judged_as.h"

#include <string>

#include "csp/common/json_fields.h"

namespace csp::admission {

policy::Workload JudgedAs(const policy::Workload& workload,
                          const controllers::OwnerLookup& owners) {
  if (workload.object == nullptr) return workload;
  const std::string& ns = workload.ref.ns;
  // ResolveOwner reads the namespace from metadata, which a request's object may leave out.
  auto find = [&](const controllers::OwnerReference& owner,
                  std::string_view owner_ns) -> const nlohmann::json* {
    return owners ? owners(owner, owner_ns.empty() ? std::string_view(ns) : owner_ns) : nullptr;
  };
  controllers::Resolution resolution = controllers::ResolveOwner(*workload.object, find);
  if (resolution.is_self) return workload;
  policy::Workload out = workload;
  out.ref = std::move(resolution.top);
  if (out.ref.ns.empty()) out.ref.ns = ns;
  if (resolution.owner_missing) return out;  // the owner's reference, the workload's labels
  out.labels = nullptr;
  const controllers::OwnerReference top{.api_version = out.ref.api_version,
                                        .kind = out.ref.kind,
                                        .name = out.ref.name,
                                        .uid = out.ref.uid};
  if (const nlohmann::json* owner = find(top, out.ref.ns)) {
    const nlohmann::json* meta = FieldAt(*owner, "metadata");
    const nlohmann::json* labels = meta != nullptr ? FieldAt(*meta, "labels") : nullptr;
    if (labels != nullptr && labels->is_object()) out.labels = labels;
  }
  return out;
}

}  // namespace csp::admission
