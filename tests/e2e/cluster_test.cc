// The local control plane works as the other e2e tests assume: kwok nodes are Ready, the
// apiserver reports the pinned version, and the controller manager, scheduler and kwok turn a
// Deployment into running Pods and garbage-collect them again.
#include <fstream>
#include <string>

#include "e2e_env.h"

namespace csp::e2e {
namespace {

using std::chrono::seconds;

// Bounds on waits for asynchronous controllers, not performance expectations.
constexpr seconds kControllerWait{120};

// K8S_VERSION from hack/versions.env, the pin the binaries were built from.
std::string PinnedKubernetesVersion() {
  const std::string path = RepoRoot() + "/hack/versions.env";
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("K8S_VERSION=", 0) == 0) return line.substr(std::string("K8S_VERSION=").size());
  }
  ADD_FAILURE() << "no K8S_VERSION= line in " << path;
  return "";
}

// obj[key] if it is there, else an empty object (const json has no safe operator[]).
nlohmann::json Field(const nlohmann::json& obj, const char* key) {
  return obj.is_object() ? obj.value(key, nlohmann::json::object()) : nlohmann::json::object();
}

bool ConditionTrue(const nlohmann::json& obj, const std::string& type) {
  for (const auto& c : Field(obj, "status").value("conditions", nlohmann::json::array())) {
    if (c.value("type", "") == type) return c.value("status", "") == "True";
  }
  return false;
}

int CountReadyKwokNodes() {
  nlohmann::json nodes = KubectlJson({"get", "nodes", "-l", "type=kwok"});
  int ready = 0;
  for (const auto& node : nodes.value("items", nlohmann::json::array())) {
    if (ConditionTrue(node, "Ready")) ++ready;
  }
  return ready;
}

TEST(ClusterTest, AllKwokNodesAreReady) {
  const auto want = EnvVar("CSP_E2E_NODES");
  ASSERT_TRUE(want.has_value()) << "CSP_E2E_NODES is not set (the ctest fixture sets it)";
  const int expected = std::stoi(*want);
  ASSERT_GT(expected, 0);
  int ready = -1;
  EXPECT_TRUE(Eventually(
      [&] {
        ready = CountReadyKwokNodes();
        return ready == expected;
      },
      seconds(60)))
      << ready << " of " << expected << " kwok nodes Ready";
}

TEST(ClusterTest, ApiserverReportsPinnedVersion) {
  const std::string pinned = PinnedKubernetesVersion();
  ASSERT_FALSE(pinned.empty());
  CommandResult r = Kubectl({"get", "--raw", "/version"});
  ASSERT_EQ(r.exit_code, 0) << r;
  nlohmann::json version = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(version.is_discarded()) << r.out;
  EXPECT_EQ(version.value("gitVersion", ""), "v" + pinned);
  EXPECT_EQ(version.value("gitTreeState", ""), "clean");
}

class DeploymentTest : public E2ETest {};

constexpr char kDeployment[] = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: registry.k8s.io/pause:3.10
)";

int CountRunningPods(const std::string& ns) {
  nlohmann::json pods = KubectlJson({"-n", ns, "get", "pods", "-l", "app=web"});
  int running = 0;
  for (const auto& pod : pods.value("items", nlohmann::json::array())) {
    if (Field(pod, "status").value("phase", "") == "Running" &&
        !Field(pod, "spec").value("nodeName", "").empty())
      ++running;
  }
  return running;
}

size_t CountItems(const std::string& ns, const std::string& kind) {
  return KubectlJson({"-n", ns, "get", kind, "-l", "app=web"})
      .value("items", nlohmann::json::array())
      .size();
}

TEST_F(DeploymentTest, PodsRunAndAreGarbageCollected) {
  CommandResult r = Kubectl({"-n", ns(), "apply", "-f", "-"}, kDeployment);
  ASSERT_EQ(r.exit_code, 0) << r;

  // The deployment controller makes a ReplicaSet owned by the Deployment.
  EXPECT_TRUE(Eventually(
      [&] {
        nlohmann::json sets = KubectlJson({"-n", ns(), "get", "replicasets", "-l", "app=web"});
        for (const auto& rs : sets.value("items", nlohmann::json::array())) {
          for (const auto& owner :
               Field(rs, "metadata").value("ownerReferences", nlohmann::json::array())) {
            if (owner.value("kind", "") == "Deployment" && owner.value("name", "") == "web") {
              return true;
            }
          }
        }
        return false;
      },
      kControllerWait))
      << "no ReplicaSet owned by deployment/web";

  // The scheduler binds both pods to kwok nodes and kwok marks them Running.
  int running = 0;
  EXPECT_TRUE(Eventually(
      [&] {
        running = CountRunningPods(ns());
        return running == 2;
      },
      kControllerWait))
      << running
      << " of 2 pods Running; pods: " << Kubectl({"-n", ns(), "get", "pods", "-o", "wide"});

  // Deleting the Deployment lets the garbage collector remove its ReplicaSet and Pods.
  r = Kubectl({"-n", ns(), "delete", "deployment", "web", "--wait=false"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(Eventually([&] { return CountItems(ns(), "replicasets") == 0; }, kControllerWait))
      << "ReplicaSet still there after deleting its Deployment";
  EXPECT_TRUE(Eventually([&] { return CountItems(ns(), "pods") == 0; }, kControllerWait))
      << "Pods still there after deleting their Deployment: "
      << Kubectl({"-n", ns(), "get", "pods"});
}

}  // namespace
}  // namespace csp::e2e
