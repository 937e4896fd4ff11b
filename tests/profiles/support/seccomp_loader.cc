#include "seccomp_loader.h"

#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

namespace csp::profiles::test {
namespace {

struct Filter {
  scmp_filter_ctx ctx = nullptr;
  std::vector<std::string> skipped;
  ~Filter() {
    if (ctx != nullptr) seccomp_release(ctx);
  }
};

// The action libseccomp takes for an OCI action name; runc's mapping, with EPERM as the errno
// when none is given.
bool ActionValue(const std::string& name, const nlohmann::json& errno_ret, uint32_t& out) {
  const uint32_t err = errno_ret.is_number() ? errno_ret.get<uint32_t>() : EPERM;
  if (name == "SCMP_ACT_ALLOW")
    out = SCMP_ACT_ALLOW;
  else if (name == "SCMP_ACT_ERRNO")
    out = SCMP_ACT_ERRNO(err);
  else if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD")
    out = SCMP_ACT_KILL_THREAD;
  else if (name == "SCMP_ACT_KILL_PROCESS")
    out = SCMP_ACT_KILL_PROCESS;
  else if (name == "SCMP_ACT_TRAP")
    out = SCMP_ACT_TRAP;
  else if (name == "SCMP_ACT_TRACE")
    out = SCMP_ACT_TRACE(err);
  else if (name == "SCMP_ACT_LOG")
    out = SCMP_ACT_LOG;
  else
    return false;
  return true;
}

bool OpValue(const std::string& name, scmp_compare& out) {
  static const std::pair<const char*, scmp_compare> kOps[] = {
      {"SCMP_CMP_NE", SCMP_CMP_NE},
      {"SCMP_CMP_LT", SCMP_CMP_LT},
      {"SCMP_CMP_LE", SCMP_CMP_LE},
      {"SCMP_CMP_EQ", SCMP_CMP_EQ},
      {"SCMP_CMP_GE", SCMP_CMP_GE},
      {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
  for (const auto& [op_name, op] : kOps) {
    if (name == op_name) {
      out = op;
      return true;
    }
  }
  return false;
}

std::string Build(const std::string& profile_json, Filter& filter) {
  const nlohmann::json profile = nlohmann::json::parse(profile_json, nullptr, false);
  if (profile.is_discarded()) return "profile is not JSON";
  uint32_t default_action = 0;
  if (!ActionValue(profile.value("defaultAction", ""),
                   profile.value("defaultErrnoRet", nlohmann::json()), default_action)) {
    return "bad defaultAction";
  }
  filter.ctx = seccomp_init(default_action);
  if (filter.ctx == nullptr) return "seccomp_init failed";
  for (const auto& arch : profile.value("architectures", nlohmann::json::array())) {
    // libseccomp spells them lower-case without the prefix: x86_64, x86, x32, aarch64, ...
    std::string lower = arch.get<std::string>().substr(std::strlen("SCMP_ARCH_"));
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const uint32_t token = seccomp_arch_resolve_name(lower.c_str());
    if (token == 0) return "unknown architecture " + arch.get<std::string>();
    const int rc = seccomp_arch_add(filter.ctx, token);
    if (rc != 0 && rc != -EEXIST) return "seccomp_arch_add " + lower + ": " + strerror(-rc);
  }
  for (const auto& rule : profile.value("syscalls", nlohmann::json::array())) {
    uint32_t action = 0;
    if (!ActionValue(rule.value("action", ""), rule.value("errnoRet", nlohmann::json()), action)) {
      return "bad action " + rule.dump();
    }
    // libseccomp refuses rules that repeat the default action; runc skips them too.
    if (action == default_action) continue;
    std::vector<scmp_arg_cmp> args;
    for (const auto& arg : rule.value("args", nlohmann::json::array())) {
      scmp_compare op{};
      if (!OpValue(arg.value("op", ""), op)) return "bad op " + arg.dump();
      args.push_back({.arg = arg.value("index", 0u),
                      .op = op,
                      .datum_a = arg.value("value", uint64_t{0}),
                      .datum_b = arg.value("valueTwo", uint64_t{0})});
    }
    for (const auto& name_json : rule["names"]) {
      const std::string name = name_json.get<std::string>();
      const int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) {
        filter.skipped.push_back(name);
        continue;
      }
      const int rc = seccomp_rule_add_array(filter.ctx, action, nr,
                                            static_cast<unsigned>(args.size()), args.data());
      if (rc != 0) return "seccomp_rule_add_array " + name + ": " + strerror(-rc);
    }
  }
  return "";
}

// Writes all of `bytes` (the child's report) or gives up.
void WriteAll(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

ConfinedRun RunConfined(const std::string& profile_json, const std::vector<Probe>& probes) {
  ConfinedRun run;
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) {
    run.error = "pipe failed";
    return run;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    run.error = "fork failed";
    return run;
  }
  if (pid == 0) {
    close(pipe_fds[0]);
    // Report: a JSON object {"error": ..., "skipped": [...], "results": [...]}.
    nlohmann::json report = {
        {"error", ""}, {"skipped", nlohmann::json::array()}, {"results", nlohmann::json::array()}};
    Filter filter;
    std::string error = Build(profile_json, filter);
    report["skipped"] = filter.skipped;
    if (error.empty() && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
      error = std::string("PR_SET_NO_NEW_PRIVS: ") + strerror(errno);
    }
    if (error.empty()) {
      const int rc = seccomp_load(filter.ctx);
      if (rc != 0) error = std::string("seccomp_load: ") + strerror(-rc);
    }
    if (!error.empty()) {
      report["error"] = error;
    } else {
      // Results are collected before the report is serialized, all within the filter.
      std::vector<int> results;
      results.reserve(probes.size());
      for (const Probe& probe : probes) results.push_back(probe.run());
      report["results"] = results;
    }
    WriteAll(pipe_fds[1], report.dump());
    _exit(0);
  }
  close(pipe_fds[1]);
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = read(pipe_fds[0], buffer, sizeof buffer)) > 0) text.append(buffer, n);
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  const nlohmann::json report = nlohmann::json::parse(text, nullptr, false);
  if (report.is_discarded() || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    run.error = "child died (status " + std::to_string(status) + ") or sent no report: " + text;
    return run;
  }
  run.error = report["error"].get<std::string>();
  run.skipped = report["skipped"].get<std::vector<std::string>>();
  run.results = report["results"].get<std::vector<int>>();
  return run;
}

}  // namespace csp::profiles::test
