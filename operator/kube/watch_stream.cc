#include "csp/kube/watch_stream.h"

#include <optional>
#include <utility>

namespace csp::kube {
namespace {

std::optional<WatchEventType> ParseType(std::string_view name) {
  if (name == "ADDED") return WatchEventType::kAdded;
  if (name == "MODIFIED") return WatchEventType::kModified;
  if (name == "DELETED") return WatchEventType::kDeleted;
  if (name == "BOOKMARK") return WatchEventType::kBookmark;
  if (name == "ERROR") return WatchEventType::kError;
  return std::nullopt;
}

Error BadLine(std::string_view line, std::string_view why) {
  constexpr std::size_t kQuote = 200;
  std::string quoted(line.substr(0, kQuote));
  if (line.size() > kQuote) quoted += "...";
  return Internal("watch stream: " + std::string(why) + ": " + quoted);
}

Result<WatchEvent> ParseLine(std::string_view line) {
  nlohmann::json frame = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!frame.is_object()) return BadLine(line, "not a JSON object");
  const auto type = frame.find("type");
  if (type == frame.end() || !type->is_string()) return BadLine(line, "no event type");
  const auto parsed = ParseType(type->get_ref<const std::string&>());
  if (!parsed) return BadLine(line, "unknown event type");
  const auto object = frame.find("object");
  if (object == frame.end() || !object->is_object()) return BadLine(line, "no object");
  return WatchEvent{.type = *parsed, .object = std::move(*object)};
}

}  // namespace

std::string_view WatchEventTypeName(WatchEventType type) {
  switch (type) {
    case WatchEventType::kAdded:
      return "ADDED";
    case WatchEventType::kModified:
      return "MODIFIED";
    case WatchEventType::kDeleted:
      return "DELETED";
    case WatchEventType::kBookmark:
      return "BOOKMARK";
    case WatchEventType::kError:
      return "ERROR";
  }
  return "UNKNOWN";
}

std::string ResourceVersionOf(const nlohmann::json& object) {
  if (!object.is_object()) return {};
  const auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return {};
  const auto rv = metadata->find("resourceVersion");
  return rv != metadata->end() && rv->is_string() ? rv->get<std::string>() : std::string();
}

Result<std::vector<WatchEvent>> WatchDecoder::Feed(std::string_view chunk) {
  std::vector<WatchEvent> events;
  std::size_t start = 0;
  while (true) {
    const std::size_t newline = chunk.find('\n', start);
    if (newline == std::string_view::npos) break;
    std::string_view piece = chunk.substr(start, newline - start);
    start = newline + 1;
    std::string joined;
    if (!pending_.empty()) {
      joined = std::move(pending_) + std::string(piece);
      pending_.clear();
      piece = joined;
    }
    if (!piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
    if (piece.find_first_not_of(" \t") == std::string_view::npos) continue;  // keep-alive
    CSP_TRY(WatchEvent event, ParseLine(piece));
    events.push_back(std::move(event));
  }
  pending_.append(chunk.substr(start));
  return events;
}

}  // namespace csp::kube
