// Counts API requests by verb and HTTP code, for the operator's /metrics (the shape of
// client-go's rest_client_requests_total).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace csp::kube {

class RequestMetrics {
 public:
  // Every attempt counts, retries included. `verb` is GET, LIST, WATCH, POST, PUT, PATCH,
  // APPLY or DELETE; `code` is the HTTP status, or 0 when no response came back.
  void Record(std::string_view verb, int code);

  std::uint64_t Count(std::string_view verb, int code) const;
  std::uint64_t Total() const;
  std::map<std::pair<std::string, int>, std::uint64_t> Snapshot() const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, std::uint64_t> counts_;
};

}  // namespace csp::kube
