#include "csp/agent/system_apparmor_loader.h"

#include <algorithm>

#include "csp/agent/atomic_file.h"
#include "csp/agent/run_program.h"
#include "csp/profiles/quote.h"

namespace csp::agent {
namespace {

constexpr std::string_view kNotAvailable = "AppArmor not available on this node";
constexpr std::size_t kMaxProfilesListBytes = 64 << 20;

std::string Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

// The parser's diagnostics without its noise: it warns about the cache on every run where the
// kernel has no AppArmor (-K skips the cache anyway).
std::string ParserMessage(const ProgramResult& result) {
  std::string message;
  std::string_view err = result.err;
  while (!err.empty()) {
    const auto end = std::min(err.find('\n'), err.size());
    std::string_view line = err.substr(0, end);
    err.remove_prefix(std::min(end + 1, err.size()));
    if (line.starts_with("Cache read/write disabled")) continue;
    if (!Trim(line).empty()) {
      if (!message.empty()) message += "; ";
      message += Trim(line);
    }
  }
  if (result.timed_out) return "timed out" + (message.empty() ? "" : ": " + message);
  if (message.empty()) return "exit status " + std::to_string(result.exit_code);
  return message;
}

}  // namespace

std::vector<std::string> ParseLoadedProfiles(std::string_view text) {
  std::vector<std::string> names;
  while (!text.empty()) {
    const auto end = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    // "name (mode)"; the name itself may hold spaces and parentheses, the mode is last.
    const auto mode = line.rfind(" (");
    if (mode != std::string_view::npos && line.ends_with(')')) {
      names.emplace_back(line.substr(0, mode));
    }
  }
  return names;
}

std::filesystem::path SystemAppArmorLoader::EnabledFile() const {
  return options_.sys_root / "sys/module/apparmor/parameters/enabled";
}

std::filesystem::path SystemAppArmorLoader::ProfilesFile() const {
  return options_.sys_root / "sys/kernel/security/apparmor/profiles";
}

std::vector<std::string> SystemAppArmorLoader::Command(
    std::initializer_list<std::string> flags) const {
  // -q: no warnings, only errors, so that messages stay short.
  std::vector<std::string> argv = {options_.parser.string(), "-q"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  for (const auto& dir : options_.include_dirs) {
    argv.push_back("-I");
    argv.push_back(dir.string());
  }
  if (options_.sys_root != "/") {
    argv.push_back("--subdomainfs");
    argv.push_back((options_.sys_root / "sys/kernel/security/apparmor").string());
  }
  return argv;
}

AppArmorAvailability SystemAppArmorLoader::Availability() {
  const std::filesystem::path enabled = EnabledFile();
  Result<std::optional<std::string>> text = ReadRegularFile(enabled, 4096);
  if (!text) {
    return {.reason = std::string(kNotAvailable) + ": " + text.error().message};
  }
  if (!text->has_value()) {
    // The agent's container may see only the host's securityfs (sys/kernel/security), not its
    // sysfs module parameters. The kernel creates the apparmor folder in securityfs only when
    // AppArmor is enabled, so it decides then.
    std::error_code ec;
    const std::filesystem::path apparmorfs = ProfilesFile().parent_path();
    if (std::filesystem::is_directory(apparmorfs, ec)) return {.available = true};
    return {.reason = std::string(kNotAvailable) + ": " + enabled.string() + " and " +
                      apparmorfs.string() +
                      " are absent (the kernel has no AppArmor, or securityfs is not mounted)"};
  }
  const std::string value = Trim(**text);
  if (value != "Y") {
    return {.reason = std::string(kNotAvailable) + ": " + enabled.string() + " is " +
                      profiles::Quote(value) + " (AppArmor is disabled)"};
  }
  return {.available = true};
}

Result<std::vector<std::string>> SystemAppArmorLoader::Validate(std::string_view policy) {
  const ProgramOptions run{.stdin_data = std::string(policy), .timeout = options_.timeout};
  CSP_TRY(ProgramResult compiled, RunProgram(Command({"-Q", "-K"}), run));
  if (compiled.exit_code != 0 || compiled.timed_out) {
    return InvalidArgument("apparmor_parser refused the policy: " + ParserMessage(compiled));
  }
  CSP_TRY(ProgramResult listed, RunProgram(Command({"-N"}), run));
  if (listed.exit_code != 0 || listed.timed_out) {
    return InvalidArgument("apparmor_parser -N refused the policy: " + ParserMessage(listed));
  }
  std::vector<std::string> names;
  std::string_view out = listed.out;
  while (!out.empty()) {
    const auto end = std::min(out.find('\n'), out.size());
    if (end > 0) names.emplace_back(out.substr(0, end));
    out.remove_prefix(std::min(end + 1, out.size()));
  }
  return names;
}

Status SystemAppArmorLoader::Load(const std::filesystem::path& file,
                                  std::string_view profile_name) {
  const ProgramOptions run{.timeout = options_.timeout};
  CSP_TRY(ProgramResult loaded, RunProgram(Command({"-r", "-K", file.string()}), run));
  if (loaded.exit_code != 0 || loaded.timed_out) {
    return Internal("apparmor_parser -r " + file.string() + ": " + ParserMessage(loaded));
  }
  CSP_TRY(bool present, IsLoaded(profile_name));
  if (!present) {
    return Internal("apparmor_parser -r " + file.string() + " succeeded, but profile " +
                    profiles::Quote(profile_name) + " is not in " + ProfilesFile().string());
  }
  return {};
}

Result<bool> SystemAppArmorLoader::IsLoaded(std::string_view profile_name) {
  CSP_TRY(std::optional<std::string> text, ReadRegularFile(ProfilesFile(), kMaxProfilesListBytes));
  if (!text) return Internal("cannot confirm profiles: " + ProfilesFile().string() + " is absent");
  const std::vector<std::string> names = ParseLoadedProfiles(*text);
  return std::find(names.begin(), names.end(), profile_name) != names.end();
}

Status SystemAppArmorLoader::Unload(std::string_view profile_name) {
  if (profile_name.find_first_of("\"\n") != std::string_view::npos) {
    return InvalidArgument("cannot unload AppArmor profile " + profiles::Quote(profile_name) +
                           ": the name holds a quote or a newline");
  }
  CSP_TRY(bool present, IsLoaded(profile_name));
  if (!present) return {};
  // -R needs only the name: an empty profile of that name removes it, whatever the file held.
  const ProgramOptions run{.stdin_data = "profile \"" + std::string(profile_name) + "\" {}\n",
                           .timeout = options_.timeout};
  CSP_TRY(ProgramResult removed, RunProgram(Command({"-R", "-K"}), run));
  if (removed.exit_code != 0 || removed.timed_out) {
    return Internal("apparmor_parser -R " + profiles::Quote(profile_name) + ": " +
                    ParserMessage(removed));
  }
  CSP_TRY(bool still, IsLoaded(profile_name));
  if (still) {
    return Internal("apparmor_parser -R succeeded, but profile " + profiles::Quote(profile_name) +
                    " is still in " + ProfilesFile().string());
  }
  return {};
}

}  // namespace csp::agent
