#include "oci_config.h"

namespace csp::runtime_test {

using nlohmann::json;

nlohmann::json OciConfig(const ContainerSpec& spec) {
  const json caps = spec.capabilities;
  json process = {
      {"terminal", false},
      {"user", {{"uid", 0}, {"gid", 0}}},
      {"args", spec.args},
      {"env", {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}},
      {"cwd", "/"},
      {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
      {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}},
      {"noNewPrivileges", spec.no_new_privileges},
  };
  if (!spec.apparmor_profile.empty()) process["apparmorProfile"] = spec.apparmor_profile;
  auto mount = [](const char* destination, const char* type, json options) {
    return json{{"destination", destination},
                {"type", type},
                {"source", type},
                {"options", std::move(options)}};
  };
  json linux_section = {
      {"namespaces",
       {{{"type", "pid"}},
        {{"type", "ipc"}},
        {{"type", "uts"}},
        {{"type", "mount"}},
        {{"type", "network"}}}},
      {"maskedPaths",
       {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
        "/proc/scsi"}},
      {"readonlyPaths", {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}},
  };
  if (spec.seccomp) linux_section["seccomp"] = *spec.seccomp;
  return {
      {"ociVersion", "1.0.2-dev"},
      {"process", std::move(process)},
      {"root", {{"path", "rootfs"}, {"readonly", true}}},
      {"hostname", "csp-runtime-test"},
      {"mounts",
       {mount("/proc", "proc", {"nosuid", "noexec", "nodev"}),
        mount("/dev", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
        mount("/dev/pts", "devpts",
              {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
        mount("/dev/shm", "tmpfs", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
        mount("/dev/mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
        mount("/sys", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
        mount("/run", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
        mount("/tmp", "tmpfs", {"nosuid", "nodev", "mode=1777", "size=65536k"})}},
      {"linux", std::move(linux_section)},
  };
}

}  // namespace csp::runtime_test
