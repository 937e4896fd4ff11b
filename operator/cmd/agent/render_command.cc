#include "render_command.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include "csp/agent/host_render_target.h"
#include "csp/profiles/default_profiles.h"
#include "csp/profiles/render_target.h"
#include "csp/profiles/security_profile_file.h"
#include "flag_value.h"

namespace csp::agent::cmd {

const char* const kRenderUsage =
    R"(Usage: csp-agent render (csp-default-seccomp | csp-default-apparmor | -f FILE) [flags]

Prints a profile byte for byte as csp-agent writes it on a node: csp-default seccomp as OCI JSON
(/var/lib/kubelet/seccomp/containersecurity/csp-default.json), csp-default AppArmor as policy
text (/etc/apparmor.d/containersecurity/csp-default), or the profile of a SecurityProfile.

Flags:
  -f, --file FILE   a SecurityProfile, YAML or JSON (- for stdin)
      --arch ARCH   the node's architecture for csp-default-seccomp: x86_64, aarch64, armv7l,
                    ppc64le, s390x, riscv64, loongarch64 (amd64, arm64, arm and loong64 too).
                    Default: this machine's
      --kernel X.Y  the node's kernel version for csp-default-seccomp (ptrace needs 4.8).
                    Default: this machine's
      --cap CAP     render csp-default-seccomp for containers that hold CAP (repeatable; e.g.
                    SYS_PTRACE). Default: none, as the agent installs it
  -h, --help        this text

Exit status: 0 printed, 2 usage or input error.
)";

namespace {

constexpr std::size_t kMaxInputBytes = 4 << 20;

struct RenderArgs {
  std::string profile;  // a built-in name, or empty with file set
  std::optional<std::string> file;
  std::optional<std::string> arch;
  std::optional<std::string> kernel;
  std::vector<std::string> caps;
  bool help = false;
};

// Parses flags; on error returns the message.
std::optional<std::string> ParseArgs(const std::vector<std::string>& args, RenderArgs& out) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const FlagArg split = SplitFlag(arg);
    const std::string& flag = split.flag;
    auto take = [&] { return TakeValue(split, args, i); };
    if (flag == "-h" || flag == "--help") {
      out.help = true;
    } else if (flag == "-f" || flag == "--file" || flag == "--arch" || flag == "--kernel" ||
               flag == "--cap") {
      std::optional<std::string> v = take();
      if (!v) return flag + " needs a value";
      if (flag == "--arch") {
        out.arch = *v;
      } else if (flag == "--kernel") {
        out.kernel = *v;
      } else if (flag == "--cap") {
        out.caps.push_back(*v);
      } else {
        out.file = *v;
      }
    } else if (arg.starts_with("-") && arg != "-") {
      return "unknown flag " + arg;
    } else if (out.profile.empty()) {
      out.profile = arg;
    } else {
      return "unexpected argument " + arg + " (one profile at a time)";
    }
  }
  if (out.help) return std::nullopt;
  if (out.file && !out.profile.empty()) return "give a profile name or -f FILE, not both";
  if (!out.file && out.profile.empty()) {
    return "which profile? csp-default-seccomp, csp-default-apparmor or -f FILE";
  }
  return std::nullopt;
}

Result<std::string> ReadInput(const std::string& file) {
  std::string text;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) return InvalidArgument(file + ": cannot open");
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) return InvalidArgument(file + ": read error");
  }
  if (text.size() > kMaxInputBytes) {
    return InvalidArgument(file + ": larger than " + std::to_string(kMaxInputBytes) + " bytes");
  }
  return text;
}

Result<profiles::RenderTarget> Target(const RenderArgs& args) {
  CSP_TRY(profiles::RenderTarget target, HostRenderTarget());
  if (args.arch) target.machine = profiles::NormalizeMachine(*args.arch);
  if (args.kernel) {
    Result<profiles::KernelVersion> kernel = profiles::ParseKernelVersion(*args.kernel);
    if (!kernel) return InvalidArgument("--kernel: " + kernel.error().message);
    target.kernel = *kernel;
  }
  for (const std::string& cap : args.caps) {
    Result<std::string> name = profiles::NormalizeCapability(cap);
    if (!name) return InvalidArgument("--cap: " + name.error().message);
    target.capabilities.insert(*name);
  }
  return target;
}

Result<profiles::RenderedProfile> Render(const RenderArgs& args) {
  if (args.file) {
    CSP_TRY(std::string text, ReadInput(*args.file));
    const std::string name = *args.file == "-" ? "<stdin>" : *args.file;
    CSP_TRY(profiles::SecurityProfile profile, profiles::ParseSecurityProfileText(text, name));
    return profiles::RenderSecurityProfile(profile);
  }
  if (args.profile == "csp-default-seccomp") {
    CSP_TRY(profiles::RenderTarget target, Target(args));
    return profiles::RenderDefaultSeccomp(target);
  }
  if (args.profile == "csp-default-apparmor") return profiles::RenderDefaultAppArmor();
  return InvalidArgument("unknown profile " + args.profile +
                         " (csp-default-seccomp, csp-default-apparmor, or -f FILE)");
}

}  // namespace

int RunRender(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  RenderArgs parsed;
  if (std::optional<std::string> usage_error = ParseArgs(args, parsed)) {
    err << "csp-agent render: " << *usage_error << "\n\n" << kRenderUsage;
    return 2;
  }
  if (parsed.help) {
    out << kRenderUsage;
    return 0;
  }
  Result<profiles::RenderedProfile> rendered = Render(parsed);
  if (!rendered) {
    err << "csp-agent render: " << rendered.error().message << "\n";
    return 2;
  }
  out << rendered->bytes;
  out.flush();
  return out ? 0 : 2;
}

}  // namespace csp::agent::cmd
