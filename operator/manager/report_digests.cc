#include "csp/manager/report_digests.h"

#include "csp/controllers/desired_reports.h"

namespace csp::manager {

std::vector<std::uint64_t> ReportDigests::Of(names::ReportApi api, const std::string& ns,
                                             std::span<const report::PolicyReport> desired) {
  std::vector<Memo> found(desired.size());
  {
    std::lock_guard lock(mu_);
    for (std::size_t i = 0; i < desired.size(); ++i) {
      auto it = memos_.find(Key{api, ns, desired[i].name});
      if (it != memos_.end()) found[i] = it->second;
    }
  }
  std::vector<std::uint64_t> digests(desired.size());
  std::vector<std::pair<Key, Memo>> fresh;
  for (std::size_t i = 0; i < desired.size(); ++i) {
    const std::uint64_t model = controllers::ModelDigest(desired[i]);
    // A memo of 0/0 is "none": ModelDigest of a real report is 0 with odds of 2^-64.
    digests[i] = found[i].model == model && model != 0
                     ? found[i].content
                     : controllers::ContentDigest(desired[i], api);
    fresh.push_back({Key{api, ns, desired[i].name}, {model, digests[i]}});
  }
  std::lock_guard lock(mu_);
  auto first = memos_.lower_bound(Key{api, ns, ""});
  auto last = first;
  while (last != memos_.end() && std::get<0>(last->first) == api && std::get<1>(last->first) == ns)
    ++last;
  memos_.erase(first, last);
  for (auto& [key, memo] : fresh) memos_.insert_or_assign(std::move(key), memo);
  return digests;
}

std::size_t ReportDigests::size() const {
  std::lock_guard lock(mu_);
  return memos_.size();
}

}  // namespace csp::manager
