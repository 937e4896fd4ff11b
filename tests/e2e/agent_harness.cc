#include "agent_harness.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "e2e_env.h"
#include "operator_harness.h"  // HttpGet

namespace csp::e2e {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

std::string AgentPath() { return BuildDir() + "/operator/cmd/agent/csp-agent"; }

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int NodeCount() {
  const std::optional<std::string> nodes = EnvVar("CSP_E2E_NODES");
  return nodes ? std::atoi(nodes->c_str()) : 3;
}

std::string NodeName(int i) { return "kwok-node-" + std::to_string(i); }

std::optional<double> Metric(const std::string& text, const std::string& sample) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with(sample + " ")) return std::atof(line.c_str() + sample.size() + 1);
  }
  return std::nullopt;
}

std::map<std::string, ReportEntry> NodeResults(const json& report, const std::string& node) {
  std::map<std::string, ReportEntry> out;
  if (report.contains("items")) {
    for (const json& item : report["items"]) out.merge(NodeResults(item, node));
    return out;
  }
  for (const json& r : report.value("results", json::array())) {
    if (r["properties"]["node"] != node) continue;
    out[r["properties"]["profile"].get<std::string>()] = {r["result"], r["properties"]["state"],
                                                          r["properties"]["type"], r["message"]};
  }
  return out;
}

json NodeReports(const std::string& resource) {
  CommandResult r =
      Kubectl({"get", resource, "-l", "app.kubernetes.io/managed-by=csp-agent", "-o", "json"});
  if (r.exit_code != 0) return nullptr;
  return json::parse(r.out, nullptr, false);
}

json NodeReportOf(const std::string& node, const std::string& resource) {
  CommandResult r = Kubectl({"get", resource, "csp-node-profiles-" + node, "-o", "json"});
  if (r.exit_code != 0) return nullptr;
  return json::parse(r.out, nullptr, false);
}

json SecurityProfile(const std::string& name) {
  CommandResult r = Kubectl({"get", "securityprofile", name, "-o", "json"});
  if (r.exit_code != 0) return nullptr;
  return json::parse(r.out, nullptr, false);
}

std::string SeccompYaml(const std::string& name, const std::string& selector_yaml) {
  return "apiVersion: containersecurity.dev/v1alpha1\nkind: SecurityProfile\nmetadata:\n  name: " +
         name + "\nspec:\n  type: Seccomp\n" + selector_yaml +
         "  seccomp:\n    defaultAction: SCMP_ACT_ERRNO\n    architectures: [SCMP_ARCH_X86_64]\n"
         "    syscalls:\n      - {names: [read, write, exit_group], action: SCMP_ACT_ALLOW}\n";
}

std::string AppArmorYaml(const std::string& name, const std::string& policy) {
  std::string indented;
  std::istringstream lines(policy);
  for (std::string line; std::getline(lines, line);) indented += "    " + line + "\n";
  return "apiVersion: containersecurity.dev/v1alpha1\nkind: SecurityProfile\nmetadata:\n  name: " +
         name + "\nspec:\n  type: AppArmor\n  appArmor: |\n" + indented;
}

Agent::Agent(std::string node, fs::path root, std::string kubeconfig, std::string log_format)
    : node_(std::move(node)),
      root_(std::move(root)),
      kubeconfig_(std::move(kubeconfig)),
      log_format_(std::move(log_format)) {}

::testing::AssertionResult Agent::Start() {
  log_ = root_.parent_path() / (root_.filename().string() + ".log");
  const std::vector<std::string> args = {AgentPath(),    "run",          "--node-name",
                                         node_,          "--root",       root_.string(),
                                         "--kubeconfig", kubeconfig_,    "--listen-address",
                                         "127.0.0.1:0",  "--log-format", log_format_};
  pid_ = fork();
  if (pid_ < 0) return ::testing::AssertionFailure() << "fork failed";
  if (pid_ == 0) {
    setpgid(0, 0);
    const int out = open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    std::vector<char*> argv;
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  port_ = 0;
  const std::regex port_pattern(R"(port"?[=:]"?(\d+))");
  const bool found = Eventually(
      [&] {
        const std::string log = Log();
        // The log is appended across restarts: take the last port.
        for (std::sregex_iterator it(log.begin(), log.end(), port_pattern), end; it != end; ++it) {
          port_ = std::stoi((*it)[1]);
        }
        return port_ != 0 && log.rfind("serving") != std::string::npos &&
               log.rfind("serving") > last_log_size_;
      },
      20s);
  last_log_size_ = Log().size();
  if (!found) return ::testing::AssertionFailure() << node_ << ": no port in its log:\n" << Log();
  return ::testing::AssertionSuccess();
}

int Agent::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 100; ++i) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(100ms);
  }
  kill(-pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return 137;
}

bool Agent::Ready() const { return HttpGet(port_, "/readyz").status == 200; }
std::string Agent::Metrics() const {
  HttpResult r = HttpGet(port_, "/metrics");
  return r.status == 200 ? r.body : "";
}

std::vector<std::string> Agent::Files() const {
  std::vector<std::string> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file()) files.push_back(fs::relative(it->path(), root_).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

::testing::AssertionResult WriteAgentKubeconfig(const std::string& path) {
  Kubectl({"create", "namespace", "csp-system"});  // may exist already
  for (const char* file : {"service_account.yaml", "role.yaml", "role_binding.yaml"}) {
    // Retried: tests in other processes apply the same files, and a client-side apply that
    // races another one's create fails with AlreadyExists (the next attempt updates).
    CommandResult r;
    if (!Eventually(
            [&] {
              r = Kubectl({"apply", "-f", RepoRoot() + "/config/agent/" + file});
              return r.exit_code == 0;
            },
            30s)) {
      return ::testing::AssertionFailure() << r;
    }
  }
  CommandResult token;
  if (!Eventually(
          [&] {
            token = Kubectl({"-n", "csp-system", "create", "token", "csp-agent", "--duration=2h"});
            return token.exit_code == 0;
          },
          60s)) {
    return ::testing::AssertionFailure() << token;
  }
  fs::copy_file(Kubeconfig(), path, fs::copy_options::overwrite_existing);
  std::string trimmed = token.out;
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) {
    trimmed.pop_back();
  }
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"config", "set-credentials", "csp-agent", "--token=" + trimmed},
        std::vector<std::string>{"config", "set-context", "--current", "--user=csp-agent"}}) {
    std::vector<std::string> full = {KubectlPath(), "--kubeconfig=" + path};
    full.insert(full.end(), args.begin(), args.end());
    CommandResult r = csp::e2e::Run(full);
    if (r.exit_code != 0) return ::testing::AssertionFailure() << r;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace csp::e2e
