// Decodes a watch response body: one JSON object per line,
// {"type":"ADDED","object":{...}}, arriving in chunks that may split a line anywhere.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "csp/common/result.h"

namespace csp::kube {

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError };

struct WatchEvent {
  WatchEventType type = WatchEventType::kAdded;
  // The object; for kBookmark only apiVersion, kind and metadata.resourceVersion; for kError a
  // metav1.Status.
  nlohmann::json object = {};
};

// "ADDED" for kAdded, and so on.
std::string_view WatchEventTypeName(WatchEventType type);

// The metadata.resourceVersion of an event's object ("" if absent).
std::string ResourceVersionOf(const nlohmann::json& object);

class WatchDecoder {
 public:
  // Appends `chunk` and returns the events of every line it completed, in order. A line that
  // is not a watch event (bad JSON, unknown type, no object) is kInternal quoting the line;
  // the stream cannot be trusted after that.
  Result<std::vector<WatchEvent>> Feed(std::string_view chunk);

  // True when bytes of an unfinished line are buffered: a stream that ends now was torn.
  bool MidLine() const { return !pending_.empty(); }

 private:
  std::string pending_;
};

}  // namespace csp::kube
