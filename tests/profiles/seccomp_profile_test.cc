#include "csp/profiles/seccomp_profile.h"

#include <gtest/gtest.h>

namespace csp::profiles {
namespace {

struct InvalidCase {
  const char* label;
  const char* body;     // spec.seccomp
  const char* message;  // the whole error message
};

const InvalidCase kInvalid[] = {
    {"not_object", R"([])", "spec.seccomp: must be an object, not a list"},
    {"no_default", R"({})", "spec.seccomp.defaultAction: is required"},
    {"unknown_field", R"({"defaultAction":"SCMP_ACT_ALLOW","archMap":[]})",
     "spec.seccomp.archMap: unknown field (known: defaultAction, defaultErrnoRet, "
     "architectures, syscalls)"},
    {"bad_default", R"({"defaultAction":"SCMP_ACT_DENY"})",
     "spec.seccomp.defaultAction: \"SCMP_ACT_DENY\" is not a seccomp action (one of "
     "SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, "
     "SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG)"},
    {"notify_refused", R"({"defaultAction":"SCMP_ACT_NOTIFY"})",
     "spec.seccomp.defaultAction: \"SCMP_ACT_NOTIFY\" is not a seccomp action (one of "
     "SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, "
     "SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG)"},
    {"errno_with_allow", R"({"defaultAction":"SCMP_ACT_ALLOW","defaultErrnoRet":1})",
     "spec.seccomp.defaultErrnoRet: applies only to SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not "
     "SCMP_ACT_ALLOW"},
    {"errno_too_big", R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":70000})",
     "spec.seccomp.defaultErrnoRet: 70000 is not an errno (0..4095)"},
    {"errno_negative", R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":-1})",
     "spec.seccomp.defaultErrnoRet: must not be negative, not -1"},
    {"bad_arch", R"({"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64","x86"]})",
     "spec.seccomp.architectures[1]: \"x86\" is not a seccomp architecture (one of "
     "SCMP_ARCH_X86, SCMP_ARCH_X86_64, SCMP_ARCH_X32, SCMP_ARCH_ARM, SCMP_ARCH_AARCH64, "
     "SCMP_ARCH_MIPS, SCMP_ARCH_MIPS64, SCMP_ARCH_MIPS64N32, SCMP_ARCH_MIPSEL, "
     "SCMP_ARCH_MIPSEL64, SCMP_ARCH_MIPSEL64N32, SCMP_ARCH_PPC, SCMP_ARCH_PPC64, "
     "SCMP_ARCH_PPC64LE, SCMP_ARCH_S390, SCMP_ARCH_S390X, SCMP_ARCH_PARISC, SCMP_ARCH_PARISC64, "
     "SCMP_ARCH_RISCV64, SCMP_ARCH_LOONGARCH64, SCMP_ARCH_M68K, SCMP_ARCH_SH, SCMP_ARCH_SHEB)"},
    {"dup_arch",
     R"({"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86","SCMP_ARCH_X86"]})",
     "spec.seccomp.architectures[1]: \"SCMP_ARCH_X86\" is listed twice"},
    {"syscalls_not_list", R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":{}})",
     "spec.seccomp.syscalls: must be a list, not an object"},
    {"bad_action", R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
        {"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["write"],"action":"SCMP_ACT_ALLOW"},
        {"names":["close"],"action":"SCMP_ACT_ALLOW"},{"names":["mkdir"],"action":"SCMP_ACT_FOO"}]})",
     "spec.seccomp.syscalls[3].action: \"SCMP_ACT_FOO\" is not a seccomp action (one of "
     "SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, "
     "SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG)"},
    {"no_action", R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"]}]})",
     "spec.seccomp.syscalls[0].action: is required"},
    {"no_names", R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"action":"SCMP_ACT_ALLOW"}]})",
     "spec.seccomp.syscalls[0].names: is required"},
    {"empty_names",
     R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":[],"action":"SCMP_ACT_ALLOW"}]})",
     "spec.seccomp.syscalls[0].names: must name at least one syscall"},
    {"empty_name",
     R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read",""],"action":"SCMP_ACT_ALLOW"}]})",
     "spec.seccomp.syscalls[0].names[1]: must not be empty"},
    {"name_not_string",
     R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read",7],"action":"SCMP_ACT_ALLOW"}]})",
     "spec.seccomp.syscalls[0].names[1]: must be a string, not a number"},
    {"name_bad_chars",
     R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["Read!"],"action":"SCMP_ACT_ALLOW"}]})",
     "spec.seccomp.syscalls[0].names[0]: \"Read!\" is not a syscall name (lower-case letters, "
     "digits and '_')"},
    {"rule_unknown_field",
     R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}}]})",
     "spec.seccomp.syscalls[0].includes: unknown field (known: names, action, errnoRet, args)"},
    {"errno_ret_with_allow",
     R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","errnoRet":1}]})",
     "spec.seccomp.syscalls[0].errnoRet: applies only to SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not "
     "SCMP_ACT_ALLOW"},
    {"bad_op",
     R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2,"op":"SCMP_CMP_EQUAL"}]}]})",
     "spec.seccomp.syscalls[0].args[0].op: \"SCMP_CMP_EQUAL\" is not a seccomp operator (one of "
     "SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, "
     "SCMP_CMP_MASKED_EQ)"},
    {"index_too_big",
     R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":6,"value":2,"op":"SCMP_CMP_EQ"}]}]})",
     "spec.seccomp.syscalls[0].args[0].index: 6 is not an argument index (0..5)"},
    {"no_op",
     R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2}]}]})",
     "spec.seccomp.syscalls[0].args[0].op: is required"},
    {"value_float",
     R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2.5,"op":"SCMP_CMP_EQ"}]}]})",
     "spec.seccomp.syscalls[0].args[0].value: must be a non-negative integer, not a number with "
     "a fraction"},
    {"same_arg_twice",
     R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[
        {"index":0,"value":2,"op":"SCMP_CMP_GE"},{"index":0,"value":10,"op":"SCMP_CMP_LE"}]}]})",
     "spec.seccomp.syscalls[0].args[1].index: argument 0 is already compared in "
     "spec.seccomp.syscalls[0].args[0]; a rule compares each argument at most once (use two "
     "rules)"},
};

class SeccompProfileInvalidTest : public testing::TestWithParam<InvalidCase> {};

TEST_P(SeccompProfileInvalidTest, NamesTheField) {
  Result<SeccompProfile> profile =
      ParseSeccompProfile(nlohmann::json::parse(GetParam().body), "spec.seccomp");
  ASSERT_FALSE(profile);
  EXPECT_EQ(profile.error().code, Code::kInvalidArgument);
  EXPECT_EQ(profile.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(Bodies, SeccompProfileInvalidTest, testing::ValuesIn(kInvalid),
                         [](const auto& info) { return std::string(info.param.label); });

TEST(SeccompProfileTest, ParsesEveryField) {
  Result<SeccompProfile> profile = ParseSeccompProfile(nlohmann::json::parse(R"({
    "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
    "architectures": ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
    "syscalls": [
      {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
      {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
      {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]},
      {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 18446744073709551615, "op": "SCMP_CMP_EQ"}]}
    ]})"),
                                                       "spec.seccomp");
  ASSERT_TRUE(profile) << profile.error().message;
  EXPECT_EQ(profile->default_action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(profile->default_errno_ret, 1u);
  EXPECT_EQ(profile->architectures,
            (std::vector<std::string>{"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"}));
  ASSERT_EQ(profile->syscalls.size(), 4u);
  EXPECT_EQ(profile->syscalls[0].names, (std::vector<std::string>{"read", "write"}));
  EXPECT_FALSE(profile->syscalls[0].errno_ret.has_value());
  EXPECT_EQ(profile->syscalls[1].errno_ret, 38u);
  ASSERT_EQ(profile->syscalls[2].args.size(), 1u);
  EXPECT_EQ(
      profile->syscalls[2].args[0],
      (SeccompArg{.index = 0, .value = 0x7E020000, .value_two = 0, .op = "SCMP_CMP_MASKED_EQ"}));
  EXPECT_EQ(profile->syscalls[3].args[0].value, UINT64_MAX);
}

TEST(SeccompProfileTest, WritesOciKeysInOrderAndRoundTrips) {
  SeccompProfile profile{
      .default_action = "SCMP_ACT_ERRNO",
      .default_errno_ret = 1,
      .architectures = {"SCMP_ARCH_X86_64"},
      .syscalls = {{.names = {"read"}, .action = "SCMP_ACT_ALLOW"},
                   {.names = {"clone3"}, .action = "SCMP_ACT_ERRNO", .errno_ret = 38},
                   {.names = {"socket"},
                    .action = "SCMP_ACT_ALLOW",
                    .args = {{.index = 0, .value = 38, .op = "SCMP_CMP_LT"}}}}};
  const std::string json = SeccompProfileToJson(profile);
  EXPECT_EQ(json, R"({
  "defaultAction": "SCMP_ACT_ERRNO",
  "defaultErrnoRet": 1,
  "architectures": [
    "SCMP_ARCH_X86_64"
  ],
  "syscalls": [
    {
      "names": [
        "read"
      ],
      "action": "SCMP_ACT_ALLOW"
    },
    {
      "names": [
        "clone3"
      ],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 38
    },
    {
      "names": [
        "socket"
      ],
      "action": "SCMP_ACT_ALLOW",
      "args": [
        {
          "index": 0,
          "value": 38,
          "valueTwo": 0,
          "op": "SCMP_CMP_LT"
        }
      ]
    }
  ]
}
)");
  Result<SeccompProfile> back = ParseSeccompProfile(nlohmann::json::parse(json), "x");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, profile);
}

}  // namespace
}  // namespace csp::profiles
