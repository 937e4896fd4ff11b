// `cspctl fix` in place and as kustomize patches, on real files: the fixed file differs from the
// original only in the edited lines, a second run changes nothing, a refused edit leaves its
// file byte for byte, and a fix that waits for another (no privilege escalation on a privileged
// container) is applied in a later round.
#include "csp/fix/fix_command.h"

#include <gtest/gtest.h>

#include <sstream>

#include "temp_dir.h"

namespace csp::fix {
namespace {

using csp::test::ReadText;
using csp::test::TempDir;
using csp::test::WriteText;

constexpr char kPolicy[] = R"(apiVersion: containersecurity.dev/v1alpha1
kind: ContainerSecurityPolicy
metadata: {name: strict}
spec:
  controls:
    runAsNonRoot: {enabled: false}
    privilegeEscalation: {enabled: true}
)";

constexpr char kManifest[] = R"(# Two workloads; comments and quoting must survive.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # the front end
spec:
  template:
    spec:
      securityContext:
        seccompProfile: {type: "RuntimeDefault"}
      containers:
      - name: app
        image: 'nginx:1.27'
        securityContext:
          privileged: true   # why?
          allowPrivilegeEscalation: false
---
apiVersion: v1
kind: Pod
metadata: {name: "p"}
spec:
  securityContext:
    seccompProfile:
      type: Unconfined
  containers:
  - name: c
    securityContext:
      allowPrivilegeEscalation: false
)";

constexpr char kFixed[] = R"(# Two workloads; comments and quoting must survive.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # the front end
spec:
  template:
    spec:
      securityContext:
        seccompProfile: {type: "RuntimeDefault"}
      containers:
      - name: app
        image: 'nginx:1.27'
        securityContext:
          privileged: false   # why?
          allowPrivilegeEscalation: false
---
apiVersion: v1
kind: Pod
metadata: {name: "p"}
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
  containers:
  - name: c
    securityContext:
      allowPrivilegeEscalation: false
)";

FixOptions Options(const TempDir& dir) {
  FixOptions options;
  options.scan.policy_files = {(dir.path() / "policy.yaml").string()};
  options.scan.paths = {(dir.path() / "app.yaml").string()};
  return options;
}

int RunFixOn(const FixOptions& options, std::string* out = nullptr, std::string* err = nullptr) {
  std::istringstream in;
  std::ostringstream o, e;
  int code = RunFix(options, in, o, e);
  if (out) *out = o.str();
  if (err) *err = e.str();
  return code;
}

TEST(FixCommandTest, FixesInPlaceChangingOnlyTheEditedLines) {
  TempDir dir;
  WriteText(dir.path() / "policy.yaml", kPolicy);
  WriteText(dir.path() / "app.yaml", kManifest);
  std::string out, err;
  EXPECT_EQ(RunFixOn(Options(dir), &out, &err), 0) << err;
  EXPECT_EQ(ReadText(dir.path() / "app.yaml"), kFixed);
  EXPECT_NE(out.find("Deployment default/web: fixed disallow-privileged"), std::string::npos)
      << out;
  EXPECT_NE(out.find("Pod default/p: fixed require-seccomp"), std::string::npos) << out;
  // Nothing is left to fix: a second run writes nothing.
  EXPECT_EQ(RunFixOn(Options(dir), &out, &err), 0) << err;
  EXPECT_EQ(out, "");
  EXPECT_EQ(ReadText(dir.path() / "app.yaml"), kFixed);
}

TEST(FixCommandTest, AFixThatWaitsForAnotherIsAppliedInALaterRound) {
  TempDir dir;
  WriteText(dir.path() / "policy.yaml", kPolicy);
  WriteText(dir.path() / "app.yaml", R"(apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
  containers:
  - name: c
    securityContext:
      privileged: true
)");
  std::string err;
  EXPECT_EQ(RunFixOn(Options(dir), nullptr, &err), 0) << err;
  EXPECT_EQ(ReadText(dir.path() / "app.yaml"), R"(apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
  containers:
  - name: c
    securityContext:
      privileged: false
      allowPrivilegeEscalation: false
)");
}

TEST(FixCommandTest, ARefusedEditLeavesTheFileAndSaysWhere) {
  TempDir dir;
  WriteText(dir.path() / "policy.yaml", kPolicy);
  const std::string anchored =
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
      "spec:\n  securityContext: &sc {seccompProfile: {type: RuntimeDefault}}\n"
      "  containers: [{name: c}]\n";
  WriteText(dir.path() / "app.yaml", anchored);
  std::string err;
  EXPECT_EQ(RunFixOn(Options(dir), nullptr, &err), 1);
  EXPECT_EQ(ReadText(dir.path() / "app.yaml"), anchored);
  EXPECT_NE(err.find("app.yaml: Pod default/p: disallow-privilege-escalation: not fixed: the "
                     "object uses anchors or aliases"),
            std::string::npos)
      << err;
}

TEST(FixCommandTest, KustomizeWritesPatchesAndLeavesTheManifests) {
  TempDir dir;
  WriteText(dir.path() / "policy.yaml", kPolicy);
  WriteText(dir.path() / "app.yaml", kManifest);
  FixOptions options = Options(dir);
  options.kustomize_dir = (dir.path() / "out").string();
  std::string err;
  EXPECT_EQ(RunFixOn(options, nullptr, &err), 0) << err;
  EXPECT_EQ(ReadText(dir.path() / "app.yaml"), kManifest);
  EXPECT_EQ(
      ReadText(dir.path() / "out" / "kustomization.yaml"),
      R"(# Written by cspctl fix: the fixes of failing results as JSON Patches (docs/controls.md
# "Fixes"). List the manifests they patch under resources.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
patches:
- path: "deployment-default-web.json"
  target:
    group: "apps"
    version: "v1"
    kind: "Deployment"
    name: "web"
- path: "pod-default-p.json"
  target:
    version: "v1"
    kind: "Pod"
    name: "p"
)");
  EXPECT_EQ(nlohmann::json::parse(ReadText(dir.path() / "out" / "pod-default-p.json")),
            nlohmann::json::parse(R"([{"op":"replace",
                "path":"/spec/securityContext/seccompProfile/type","value":"RuntimeDefault"}])"));
}

}  // namespace
}  // namespace csp::fix
