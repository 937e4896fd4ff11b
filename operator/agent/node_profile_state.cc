#include "csp/agent/node_profile_state.h"

#include <array>
#include <nlohmann/json.hpp>

#include "csp/names/names.h"

namespace csp::agent {
namespace {

// Indexed by NodeProfileState.
constexpr const std::array<std::string_view, 4>& kNames = names::kProfileStates;
static_assert(
    kNames[static_cast<std::size_t>(NodeProfileState::kInstalled)] == names::kStateInstalled &&
    kNames[static_cast<std::size_t>(NodeProfileState::kPending)] == names::kStatePending &&
    kNames[static_cast<std::size_t>(NodeProfileState::kFailed)] == names::kStateFailed &&
    kNames[static_cast<std::size_t>(NodeProfileState::kUnsupported)] == names::kStateUnsupported);

// `text` with every byte sequence that is not UTF-8 replaced by U+FFFD, as dump() does with
// error_handler_t::replace; parsing the dumped literal back undoes its escapes. An agent pass
// has a few short messages, so the round trip costs nothing that matters.
std::string ValidUtf8(std::string_view text) {
  return nlohmann::json::parse(nlohmann::json(std::string(text))
                                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      .get<std::string>();
}

}  // namespace

std::string_view NodeProfileStateName(NodeProfileState state) {
  return kNames[static_cast<std::size_t>(state)];
}

std::span<const std::string_view> NodeProfileStateNames() { return kNames; }

std::optional<NodeProfileState> ParseNodeProfileState(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<NodeProfileState>(i);
  }
  return std::nullopt;
}

std::string_view ReportResultOf(NodeProfileState state) {
  switch (state) {
    case NodeProfileState::kInstalled:
      return names::kResultPass;
    case NodeProfileState::kPending:
      return names::kResultWarn;
    case NodeProfileState::kFailed:
      return names::kResultFail;
    case NodeProfileState::kUnsupported:
      return names::kResultSkip;
  }
  return names::kResultError;
}

NodeProfileState NodeStateOf(InstallState state) {
  switch (state) {
    case InstallState::kInstalled:
    case InstallState::kUnchanged:
      return NodeProfileState::kInstalled;
    case InstallState::kUnsupported:
      return NodeProfileState::kUnsupported;
    case InstallState::kFailed:
      break;
  }
  return NodeProfileState::kFailed;
}

std::string TruncateMessage(std::string_view raw, std::size_t max_bytes) {
  const std::string valid = ValidUtf8(raw);
  const std::string_view message = valid;
  if (message.size() <= max_bytes) return valid;
  constexpr std::string_view kMark = " [...]";
  std::size_t cut = max_bytes > kMark.size() ? max_bytes - kMark.size() : 0;
  // Back up over UTF-8 continuation bytes (10xxxxxx) so that no character is split.
  while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) --cut;
  return std::string(message.substr(0, cut)) + std::string(kMark);
}

}  // namespace csp::agent
