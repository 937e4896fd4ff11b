#include "csp/manager/report_apis.h"

#include <algorithm>

#include "csp/common/json_fields.h"
#include "csp/log/log.h"

namespace csp::manager {

std::string CrdName(const names::Resource& resource) {
  return std::string(resource.plural) + "." + std::string(resource.group);
}

Status RequireReportCrds(kube::Client& client, std::span<const names::ReportApi> written) {
  for (names::ReportApi api : written) {
    const names::ReportApiNames& kinds = names::NamesOf(api);
    for (const names::Resource& kind : {kinds.reports, kinds.cluster_reports}) {
      auto listed = client.List(kube::ToResourceRef(kind), "", {.limit = 1});
      if (listed || listed.error().code != Code::kNotFound) continue;
      return Error{Code::kFailedPrecondition,
                   "--report-api " + std::string(kinds.name) + ": the CRD " + CrdName(kind) +
                       " is not installed (crds/" + std::string(kind.group) + "_" +
                       std::string(kind.plural) + ".yaml), or choose another --report-api"};
    }
  }
  return {};
}

Result<int> DeleteStaleReports(kube::Client& client, std::span<const names::ReportApi> written) {
  int deleted = 0;
  for (const names::ReportApiNames& stale : names::kReportApis) {
    if (std::find(written.begin(), written.end(), stale.api) != written.end()) continue;
    const kube::ResourceRef ref = kube::ToResourceRef(stale.reports);
    auto ours = client.ListAll(ref, "",
                               {.label_selector = std::string(names::kManagedByLabel) + "=" +
                                                  std::string(names::kManagedByOperator)});
    if (!ours) {
      if (ours.error().code == Code::kNotFound) continue;  // no CRD: no reports
      if (ours.error().code == Code::kPermissionDenied) {
        // RBAC granting only the API chosen: whatever is there, we cannot see or delete it.
        LogWarn("not allowed to list " + CrdName(stale.reports) +
                    "; our reports there, if any, are left (delete them by label " +
                    std::string(names::kManagedByLabel) + "=" +
                    std::string(names::kManagedByOperator) + ")",
                {{"report-api", stale.name}});
        continue;
      }
      return Error{ours.error().code,
                   "list " + CrdName(stale.reports) + " to delete: " + ours.error().message};
    }
    for (const nlohmann::json& report : ours->items) {
      const nlohmann::json& meta = report.contains("metadata") ? report["metadata"] : report;
      // The selector asked for ours; never delete on its word alone.
      if (!meta.contains("labels") ||
          StringAt(meta["labels"], names::kManagedByLabel) != names::kManagedByOperator) {
        continue;
      }
      const std::string ns(StringAt(meta, "namespace")), name(StringAt(meta, "name"));
      Status s = client.Delete(ref, ns, name);
      if (!s && s.error().code != Code::kNotFound) {
        return Error{s.error().code, "delete " + std::string(stale.reports.kind) + " " + ns + "/" +
                                         name + ": " + s.error().message};
      }
      LogInfo("deleted " + std::string(stale.reports.kind) + " of a report API no longer written",
              {{"namespace", ns}, {"name", name}, {"report-api", stale.name}});
      ++deleted;
    }
  }
  return deleted;
}

}  // namespace csp::manager
