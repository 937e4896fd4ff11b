#include "csp/record/recording_spec.h"

#include <gtest/gtest.h>

namespace csp::record {
namespace {

using nlohmann::json;

TEST(RecordingSpecTest, NotifiesEverythingButRuncsNeedsAndAnswersEnosysToTheUnknown) {
  const json s =
      RecordingSeccomp({"futex", "openat", "read", "write"}, {"SCMP_ARCH_X86_64"}, "/run/r.sock");
  EXPECT_EQ(s["defaultAction"], "SCMP_ACT_ERRNO");  // runc 1.1 refuses SCMP_ACT_NOTIFY here
  EXPECT_EQ(s["defaultErrnoRet"], 38);
  EXPECT_EQ(s["listenerPath"], "/run/r.sock");
  EXPECT_EQ(s["architectures"], json::array({"SCMP_ARCH_X86_64"}));
  ASSERT_EQ(s["syscalls"].size(), 2u);
  EXPECT_EQ(s["syscalls"][0], json({{"names", {"futex", "write"}}, {"action", "SCMP_ACT_ALLOW"}}));
  EXPECT_EQ(s["syscalls"][1], json({{"names", {"openat", "read"}}, {"action", "SCMP_ACT_NOTIFY"}}));
}

json Spec() {
  return json::parse(R"({"ociVersion": "1.0.2", "root": {"path": "rootfs", "readonly": true},
      "process": {"terminal": true, "args": ["sh"], "cwd": "/"},
      "linux": {"namespaces": [{"type": "pid"}],
                "seccomp": {"defaultAction": "SCMP_ACT_ALLOW"}}})");
}

TEST(RecordingSpecTest, MakesRootAbsoluteReplacesArgsAndSeccomp) {
  const json seccomp = {{"defaultAction", "SCMP_ACT_ERRNO"}};
  Result<json> spec = RecordingSpec(Spec(), "/b/app", {"/bin/sh", "-c", "true"}, seccomp);
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ((*spec)["root"]["path"], "/b/app/rootfs");
  EXPECT_EQ((*spec)["root"]["readonly"], true);
  EXPECT_EQ((*spec)["process"]["args"], json::array({"/bin/sh", "-c", "true"}));
  EXPECT_EQ((*spec)["process"]["terminal"], false);
  EXPECT_EQ((*spec)["linux"]["seccomp"], seccomp);
  EXPECT_EQ((*spec)["linux"]["namespaces"], Spec()["linux"]["namespaces"]);
}

TEST(RecordingSpecTest, KeepsTheBundlesArgsAndAnAbsoluteRoot) {
  json base = Spec();
  base["root"]["path"] = "/srv/root/../rootfs";
  base.erase("linux");
  Result<json> spec = RecordingSpec(base, "/b/app", {}, json::object());
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ((*spec)["root"]["path"], "/srv/rootfs");
  EXPECT_EQ((*spec)["process"]["args"], json::array({"sh"}));
  EXPECT_TRUE((*spec)["linux"].contains("seccomp"));
}

TEST(RecordingSpecTest, RefusesConfigsWithoutRootOrCommand) {
  json no_root = Spec();
  no_root.erase("root");
  EXPECT_FALSE(RecordingSpec(no_root, "/b", {"sh"}, {}));
  json no_args = Spec();
  no_args["process"]["args"] = json::array();
  Result<json> r = RecordingSpec(no_args, "/b", {}, {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("process.args"), std::string::npos);
  EXPECT_FALSE(RecordingSpec(json::array(), "/b", {"sh"}, {}));
}

}  // namespace
}  // namespace csp::record
