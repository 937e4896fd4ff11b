// Every AppArmor profile the project ships or renders passes the real apparmor_parser in
// parse-only mode (-Q -K), and declares exactly the name pods will use.
#include <gtest/gtest.h>

#include "csp/agent/run_program.h"
#include "csp/agent/system_apparmor_loader.h"
#include "csp/profiles/default_profiles.h"
#include "csp/profiles/security_profile_file.h"
#include "temp_dir.h"

namespace csp::agent {
namespace {

constexpr const char* kParser = "/usr/sbin/apparmor_parser";

TEST(ShippedAppArmorProfilesTest, SourceFilePassesTheParser) {
  const std::string file =
      std::string(CSP_REPO_ROOT) + "/operator/profiles/defaults/csp-default.apparmor";
  Result<ProgramResult> r = RunProgram({kParser, "-Q", "-K", file}, {});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->exit_code, 0) << r->err;
  // What the binary carries is that file.
  EXPECT_EQ(csp::test::ReadText(file), profiles::DefaultAppArmorText());
}

TEST(ShippedAppArmorProfilesTest, RenderedDefaultPassesTheParser) {
  SystemAppArmorLoader loader({.parser = kParser});
  Result<std::vector<std::string>> names = loader.Validate(profiles::RenderDefaultAppArmor().bytes);
  ASSERT_TRUE(names) << names.error().message;
  EXPECT_EQ(*names, std::vector<std::string>{"csp-default"});
}

TEST(ShippedAppArmorProfilesTest, EveryExampleAppArmorProfilePassesTheParser) {
  SystemAppArmorLoader loader({.parser = kParser});
  int checked = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(CSP_REPO_ROOT) + "/examples/profiles")) {
    const std::string file = entry.path().string();
    Result<profiles::SecurityProfile> profile =
        profiles::ParseSecurityProfileText(csp::test::ReadText(file), file);
    ASSERT_TRUE(profile) << profile.error().message;
    if (profile->kind != profiles::ProfileKind::kAppArmor) continue;
    const profiles::RenderedProfile rendered = profiles::RenderSecurityProfile(*profile);
    Result<std::vector<std::string>> names = loader.Validate(rendered.bytes);
    ASSERT_TRUE(names) << file << ": " << names.error().message;
    EXPECT_EQ(*names, std::vector<std::string>{profile->name}) << file;
    ++checked;
  }
  EXPECT_GE(checked, 1);
}

}  // namespace
}  // namespace csp::agent
