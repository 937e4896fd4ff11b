// csp-agent on the local cluster: one agent process per kwok node, each with its own --root temp
// folder standing in for the node's /, all started as subprocesses with the credentials of the
// ServiceAccount of config/agent (so its RBAC is exercised, not the admin's).
//
// The roots hold no sys/kernel/security/apparmor, so every AppArmor profile is reported
// Unsupported whether or not this machine runs AppArmor: the tests never load policy into the
// real kernel. The real `apparmor_parser -Q -K` still checks every AppArmor profile's text.
//
// Object names holding ".." or "/" never reach the agent: the API server refuses them (checked
// below). What does reach it is text naming another profile, e.g. an AppArmor policy declaring
// `profile ../../escape`, which the agent's own validation refuses.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "e2e_env.h"

namespace csp::e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

constexpr auto kWait = 60s;

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

// A plain HTTP GET on 127.0.0.1; the body, or nullopt when the connection fails or the status
// is not 200.
std::optional<std::string> HttpGet(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{.tv_sec = 5, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    if (write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buffer[4096];
      ssize_t n;
      while ((n = read(fd, buffer, sizeof buffer)) > 0) response.append(buffer, n);
    }
  }
  close(fd);
  if (!response.starts_with("HTTP/1.1 200")) return std::nullopt;
  const auto body = response.find("\r\n\r\n");
  return body == std::string::npos ? std::string() : response.substr(body + 4);
}

// The value of an unlabeled sample (or one with exactly these labels) in /metrics text.
std::optional<double> Metric(const std::string& text, const std::string& sample) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with(sample + " ")) return std::atof(line.c_str() + sample.size() + 1);
  }
  return std::nullopt;
}

// One csp-agent process for one node, its root folder and its log.
class Agent {
 public:
  Agent(std::string node, fs::path root, std::string kubeconfig, std::string log_format)
      : node_(std::move(node)),
        root_(std::move(root)),
        kubeconfig_(std::move(kubeconfig)),
        log_format_(std::move(log_format)) {}
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;
  ~Agent() { Stop(); }

  // Starts the process; its port comes from its log (it listens on a free one).
  ::testing::AssertionResult Start() {
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
          for (std::sregex_iterator it(log.begin(), log.end(), port_pattern), end; it != end;
               ++it) {
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

  // SIGTERM, and the exit status (0 is a clean stop).
  int Stop() {
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

  bool Ready() const { return HttpGet(port_, "/readyz").has_value(); }
  std::string Metrics() const { return HttpGet(port_, "/metrics").value_or(""); }
  // The status thread has written (or found right) everything it had to.
  bool StatusInSync() const { return Metric(Metrics(), "csp_agent_status_in_sync") == 1; }

  fs::path SeccompFile(const std::string& name) const {
    return root_ / "var/lib/kubelet/seccomp/containersecurity" / (name + ".json");
  }
  fs::path AppArmorFile(const std::string& name) const {
    return root_ / "etc/apparmor.d/containersecurity" / name;
  }
  // Every regular file under the root, relative to it.
  std::vector<std::string> Files() const {
    std::vector<std::string> files;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->is_regular_file()) files.push_back(fs::relative(it->path(), root_).string());
    }
    std::sort(files.begin(), files.end());
    return files;
  }
  std::string Log() const { return ReadFile(log_); }
  const std::string& node() const { return node_; }

 private:
  std::string node_;
  fs::path root_;
  std::string kubeconfig_;
  std::string log_format_;
  fs::path log_;
  std::size_t last_log_size_ = 0;
  pid_t pid_ = -1;
  int port_ = 0;
};

// What the report says about one (node, profile reference).
struct ReportEntry {
  std::string result;
  std::string state;
  std::string type;
  std::string message;
};

std::map<std::string, ReportEntry> NodeResults(const json& report, const std::string& node) {
  std::map<std::string, ReportEntry> out;
  for (const json& r : report.value("results", json::array())) {
    if (r["properties"]["node"] != node) continue;
    out[r["properties"]["profile"].get<std::string>()] = {r["result"], r["properties"]["state"],
                                                          r["properties"]["type"], r["message"]};
  }
  return out;
}

json NodeReport() {
  CommandResult r = Kubectl({"get", "clusterpolicyreport", "csp-node-profiles", "-o", "json"});
  if (r.exit_code != 0) return nullptr;
  return json::parse(r.out, nullptr, false);
}

json SecurityProfile(const std::string& name) {
  CommandResult r = Kubectl({"get", "securityprofile", name, "-o", "json"});
  if (r.exit_code != 0) return nullptr;
  return json::parse(r.out, nullptr, false);
}

std::string SeccompYaml(const std::string& name, const std::string& selector_yaml = "") {
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

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(Kubeconfig().empty()) << "no cluster configured (CSP_E2E_KUBECONFIG)";
    ASSERT_TRUE(fs::exists(AgentPath())) << AgentPath();
    CommandResult crds = Kubectl({"apply", "--server-side", "-f", RepoRoot() + "/crds/"});
    ASSERT_EQ(crds.exit_code, 0) << crds;
    ASSERT_TRUE(Eventually(
        [] {
          return Kubectl({"get", "securityprofiles"}).exit_code == 0;
        },
        kWait));
    ASSERT_NO_FATAL_FAILURE(AgentKubeconfig());

    char pattern[] = "/tmp/csp-e2e-agent-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    for (int i = 0; i < NodeCount(); ++i) {
      // One agent logs JSON, so that both formats run.
      agents_.push_back(std::make_unique<Agent>(NodeName(i), dir_ / NodeName(i), kubeconfig_,
                                                i == 0 ? "json" : "text"));
    }
  }

  void TearDown() override {
    for (const std::string& name : profiles_) {
      Kubectl({"delete", "securityprofile", name, "--ignore-not-found", "--wait=false"});
    }
    for (const auto& [node, label] : labels_) Kubectl({"label", "node", node, label + "-"});
    for (auto& agent : agents_) {
      if (HasFailure()) std::cerr << "--- log of " << agent->node() << ":\n" << agent->Log();
      agent->Stop();
    }
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  // A kubeconfig for the ServiceAccount csp-agent, with exactly config/agent's RBAC.
  void AgentKubeconfig() {
    Kubectl({"create", "namespace", "csp-system"});  // may exist already
    for (const char* file : {"service_account.yaml", "role.yaml", "role_binding.yaml"}) {
      CommandResult r = Kubectl({"apply", "-f", RepoRoot() + "/config/agent/" + file});
      ASSERT_EQ(r.exit_code, 0) << r;
    }
    CommandResult token;
    ASSERT_TRUE(Eventually(
        [&] {
          token = Kubectl({"-n", "csp-system", "create", "token", "csp-agent", "--duration=2h"});
          return token.exit_code == 0;
        },
        kWait))
        << token;
    kubeconfig_ = (fs::path(BuildDir()) / "e2e-agent.kubeconfig").string();
    fs::copy_file(Kubeconfig(), kubeconfig_, fs::copy_options::overwrite_existing);
    std::string trimmed = token.out;
    while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) {
      trimmed.pop_back();
    }
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"config", "set-credentials", "csp-agent", "--token=" + trimmed},
          std::vector<std::string>{"config", "set-context", "--current", "--user=csp-agent"}}) {
      std::vector<std::string> full = {KubectlPath(), "--kubeconfig=" + kubeconfig_};
      full.insert(full.end(), args.begin(), args.end());
      CommandResult r = csp::e2e::Run(full);
      ASSERT_EQ(r.exit_code, 0) << r;
    }
  }

  void StartAll() {
    for (auto& agent : agents_) ASSERT_TRUE(agent->Start());
    for (auto& agent : agents_) {
      ASSERT_TRUE(Eventually([&] { return agent->Ready(); }, kWait))
          << agent->node() << " not ready:\n"
          << agent->Log();
    }
  }

  void Create(const std::string& name, const std::string& yaml) {
    profiles_.push_back(name);
    CommandResult r = Kubectl({"apply", "-f", "-"}, yaml);
    ASSERT_EQ(r.exit_code, 0) << r;
  }

  void Label(const std::string& node, const std::string& key, const std::string& value) {
    CommandResult r = Kubectl({"label", "node", node, key + "=" + value, "--overwrite"});
    ASSERT_EQ(r.exit_code, 0) << r;
    labels_.emplace_back(node, key);
  }

  // Waits until the report says exactly `want` (result/state per node) for profile `ref`,
  // nullopt meaning "no result".
  bool ReportSays(const std::string& ref,
                  const std::map<std::string, std::optional<std::string>>& want) {
    return Eventually(
        [&] {
          const json report = NodeReport();
          if (!report.is_object()) return false;
          for (const auto& [node, state] : want) {
            const auto results = NodeResults(report, node);
            auto it = results.find(ref);
            if (!state && it != results.end()) return false;
            if (state && (it == results.end() || it->second.state != *state)) return false;
          }
          return true;
        },
        kWait);
  }

  fs::path dir_;
  std::string kubeconfig_;
  std::vector<std::unique_ptr<Agent>> agents_;
  std::vector<std::string> profiles_;
  std::vector<std::pair<std::string, std::string>> labels_;
};

TEST_F(AgentTest, DefaultProfilesOnEveryNodeAndInTheReport) {
  ASSERT_NO_FATAL_FAILURE(StartAll());
  CommandResult rendered = csp::e2e::Run({AgentPath(), "render", "csp-default-seccomp"});
  ASSERT_EQ(rendered.exit_code, 0) << rendered;
  for (auto& agent : agents_) {
    EXPECT_EQ(ReadFile(agent->SeccompFile("csp-default")), rendered.out) << agent->node();
    // No AppArmor under the test root: nothing written for it.
    EXPECT_FALSE(fs::exists(agent->AppArmorFile("csp-default"))) << agent->node();
  }
  std::map<std::string, std::optional<std::string>> everywhere;
  for (auto& agent : agents_) everywhere[agent->node()] = "Installed";
  ASSERT_TRUE(ReportSays("containersecurity/csp-default.json", everywhere)) << NodeReport().dump(2);
  for (auto& [node, state] : everywhere) state = "Unsupported";
  ASSERT_TRUE(ReportSays("csp-default", everywhere)) << NodeReport().dump(2);

  const json report = NodeReport();
  EXPECT_EQ(report["metadata"]["labels"]["app.kubernetes.io/managed-by"], "csp-agent");
  for (auto& agent : agents_) {
    const auto results = NodeResults(report, agent->node());
    const ReportEntry& seccomp = results.at("containersecurity/csp-default.json");
    EXPECT_EQ(seccomp.result, "pass");
    EXPECT_EQ(seccomp.type, "Seccomp");
    const ReportEntry& apparmor = results.at("csp-default");
    EXPECT_EQ(apparmor.result, "skip");
    EXPECT_EQ(apparmor.type, "AppArmor");
    EXPECT_TRUE(apparmor.message.starts_with("AppArmor not available on this node"))
        << apparmor.message;
  }
  // Every result has the agreed shape, and the summary counts them.
  std::map<std::string, int> counted;
  for (const json& r : report["results"]) {
    EXPECT_EQ(r["source"], "containersecurity");
    EXPECT_EQ(r["policy"], "csp-node-profiles");
    EXPECT_TRUE(r["rule"] == "seccomp-profile" || r["rule"] == "apparmor-profile") << r;
    EXPECT_EQ(r["resources"],
              json({{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", r["properties"]["node"]}}}));
    ++counted[r["result"].get<std::string>()];
  }
  for (const char* result : {"pass", "fail", "warn", "error", "skip"}) {
    EXPECT_EQ(report["summary"][result], counted[result]) << result;
  }
  // The endpoints answer.
  const std::string metrics = agents_[0]->Metrics();
  EXPECT_EQ(Metric(metrics, "csp_agent_ready"), 1);
  EXPECT_GE(Metric(metrics, "csp_agent_profiles{type=\"Seccomp\",state=\"Installed\"}"), 1);
  EXPECT_GT(Metric(metrics, "process_resident_memory_bytes").value_or(0), 0);
}

TEST_F(AgentTest, NodeSelectorPicksTheNodesAndDeletionRemovesTheFiles) {
  ASSERT_GE(agents_.size(), 3u);
  const std::string name = UniqueName("e2e-selected");
  const std::string label = "e2e.containersecurity.dev/" + name;
  ASSERT_NO_FATAL_FAILURE(Label(NodeName(1), label, "yes"));
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_NO_FATAL_FAILURE(
      Create(name, SeccompYaml(name, "  nodeSelector:\n    " + label + ": \"yes\"\n")));

  ASSERT_TRUE(Eventually([&] { return fs::exists(agents_[1]->SeccompFile(name)); }, kWait));
  const std::string ref = "containersecurity/" + name + ".json";
  ASSERT_TRUE(ReportSays(
      ref, {{NodeName(0), std::nullopt}, {NodeName(1), "Installed"}, {NodeName(2), std::nullopt}}))
      << NodeReport().dump(2);
  EXPECT_FALSE(fs::exists(agents_[0]->SeccompFile(name)));
  EXPECT_FALSE(fs::exists(agents_[2]->SeccompFile(name)));
  EXPECT_EQ(ReadFile(agents_[1]->SeccompFile(name)),
            csp::e2e::Run({AgentPath(), "render", "-f", "-"}, SeccompYaml(name)).out);
  ASSERT_TRUE(Eventually(
      [&] {
        const json p = SecurityProfile(name);
        return p.is_object() &&
               p["status"].value("nodes", json::object()).value("installed", 0) == 1;
      },
      kWait))
      << SecurityProfile(name).dump(2);
  json status = SecurityProfile(name)["status"];
  EXPECT_EQ(
      status["nodes"],
      json({{"selected", 1}, {"installed", 1}, {"pending", 0}, {"failed", 0}, {"unsupported", 0}}));
  ASSERT_EQ(status["nodeStatus"].size(), 1u);
  EXPECT_EQ(status["nodeStatus"][0]["node"], NodeName(1));
  EXPECT_EQ(status["nodeStatus"][0]["state"], "Installed");
  EXPECT_EQ(status["nodeStatus"][0]["observedGeneration"], 1);
  EXPECT_EQ(status["conditions"][0]["type"], "Ready");
  EXPECT_EQ(status["conditions"][0]["status"], "True");

  // The label moves from node 1 to node 2: the agents follow their Node objects.
  ASSERT_NO_FATAL_FAILURE(Label(NodeName(2), label, "yes"));
  CommandResult unlabel = Kubectl({"label", "node", NodeName(1), label + "-"});
  ASSERT_EQ(unlabel.exit_code, 0) << unlabel;
  ASSERT_TRUE(Eventually([&] { return fs::exists(agents_[2]->SeccompFile(name)); }, kWait));
  ASSERT_TRUE(Eventually([&] { return !fs::exists(agents_[1]->SeccompFile(name)); }, kWait));
  ASSERT_TRUE(ReportSays(ref, {{NodeName(1), std::nullopt}, {NodeName(2), "Installed"}}))
      << NodeReport().dump(2);
  ASSERT_TRUE(Eventually(
      [&] {
        const json s = SecurityProfile(name)["status"];
        return s["nodeStatus"].size() == 1 && s["nodeStatus"][0]["node"] == NodeName(2);
      },
      kWait))
      << SecurityProfile(name).dump(2);

  // Deleted: the file goes, and so does the report's result.
  CommandResult deleted = Kubectl({"delete", "securityprofile", name});
  ASSERT_EQ(deleted.exit_code, 0) << deleted;
  ASSERT_TRUE(Eventually([&] { return !fs::exists(agents_[2]->SeccompFile(name)); }, kWait));
  ASSERT_TRUE(ReportSays(ref, {{NodeName(2), std::nullopt}})) << NodeReport().dump(2);
  for (auto& agent : agents_) EXPECT_FALSE(fs::exists(agent->SeccompFile(name))) << agent->node();
}

TEST_F(AgentTest, RefusedProfilesAreReportedAndNeverWritten) {
  // The API server refuses object names that could leave the agent's folder.
  for (const std::string bad : {"a..b", "../escape", "a/b"}) {
    CommandResult r = Kubectl({"create", "-f", "-"}, SeccompYaml(bad));
    EXPECT_NE(r.exit_code, 0) << bad << ": " << r;
  }
  ASSERT_NO_FATAL_FAILURE(StartAll());
  // A name that does reach the agent: AppArmor text declaring a profile outside the object's
  // name (a path, here). Refused by the agent's own validation, on every node.
  const std::string escape = UniqueName("e2e-escape");
  ASSERT_NO_FATAL_FAILURE(Create(escape, AppArmorYaml(escape, "profile ../../escape {\n}\n")));
  // Well named but not AppArmor: the real apparmor_parser -Q -K refuses it.
  const std::string broken = UniqueName("e2e-broken");
  ASSERT_NO_FATAL_FAILURE(
      Create(broken, AppArmorYaml(broken, "profile " + broken + " {\n  file\n  network\n}\n")));
  // Valid: Unsupported on nodes without AppArmor (the test roots).
  const std::string valid = UniqueName("e2e-valid");
  ASSERT_NO_FATAL_FAILURE(
      Create(valid, AppArmorYaml(valid, "profile " + valid + " {\n  file,\n  network,\n}\n")));

  std::map<std::string, std::optional<std::string>> failed, unsupported;
  for (auto& agent : agents_) {
    failed[agent->node()] = "Failed";
    unsupported[agent->node()] = "Unsupported";
  }
  ASSERT_TRUE(ReportSays(escape, failed)) << NodeReport().dump(2);
  ASSERT_TRUE(ReportSays(broken, failed)) << NodeReport().dump(2);
  ASSERT_TRUE(ReportSays(valid, unsupported)) << NodeReport().dump(2);
  const json report = NodeReport();
  for (auto& agent : agents_) {
    const auto results = NodeResults(report, agent->node());
    EXPECT_NE(results.at(escape).message.find("must declare `profile " + escape), std::string::npos)
        << results.at(escape).message;
    EXPECT_NE(results.at(escape).message.find("(it declares ../../escape)"), std::string::npos)
        << results.at(escape).message;
    EXPECT_EQ(results.at(escape).result, "fail");
    EXPECT_TRUE(results.at(broken).message.starts_with("apparmor_parser refused the policy"))
        << results.at(broken).message;
    EXPECT_EQ(results.at(valid).result, "skip");
    // Nothing of these on disk, and nothing outside the root's two folders.
    for (const std::string& name : {escape, broken, valid}) {
      EXPECT_FALSE(fs::exists(agent->AppArmorFile(name))) << agent->node() << " " << name;
    }
    for (const std::string& file : agent->Files()) {
      EXPECT_TRUE(file.starts_with("var/lib/kubelet/seccomp/containersecurity/") ||
                  file.starts_with("etc/apparmor.d/containersecurity/"))
          << agent->node() << ": " << file;
    }
  }
  EXPECT_FALSE(fs::exists(dir_ / "escape"));

  ASSERT_TRUE(Eventually(
      [&] {
        const json p = SecurityProfile(escape);
        return p.is_object() && p["status"].value("nodes", json::object()).value("failed", 0) ==
                                    static_cast<int>(agents_.size());
      },
      kWait))
      << SecurityProfile(escape).dump(2);
  const json ready = SecurityProfile(escape)["status"]["conditions"][0];
  EXPECT_EQ(ready["status"], "False");
  EXPECT_EQ(ready["reason"], "InstallFailed");
  ASSERT_TRUE(Eventually(
      [&] {
        const json p = SecurityProfile(valid);
        return p.is_object() &&
               p["status"].value("nodes", json::object()).value("unsupported", 0) ==
                   static_cast<int>(agents_.size());
      },
      kWait))
      << SecurityProfile(valid).dump(2);
  EXPECT_EQ(SecurityProfile(valid)["status"]["conditions"][0]["reason"], "Unsupported");
}

// The DaemonSet and the RBAC of config/agent are valid objects for this API server (server-side
// dry run: schema, defaults and admission, nothing created).
TEST_F(AgentTest, DeploymentManifestsAreAccepted) {
  CommandResult r = Kubectl({"apply", "--dry-run=server", "-k", RepoRoot() + "/config/agent"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_NE(r.out.find("daemonset.apps/csp-agent"), std::string::npos) << r;
}

struct FileStamp {
  ino_t inode = 0;
  std::int64_t mtime_ns = 0;
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

FileStamp Stamp(const fs::path& path) {
  struct stat st = {};
  if (stat(path.c_str(), &st) != 0) return {};
  return {st.st_ino, st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec};
}

TEST_F(AgentTest, RestartRewritesNothing) {
  ASSERT_NO_FATAL_FAILURE(StartAll());
  const std::string name = UniqueName("e2e-restart");
  ASSERT_NO_FATAL_FAILURE(Create(name, SeccompYaml(name)));
  std::map<std::string, std::optional<std::string>> everywhere;
  for (auto& agent : agents_) everywhere[agent->node()] = "Installed";
  ASSERT_TRUE(ReportSays("containersecurity/" + name + ".json", everywhere))
      << NodeReport().dump(2);
  ASSERT_TRUE(Eventually(
      [&] {
        const json p = SecurityProfile(name);
        return p.is_object() && p["status"].value("nodes", json::object()).value("installed", 0) ==
                                    static_cast<int>(agents_.size());
      },
      kWait));
  for (auto& agent : agents_) ASSERT_TRUE(Eventually([&] { return agent->StatusInSync(); }, kWait));

  std::map<std::string, FileStamp> before;
  for (auto& agent : agents_) {
    for (const fs::path& file : {agent->SeccompFile("csp-default"), agent->SeccompFile(name)}) {
      before[file.string()] = Stamp(file);
      ASSERT_NE(before[file.string()].inode, 0u) << file;
    }
  }
  const std::string report_version = NodeReport()["metadata"]["resourceVersion"];
  const std::string profile_version = SecurityProfile(name)["metadata"]["resourceVersion"];

  for (auto& agent : agents_) EXPECT_EQ(agent->Stop(), 0) << agent->node();
  ASSERT_NO_FATAL_FAILURE(StartAll());
  for (auto& agent : agents_) ASSERT_TRUE(Eventually([&] { return agent->StatusInSync(); }, kWait));

  for (const auto& [file, stamp] : before) EXPECT_EQ(Stamp(file), stamp) << file;
  EXPECT_EQ(NodeReport()["metadata"]["resourceVersion"], report_version);
  EXPECT_EQ(SecurityProfile(name)["metadata"]["resourceVersion"], profile_version);
  for (auto& agent : agents_) {
    const std::string metrics = agent->Metrics();
    EXPECT_EQ(Metric(metrics, "csp_agent_status_writes_total"), 0) << agent->node();
    EXPECT_EQ(Metric(metrics, "csp_agent_profile_installs_total{outcome=\"written\"}"), 0)
        << agent->node();
    EXPECT_GE(Metric(metrics, "csp_agent_profile_installs_total{outcome=\"unchanged\"}"), 2)
        << agent->node();
  }
}

}  // namespace
}  // namespace csp::e2e
