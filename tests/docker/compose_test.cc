#include "csp/docker/compose.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "csp/manifest/manifest_reader.h"

namespace csp::docker {
namespace {

using ::testing::ElementsAre;

std::optional<std::string> Env(std::string_view name) {
  if (name == "TAG") return "1.25";
  if (name == "SOCK") return "/var/run/docker.sock";
  return std::nullopt;
}

// Reads YAML text as cspctl does and returns the services and problems of its one document.
ComposeFile Read(std::string_view yaml) {
  ComposeFile out;
  manifest::ParseManifests(
      yaml, "compose.yaml", {},
      [&](manifest::Document&& doc) {
        EXPECT_TRUE(IsComposeFile(doc.value));
        out = ReadCompose(doc.value, doc.line, doc.key_lines, Env,
                          {.base_dir = "/srv/app", .home = "/home/u"});
      },
      [](manifest::ReadError&& e) { ADD_FAILURE() << e.ToString(); });
  return out;
}

std::vector<std::string> Problems(const ComposeFile& f) {
  std::vector<std::string> out;
  for (const ComposeProblem& p : f.problems)
    out.push_back(std::to_string(p.line) + ": " + p.message);
  return out;
}

TEST(ComposeTest, RecognisesComposeFiles) {
  EXPECT_TRUE(IsComposeFile(nlohmann::json::parse(R"({"services": {}})")));
  EXPECT_FALSE(IsComposeFile(nlohmann::json::parse(R"({"kind": "X", "services": {}})")));
  EXPECT_FALSE(IsComposeFile(nlohmann::json::parse(R"({"apiVersion": "v1"})")));
  EXPECT_FALSE(IsComposeFile(nlohmann::json::parse(R"([{"services": {}}])")));
}

TEST(ComposeTest, ReadsEveryServiceAtItsLine) {
  const ComposeFile f = Read(
      "name: shop\n"                                                                // 1
      "services:\n"                                                                 // 2
      "  web:\n"                                                                    // 3
      "    image: nginx:${TAG}\n"                                                   // 4
      "    privileged: true\n"                                                      // 5
      "    user: \"0:0\"\n"                                                         // 6
      "    cap_add: [SYS_ADMIN]\n"                                                  // 7
      "    cap_drop: [ALL]\n"                                                       // 8
      "    security_opt:\n"                                                         // 9
      "      - seccomp:unconfined\n"                                                // 10
      "    volumes:\n"                                                              // 11
      "      - ${SOCK}:/var/run/docker.sock\n"                                      // 12
      "      - ./data:/data:ro,z\n"                                                 // 13
      "      - ../up:/up\n"                                                         // 14
      "      - ~/cfg:/cfg\n"                                                        // 15
      "      - named:/named\n"                                                      // 16
      "      - /anon\n"                                                             // 17
      "      - type: bind\n"                                                        // 18
      "        source: ./long\n"                                                    // 19
      "        target: /long\n"                                                     // 20
      "        read_only: true\n"                                                   // 21
      "      - {type: volume, source: v, target: /v}\n"                             // 22
      "      - {type: tmpfs, target: /t}\n"                                         // 23
      "  worker: {image: \"busybox\", network_mode: host, pid: host, ipc: host}\n"  // 24
      "volumes: {named: {}, v: {}}\n");
  ASSERT_TRUE(f.problems.empty()) << Problems(f)[0];
  ASSERT_EQ(f.services.size(), 2u);
  const ComposeService& web = f.services[0];
  EXPECT_EQ(web.line, 3);
  EXPECT_EQ(web.container.name, "web");
  EXPECT_EQ(web.container.image, "nginx:1.25");
  EXPECT_TRUE(web.container.privileged);
  EXPECT_EQ(web.container.user, "0:0");
  EXPECT_THAT(web.container.cap_add, ElementsAre("SYS_ADMIN"));
  EXPECT_THAT(web.container.cap_drop, ElementsAre("ALL"));
  EXPECT_THAT(web.container.security_opt, ElementsAre("seccomp:unconfined"));
  std::vector<std::string> mounts;
  for (const Mount& m : web.container.mounts) {
    mounts.push_back(std::string(m.type == MountType::kBind    ? "bind "
                                 : m.type == MountType::kTmpfs ? "tmpfs "
                                                               : "volume ") +
                     m.source + ":" + m.target + (m.read_only ? ":ro" : ""));
  }
  EXPECT_THAT(mounts, ElementsAre("bind /var/run/docker.sock:/var/run/docker.sock",
                                  "bind /srv/app/data:/data:ro", "bind /srv/up:/up",
                                  "bind /home/u/cfg:/cfg", "volume named:/named", "volume :/anon",
                                  "bind /srv/app/long:/long:ro", "volume v:/v", "tmpfs :/t"));
  const ComposeService& worker = f.services[1];
  EXPECT_EQ(worker.line, 24);
  EXPECT_TRUE(worker.container.host_network);
  EXPECT_TRUE(worker.container.host_pid);
  EXPECT_TRUE(worker.container.host_ipc);
  EXPECT_FALSE(worker.container.user.has_value());
}

TEST(ComposeTest, InterpolatedBooleanAndNumericUser) {
  const ComposeFile f =
      Read("services:\n  a:\n    privileged: \"${P:-true}\"\n    user: 1000\n  b: null\n");
  ASSERT_TRUE(f.problems.empty()) << Problems(f)[0];
  ASSERT_EQ(f.services.size(), 2u);
  EXPECT_TRUE(f.services[0].container.privileged);
  EXPECT_EQ(f.services[0].container.user, "1000");
  EXPECT_EQ(f.services[1].container.name, "b");
}

TEST(ComposeTest, ProblemsNameFileLineAndFieldAndSkipOnlyTheirService) {
  const ComposeFile f = Read(
      "services:\n"                                   // 1
      "  unset:\n"                                    // 2
      "    image: ${MISSING}\n"                       // 3
      "  typed:\n"                                    // 4
      "    privileged: maybe\n"                       // 5
      "    cap_add: SYS_ADMIN\n"                      // 6
      "    volumes: [{type: bind, target: /x}, 7]\n"  // 7
      "  extended:\n"                                 // 8
      "    extends: {service: base}\n"                // 9
      "  list: [a]\n"                                 // 10
      "  ok: {image: nginx}\n");                      // 11
  EXPECT_THAT(
      Problems(f),
      ElementsAre("2: services.unset: variable \"MISSING\" is not set and has no default",
                  "4: services.typed.cap_add: expected an array, got string",
                  "4: services.typed.privileged: expected a boolean, got string",
                  "4: services.typed.volumes[0]: a bind mount needs a source",
                  "4: services.typed.volumes[1]: expected a string or a mapping, got integer",
                  "8: services.extended.extends: extends is not supported; judge the "
                  "output of `docker compose config`",
                  "10: services.list: expected a mapping, got array"));
  ASSERT_EQ(f.services.size(), 1u);
  EXPECT_EQ(f.services[0].container.name, "ok");
}

TEST(ComposeTest, IncludeAndBadServicesAreReported) {
  EXPECT_THAT(Problems(Read("include: [other.yaml]\nservices: {}\n")),
              ElementsAre("1: include is not supported; judge the output of `docker compose "
                          "config`"));
  EXPECT_THAT(Problems(Read("services: [a]\n")),
              ElementsAre("1: services: expected a mapping, got array"));
}

}  // namespace
}  // namespace csp::docker
