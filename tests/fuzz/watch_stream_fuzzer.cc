// Feeds arbitrary bytes to the watch stream decoder, once whole and once in small chunks as a
// torn stream arrives: neither may crash, and both must decode the same events, or both fail.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "csp/kube/watch_stream.h"

namespace {

using csp::kube::WatchDecoder;
using csp::kube::WatchEvent;

bool SameEvents(const std::vector<WatchEvent>& a, const std::vector<WatchEvent>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].type != b[i].type || a[i].object != b[i].object) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  WatchDecoder whole;
  const auto at_once = whole.Feed(input);

  // 7 bytes at a time tears lines, JSON tokens and CR LF pairs at every offset over the corpus.
  constexpr std::size_t kChunk = 7;
  WatchDecoder torn;
  std::vector<WatchEvent> events;
  bool failed = false;
  for (std::size_t at = 0; at < size && !failed; at += kChunk) {
    auto decoded = torn.Feed(input.substr(at, kChunk));
    if (!decoded) {
      failed = true;
      break;
    }
    for (WatchEvent& event : *decoded) events.push_back(std::move(event));
  }
  if (failed != !at_once.has_value()) __builtin_trap();
  if (at_once && (!SameEvents(*at_once, events) || whole.MidLine() != torn.MidLine())) {
    __builtin_trap();
  }
  for (const WatchEvent& event : events) {
    (void)csp::kube::ResourceVersionOf(event.object);
    (void)csp::kube::WatchEventTypeName(event.type);
  }
  return 0;
}
