// disallow-host-process: windowsOptions.hostProcess true fails, in the pod's securityContext
// and in any container's, each judged on its own (PSA check_windowsHostProcess).
#include <gtest/gtest.h>

#include "test_util.h"

namespace csp::policy {
namespace {

using test::RuleCase;

constexpr char kPodField[] = "spec.securityContext.windowsOptions.hostProcess is true";

const RuleCase kCases[] = {
    {"unset", R"({"containers":[{"name":"a"}]})", Outcome::kPass},
    {"empty_windows_options",
     R"({"securityContext":{"windowsOptions":{}},
         "containers":[{"name":"a","securityContext":{"windowsOptions":{}}}]})",
     Outcome::kPass},
    {"false_everywhere",
     R"({"securityContext":{"windowsOptions":{"hostProcess":false}},
         "containers":[{"name":"a","securityContext":{"windowsOptions":{"hostProcess":false}}}]})",
     Outcome::kPass},
    {"pod_level",
     R"({"securityContext":{"windowsOptions":{"hostProcess":true}},"containers":[{"name":"a"}]})",
     Outcome::kFail,
     {},
     {kPodField}},
    // A container's false does not excuse the pod's true.
    {"pod_level_container_false",
     R"({"securityContext":{"windowsOptions":{"hostProcess":true}},
         "containers":[{"name":"a","securityContext":{"windowsOptions":{"hostProcess":false}}}]})",
     Outcome::kFail,
     {},
     {kPodField}},
    {"container_level",
     R"({"containers":[{"name":"a","securityContext":{"windowsOptions":{"hostProcess":true}}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": securityContext.windowsOptions.hostProcess is true)"}},
    {"init_and_ephemeral",
     R"({"initContainers":[{"name":"setup",
                            "securityContext":{"windowsOptions":{"hostProcess":true}}}],
         "containers":[{"name":"a"}],
         "ephemeralContainers":[{"name":"debug",
                                 "securityContext":{"windowsOptions":{"hostProcess":true}}}]})",
     Outcome::kFail,
     {"setup", "debug"},
     {R"(initContainer "setup": securityContext.windowsOptions.hostProcess is true)",
      R"(ephemeralContainer "debug": securityContext.windowsOptions.hostProcess is true)"}},
    // PSA's "host process": the pod and containers "e", "f"; the pod first.
    {"pod_and_containers",
     R"({"os":{"name":"windows"},"securityContext":{"windowsOptions":{"hostProcess":true}},
         "containers":[
           {"name":"a"},
           {"name":"b","securityContext":{}},
           {"name":"c","securityContext":{"windowsOptions":{}}},
           {"name":"d","securityContext":{"windowsOptions":{"hostProcess":false}}},
           {"name":"e","securityContext":{"windowsOptions":{"hostProcess":true}}},
           {"name":"f","securityContext":{"windowsOptions":{"hostProcess":true}}}]})",
     Outcome::kFail,
     {"e", "f"},
     {std::string(kPodField) +
      R"(; container "e": securityContext.windowsOptions.hostProcess is true; )"
      R"(container "f": securityContext.windowsOptions.hostProcess is true)"}},
    {"disabled",
     R"({"securityContext":{"windowsOptions":{"hostProcess":true}},"containers":[{"name":"a"}]})",
     Outcome::kSkip,
     {},
     {"disabled"},
     R"({"enabled":false})"},
};

class DisallowHostProcessTest : public testing::TestWithParam<RuleCase> {};

TEST_P(DisallowHostProcessTest, Evaluates) {
  test::RunRuleCase("disallow-host-process", GetParam());
}

INSTANTIATE_TEST_SUITE_P(Cases, DisallowHostProcessTest, testing::ValuesIn(kCases),
                         [](auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::policy
