#include "csp/profiles/render_target.h"

#include <cctype>

#include "csp/profiles/quote.h"
#include "csp/profiles/seccomp_vocabulary.h"

namespace csp::profiles {
namespace {

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Reads a decimal number at `pos`; false when there is none or it overflows.
bool ReadNumber(std::string_view text, std::size_t& pos, unsigned& out) {
  const std::size_t start = pos;
  unsigned long value = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    value = value * 10 + static_cast<unsigned>(text[pos] - '0');
    if (value > 100000) return false;
    ++pos;
  }
  out = static_cast<unsigned>(value);
  return pos > start;
}

}  // namespace

std::string NormalizeMachine(std::string_view machine) {
  std::string lower(machine);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "amd64") return "x86_64";
  if (lower == "arm64") return "aarch64";
  if (lower == "arm") return "armv7l";
  if (lower == "loong64") return "loongarch64";
  return lower;
}

Result<KernelVersion> ParseKernelVersion(std::string_view release) {
  KernelVersion version;
  std::size_t pos = 0;
  if (!ReadNumber(release, pos, version.major) || pos >= release.size() || release[pos] != '.' ||
      !ReadNumber(release, ++pos, version.minor)) {
    return InvalidArgument(Quote(release) + " is not a kernel version (MAJOR.MINOR...)");
  }
  return version;
}

Result<std::string> NormalizeCapability(std::string_view name) {
  std::string upper = Upper(name);
  if (!upper.starts_with("CAP_")) upper = "CAP_" + upper;
  if (!Contains(CapabilityNames(), upper)) {
    return InvalidArgument(Quote(name) + " is not a capability (e.g. SYS_PTRACE or CAP_BPF)");
  }
  return upper;
}
}  // namespace csp::profiles
