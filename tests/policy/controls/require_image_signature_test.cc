// Rule 8, require-image-signature: skip unless configured; requireDigest, allowedRegistries
// (after image normalization) and cosign keys (verdicts passed in from outside the engine),
// combined fail > error > skip > pass.
#include <gtest/gtest.h>

#include <map>

#include "test_util.h"

namespace csp::policy {
namespace {

// Signature verdicts by image reference, as a verifier outside the engine would find them.
// An image missing from the map was not checked.
class FakeSignatures : public ImageSignatures {
 public:
  explicit FakeSignatures(std::map<std::string, SignatureVerdict, std::less<>> verdicts)
      : verdicts_(std::move(verdicts)) {}
  std::optional<SignatureVerdict> Lookup(std::string_view image,
                                         std::string* detail) const override {
    auto it = verdicts_.find(image);
    if (it == verdicts_.end()) return std::nullopt;
    if (it->second == SignatureVerdict::kError) *detail = "registry unreachable";
    if (it->second == SignatureVerdict::kNotSigned) *detail = "no matching signatures";
    return it->second;
  }

 private:
  std::map<std::string, SignatureVerdict, std::less<>> verdicts_;
};

constexpr char kHex[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kDigest = std::string("@sha256:") + kHex;

// One container per image, named a, b, c, ... in order.
std::string Pod(std::vector<std::string> images) {
  nlohmann::json containers = nlohmann::json::array();
  for (std::size_t i = 0; i < images.size(); ++i) {
    containers.push_back(
        {{"name", std::string(1, static_cast<char>('a' + i))}, {"image", images[i]}});
  }
  return nlohmann::json{{"containers", containers}}.dump();
}

std::string Registries(std::vector<std::string> entries) {
  return nlohmann::json{{"enabled", true}, {"allowedRegistries", entries}}.dump();
}

constexpr char kDigestOnly[] = R"({"enabled":true,"requireDigest":true})";
constexpr char kKeys[] = R"({"enabled":true,"keys":[{"name":"release",
    "publicKey":"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n"}]})";
constexpr char kDigestAndKeys[] = R"({"enabled":true,"requireDigest":true,
    "keys":[{"name":"release","secretRef":{"namespace":"csp","name":"cosign","key":"cosign.pub"}}]})";

struct Case {
  std::string name = {};
  std::string settings = {};
  std::string pod = {};
  Outcome want = Outcome::kPass;
  std::vector<std::string> containers = {};
  std::vector<std::string> message = {};
  std::map<std::string, SignatureVerdict, std::less<>> verdicts = {};
  bool online = false;  // whether a signature verifier is passed in at all
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

using V = SignatureVerdict;

const Case kCases[] = {
    // Not configured: skip.
    {"default_disabled_skips", "", Pod({"nginx"}), Outcome::kSkip, {}, {"disabled"}},
    {"explicitly_disabled_skips",
     R"({"enabled":false,"requireDigest":true})",
     Pod({"nginx"}),
     Outcome::kSkip,
     {},
     {"disabled"}},
    // requireDigest.
    {"digest_missing",
     kDigestOnly,
     Pod({"nginx:1.25"}),
     Outcome::kFail,
     {"a"},
     {R"(container "a": image nginx:1.25 is not pinned by digest)"}},
    {"digest_valid", kDigestOnly, Pod({"nginx" + kDigest}), Outcome::kPass},
    {"digest_valid_with_tag", kDigestOnly, Pod({"nginx:1.25" + kDigest}), Outcome::kPass},
    {"digest_valid_with_registry_port", kDigestOnly,
     Pod({"registry.example.com:5000/team/app:v1" + kDigest}), Outcome::kPass},
    {"digest_upper_case_hex",
     kDigestOnly,
     Pod({"nginx@sha256:0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"}),
     Outcome::kFail,
     {"a"},
     {R"(container "a": image nginx@sha256:0123456789ABCDEF)", "digest"}},
    {"digest_upper_case_algorithm",
     kDigestOnly,
     Pod({std::string("nginx@SHA256:") + kHex}),
     Outcome::kFail,
     {"a"},
     {R"(container "a")", "digest"}},
    {"digest_too_short",
     kDigestOnly,
     Pod({"nginx" + kDigest.substr(0, kDigest.size() - 1)}),
     Outcome::kFail,
     {"a"},
     {R"(container "a")", "digest"}},
    {"digest_too_long",
     kDigestOnly,
     Pod({"nginx" + kDigest + "0"}),
     Outcome::kFail,
     {"a"},
     {R"(container "a")", "digest"}},
    {"digest_not_hex",
     kDigestOnly,
     Pod({"nginx@sha256:g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}),
     Outcome::kFail,
     {"a"},
     {R"(container "a")", "digest"}},
    {"digest_other_algorithm",
     kDigestOnly,
     Pod({std::string("nginx@sha512:") + kHex}),
     Outcome::kFail,
     {"a"},
     {R"(container "a")", "digest"}},
    {"digest_empty", kDigestOnly, Pod({"nginx@"}), Outcome::kFail, {"a"}, {R"(container "a")"}},
    {"digest_every_container",
     kDigestOnly,
     R"({"initContainers":[{"name":"setup","image":"busybox"}],
         "containers":[{"name":"a","image":"nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}],
         "ephemeralContainers":[{"name":"debug","image":"busybox:1.36"}]})",
     Outcome::kFail,
     {"setup", "debug"},
     {R"(initContainer "setup": image busybox)",
      R"(ephemeralContainer "debug": image busybox:1.36)"}},
    // allowedRegistries, after normalization.
    {"registry_docker_io_allows_bare_name", Registries({"docker.io"}), Pod({"nginx"}),
     Outcome::kPass},
    {"registry_docker_io_allows_user_repo", Registries({"docker.io"}), Pod({"bitnami/redis:7"}),
     Outcome::kPass},
    {"registry_docker_io_refuses_quay",
     Registries({"docker.io"}),
     Pod({"quay.io/prometheus/node"}),
     Outcome::kFail,
     {"a"},
     {R"(container "a": image quay.io/prometheus/node)", "not from an allowed registry"}},
    {"registry_library_allows_nginx", Registries({"docker.io/library"}), Pod({"nginx:1.25"}),
     Outcome::kPass},
    {"registry_library_allows_explicit_forms", Registries({"docker.io/library"}),
     Pod({"docker.io/nginx", "docker.io/library/nginx", "index.docker.io/library/nginx",
          "registry-1.docker.io/nginx", "library/nginx"}),
     Outcome::kPass},
    {"registry_library_refuses_user_repo",
     Registries({"docker.io/library"}),
     Pod({"bitnami/redis"}),
     Outcome::kFail,
     {"a"},
     {R"(container "a": image bitnami/redis (docker.io/bitnami/redis) is not from an allowed)"}},
    {"registry_image_path_exact", Registries({"docker.io/library/nginx"}),
     Pod({"nginx", "docker.io/nginx:1.25", "index.docker.io/library/nginx" + kDigest}),
     Outcome::kPass},
    {"registry_image_path_is_not_a_string_prefix",
     Registries({"docker.io/library/nginx"}),
     Pod({"nginx-unprivileged"}),
     Outcome::kFail,
     {"a"},
     {R"(container "a")"}},
    {"registry_index_docker_io_entry", Registries({"index.docker.io"}), Pod({"nginx"}),
     Outcome::kPass},
    {"registry_org_prefix", Registries({"ghcr.io/acme"}), Pod({"ghcr.io/acme/api:v2"}),
     Outcome::kPass},
    {"registry_org_itself", Registries({"ghcr.io/acme"}), Pod({"ghcr.io/acme"}), Outcome::kPass},
    {"registry_org_prefix_whole_component",
     Registries({"ghcr.io/acme"}),
     Pod({"ghcr.io/acme/api", "ghcr.io/acmecorp/x"}),
     Outcome::kFail,
     {"b"},
     {R"(container "b": image ghcr.io/acmecorp/x)"}},
    {"registry_host_case_insensitive_image", Registries({"ghcr.io/acme"}),
     Pod({"GHCR.IO/acme/api"}), Outcome::kPass},
    {"registry_host_case_insensitive_entry", Registries({"GHCR.io/acme/"}),
     Pod({"ghcr.io/acme/api"}), Outcome::kPass},
    {"registry_localhost_port", Registries({"localhost:5000"}),
     Pod({"localhost:5000/x", "localhost:5000/team/y:1"}), Outcome::kPass},
    {"registry_localhost_port_differs",
     Registries({"localhost:5000"}),
     Pod({"localhost/x", "localhost:5001/x"}),
     Outcome::kFail,
     {"a", "b"},
     {R"(container "a": image localhost/x)", R"(container "b": image localhost:5001/x)"}},
    {"registry_localhost_without_port", Registries({"localhost"}), Pod({"localhost/x"}),
     Outcome::kPass},
    // "localhost" alone is not a Docker Hub image when it names the registry.
    {"registry_localhost_is_a_host",
     Registries({"docker.io"}),
     Pod({"localhost/x"}),
     Outcome::kFail,
     {"a"},
     {R"(container "a": image localhost/x)"}},
    {"registry_with_port", Registries({"registry.example.com:5000"}),
     Pod({"registry.example.com:5000/team/app:v1"}), Outcome::kPass},
    {"registry_port_must_match",
     Registries({"registry.example.com:5000"}),
     Pod({"registry.example.com/team/app:v1"}),
     Outcome::kFail,
     {"a"},
     {R"(container "a": image registry.example.com/team/app:v1)"}},
    {"registry_without_port_refuses_port",
     Registries({"registry.example.com"}),
     Pod({"registry.example.com:5000/app"}),
     Outcome::kFail,
     {"a"},
     {R"(container "a")"}},
    {"registry_any_entry", Registries({"quay.io", "ghcr.io/acme"}),
     Pod({"quay.io/x/y", "ghcr.io/acme/z"}), Outcome::kPass},
    // Signatures: offline (no verifier) skips; a verifier's verdicts decide.
    {"keys_offline_skips",
     kKeys,
     Pod({"nginx"}),
     Outcome::kSkip,
     {},
     {R"(container "a")", "not checked"}},
    {"keys_image_not_checked_skips",
     kKeys,
     Pod({"nginx"}),
     Outcome::kSkip,
     {},
     {R"(container "a")", "not checked"},
     {},
     true},
    {"keys_verified",
     kKeys,
     Pod({"nginx"}),
     Outcome::kPass,
     {},
     {},
     {{"nginx", V::kVerified}},
     true},
    {"keys_not_signed",
     kKeys,
     Pod({"nginx", "ghcr.io/acme/api"}),
     Outcome::kFail,
     {"b"},
     {R"(container "b": image ghcr.io/acme/api has no signature)"},
     {{"nginx", V::kVerified}, {"ghcr.io/acme/api", V::kNotSigned}},
     true},
    {"keys_error",
     kKeys,
     Pod({"nginx"}),
     Outcome::kError,
     {},
     {R"(container "a": image nginx)", "registry unreachable"},
     {{"nginx", V::kError}},
     true},
    // Combination of parts and containers: fail > error > skip > pass.
    {"fail_beats_error",
     kKeys,
     Pod({"nginx", "redis"}),
     Outcome::kFail,
     {"b"},
     {R"(container "b": image redis has no signature)"},
     {{"nginx", V::kError}, {"redis", V::kNotSigned}},
     true},
    {"digest_fail_beats_signature_error",
     kDigestAndKeys,
     Pod({"nginx"}),
     Outcome::kFail,
     {"a"},
     {R"(container "a": image nginx is not pinned by digest)"},
     {{"nginx", V::kError}},
     true},
    {"error_beats_skip",
     kKeys,
     Pod({"nginx", "redis"}),
     Outcome::kError,
     {},
     {R"(container "a": image nginx)"},
     {{"nginx", V::kError}},
     true},
    {"skip_beats_pass",
     kKeys,
     Pod({"nginx", "redis"}),
     Outcome::kSkip,
     {},
     {R"(container "b": image redis)"},
     {{"nginx", V::kVerified}},
     true},
    {"digest_pass_and_offline_signature_skips",
     kDigestAndKeys,
     Pod({"nginx" + kDigest}),
     Outcome::kSkip,
     {},
     {R"(container "a")"}},
    {"digest_fail_and_offline_signature_fails",
     kDigestAndKeys,
     Pod({"nginx"}),
     Outcome::kFail,
     {"a"},
     {R"(container "a": image nginx is not pinned by digest)"}},
    {"all_parts_pass",
     kDigestAndKeys,
     Pod({"nginx" + kDigest}),
     Outcome::kPass,
     {},
     {},
     {{"nginx" + kDigest, V::kVerified}},
     true},
    {"no_keys_verifier_ignored",
     kDigestOnly,
     Pod({"nginx" + kDigest}),
     Outcome::kPass,
     {},
     {},
     {{"nginx" + kDigest, V::kNotSigned}},
     true},
    // Rule 8 is not one of the rules Windows pods skip.
    {"windows_pod_still_checked",
     kDigestOnly,
     R"({"os":{"name":"windows"},"containers":[{"name":"a","image":"mcr.microsoft.com/windows/nanoserver"}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a")", "digest"}},
};

class RequireImageSignatureTest : public testing::TestWithParam<Case> {};

TEST_P(RequireImageSignatureTest, Evaluates) {
  const Case& c = GetParam();
  FakeSignatures signatures(c.verdicts);
  std::optional<test::Got> got = test::EvaluateRule(
      "require-image-signature",
      {.settings = c.settings, .pod_spec = c.pod, .signatures = c.online ? &signatures : nullptr});
  ASSERT_TRUE(got.has_value());
  test::ExpectResult(*got, c.want, c.containers, c.message);
}

INSTANTIATE_TEST_SUITE_P(Cases, RequireImageSignatureTest, testing::ValuesIn(kCases),
                         [](auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::policy
