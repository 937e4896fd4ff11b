// The content digests of the desired reports, memoized (issue 17, "Churn: a pass costs what
// changed"): a namespace pass rebuilds its reports' models for one changed workload, and
// ContentDigest writes each report's whole JSON text to compare it with the cached one; the
// model's own digest (controllers::ModelDigest, no JSON) finds the reports that did not change,
// whose ContentDigest is the one of the last pass.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "csp/names/names.h"
#include "csp/report/policy_report.h"

namespace csp::manager {

class ReportDigests {
 public:
  // ContentDigest(desired[i], api) for each i. `desired` are all the reports of namespace `ns`
  // in `api` (one pass's): the memo then holds exactly those of `ns`, so it is bounded by the
  // reports desired, and a namespace without reports holds none. Thread-safe; passes of one
  // namespace must not overlap (the work queue never runs a key twice at once).
  std::vector<std::uint64_t> Of(names::ReportApi api, const std::string& ns,
                                std::span<const report::PolicyReport> desired);

  std::size_t size() const;

 private:
  struct Memo {
    std::uint64_t model = 0;    // controllers::ModelDigest
    std::uint64_t content = 0;  // controllers::ContentDigest
  };
  // (api, namespace, report name).
  using Key = std::tuple<names::ReportApi, std::string, std::string>;

  mutable std::mutex mu_;
  std::map<Key, Memo, std::less<>> memos_;
};

}  // namespace csp::manager
