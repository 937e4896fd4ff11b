// ContainerdLinuxSeccomp decodes a Localhost profile as containerd's json.Unmarshal into the
// runtime-spec struct does. Pure: no runc needed.
#include "containerd_seccomp.h"

#include <gtest/gtest.h>

#include "runtime_fixture.h"

namespace csp::runtime_test {
namespace {

using nlohmann::json;

json Decode(const std::string& text) {
  Result<json> r = ContainerdLinuxSeccomp(text);
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : json();
}

// The node file with `"valueTwo": 0` left out, as Go's encoder writes it (omitempty): the same
// comparison for libseccomp.
json WithoutZeroValueTwo(json profile) {
  for (json& rule : profile["syscalls"]) {
    if (rule.contains("args")) {
      for (json& arg : rule["args"]) {
        if (arg.contains("valueTwo") && arg["valueTwo"] == 0) arg.erase("valueTwo");
      }
    }
  }
  return profile;
}

TEST(ContainerdSeccompTest, RenderedCspDefaultPassesUnchanged) {
  // The agent renders plain OCI: nothing for containerd to drop or reject.
  for (const auto& flags : std::vector<std::vector<std::string>>{
           {}, {"--kernel", "4.4"}, {"--cap", "SYS_ADMIN"}, {"--arch", "arm64"}}) {
    std::vector<std::string> args = {"csp-default-seccomp"};
    args.insert(args.end(), flags.begin(), flags.end());
    const std::string text = Render(args);
    const json want = WithoutZeroValueTwo(json::parse(text));
    const json got = Decode(text);
    EXPECT_TRUE(got == want) << testing::PrintToString(flags)
                             << ": differs; patch from containerd's to the file: "
                             << json::diff(got, want).dump();
  }
}

TEST(ContainerdSeccompTest, DockerOnlyKeysAreDropped) {
  const json got = Decode(R"({
    "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
    "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
    "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_ALLOW", "comment": "x",
                  "includes": {"caps": ["CAP_SYS_ADMIN"]}, "excludes": {},
                  "minKernel": "4.8"}]})");
  // The capability condition is gone: mount is allowed outright.
  EXPECT_EQ(got, json::parse(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
    "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_ALLOW"}]})"));
}

TEST(ContainerdSeccompTest, GoDecoderRules) {
  // Keys match case-insensitively; an explicit errnoRet 0 stays (a pointer), empty lists and a
  // zero valueTwo are left out (omitempty); absent required fields get their zero value.
  const json got = Decode(R"({"DefaultAction": "SCMP_ACT_ALLOW", "architectures": [],
    "syscalls": [{"NAMES": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 0,
                  "args": [{"index": 1, "value": 9, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]},
                 {"action": "SCMP_ACT_LOG", "args": null}]})");
  EXPECT_EQ(got, json::parse(R"({"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 0,
                  "args": [{"index": 1, "value": 9, "op": "SCMP_CMP_EQ"}]},
                 {"names": null, "action": "SCMP_ACT_LOG"}]})"));
}

TEST(ContainerdSeccompTest, WrongTypesFailTheContainer) {
  for (const char* text : {R"({"defaultAction": 1})", R"({"defaultErrnoRet": -1})",
                           R"({"syscalls": [{"names": "read"}]})",
                           R"({"syscalls": [{"args": [{"value": 1.5}]}]})", R"([])", "{"}) {
    EXPECT_FALSE(ContainerdLinuxSeccomp(text)) << text;
  }
}

}  // namespace
}  // namespace csp::runtime_test
