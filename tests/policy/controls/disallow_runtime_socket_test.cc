// Rule 6, disallow-runtime-socket: a hostPath volume whose normalized path is a listed runtime
// socket, or a directory above one, fails. Declared volumes count, mounted or not.
#include <gtest/gtest.h>

#include "test_util.h"

namespace csp::policy {
namespace {

using test::RuleCase;

// A pod with a hostPath volume "host" at `path`, mounted by container "a" when `mounted`.
std::string HostPathPod(std::string_view path, bool mounted = true) {
  nlohmann::json container = {{"name", "a"}};
  if (mounted) container["volumeMounts"] = {{{"name", "host"}, {"mountPath", "/host"}}};
  nlohmann::json pod = {{"containers", {container}},
                        {"volumes", {{{"name", "host"}, {"hostPath", {{"path", path}}}}}}};
  return pod.dump();
}

// The message of a volume `host` at `path` that is, or exposes, `socket`.
std::string Is(std::string_view path) {
  return "volume \"host\": hostPath " + std::string(path) + " is the runtime socket " +
         std::string(path);
}
std::string Exposes(std::string_view path, std::string_view socket) {
  return "volume \"host\": hostPath " + std::string(path) + " exposes the runtime socket " +
         std::string(socket);
}

const RuleCase kCases[] = {
    {"no_volumes", R"({"containers":[{"name":"a"}]})", Outcome::kPass},
    {"empty_dir_volume",
     R"({"containers":[{"name":"a"}],"volumes":[{"name":"tmp","emptyDir":{}}]})", Outcome::kPass},
    // Every socket of the default list, exactly.
    {"docker_var_run",
     HostPathPod("/var/run/docker.sock"),
     Outcome::kFail,
     {"a"},
     {Is("/var/run/docker.sock")}},
    {"docker_run",
     HostPathPod("/run/docker.sock"),
     Outcome::kFail,
     {"a"},
     {Is("/run/docker.sock")}},
    {"containerd_var_run",
     HostPathPod("/var/run/containerd/containerd.sock"),
     Outcome::kFail,
     {"a"},
     {Is("/var/run/containerd/containerd.sock")}},
    {"containerd_run",
     HostPathPod("/run/containerd/containerd.sock"),
     Outcome::kFail,
     {"a"},
     {Is("/run/containerd/containerd.sock")}},
    {"crio_var_run",
     HostPathPod("/var/run/crio/crio.sock"),
     Outcome::kFail,
     {"a"},
     {Is("/var/run/crio/crio.sock")}},
    {"crio_run",
     HostPathPod("/run/crio/crio.sock"),
     Outcome::kFail,
     {"a"},
     {Is("/run/crio/crio.sock")}},
    {"cri_dockerd",
     HostPathPod("/var/run/cri-dockerd.sock"),
     Outcome::kFail,
     {"a"},
     {Is("/var/run/cri-dockerd.sock")}},
    {"podman",
     HostPathPod("/run/podman/podman.sock"),
     Outcome::kFail,
     {"a"},
     {Is("/run/podman/podman.sock")}},
    // Ancestors of a listed socket.
    {"ancestor_root",
     HostPathPod("/"),
     Outcome::kFail,
     {"a"},
     {"volume \"host\": hostPath / exposes the runtime socket"}},
    {"ancestor_var",
     HostPathPod("/var"),
     Outcome::kFail,
     {"a"},
     {"volume \"host\": hostPath /var exposes the runtime socket /var/run/"}},
    {"ancestor_var_run",
     HostPathPod("/var/run"),
     Outcome::kFail,
     {"a"},
     {"volume \"host\": hostPath /var/run exposes the runtime socket /var/run/"}},
    {"ancestor_run",
     HostPathPod("/run"),
     Outcome::kFail,
     {"a"},
     {"volume \"host\": hostPath /run exposes the runtime socket /run/"}},
    {"ancestor_run_containerd",
     HostPathPod("/run/containerd"),
     Outcome::kFail,
     {"a"},
     {Exposes("/run/containerd", "/run/containerd/containerd.sock")}},
    {"ancestor_run_podman",
     HostPathPod("/run/podman"),
     Outcome::kFail,
     {"a"},
     {Exposes("/run/podman", "/run/podman/podman.sock")}},
    {"ancestor_var_run_crio",
     HostPathPod("/var/run/crio/"),
     Outcome::kFail,
     {"a"},
     {Exposes("/var/run/crio", "/var/run/crio/crio.sock")}},
    // Normalization before comparing.
    {"dotdot_at_root",
     HostPathPod("/../var/run/docker.sock"),
     Outcome::kFail,
     {"a"},
     {Is("/var/run/docker.sock")}},
    {"slashes_dots_trailing",
     HostPathPod("//var//run/./docker.sock/"),
     Outcome::kFail,
     {"a"},
     {Is("/var/run/docker.sock")}},
    {"dotdot_inside",
     HostPathPod("/var/lib/../run/docker.sock"),
     Outcome::kFail,
     {"a"},
     {Is("/var/run/docker.sock")}},
    {"dotdot_to_ancestor",
     HostPathPod("/var/run/crio/.."),
     Outcome::kFail,
     {"a"},
     {"hostPath /var/run exposes the runtime socket"}},
    // Not a socket, not above one.
    {"var_log", HostPathPod("/var/log"), Outcome::kPass},
    {"var_lib_docker", HostPathPod("/var/lib/docker"), Outcome::kPass},
    {"sibling_in_socket_dir", HostPathPod("/run/containerd/io.containerd.runtime.v2.task"),
     Outcome::kPass},
    {"socket_name_prefix_only", HostPathPod("/var/run/docker.sock.bak"), Outcome::kPass},
    {"component_prefix_only", HostPathPod("/va"), Outcome::kPass},
    // Relative and empty paths are rule 7's business: they pass rule 6.
    {"relative_path_passes", HostPathPod("var/run/docker.sock"), Outcome::kPass},
    {"empty_path_passes", HostPathPod(""), Outcome::kPass},
    {"windows_path_passes", HostPathPod(R"(C:\var\run\docker.sock)"), Outcome::kPass},
    // A declared volume counts even when nothing mounts it.
    {"declared_not_mounted",
     HostPathPod("/var/run/docker.sock", false),
     Outcome::kFail,
     {},
     {Is("/var/run/docker.sock")}},
    {"every_mounting_container_named",
     R"({"initContainers":[{"name":"setup","volumeMounts":[{"name":"sock","mountPath":"/s"}]}],
         "containers":[{"name":"a"},{"name":"b","volumeMounts":[{"name":"sock","mountPath":"/s"}]}],
         "ephemeralContainers":[{"name":"debug","volumeMounts":[{"name":"sock","mountPath":"/s"}]}],
         "volumes":[{"name":"sock","hostPath":{"path":"/run/docker.sock"}}]})",
     Outcome::kFail,
     {"setup", "b", "debug"},
     {R"(volume "sock": hostPath /run/docker.sock is the runtime socket)"}},
    // A policy's paths replace the default list; [] lists none.
    {"custom_paths_replace_default",
     HostPathPod("/var/run/docker.sock"),
     Outcome::kPass,
     {},
     {},
     R"({"paths":["/opt/agent/agent.sock"]})"},
    {"custom_path_exact",
     HostPathPod("/opt/agent/agent.sock"),
     Outcome::kFail,
     {"a"},
     {Is("/opt/agent/agent.sock")},
     R"({"paths":["/opt/agent/agent.sock"]})"},
    {"custom_path_ancestor",
     HostPathPod("/opt"),
     Outcome::kFail,
     {"a"},
     {Exposes("/opt", "/opt/agent/agent.sock")},
     R"({"paths":["/opt/agent/agent.sock"]})"},
    {"custom_path_normalized",
     HostPathPod("/opt/agent/agent.sock"),
     Outcome::kFail,
     {"a"},
     {Is("/opt/agent/agent.sock")},
     R"({"paths":["//opt/./agent//agent.sock/"]})"},
    {"empty_paths_root_passes", HostPathPod("/"), Outcome::kPass, {}, {}, R"({"paths":[]})"},
    {"empty_paths_socket_passes",
     HostPathPod("/var/run/docker.sock"),
     Outcome::kPass,
     {},
     {},
     R"({"paths":[]})"},
    {"windows_pod_still_checked",
     R"({"os":{"name":"windows"},"containers":[{"name":"a"}],
         "volumes":[{"name":"host","hostPath":{"path":"/var/run/docker.sock"}}]})",
     Outcome::kFail,
     {},
     {Is("/var/run/docker.sock")}},
    {"disabled",
     HostPathPod("/var/run/docker.sock"),
     Outcome::kSkip,
     {},
     {"disabled"},
     R"({"enabled":false})"},
};

class DisallowRuntimeSocketTest : public testing::TestWithParam<RuleCase> {};

TEST_P(DisallowRuntimeSocketTest, Evaluates) {
  test::RunRuleCase("disallow-runtime-socket", GetParam());
}

INSTANTIATE_TEST_SUITE_P(Cases, DisallowRuntimeSocketTest, testing::ValuesIn(kCases),
                         [](auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::policy
