// restrict-host-ports: a container port's non-zero hostPort outside `allowed` (ports and
// "N-M" ranges; default none) fails (PSA check_hostPorts: with allowed [], every one fails).
#include <gtest/gtest.h>

#include "test_util.h"

namespace csp::policy {
namespace {

using test::RuleCase;

// A pod whose container "a" declares hostPort `port` (0: the field set to 0).
std::string HostPortPod(int port) {
  nlohmann::json pod = {
      {"containers",
       {{{"name", "a"}, {"ports", {{{"containerPort", 8080}, {"hostPort", port}}}}}}}};
  return pod.dump();
}

std::string NotAllowed(int port) {
  return R"(container "a": ports[].hostPort )" + std::to_string(port) + " is not allowed";
}

constexpr char kWeb[] = R"({"allowed":[80,"443","8000-8099"]})";

const RuleCase kCases[] = {
    {"no_ports", R"({"containers":[{"name":"a"}]})", Outcome::kPass},
    {"container_port_only", R"({"containers":[{"name":"a","ports":[{"containerPort":80}]}]})",
     Outcome::kPass},
    {"host_port_zero", HostPortPod(0), Outcome::kPass},
    // Default: no host port allowed (PSS baseline).
    {"default_denies", HostPortPod(8080), Outcome::kFail, {"a"}, {NotAllowed(8080)}},
    {"empty_allowed",
     HostPortPod(80),
     Outcome::kFail,
     {"a"},
     {NotAllowed(80)},
     R"({"allowed":[]})"},
    // PSA's "multiple containers, multiple host port": each container names its own ports.
    {"psa_multiple",
     R"({"containers":[
           {"name":"a","ports":[{"hostPort":0}]},
           {"name":"b","ports":[{"hostPort":0},{"hostPort":10},{"hostPort":20}]},
           {"name":"c","ports":[{"hostPort":0},{"hostPort":10},{"hostPort":30}]}]})",
     Outcome::kFail,
     {"b", "c"},
     {R"(container "b": ports[].hostPort 10, 20 are not allowed; )"
      R"(container "c": ports[].hostPort 10, 30 are not allowed)"}},
    {"init_and_ephemeral",
     R"({"initContainers":[{"name":"setup","ports":[{"containerPort":1,"hostPort":12346}]}],
         "containers":[{"name":"a"}],
         "ephemeralContainers":[{"name":"debug","ports":[{"containerPort":1,"hostPort":9}]}]})",
     Outcome::kFail,
     {"setup", "debug"},
     {R"(initContainer "setup": ports[].hostPort 12346 is not allowed)",
      R"(ephemeralContainer "debug": ports[].hostPort 9 is not allowed)"}},
    // Allowed ports: integers, strings, inclusive ranges.
    {"allowed_integer", HostPortPod(80), Outcome::kPass, {}, {}, kWeb},
    {"allowed_string", HostPortPod(443), Outcome::kPass, {}, {}, kWeb},
    {"range_first", HostPortPod(8000), Outcome::kPass, {}, {}, kWeb},
    {"range_last", HostPortPod(8099), Outcome::kPass, {}, {}, kWeb},
    {"below_range", HostPortPod(7999), Outcome::kFail, {"a"}, {NotAllowed(7999)}, kWeb},
    {"above_range", HostPortPod(8100), Outcome::kFail, {"a"}, {NotAllowed(8100)}, kWeb},
    {"neighbour_of_port", HostPortPod(81), Outcome::kFail, {"a"}, {NotAllowed(81)}, kWeb},
    {"single_port_range",
     HostPortPod(9000),
     Outcome::kPass,
     {},
     {},
     R"({"allowed":["9000-9000"]})"},
    {"whole_range", HostPortPod(65535), Outcome::kPass, {}, {}, R"({"allowed":["1-65535"]})"},
    // Only the ports outside the list are named.
    {"some_allowed",
     R"({"containers":[{"name":"a","ports":[{"hostPort":80},{"hostPort":22},{"hostPort":8050}]}]})",
     Outcome::kFail,
     {"a"},
     {NotAllowed(22)},
     kWeb},
    // An invalid port in a manifest is outside any range.
    {"negative_host_port",
     HostPortPod(-1),
     Outcome::kFail,
     {"a"},
     {NotAllowed(-1)},
     R"({"allowed":["1-65535"]})"},
    {"windows_pod_still_checked",
     R"({"os":{"name":"windows"},"containers":[{"name":"a","ports":[{"hostPort":80}]}]})",
     Outcome::kFail,
     {"a"},
     {NotAllowed(80)}},
    {"disabled", HostPortPod(80), Outcome::kSkip, {}, {"disabled"}, R"({"enabled":false})"},
};

class RestrictHostPortsTest : public testing::TestWithParam<RuleCase> {};

TEST_P(RestrictHostPortsTest, Evaluates) { test::RunRuleCase("restrict-host-ports", GetParam()); }

INSTANTIATE_TEST_SUITE_P(Cases, RestrictHostPortsTest, testing::ValuesIn(kCases),
                         [](auto& info) { return info.param.name; });

// spec.controls.hostPorts.allowed that the policy parser refuses, naming the entry.
struct InvalidAllowed {
  std::string name;
  std::string settings;
  std::string error;
};

const InvalidAllowed kInvalid[] = {
    {"not_a_list", R"({"allowed":"80"})",
     "spec.controls.hostPorts.allowed: expected an array, got string"},
    {"zero", R"({"allowed":[80,0]})", "spec.controls.hostPorts.allowed[1]: 0 is not a port"},
    {"negative", R"({"allowed":[-5]})", "spec.controls.hostPorts.allowed[0]: -5 is not a port"},
    {"too_large", R"({"allowed":[65536]})",
     "spec.controls.hostPorts.allowed[0]: 65536 is not a port"},
    {"huge", R"({"allowed":[18446744073709551615]})",
     "spec.controls.hostPorts.allowed[0]: 18446744073709551615 is not a port"},
    {"string_too_large", R"({"allowed":["70000"]})",
     R"(spec.controls.hostPorts.allowed[0]: "70000" is not a port or range)"},
    {"reversed_range", R"({"allowed":["8099-8000"]})",
     R"(spec.controls.hostPorts.allowed[0]: "8099-8000" is not a port or range)"},
    {"open_range", R"({"allowed":["8000-"]})",
     R"(spec.controls.hostPorts.allowed[0]: "8000-" is not a port or range)"},
    {"range_to_zero", R"({"allowed":["0-80"]})",
     R"(spec.controls.hostPorts.allowed[0]: "0-80" is not a port or range)"},
    {"signed", R"({"allowed":["+80"]})",
     R"(spec.controls.hostPorts.allowed[0]: "+80" is not a port or range)"},
    {"spaces", R"({"allowed":["80 - 90"]})",
     R"(spec.controls.hostPorts.allowed[0]: "80 - 90" is not a port or range)"},
    {"empty_string", R"({"allowed":[""]})",
     R"(spec.controls.hostPorts.allowed[0]: "" is not a port or range)"},
    {"two_dashes", R"({"allowed":["1-2-3"]})",
     R"(spec.controls.hostPorts.allowed[0]: "1-2-3" is not a port or range)"},
    {"fraction", R"({"allowed":[80.5]})",
     "spec.controls.hostPorts.allowed[0]: expected an integer or a string, got number"},
    {"object", R"({"allowed":[{"port":80}]})",
     "spec.controls.hostPorts.allowed[0]: expected an integer or a string, got object"},
};

class RestrictHostPortsInvalidTest : public testing::TestWithParam<InvalidAllowed> {};

// Refused whether or not the control is enabled, like every field of a disabled control.
TEST_P(RestrictHostPortsInvalidTest, RefusesNamingTheEntry) {
  for (bool enabled : {true, false}) {
    nlohmann::json settings = test::Json(GetParam().settings);
    settings["enabled"] = enabled;
    Result<Policy> policy = ParsePolicy(test::PolicyWithControl("hostPorts", settings.dump()));
    ASSERT_FALSE(policy) << "accepted, enabled=" << enabled;
    EXPECT_NE(policy.error().message.find(GetParam().error), std::string::npos)
        << "message:\n"
        << policy.error().message << "\nlacks: " << GetParam().error;
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, RestrictHostPortsInvalidTest, testing::ValuesIn(kInvalid),
                         [](auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::policy
