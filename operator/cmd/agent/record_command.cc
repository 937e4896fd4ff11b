#include "record_command.h"

#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>

#include "csp/agent/atomic_file.h"
#include "csp/profiles/profile_name.h"
#include "csp/profiles/security_profile_file.h"
#include "csp/record/libseccomp_names.h"
#include "csp/record/profile_diff.h"
#include "csp/record/recorded_profile.h"
#include "csp/record/runc_recording.h"
#include "flag_value.h"
#include "host_default_seccomp.h"

namespace csp::agent::cmd {

const char* const kRecordUsage =
    R"(Usage:
  csp-agent record --bundle DIR [flags] [-- COMMAND [ARG...]]
  csp-agent record --rootfs DIR [flags] -- COMMAND [ARG...]
  csp-agent record --merge FILE FILE... [flags]

Runs a workload with runc under a seccomp filter that notifies csp-agent of every syscall
(SCMP_ACT_NOTIFY, listenerPath), lets each one continue, and writes a SecurityProfile that
allows exactly the syscalls seen: spec.seccomp with defaultAction SCMP_ACT_ERRNO (EPERM), ready
for `kubectl apply`. The recording ends when the workload exits, on SIGINT or SIGTERM, or after
--timeout (the container is then killed); what was seen until then is written. With --merge,
writes the union of recorded profiles instead. Either way, prints to stderr how the profile
differs from csp-default rendered for this machine. Needs root and runc 1.1 or later.

Flags:
      --bundle DIR      an OCI bundle (config.json and its root filesystem); read, never changed.
                        COMMAND, if given, replaces process.args
      --rootfs DIR      a root filesystem, run with the config `runc spec` writes (read-only
                        root, writable /dev/shm, noNewPrivileges, runc's default namespaces)
      --name NAME       metadata.name of the SecurityProfile (default: recorded)
  -o, --output FILE     write the profile there (atomically) instead of to stdout
      --timeout DUR     stop the workload after DUR: 500ms, 30s, 5m (default: no limit)
      --runc PATH       the runc binary (default: runc from PATH)
      --merge           the arguments are recorded SecurityProfiles (YAML or JSON) to merge
  -h, --help            this text

Exit status: 0 profile written (also when the workload failed; its exit status is printed),
1 nothing could be recorded or written, 2 usage or input error.
)";

namespace {

namespace fs = std::filesystem;

struct RecordArgs {
  std::optional<fs::path> bundle;
  std::optional<fs::path> rootfs;
  std::string name = "recorded";
  std::optional<fs::path> output;
  std::optional<std::chrono::milliseconds> timeout;
  std::string runc = "runc";
  bool merge = false;
  std::vector<std::string> rest;  // the command, or the files to merge
  bool help = false;
};

std::optional<std::chrono::milliseconds> ParseDuration(const std::string& text) {
  std::size_t end = 0;
  long long n = 0;
  try {
    n = std::stoll(text, &end);
  } catch (...) {
    return std::nullopt;
  }
  const std::string unit = text.substr(end);
  if (n <= 0) return std::nullopt;
  if (unit == "ms") return std::chrono::milliseconds(n);
  if (unit == "s") return std::chrono::seconds(n);
  if (unit == "m") return std::chrono::minutes(n);
  if (unit == "h") return std::chrono::hours(n);
  return std::nullopt;
}

std::optional<std::string> ParseArgs(const std::vector<std::string>& args, RecordArgs& out) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      out.rest.insert(out.rest.end(), args.begin() + i + 1, args.end());
      break;
    }
    const FlagArg split = SplitFlag(arg);
    const std::string& flag = split.flag;
    auto take = [&] { return TakeValue(split, args, i); };
    if (flag == "-h" || flag == "--help") {
      out.help = true;
    } else if (flag == "--merge") {
      out.merge = true;
    } else if (flag == "--bundle" || flag == "--rootfs" || flag == "--name" || flag == "-o" ||
               flag == "--output" || flag == "--timeout" || flag == "--runc") {
      std::optional<std::string> v = take();
      if (!v) return flag + " needs a value";
      if (flag == "--bundle") {
        out.bundle = *v;
      } else if (flag == "--rootfs") {
        out.rootfs = *v;
      } else if (flag == "--name") {
        out.name = *v;
      } else if (flag == "--timeout") {
        out.timeout = ParseDuration(*v);
        if (!out.timeout) return "--timeout: " + *v + " is not a duration like 500ms, 30s or 5m";
      } else if (flag == "--runc") {
        out.runc = *v;
      } else {
        out.output = *v;
      }
    } else if (arg.starts_with("-")) {
      return "unknown flag " + arg;
    } else {
      out.rest.push_back(arg);
    }
  }
  if (out.help) return std::nullopt;
  if (Status name = profiles::ValidateProfileName(out.name); !name) {
    return "--name: " + name.error().message;
  }
  if (out.merge) {
    if (out.bundle || out.rootfs) return "--merge takes profiles, not --bundle or --rootfs";
    if (out.rest.empty()) return "--merge needs the recorded profiles to merge";
    return std::nullopt;
  }
  if (out.bundle.has_value() == out.rootfs.has_value()) return "give --bundle DIR or --rootfs DIR";
  if (out.rootfs && out.rest.empty()) return "--rootfs needs a command after --";
  return std::nullopt;
}

Result<profiles::SecurityProfile> ReadProfile(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return InvalidArgument(file + ": cannot open");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return profiles::ParseSecurityProfileText(text, file);
}

// Writes `profile` as YAML (to --output or `out`), checked first by the same parser the agent
// uses on the cluster's objects, then prints the diff against `baseline`. Returns the exit
// status.
int Emit(const RecordArgs& args, const profiles::SecurityProfile& profile,
         const std::string& comment, const profiles::SeccompProfile& baseline, std::ostream& out,
         std::ostream& err) {
  const std::string yaml = record::SecurityProfileYaml(profile, comment);
  Result<profiles::SecurityProfile> reparsed = profiles::ParseSecurityProfileText(yaml, "<output>");
  if (!reparsed) {
    err << "csp-agent record: " << reparsed.error().message << "\n";
    return 2;
  }
  Status written;
  if (args.output) {
    const fs::path output = fs::absolute(*args.output);
    written = WriteFileAtomic(output.parent_path(), output.filename().string(), yaml, 0644);
  } else if (!(out << yaml).flush()) {
    written = Internal("cannot write to stdout");
  }
  if (!written) {
    err << "csp-agent record: " << written.error().message << "\n";
    return 1;
  }
  err << record::FormatDiff(record::DiffProfiles(*profile.seccomp, baseline), "csp-default");
  return 0;
}

std::string Joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& w : words) text += (text.empty() ? "" : " ") + w;
  return text;
}

int Merge(const RecordArgs& args, const profiles::SeccompProfile& baseline, std::ostream& out,
          std::ostream& err) {
  std::vector<profiles::SecurityProfile> recorded;
  for (const std::string& file : args.rest) {
    Result<profiles::SecurityProfile> profile = ReadProfile(file);
    if (!profile) {
      err << "csp-agent record: " << profile.error().message << "\n";
      return 2;
    }
    recorded.push_back(*profile);
  }
  Result<profiles::SecurityProfile> merged = record::MergeRecordedProfiles(recorded, args.name);
  if (!merged) {
    err << "csp-agent record: " << merged.error().message << "\n";
    return 2;
  }
  return Emit(args, *merged, "Merged by csp-agent record from " + Joined(args.rest) + ".", baseline,
              out, err);
}

int Record(const RecordArgs& args, const profiles::SeccompProfile& baseline, std::ostream& out,
           std::ostream& err) {
  Result<record::RecordOutcome> outcome =
      record::RecordWithRunc({.bundle = args.bundle.value_or(fs::path()),
                              .rootfs = args.rootfs.value_or(fs::path()),
                              .args = args.rest,
                              .architectures = baseline.architectures,
                              .runc = args.runc,
                              .timeout = args.timeout});
  if (!outcome) {
    err << "csp-agent record: " << outcome.error().message << "\n";
    return outcome.error().code == Code::kInvalidArgument ? 2 : 1;
  }
  for (const std::string& problem : outcome->problems) {
    err << "csp-agent record: listener: " << problem << "\n";
  }
  if (outcome->connections == 0) {
    err << "csp-agent record: runc never handed over a seccomp notify fd; nothing recorded "
           "(runc run exited with "
        << outcome->exit_code << ")\n";
    return 1;
  }
  const record::ResolvedRecord resolved = record::ResolveRecord(outcome->record);
  for (const std::string& unknown : resolved.unknown) {
    err << "csp-agent record: syscall " << unknown << " has no name in libseccomp; left out\n";
  }
  const profiles::SecurityProfile profile = record::BuildRecordedProfile(
      resolved.names, {.name = args.name, .architectures = baseline.architectures});
  std::ostringstream comment;
  comment << "Recorded by csp-agent record from "
          << (args.bundle ? "bundle " + args.bundle->string() : "rootfs " + args.rootfs->string());
  if (!args.rest.empty()) comment << ": " << Joined(args.rest);
  comment << "\n";
  for (const auto& [arch, names] : resolved.names) {
    comment << names.size() << " syscalls seen on " << arch << "\n";
  }
  comment << "Also allowed, as runc needs them (see docs/agent.md):";
  for (std::string_view name : record::kNotNotifiable) comment << " " << name;
  for (std::string_view name : record::kRuntimeNeeds) comment << " " << name;
  err << "csp-agent record: workload exited with " << outcome->exit_code;
  if (!outcome->stopped_by.empty()) err << " (stopped by " << outcome->stopped_by << ")";
  err << "; " << outcome->record.size() << " syscalls recorded\n";
  return Emit(args, profile, comment.str(), baseline, out, err);
}

}  // namespace

int RunRecord(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  RecordArgs parsed;
  if (std::optional<std::string> usage_error = ParseArgs(args, parsed)) {
    err << "csp-agent record: " << *usage_error << "\n\n" << kRecordUsage;
    return 2;
  }
  if (parsed.help) {
    out << kRecordUsage;
    return 0;
  }
  // csp-default for this machine: the diff's baseline and the architectures a filter covers.
  Result<profiles::SeccompProfile> baseline = HostDefaultSeccomp();
  if (!baseline) {
    err << "csp-agent record: csp-default for this machine: " << baseline.error().message << "\n";
    return 1;
  }
  return parsed.merge ? Merge(parsed, *baseline, out, err) : Record(parsed, *baseline, out, err);
}

}  // namespace csp::agent::cmd
