// restrict-selinux: the pod's and every container's seLinuxOptions, each on its own, may set
// only a type in allowedTypes ("" = unset; default PSS's: container_t, container_init_t,
// container_kvm_t, container_engine_t) and never user or role; level is free.
// Rows from PSA's check_seLinuxOptions_test.go and its baseline fixtures.
#include <gtest/gtest.h>

#include "test_util.h"

namespace csp::policy {
namespace {

using test::RuleCase;

// A pod whose container "a" has securityContext.seLinuxOptions `options`.
std::string Container(std::string_view options) {
  return R"({"containers":[{"name":"a","securityContext":{"seLinuxOptions":)" +
         std::string(options) + "}}]}";
}
// A pod (one plain container "a") whose securityContext.seLinuxOptions is `options`.
std::string Pod(std::string_view options) {
  return R"({"securityContext":{"seLinuxOptions":)" + std::string(options) +
         R"(},"containers":[{"name":"a"}]})";
}

const RuleCase kCases[] = {
    {"none", R"({"containers":[{"name":"a"}]})", Outcome::kPass},
    {"empty_options", Container("{}"), Outcome::kPass},
    {"container_t", Container(R"({"type":"container_t"})"), Outcome::kPass},
    {"container_init_t", Container(R"({"type":"container_init_t"})"), Outcome::kPass},
    {"container_kvm_t", Container(R"({"type":"container_kvm_t"})"), Outcome::kPass},
    {"container_engine_t", Container(R"({"type":"container_engine_t"})"), Outcome::kPass},
    {"level_is_free", Container(R"({"level":"s0:c123,c456"})"), Outcome::kPass},
    {"pod_container_t", Pod(R"({"type":"container_t","level":"s0"})"), Outcome::kPass},
    {"spc_t",
     Container(R"({"type":"spc_t"})"),
     Outcome::kFail,
     {"a"},
     {R"(container "a": securityContext.seLinuxOptions.type is "spc_t" (not allowed))"}},
    {"types_compare_exactly",
     Container(R"({"type":"Container_T"})"),
     Outcome::kFail,
     {"a"},
     {R"(type is "Container_T")"}},
    {"container_user",
     Container(R"({"user":"system_u"})"),
     Outcome::kFail,
     {"a"},
     {R"(container "a": securityContext.seLinuxOptions.user is "system_u" (must be unset))"}},
    {"container_role",
     Container(R"({"role":"system_r"})"),
     Outcome::kFail,
     {"a"},
     {R"(container "a": securityContext.seLinuxOptions.role is "system_r" (must be unset))"}},
    // PSA "bad type", "bad user", "bad role" (pod level).
    {"psa_pod_bad_type",
     Pod(R"({"type":"bad"})"),
     Outcome::kFail,
     {"a"},
     {R"(spec.securityContext.seLinuxOptions.type is "bad" (not allowed))"}},
    {"psa_pod_bad_user",
     Pod(R"({"user":"bad"})"),
     Outcome::kFail,
     {"a"},
     {R"(spec.securityContext.seLinuxOptions.user is "bad" (must be unset))"}},
    {"psa_pod_bad_role",
     Pod(R"({"role":"bad"})"),
     Outcome::kFail,
     {"a"},
     {R"(spec.securityContext.seLinuxOptions.role is "bad" (must be unset))"}},
    // PSA "invalid pod and containers": the pod and containers e, f, g fail; a-d pass.
    {"psa_invalid_pod_and_containers",
     R"({"securityContext":{"seLinuxOptions":{"type":"foo","user":"bar","role":"baz"}},
         "containers":[
           {"name":"a","securityContext":{"seLinuxOptions":{"type":"container_t"}}},
           {"name":"b","securityContext":{"seLinuxOptions":{"type":"container_init_t"}}},
           {"name":"c","securityContext":{"seLinuxOptions":{"type":"container_kvm_t"}}},
           {"name":"d","securityContext":{"seLinuxOptions":{"type":"container_engine_t"}}},
           {"name":"e","securityContext":{"seLinuxOptions":{"type":"bar"}}},
           {"name":"f","securityContext":{"seLinuxOptions":{"user":"bar"}}},
           {"name":"g","securityContext":{"seLinuxOptions":{"role":"baz"}}}]})",
     Outcome::kFail,
     {"e", "f", "g"},
     {R"(spec.securityContext.seLinuxOptions.type is "foo" (not allowed), )"
      R"(spec.securityContext.seLinuxOptions.user is "bar" (must be unset), )"
      R"(spec.securityContext.seLinuxOptions.role is "baz" (must be unset))",
      R"(container "e": securityContext.seLinuxOptions.type is "bar")",
      R"(container "f": securityContext.seLinuxOptions.user)",
      R"(container "g": securityContext.seLinuxOptions.role)"}},
    // PSA "invalid pod": good containers do not excuse the pod.
    {"psa_invalid_pod",
     R"({"securityContext":{"seLinuxOptions":{"type":"foo","user":"bar","role":"baz"}},
         "containers":[
           {"name":"a","securityContext":{"seLinuxOptions":{"type":"container_t"}}},
           {"name":"d","securityContext":{"seLinuxOptions":{"type":"container_engine_t"}}}]})",
     Outcome::kFail,
     {},
     {R"(spec.securityContext.seLinuxOptions.type is "foo")"}},
    // PSA "invalid containers": an empty pod seLinuxOptions is fine.
    {"psa_invalid_containers",
     R"({"securityContext":{"seLinuxOptions":{}},
         "containers":[
           {"name":"a","securityContext":{"seLinuxOptions":{"type":"container_t"}}},
           {"name":"e","securityContext":{"seLinuxOptions":{"type":"bar"}}}]})",
     Outcome::kFail,
     {"e"},
     {R"(container "e")"}},
    // Baseline fixtures selinuxoptions2 (init container) and pass/selinuxoptions1.
    {"init_container_type",
     R"({"initContainers":[{"name":"setup",
           "securityContext":{"seLinuxOptions":{"type":"somevalue"}}}],
         "containers":[{"name":"a","securityContext":{"seLinuxOptions":{}}}],
         "securityContext":{"seLinuxOptions":{}}})",
     Outcome::kFail,
     {"setup"},
     {R"(initContainer "setup": securityContext.seLinuxOptions.type is "somevalue")"}},
    {"ephemeral_container_user",
     R"({"containers":[{"name":"a"}],"ephemeralContainers":[{"name":"debug",
           "securityContext":{"seLinuxOptions":{"user":"unconfined_u"}}}]})",
     Outcome::kFail,
     {"debug"},
     {R"(ephemeralContainer "debug": securityContext.seLinuxOptions.user)"}},
    {"fixture_pass_selinuxoptions1",
     R"({"containers":[{"name":"container1","securityContext":{"seLinuxOptions":
           {"level":"somevalue","type":"container_init_t"}}}],
         "initContainers":[{"name":"initcontainer1",
           "securityContext":{"seLinuxOptions":{"type":"container_kvm_t"}}}],
         "securityContext":{"seLinuxOptions":{"type":"container_t"}}})",
     Outcome::kPass},
    // The pod's options hold for the containers without their own: those are named.
    {"pod_options_name_the_containers_using_them",
     R"({"securityContext":{"seLinuxOptions":{"type":"spc_t"}},
         "initContainers":[{"name":"setup"}],
         "containers":[{"name":"a","securityContext":{"seLinuxOptions":{"type":"container_t"}}},
                       {"name":"b","securityContext":{"runAsNonRoot":true}}],
         "ephemeralContainers":[{"name":"debug"}]})",
     Outcome::kFail,
     {"setup", "b", "debug"},
     {R"(spec.securityContext.seLinuxOptions.type is "spc_t" (not allowed))"}},
    // A container's good type does not excuse the pod's bad one (PSA judges each on its own).
    {"container_does_not_override_pod",
     R"({"securityContext":{"seLinuxOptions":{"type":"spc_t"}},
         "containers":[{"name":"a","securityContext":{"seLinuxOptions":{"type":"container_t"}}}]})",
     Outcome::kFail,
     {},
     {R"(spec.securityContext.seLinuxOptions.type is "spc_t")"}},
    // allowedTypes replaces the default; leaving "" out requires a type where options are set.
    {"allowed_types_replace_default",
     Container(R"({"type":"container_t"})"),
     Outcome::kFail,
     {"a"},
     {R"(type is "container_t" (not allowed))"},
     R"({"allowedTypes":["", "my_app_t"]})"},
    {"allowed_types_custom",
     Container(R"({"type":"my_app_t"})"),
     Outcome::kPass,
     {},
     {},
     R"({"allowedTypes":["", "my_app_t"]})"},
    {"unset_type_without_empty_entry",
     Container(R"({"level":"s0"})"),
     Outcome::kFail,
     {"a"},
     {R"(securityContext.seLinuxOptions.type is unset (not allowed))"},
     R"({"allowedTypes":["container_t"]})"},
    {"no_options_without_empty_entry",
     R"({"containers":[{"name":"a"}]})",
     Outcome::kPass,
     {},
     {},
     R"({"allowedTypes":["container_t"]})"},
    {"allowed_types_do_not_allow_user",
     Container(R"({"type":"my_app_t","user":"u"})"),
     Outcome::kFail,
     {"a"},
     {"user is \"u\""},
     R"({"allowedTypes":["my_app_t"]})"},
    {"disabled",
     Container(R"({"type":"spc_t"})"),
     Outcome::kSkip,
     {},
     {"disabled"},
     R"({"enabled":false})"},
};

class RestrictSeLinuxTest : public testing::TestWithParam<RuleCase> {};

TEST_P(RestrictSeLinuxTest, Evaluates) { test::RunRuleCase("restrict-selinux", GetParam()); }

INSTANTIATE_TEST_SUITE_P(Cases, RestrictSeLinuxTest, testing::ValuesIn(kCases),
                         [](auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::policy
