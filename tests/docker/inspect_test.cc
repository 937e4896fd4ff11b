#include "csp/docker/inspect.h"

#include <gtest/gtest.h>

namespace csp::docker {
namespace {

using json = nlohmann::json;

TEST(InspectTest, RecognisesInspectOutput) {
  EXPECT_TRUE(IsInspectOutput(json::parse(R"([{"Id": "a", "HostConfig": {}}])")));
  EXPECT_TRUE(IsInspectOutput(json::parse(R"([{"HostConfig": {}}, 3])")));
  EXPECT_FALSE(IsInspectOutput(json::parse(R"([{"Id": "sha256:1", "Config": {}}])")));
  EXPECT_FALSE(IsInspectOutput(json::parse(R"([])")));
  EXPECT_FALSE(IsInspectOutput(json::parse(R"([{"kind": "Pod"}])")));
  EXPECT_FALSE(IsInspectOutput(json::parse(R"({"HostConfig": {}})")));
}

TEST(InspectTest, ReadsTheFieldsAndMergesBindsWithMounts) {
  auto got = ReadInspect(json::parse(R"([{
    "Id": "0123", "Name": "/web", "Image": "sha256:abcd",
    "HostConfig": {"Privileged": true, "SecurityOpt": ["seccomp=unconfined"],
                   "CapAdd": ["NET_ADMIN"], "CapDrop": null,
                   "Binds": ["/var/run/docker.sock:/var/run/docker.sock:ro", "/etc:/host-etc"],
                   "NetworkMode": "default", "PidMode": "host", "IpcMode": "private"},
    "Config": {"User": "1000", "Image": "nginx:1.25"},
    "Mounts": [{"Type": "bind", "Source": "/var/run/docker.sock",
                "Destination": "/var/run/docker.sock", "RW": false},
               {"Type": "volume", "Name": "data", "Source": "/var/lib/docker/volumes/data/_data",
                "Destination": "/data", "RW": true}]},
    {"Id": "4567", "HostConfig": {}, "Config": {}}])"));
  ASSERT_EQ(got.size(), 2u);
  ASSERT_TRUE(got[0].container) << got[0].container.error().message;
  const DockerContainer& c = *got[0].container;
  EXPECT_EQ(c.name, "web");
  EXPECT_TRUE(c.privileged);
  EXPECT_EQ(c.security_opt, std::vector<std::string>{"seccomp=unconfined"});
  EXPECT_EQ(c.cap_add, std::vector<std::string>{"NET_ADMIN"});
  EXPECT_TRUE(c.cap_drop.empty());
  EXPECT_FALSE(c.host_network);
  EXPECT_TRUE(c.host_pid);
  EXPECT_FALSE(c.host_ipc);
  EXPECT_EQ(c.user, "1000");
  EXPECT_EQ(c.image, "nginx:1.25");  // not the local image ID
  ASSERT_EQ(c.mounts.size(), 3u);    // the socket once
  EXPECT_EQ(c.mounts[0].source, "/var/run/docker.sock");
  EXPECT_TRUE(c.mounts[0].read_only);
  EXPECT_EQ(c.mounts[1].type, MountType::kVolume);
  EXPECT_EQ(c.mounts[1].source, "data");
  EXPECT_EQ(c.mounts[2].source, "/etc");
  ASSERT_TRUE(got[1].container);
  EXPECT_EQ(got[1].container->name, "4567");
  EXPECT_FALSE(got[1].container->user.has_value());
}

TEST(InspectTest, WrongTypesNameTheElementAndFieldOnly) {
  auto got = ReadInspect(json::parse(R"([
    {"Name": "/a", "HostConfig": {"CapAdd": "SYS_ADMIN", "Privileged": "yes"},
     "Config": {"User": 0}},
    "not a container",
    {"Name": "/c", "HostConfig": [], "Mounts": [{"Type": "bind", "RW": "no"}]},
    {"Name": "/ok", "HostConfig": {}},
    {"Id": "sha256:1", "RepoTags": ["nginx:1"], "Config": {}}])"));
  ASSERT_EQ(got.size(), 5u);
  ASSERT_FALSE(got[4].container);
  EXPECT_EQ(got[4].container.error().message,
            "[4]: no HostConfig: not a container's inspect output");
  ASSERT_FALSE(got[0].container);
  EXPECT_EQ(got[0].container.error().message,
            "[0].HostConfig.Privileged: expected a boolean, got string\n"
            "[0].HostConfig.CapAdd: expected an array, got string\n"
            "[0].Config.User: expected a string, got integer");
  ASSERT_FALSE(got[1].container);
  EXPECT_EQ(got[1].container.error().message, "[1]: expected an object, got string");
  ASSERT_FALSE(got[2].container);
  EXPECT_EQ(
      got[2].container.error().message,
      "[2].HostConfig: expected an object, got array\n[2].Mounts[0].RW: expected a boolean, got "
      "string");
  EXPECT_TRUE(got[3].container);
}

}  // namespace
}  // namespace csp::docker
