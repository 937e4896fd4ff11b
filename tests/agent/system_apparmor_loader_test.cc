// SystemAppArmorLoader against the real apparmor_parser (validation needs no kernel support)
// and, for loading, against a recording stand-in for the parser plus a kernel profile list
// under a temp root, since this machine's kernel may not run AppArmor.
#include "csp/agent/system_apparmor_loader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "temp_dir.h"

namespace csp::agent {
namespace {

using csp::test::ReadText;
using csp::test::TempDir;
using csp::test::WriteText;

constexpr const char* kParser = "/usr/sbin/apparmor_parser";

TEST(SystemAppArmorLoaderTest, AvailabilityFollowsTheModuleParameter) {
  TempDir root;
  SystemAppArmorLoader loader({.sys_root = root.path()});
  AppArmorAvailability absent = loader.Availability();
  EXPECT_FALSE(absent.available);
  EXPECT_EQ(absent.reason,
            "AppArmor not available on this node: " +
                (root.path() / "sys/module/apparmor/parameters/enabled").string() + " and " +
                (root.path() / "sys/kernel/security/apparmor").string() +
                " are absent (the kernel has no AppArmor, or securityfs is not mounted)");
  WriteText(root.path() / "sys/module/apparmor/parameters/enabled", "N\n");
  AppArmorAvailability disabled = loader.Availability();
  EXPECT_FALSE(disabled.available);
  EXPECT_TRUE(disabled.reason.ends_with(" is \"N\" (AppArmor is disabled)")) << disabled.reason;
  WriteText(root.path() / "sys/module/apparmor/parameters/enabled", "Y\n");
  EXPECT_TRUE(loader.Availability().available);
}

// A container that mounts only the host's securityfs (the DaemonSet in config/agent) has no
// module parameter under its root: the kernel's apparmor folder in securityfs decides.
TEST(SystemAppArmorLoaderTest, AvailabilityFollowsSecurityfsWithoutTheModuleParameter) {
  TempDir root;
  SystemAppArmorLoader loader({.sys_root = root.path()});
  WriteText(root.path() / "sys/kernel/security/apparmor/profiles", "");
  EXPECT_TRUE(loader.Availability().available);
  // The parameter, when present, still wins.
  WriteText(root.path() / "sys/module/apparmor/parameters/enabled", "N\n");
  EXPECT_FALSE(loader.Availability().available);
}

TEST(SystemAppArmorLoaderTest, ParsesTheKernelsProfileList) {
  EXPECT_EQ(ParseLoadedProfiles("csp-default (enforce)\n/usr/bin/man (complain)\n"
                                "odd (name) (enforce)\nnot a profile line\n"),
            (std::vector<std::string>{"csp-default", "/usr/bin/man", "odd (name)"}));
}

TEST(SystemAppArmorLoaderTest, ValidatesWithTheRealParser) {
  SystemAppArmorLoader loader({.parser = kParser});
  Result<std::vector<std::string>> names = loader.Validate(
      "profile good flags=(attach_disconnected) {\n  file,\n  profile child {}\n}\n");
  ASSERT_TRUE(names) << names.error().message;
  EXPECT_EQ(*names, (std::vector<std::string>{"good", "good//child"}));

  Result<std::vector<std::string>> broken =
      loader.Validate("profile bad {\n  file\n  bogus rule,\n}\n");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, Code::kInvalidArgument);
  EXPECT_TRUE(
      broken.error().message.starts_with("apparmor_parser refused the policy: AppArmor "
                                         "parser error"))
      << broken.error().message;
  EXPECT_EQ(broken.error().message.find("Cache read/write"), std::string::npos);
}

TEST(SystemAppArmorLoaderTest, IncludeDirsReachTheParser) {
  TempDir dir;
  WriteText(dir.path() / "csp-test-vars", "@{CSP_TEST_DIR}=/srv/csp-test\n");
  const std::string policy = "include <csp-test-vars>\nprofile inc { @{CSP_TEST_DIR}/** r, }\n";
  SystemAppArmorLoader without({.parser = kParser});
  EXPECT_FALSE(without.Validate(policy));
  SystemAppArmorLoader with({.parser = kParser, .include_dirs = {dir.path()}});
  Result<std::vector<std::string>> names = with.Validate(policy);
  ASSERT_TRUE(names) << names.error().message;
  EXPECT_EQ(*names, std::vector<std::string>{"inc"});
}

TEST(SystemAppArmorLoaderTest, MissingParserIsNotAnInvalidPolicy) {
  SystemAppArmorLoader loader({.parser = "/nonexistent/apparmor_parser"});
  Result<std::vector<std::string>> names = loader.Validate("profile x {}");
  ASSERT_FALSE(names);
  EXPECT_NE(names.error().code, Code::kInvalidArgument);
}

// A stand-in for apparmor_parser: records its arguments, and for -r / -R adds or removes the
// profile in the fake kernel list, as the kernel would. `lie` makes -r succeed without loading.
std::filesystem::path FakeParser(const TempDir& dir, bool lie = false) {
  const std::filesystem::path script = dir.path() / "fake_apparmor_parser";
  const std::string profiles = (dir.path() / "sys/kernel/security/apparmor/profiles").string();
  std::string text = R"sh(#!/bin/sh
echo "$*" >> "@LOG@"
profiles="@PROFILES@"
mode=""; file=""; skip=0
for arg in "$@"; do
  if [ $skip = 1 ]; then skip=0; continue; fi
  case "$arg" in
    -I|--subdomainfs) skip=1 ;;
    -r) mode=replace ;;
    -R) mode=remove ;;
    -*) ;;
    *) file="$arg" ;;
  esac
done
if [ "$mode" = replace ] && [ "@LIE@" = no ]; then
  name=$(sed -n 's/^profile \([^ {]*\).*/\1/p' "$file" | head -n 1)
  echo "$name (enforce)" >> "$profiles"
elif [ "$mode" = remove ]; then
  name=$(sed -n 's/^profile "\([^"]*\)".*/\1/p' | head -n 1)
  grep -v "^$name (" "$profiles" > "$profiles.new"; mv "$profiles.new" "$profiles"
fi
exit 0
)sh";
  auto replace = [&text](const std::string& from, const std::string& to) {
    text.replace(text.find(from), from.size(), to);
  };
  replace("@LOG@", (dir.path() / "calls.log").string());
  replace("@PROFILES@", profiles);
  replace("@LIE@", lie ? "yes" : "no");
  WriteText(script, text);
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  WriteText(profiles, "unrelated (enforce)\n");
  WriteText(dir.path() / "sys/module/apparmor/parameters/enabled", "Y\n");
  return script;
}

TEST(SystemAppArmorLoaderTest, LoadsConfirmsAndUnloads) {
  TempDir root;
  SystemAppArmorLoader loader({.parser = FakeParser(root), .sys_root = root.path()});
  WriteText(root.path() / "etc/p", "profile p {}\n");
  Result<bool> before = loader.IsLoaded("p");
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_FALSE(*before);

  Status loaded = loader.Load(root.path() / "etc/p", "p");
  ASSERT_TRUE(loaded) << loaded.error().message;
  Result<bool> after = loader.IsLoaded("p");
  ASSERT_TRUE(after);
  EXPECT_TRUE(*after);

  Status unloaded = loader.Unload("p");
  ASSERT_TRUE(unloaded) << unloaded.error().message;
  EXPECT_FALSE(*loader.IsLoaded("p"));
  EXPECT_TRUE(*loader.IsLoaded("unrelated"));
  // Not loaded: nothing to do, the parser is not even run.
  ASSERT_TRUE(loader.Unload("p"));

  const std::string subdomainfs =
      " --subdomainfs " + (root.path() / "sys/kernel/security/apparmor").string();
  EXPECT_EQ(ReadText(root.path() / "calls.log"), "-q -r -K " + (root.path() / "etc/p").string() +
                                                     subdomainfs + "\n" + "-q -R -K" + subdomainfs +
                                                     "\n");
}

TEST(SystemAppArmorLoaderTest, ALoadTheKernelDoesNotShowFails) {
  TempDir root;
  SystemAppArmorLoader loader({.parser = FakeParser(root, /*lie=*/true), .sys_root = root.path()});
  WriteText(root.path() / "etc/p", "profile p {}\n");
  Status loaded = loader.Load(root.path() / "etc/p", "p");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().message,
            "apparmor_parser -r " + (root.path() / "etc/p").string() +
                " succeeded, but profile \"p\" is not in " +
                (root.path() / "sys/kernel/security/apparmor/profiles").string());
}

TEST(SystemAppArmorLoaderTest, AFailedLoadCarriesTheParsersMessage) {
  TempDir root;
  const std::filesystem::path script = root.path() / "failing_parser";
  WriteText(script,
            "#!/bin/sh\necho 'Cache read/write disabled: x' >&2\n"
            "echo 'apparmor_parser: Unable to replace \"p\".  Permission denied' >&2\nexit 1\n");
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  SystemAppArmorLoader loader({.parser = script, .sys_root = root.path()});
  Status loaded = loader.Load("/x/p", "p");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(
      loaded.error().message,
      "apparmor_parser -r /x/p: apparmor_parser: Unable to replace \"p\".  Permission denied");
}

}  // namespace
}  // namespace csp::agent
