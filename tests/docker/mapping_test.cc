// controls.md "Docker and Compose", row by row: each case gives the same settings as a Compose
// service, a `docker run` line and a `docker inspect` element, and all three must reach the
// verdict of the table (so they also agree with each other).
#include <gtest/gtest.h>

#include "csp/docker/compose.h"
#include "csp/docker/inspect.h"
#include "csp/docker/run_line.h"
#include "judge.h"

namespace csp::docker {
namespace {

using json = nlohmann::json;
using policy::Outcome;
using testing::Judge;

struct Case {
  const char* name;
  const char* compose;  // the service's mapping, as JSON
  const char* run;      // flags and image after `docker run`
  const char* inspect;  // the inspect element, as JSON (Name is added)
  const char* rule;
  Outcome want;
};

const Case kCases[] = {
    // 1
    {"privileged_unset", R"({"image": "nginx"})", "nginx", R"({"HostConfig": {}})",
     "disallow-privileged", Outcome::kPass},
    {"privileged", R"({"privileged": true})", "--privileged nginx",
     R"({"HostConfig": {"Privileged": true}})", "disallow-privileged", Outcome::kFail},
    {"privileged_false", R"({"privileged": false})", "--privileged=false nginx",
     R"({"HostConfig": {"Privileged": false}})", "disallow-privileged", Outcome::kPass},
    // 2
    {"seccomp_unset_is_docker_default", "{}", "nginx", R"({"HostConfig": {"SecurityOpt": null}})",
     "require-seccomp", Outcome::kPass},
    {"seccomp_unconfined_colon", R"({"security_opt": ["seccomp:unconfined"]})",
     "--security-opt seccomp:unconfined nginx",
     R"({"HostConfig": {"SecurityOpt": ["seccomp:unconfined"]}})", "require-seccomp",
     Outcome::kFail},
    {"seccomp_unconfined_equals", R"({"security_opt": ["seccomp=unconfined"]})",
     "--security-opt=seccomp=unconfined nginx",
     R"({"HostConfig": {"SecurityOpt": ["seccomp=unconfined"]}})", "require-seccomp",
     Outcome::kFail},
    {"seccomp_file", R"({"security_opt": ["seccomp=/etc/p.json"]})",
     "--security-opt seccomp=/etc/p.json nginx",
     R"({"HostConfig": {"SecurityOpt": ["seccomp={\"defaultAction\": \"SCMP_ACT_ERRNO\"}"]}})",
     "require-seccomp", Outcome::kPass},
    // 3
    {"apparmor_unset_is_docker_default", "{}", "nginx", R"({"HostConfig": {}})", "require-apparmor",
     Outcome::kPass},
    {"apparmor_unconfined", R"({"security_opt": ["apparmor:unconfined"]})",
     "--security-opt apparmor=unconfined nginx",
     R"({"HostConfig": {"SecurityOpt": ["apparmor=unconfined"]}})", "require-apparmor",
     Outcome::kFail},
    {"apparmor_docker_default", R"({"security_opt": ["apparmor:docker-default"]})",
     "--security-opt apparmor=docker-default nginx",
     R"({"HostConfig": {"SecurityOpt": ["apparmor=docker-default"]}})", "require-apparmor",
     Outcome::kPass},
    {"apparmor_profile", R"({"security_opt": ["apparmor=my-profile"]})",
     "--security-opt 'apparmor=my-profile' nginx",
     R"({"HostConfig": {"SecurityOpt": ["apparmor=my-profile"]}})", "require-apparmor",
     Outcome::kPass},
    // 4
    {"cap_add_sys_admin", R"({"cap_add": ["SYS_ADMIN"]})", "--cap-add=SYS_ADMIN nginx",
     R"({"HostConfig": {"CapAdd": ["SYS_ADMIN"]}})", "restrict-capabilities", Outcome::kFail},
    {"cap_add_prefixed_lower", R"({"cap_add": ["cap_sys_admin"]})", "--cap-add cap_sys_admin nginx",
     R"({"HostConfig": {"CapAdd": ["cap_sys_admin"]}})", "restrict-capabilities", Outcome::kFail},
    {"cap_add_all", R"({"cap_add": ["ALL"]})", "--cap-add ALL nginx",
     R"({"HostConfig": {"CapAdd": ["ALL"]}})", "restrict-capabilities", Outcome::kFail},
    {"cap_add_allowed", R"({"cap_add": ["NET_BIND_SERVICE"], "cap_drop": ["ALL"]})",
     "--cap-drop ALL --cap-add NET_BIND_SERVICE nginx",
     R"({"HostConfig": {"CapAdd": ["NET_BIND_SERVICE"], "CapDrop": ["ALL"]}})",
     "restrict-capabilities", Outcome::kPass},
    // 5
    {"user_unset", "{}", "nginx", R"({"Config": {"User": ""}})", "require-non-root",
     Outcome::kFail},
    {"user_zero", R"({"user": "0"})", "-u 0 nginx", R"({"Config": {"User": "0"}})",
     "require-non-root", Outcome::kFail},
    {"user_zero_number", R"({"user": 0})", "-u0 nginx", R"({"Config": {"User": "0"}})",
     "require-non-root", Outcome::kFail},
    {"user_root", R"({"user": "root"})", "--user root nginx", R"({"Config": {"User": "root"}})",
     "require-non-root", Outcome::kFail},
    {"user_zero_group", R"({"user": "0:1000"})", "--user=0:1000 nginx",
     R"({"Config": {"User": "0:1000"}})", "require-non-root", Outcome::kFail},
    {"user_uid", R"({"user": "1000:3000"})", "--user 1000:3000 nginx",
     R"({"Config": {"User": "1000:3000"}})", "require-non-root", Outcome::kPass},
    {"user_uid_root_group", R"({"user": 1000})", "-u 1000:0 nginx",
     R"({"Config": {"User": "1000:0"}})", "require-non-root", Outcome::kPass},
    {"user_name", R"({"user": "app"})", "-u app nginx", R"({"Config": {"User": "app"}})",
     "require-non-root", Outcome::kPass},
    // 6, 7
    {"bind_socket", R"({"volumes": ["/var/run/docker.sock:/var/run/docker.sock"]})",
     "-v /var/run/docker.sock:/var/run/docker.sock nginx",
     R"({"HostConfig": {"Binds": ["/var/run/docker.sock:/var/run/docker.sock"]}})",
     "disallow-runtime-socket", Outcome::kFail},
    {"bind_socket_long",
     R"({"volumes": [{"type": "bind", "source": "/run/docker.sock", "target": "/s"}]})",
     "--mount type=bind,src=/run/docker.sock,dst=/s nginx",
     R"({"Mounts": [{"Type": "bind", "Source": "/run/docker.sock", "Destination": "/s",
                     "RW": true}]})",
     "disallow-runtime-socket", Outcome::kFail},
    {"bind_root_exposes_socket", R"({"volumes": ["/:/host:ro"]})", "--volume=/:/host:ro nginx",
     R"({"HostConfig": {"Binds": ["/:/host:ro"]}})", "disallow-runtime-socket", Outcome::kFail},
    {"bind_is_a_host_path", R"({"volumes": ["/var/log:/logs:ro"]})", "-v /var/log:/logs:ro nginx",
     R"({"HostConfig": {"Binds": ["/var/log:/logs:ro"]}})", "restrict-host-path", Outcome::kFail},
    {"named_volume_is_not", R"({"volumes": ["data:/var/lib/data"]})",
     "--mount source=data,target=/var/lib/data nginx",
     R"({"Mounts": [{"Type": "volume", "Name": "data", "Source": "/var/lib/docker/volumes/data",
                     "Destination": "/var/lib/data", "RW": true}]})",
     "restrict-host-path", Outcome::kPass},
    {"named_volume_socket_name", R"({"volumes": ["docker.sock:/var/run/docker.sock"]})",
     "-v docker.sock:/var/run/docker.sock nginx",
     R"({"Mounts": [{"Type": "volume", "Name": "docker.sock",
                     "Destination": "/var/run/docker.sock"}]})",
     "disallow-runtime-socket", Outcome::kPass},
    // 8
    {"image_without_digest", R"({"image": "nginx:1.25"})", "nginx:1.25",
     R"({"Config": {"Image": "nginx:1.25"}})", "require-image-signature", Outcome::kFail},
    {"image_with_digest",
     R"({"image": "nginx)"
     "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
     R"("})",
     "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
     R"({"Config": {"Image": "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
         "Image": "sha256:aaaa"})",
     "require-image-signature", Outcome::kPass},
    {"image_other_registry",
     R"({"image": "ghcr.io/x/y@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"})",
     "ghcr.io/x/y@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
     R"({"Config": {"Image": "ghcr.io/x/y@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}})",
     "require-image-signature", Outcome::kFail},
    // 9
    {"host_network", R"({"network_mode": "host"})", "--network host nginx",
     R"({"HostConfig": {"NetworkMode": "host"}})", "disallow-host-namespaces", Outcome::kFail},
    {"host_pid", R"({"pid": "host"})", "--pid=host nginx", R"({"HostConfig": {"PidMode": "host"}})",
     "disallow-host-namespaces", Outcome::kFail},
    {"host_ipc", R"({"ipc": "host"})", "--ipc host nginx", R"({"HostConfig": {"IpcMode": "host"}})",
     "disallow-host-namespaces", Outcome::kFail},
    {"bridge_network", R"({"network_mode": "bridge"})", "--net bridge nginx",
     R"({"HostConfig": {"NetworkMode": "bridge"}})", "disallow-host-namespaces", Outcome::kPass},
    // 11
    {"systempaths_unconfined", R"({"security_opt": ["systempaths=unconfined"]})",
     "--security-opt systempaths=unconfined nginx",
     R"({"HostConfig": {"SecurityOpt": null, "MaskedPaths": [], "ReadonlyPaths": []}})",
     "restrict-proc-mount", Outcome::kFail},
    {"default_masked_paths", "{}", "nginx",
     R"({"HostConfig": {"MaskedPaths": ["/proc/kcore"], "ReadonlyPaths": ["/proc/sys"]}})",
     "restrict-proc-mount", Outcome::kPass},
    // 14
    {"escalation_default", "{}", "nginx", "{}", "disallow-privilege-escalation", Outcome::kFail},
    {"no_new_privileges", R"({"security_opt": ["no-new-privileges:true"]})",
     "--security-opt no-new-privileges nginx",
     R"({"HostConfig": {"SecurityOpt": ["no-new-privileges"]}})", "disallow-privilege-escalation",
     Outcome::kPass},
    // 15
    {"label_disable", R"({"security_opt": ["label:disable"]})",
     "--security-opt label=disable nginx", R"({"HostConfig": {"SecurityOpt": ["label=disable"]}})",
     "restrict-selinux", Outcome::kFail},
    {"label_type", R"({"security_opt": ["label=type:spc_t"]})",
     "--security-opt label=type:spc_t nginx",
     R"({"HostConfig": {"SecurityOpt": ["label=type:spc_t"]}})", "restrict-selinux",
     Outcome::kFail},
    {"label_level", R"({"security_opt": ["label=level:s0:c100,c200"]})",
     "--security-opt label=level:s0:c100,c200 nginx",
     R"({"HostConfig": {"SecurityOpt": ["label=level:s0:c100,c200"]}})", "restrict-selinux",
     Outcome::kPass},
    {"privileged_runs_unlabeled", R"({"privileged": true})", "--privileged nginx",
     R"({"HostConfig": {"Privileged": true, "SecurityOpt": ["label=disable"]}})",
     "restrict-selinux", Outcome::kFail},
    {"host_pid_runs_unlabeled", R"({"pid": "host"})", "--pid host nginx",
     R"({"HostConfig": {"PidMode": "host", "SecurityOpt": ["label=disable"]}})", "restrict-selinux",
     Outcome::kFail},
    {"own_label_wins", R"({"ipc": "host", "security_opt": ["label=level:s0"]})",
     "--ipc host --security-opt label=level:s0 nginx",
     R"({"HostConfig": {"IpcMode": "host", "SecurityOpt": ["label=level:s0"]}})",
     "restrict-selinux", Outcome::kPass},
    // 17
    {"volume_types_bind", R"({"volumes": ["/srv:/srv"]})", "-v /srv:/srv nginx",
     R"({"HostConfig": {"Binds": ["/srv:/srv"]}})", "restrict-volume-types", Outcome::kFail},
    {"volume_types_named", R"({"volumes": ["data:/srv"]})", "-v data:/srv nginx",
     R"({"Mounts": [{"Type": "volume", "Name": "data", "Destination": "/srv"}]})",
     "restrict-volume-types", Outcome::kPass},
    // not read from Docker inputs
    {"host_ports_skip", "{}", "-p 80:80 nginx", "{}", "restrict-host-ports", Outcome::kSkip},
    // 16
    {"sysctl_safe", R"({"sysctls": {"net.ipv4.tcp_syncookies": 1}})",
     "--sysctl net.ipv4.tcp_syncookies=1 nginx",
     R"({"HostConfig": {"Sysctls": {"net.ipv4.tcp_syncookies": "1"}}})", "restrict-sysctls",
     Outcome::kPass},
    {"sysctl_unsafe", R"({"sysctls": ["net.core.somaxconn=1024"]})",
     "--sysctl=net.core.somaxconn=1024 nginx",
     R"({"HostConfig": {"Sysctls": {"net.core.somaxconn": "1024"}}})", "restrict-sysctls",
     Outcome::kFail},
    {"probes_skip", "{}", "nginx", "{}", "restrict-probe-hosts", Outcome::kSkip},
};

class MappingTest : public ::testing::TestWithParam<Case> {};

TEST_P(MappingTest, EveryFormReachesTheTablesVerdict) {
  const Case& c = GetParam();
  const PathContext paths{.base_dir = "/srv/app"};

  json compose = {{"services", {{"svc", json::parse(c.compose)}}}};
  ComposeFile file = ReadCompose(
      compose, 1, {}, [](std::string_view) { return std::nullopt; }, paths);
  ASSERT_TRUE(file.problems.empty()) << file.problems[0].message;
  ASSERT_EQ(file.services.size(), 1u);
  policy::RuleResult r = testing::Judge(file.services[0].container, c.rule);
  EXPECT_EQ(r.outcome, c.want) << "compose: " << r.message;

  auto run = ParseRunLine(std::string("docker run ") + c.run, "svc", paths);
  ASSERT_TRUE(run) << run.error().message;
  r = testing::Judge(*run, c.rule);
  EXPECT_EQ(r.outcome, c.want) << "run line: " << r.message;

  json element = json::parse(c.inspect);
  element["Name"] = "/svc";
  if (!element.contains("HostConfig")) element["HostConfig"] = json::object();
  auto inspected = ReadInspect(json::array({element}));
  ASSERT_EQ(inspected.size(), 1u);
  ASSERT_TRUE(inspected[0].container) << inspected[0].container.error().message;
  r = testing::Judge(*inspected[0].container, c.rule);
  EXPECT_EQ(r.outcome, c.want) << "inspect: " << r.message;
}

INSTANTIATE_TEST_SUITE_P(Rows, MappingTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(MappingTest, UnsetUserSaysTheImagesUserIsUnknown) {
  EXPECT_EQ(testing::Judge({.name = "a"}, "require-non-root").message,
            "container \"a\": neither runAsNonRoot: true nor runAsUser > 0 is set (no user is "
            "given, so the image's USER decides, which is unknown offline)");
  EXPECT_EQ(testing::Judge({.name = "a", .user = "root"}, "require-non-root").message,
            "container \"a\": runAsUser is 0");
}

// Docker stores `--cap-add chown` as CAP_CHOWN; under literalNames (the PSS presets) every
// spelling must still be the one capability, as it is to the daemon.
TEST(MappingTest, CapabilityNamesAreDockersNotTheirSpelling) {
  auto literal = policy::ParsePolicy(json::parse(R"({
      "apiVersion": "containersecurity.dev/v1alpha1", "kind": "ContainerSecurityPolicy",
      "metadata": {"name": "literal"},
      "spec": {"controls": {"capabilities": {"literalNames": true, "allowed": ["CHOWN"],
                                             "requireDropAll": true}}}})"));
  ASSERT_TRUE(literal) << literal.error().message;
  for (const DockerContainer& c :
       {DockerContainer{.name = "run", .cap_add = {"chown"}, .cap_drop = {"all"}},
        DockerContainer{.name = "inspect", .cap_add = {"CAP_CHOWN"}, .cap_drop = {"ALL"}},
        DockerContainer{.name = "compose", .cap_add = {"Cap_Chown"}, .cap_drop = {"CAP_ALL"}}}) {
    policy::RuleResult r = Judge(c, "restrict-capabilities", *literal);
    EXPECT_EQ(r.outcome, Outcome::kPass) << c.name << ": " << r.message;
  }
  EXPECT_EQ(Judge({.name = "x", .cap_add = {"cap_sys_admin"}, .cap_drop = {"ALL"}},
                  "restrict-capabilities", *literal)
                .message,
            "container \"x\": capabilities.add holds SYS_ADMIN (not allowed)");
}

TEST(MappingTest, UnknownSecurityOptionIsAnError) {
  auto spec = PodSpecFromDocker({.name = "a", .security_opt = {"seccomp"}});
  ASSERT_FALSE(spec);
  EXPECT_EQ(spec.error().message, "security option \"seccomp\": expected KEY=VALUE");
  spec = PodSpecFromDocker({.name = "a", .security_opt = {"bogus=1"}});
  ASSERT_FALSE(spec);
  EXPECT_EQ(spec.error().message, "security option \"bogus=1\": unknown option");
}

}  // namespace
}  // namespace csp::docker
