#include "e2e_env.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "csp/kube/cpprest_transport.h"

namespace csp::e2e {
namespace {

using Clock = std::chrono::steady_clock;

std::string Identifier(const std::string& identity) {
  std::string id;
  for (char c : identity) {
    id += std::isalnum(static_cast<unsigned char>(c))
              ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
              : '_';
  }
  return id;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string NamespaceYaml(const std::string& name) {
  return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name +
         "\n  labels:\n    csp-e2e: \"true\"\n";
}

// Creates a namespace and waits for its `default` ServiceAccount: until the controller manager
// has made it, the ServiceAccount admission plugin refuses every pod in the namespace.
::testing::AssertionResult CreateNamespace(const std::string& name) {
  CommandResult r = Kubectl({"create", "-f", "-"}, NamespaceYaml(name));
  if (r.exit_code != 0) {
    return ::testing::AssertionFailure() << "creating namespace " << name << ": " << r;
  }
  const bool has_sa = Eventually(
      [&] {
        return Kubectl({"-n", name, "get", "serviceaccount", "default"}).exit_code == 0;
      },
      std::chrono::seconds(60));
  if (!has_sa) {
    return ::testing::AssertionFailure()
           << "namespace " << name << " has no default ServiceAccount after 60 s";
  }
  return ::testing::AssertionSuccess();
}

std::string TestBaseName() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return "e2e";
  return std::string("e2e-") + info->test_suite_name() + "-" + info->name();
}

}  // namespace

std::optional<std::string> EnvVar(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

std::string Kubeconfig() {
  if (auto v = EnvVar("CSP_E2E_KUBECONFIG")) return *v;
  if (auto v = EnvVar("KUBECONFIG")) return *v;
  return "";
}

std::string KubeconfigFor(const std::string& identity) {
  if (identity == "admin") return Kubeconfig();
  const std::string var = "CSP_E2E_" + Identifier(identity) + "_KUBECONFIG";
  if (auto v = EnvVar(var.c_str())) return *v;
  // hack/cluster.sh writes <identity>.kubeconfig next to admin.kubeconfig.
  const std::string admin = Kubeconfig();
  const size_t slash = admin.rfind('/');
  if (slash == std::string::npos) return "";
  const std::string sibling = admin.substr(0, slash + 1) + identity + ".kubeconfig";
  return FileExists(sibling) ? sibling : "";
}

std::string KubectlPath() { return EnvVar("CSP_KUBECTL").value_or("kubectl"); }

std::string RepoRoot() { return EnvVar("CSP_REPO_ROOT").value_or(CSP_E2E_SOURCE_DIR); }

std::string BuildDir() { return EnvVar("CSP_BUILD_DIR").value_or(CSP_E2E_BINARY_DIR); }

CommandResult KubectlAs(const std::string& identity, const std::vector<std::string>& args,
                        const std::string& stdin_data) {
  const std::string kubeconfig = KubeconfigFor(identity);
  if (kubeconfig.empty()) {
    CommandResult r;
    r.exit_code = 127;
    r.err = "no kubeconfig for identity '" + identity +
            "': set CSP_E2E_KUBECONFIG (or CSP_E2E_<IDENTITY>_KUBECONFIG), e.g. via ctest -L e2e";
    return r;
  }
  std::vector<std::string> argv = {KubectlPath(), "--kubeconfig=" + kubeconfig};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, stdin_data);
}

CommandResult Kubectl(const std::vector<std::string>& args, const std::string& stdin_data) {
  return KubectlAs("admin", args, stdin_data);
}

nlohmann::json KubectlJson(const std::vector<std::string>& args) {
  std::vector<std::string> full = args;
  full.insert(full.end(), {"-o", "json"});
  CommandResult r = Kubectl(full);
  if (r.exit_code != 0) {
    ADD_FAILURE() << "kubectl failed: " << r;
    return nlohmann::json::object();
  }
  nlohmann::json parsed = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    ADD_FAILURE() << "kubectl printed no valid JSON: " << r;
    return nlohmann::json::object();
  }
  return parsed;
}

bool Eventually(const std::function<bool()>& fn, std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (true) {
    if (fn()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

::testing::AssertionResult WaitCrdsEstablished(const std::vector<std::string>& crds,
                                               std::chrono::seconds timeout) {
  std::vector<std::string> waiting;
  const bool all = Eventually(
      [&] {
        waiting.clear();
        for (const std::string& crd : crds) {
          CommandResult r = Kubectl({"get", "customresourcedefinition", crd, "-o", "json"});
          const nlohmann::json object =
              nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
          bool established = false;
          if (r.exit_code == 0 && object.is_object()) {
            const nlohmann::json status = object.value("status", nlohmann::json::object());
            for (const nlohmann::json& c : status.value("conditions", nlohmann::json::array())) {
              established = established || (c.value("type", "") == "Established" &&
                                            c.value("status", "") == "True");
            }
          }
          if (!established) waiting.push_back(crd);
        }
        return waiting.empty();
      },
      timeout);
  if (all) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure()
                 << "CRDs not Established after " << timeout.count() << " s:";
  for (const std::string& crd : waiting) failure << " " << crd;
  return failure;
}

std::string UniqueName(const std::string& text) {
  static std::mt19937 rng{std::random_device{}()};
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "%06x", static_cast<unsigned>(rng() & 0xffffff));
  std::string name;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    const char mapped = std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '-';
    if (mapped == '-' && (name.empty() || name.back() == '-')) continue;
    name += mapped;
  }
  constexpr size_t kMaxLabel = 63;
  name = name.substr(0, kMaxLabel - 7);  // room for "-" and six hex digits
  while (!name.empty() && name.back() == '-') name.pop_back();
  if (name.empty()) name = "e2e";
  return name + "-" + suffix;
}

void E2ETest::SetUp() {
  ASSERT_FALSE(Kubeconfig().empty())
      << "no cluster configured: run through ctest (ctest -L e2e) or set CSP_E2E_KUBECONFIG "
         "after `hack/cluster.sh up` (see docs/cluster.md)";
  ns_ = UniqueName(TestBaseName());
  ASSERT_TRUE(CreateNamespace(ns_));
  namespaces_.push_back(ns_);
}

std::string E2ETest::CreateExtraNamespace(const std::string& suffix) {
  const std::string name = UniqueName(TestBaseName() + "-" + suffix);
  EXPECT_TRUE(CreateNamespace(name));
  namespaces_.push_back(name);
  return name;
}

void E2ETest::TearDown() {
  const bool keep = EnvVar("CSP_E2E_KEEP_NAMESPACES").value_or("") == "1";
  for (const std::string& name : namespaces_) {
    if (keep) {
      std::cerr << "keeping namespace " << name << " (CSP_E2E_KEEP_NAMESPACES=1)\n";
      continue;
    }
    CommandResult r = Kubectl({"delete", "namespace", name, "--wait=false", "--ignore-not-found"});
    EXPECT_EQ(r.exit_code, 0) << "deleting namespace " << name << ": " << r;
  }
  namespaces_.clear();
}

namespace {

// The port of the cluster's etcd, from the cluster.env that hack/cluster.sh writes.
std::string EtcdPort() {
  const auto dir = EnvVar("CSP_E2E_CLUSTER_DIR");
  if (!dir) return "";
  std::ifstream in(*dir + "/cluster.env");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("CSP_ETCD_PORT=", 0) == 0)
      return line.substr(std::string("CSP_ETCD_PORT=").size());
  }
  return "";
}

// Compacts etcd's history up to `revision` through etcd's JSON gateway, as the apiserver's
// periodic compaction would after five minutes.
}  // namespace

csp::Status CompactEtcd(const std::string& revision) {
  const std::string port = EtcdPort();
  if (port.empty()) return csp::Internal("no CSP_ETCD_PORT in $CSP_E2E_CLUSTER_DIR/cluster.env");
  auto etcd = csp::kube::NewCpprestTransport({.server = "http://127.0.0.1:" + port});
  if (!etcd) return etcd.error();
  auto response =
      (*etcd)->Send({.method = "POST",
                     .target = "/v3/kv/compaction",
                     .headers = {{"Content-Type", "application/json"}},
                     .body = nlohmann::json{{"revision", revision}, {"physical", true}}.dump()});
  if (!response) return response.error();
  if (response->status != 200) return csp::Internal("etcd compaction: " + response->body);
  return {};
}

}  // namespace csp::e2e
