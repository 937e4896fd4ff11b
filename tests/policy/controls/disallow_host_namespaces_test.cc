// disallow-host-namespaces: spec.hostNetwork, hostPID and hostIPC true each fail, one violation
// per field and no container named (PSA check_hostNamespaces).
#include <gtest/gtest.h>

#include "test_util.h"

namespace csp::policy {
namespace {

using test::RuleCase;

const RuleCase kCases[] = {
    {"unset", R"({"containers":[{"name":"a"}]})", Outcome::kPass},
    {"all_false",
     R"({"hostNetwork":false,"hostPID":false,"hostIPC":false,"containers":[{"name":"a"}]})",
     Outcome::kPass},
    {"host_network",
     R"({"hostNetwork":true,"containers":[{"name":"a"}]})",
     Outcome::kFail,
     {},
     {"spec.hostNetwork is true"}},
    {"host_pid",
     R"({"hostPID":true,"containers":[{"name":"a"}]})",
     Outcome::kFail,
     {},
     {"spec.hostPID is true"}},
    {"host_ipc",
     R"({"hostIPC":true,"containers":[{"name":"a"}]})",
     Outcome::kFail,
     {},
     {"spec.hostIPC is true"}},
    // PSA's "multiple host namespaces": one violation per field, in this order.
    {"all_three",
     R"({"hostIPC":true,"hostPID":true,"hostNetwork":true,"containers":[{"name":"a"}]})",
     Outcome::kFail,
     {},
     {"spec.hostNetwork is true; spec.hostPID is true; spec.hostIPC is true"}},
    {"one_of_three",
     R"({"hostNetwork":false,"hostPID":true,"hostIPC":false,"containers":[{"name":"a"}]})",
     Outcome::kFail,
     {},
     {"spec.hostPID is true"}},
    // PSA judges host namespaces whatever the OS.
    {"windows_pod_still_checked",
     R"({"os":{"name":"windows"},"hostNetwork":true,"containers":[{"name":"a"}]})",
     Outcome::kFail,
     {},
     {"spec.hostNetwork is true"}},
    {"disabled",
     R"({"hostPID":true,"containers":[{"name":"a"}]})",
     Outcome::kSkip,
     {},
     {"disabled"},
     R"({"enabled":false})"},
};

class DisallowHostNamespacesTest : public testing::TestWithParam<RuleCase> {};

TEST_P(DisallowHostNamespacesTest, Evaluates) {
  test::RunRuleCase("disallow-host-namespaces", GetParam());
}

INSTANTIATE_TEST_SUITE_P(Cases, DisallowHostNamespacesTest, testing::ValuesIn(kCases),
                         [](auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::policy
