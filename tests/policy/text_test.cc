// The pure helpers the controls share: paths, globs, capabilities, images, RFC 3339 times,
// label selectors.
#include "csp/policy/text.h"

#include <gtest/gtest.h>

#include <optional>

#include "csp/policy/label_selector.h"
#include "test_util.h"

namespace csp::policy {
namespace {

// --- NormalizePath ---------------------------------------------------------------------------

struct PathCase {
  std::string name = {};
  std::string in = {};
  std::string want = {};
};
void PrintTo(const PathCase& c, std::ostream* os) { *os << c.name; }

const PathCase kPathCases[] = {
    {"root", "/", "/"},
    {"plain", "/var/log", "/var/log"},
    {"trailing_slash", "/var/log/", "/var/log"},
    {"repeated_slashes", "//var///log", "/var/log"},
    {"dot_segments", "/./var/./log/.", "/var/log"},
    {"dotdot", "/var/log/../run", "/var/run"},
    {"dotdot_at_root", "/../var/run/docker.sock", "/var/run/docker.sock"},
    {"many_dotdot_at_root", "/../../..", "/"},
    {"dotdot_to_root", "/var/..", "/"},
    {"mixed", "//var//run/./docker.sock/", "/var/run/docker.sock"},
    {"dotdot_after_dotdot", "/a/b/../../c", "/c"},
    {"dots_in_names_kept", "/a/..b/c.", "/a/..b/c."},
    {"relative_stays_relative", "var/log/", "var/log"},
    {"relative_dot", "./var", "var"},
    {"relative_leading_dotdot_kept", "../var", "../var"},
    {"empty", "", ""},
    {"windows_path_untouched", R"(C:\logs)", R"(C:\logs)"},
};

class NormalizePathTest : public testing::TestWithParam<PathCase> {};
TEST_P(NormalizePathTest, Normalizes) { EXPECT_EQ(NormalizePath(GetParam().in), GetParam().want); }
INSTANTIATE_TEST_SUITE_P(Cases, NormalizePathTest, testing::ValuesIn(kPathCases),
                         [](auto& info) { return info.param.name; });

TEST(IsAbsolutePathTest, OnlyLeadingSlash) {
  EXPECT_TRUE(IsAbsolutePath("/"));
  EXPECT_TRUE(IsAbsolutePath("/var"));
  EXPECT_FALSE(IsAbsolutePath(""));
  EXPECT_FALSE(IsAbsolutePath("var"));
  EXPECT_FALSE(IsAbsolutePath(R"(C:\logs)"));
  EXPECT_FALSE(IsAbsolutePath("C:/logs"));
}

// --- PathHasPrefix (both arguments normalized) ------------------------------------------------

struct PrefixCase {
  std::string name = {};
  std::string path = {};
  std::string prefix = {};
  bool want = false;
};
void PrintTo(const PrefixCase& c, std::ostream* os) { *os << c.name; }

const PrefixCase kPrefixCases[] = {
    {"equal", "/var/log", "/var/log", true},
    {"below", "/var/log/app", "/var/log", true},
    {"deep_below", "/var/log/app/x/y", "/var/log", true},
    {"shared_characters", "/var/logs", "/var/log", false},
    {"shared_characters_below", "/var/logs/app", "/var/log", false},
    {"above", "/var", "/var/log", false},
    {"root_prefix", "/anything/at/all", "/", true},
    {"root_prefix_root", "/", "/", true},
    {"root_prefix_relative", "var", "/", false},
    {"unrelated", "/etc", "/var", false},
};

class PathHasPrefixTest : public testing::TestWithParam<PrefixCase> {};
TEST_P(PathHasPrefixTest, WholeComponents) {
  EXPECT_EQ(PathHasPrefix(GetParam().path, GetParam().prefix), GetParam().want);
}
INSTANTIATE_TEST_SUITE_P(Cases, PathHasPrefixTest, testing::ValuesIn(kPrefixCases),
                         [](auto& info) { return info.param.name; });

// --- GlobMatch ---------------------------------------------------------------------------------

struct GlobCase {
  std::string name = {};
  std::string pattern = {};
  std::string text = {};
  bool want = false;
};
void PrintTo(const GlobCase& c, std::ostream* os) { *os << c.name; }

const GlobCase kGlobCases[] = {
    {"suffix_star_empty_run", "db-*", "db-", true},
    {"suffix_star", "db-*", "db-main", true},
    {"anchored_start", "db-*", "mydb-main", false},
    {"too_short", "db-*", "db", false},
    {"literal_equal", "legacy", "legacy", true},
    {"literal_anchored_end", "legacy", "legacy-2", false},
    {"literal_anchored_start", "legacy", "old-legacy", false},
    {"star_alone", "*", "anything", true},
    {"star_alone_empty", "*", "", true},
    {"empty_pattern_empty_text", "", "", true},
    {"empty_pattern", "", "x", false},
    {"prefix_star", "*-main", "db-main", true},
    {"prefix_star_anchored_end", "*-main", "db-main-2", false},
    {"middle_star", "team-*-prod", "team-a-prod", true},
    {"middle_star_empty", "team-*-prod", "team--prod", true},
    {"middle_star_mismatch", "team-*-prod", "team-a-dev", false},
    {"two_stars", "*a*b*", "xxaxxbxx", true},
    {"two_stars_order", "*a*b*", "xxbxxaxx", false},
    {"backtracking", "*ab", "aab", true},
    {"question_mark_is_literal", "db-?", "db-1", false},
    {"question_mark_literal_match", "db-?", "db-?", true},
    {"case_sensitive", "DB-*", "db-main", false},
};

class GlobMatchTest : public testing::TestWithParam<GlobCase> {};
TEST_P(GlobMatchTest, Matches) {
  EXPECT_EQ(GlobMatch(GetParam().pattern, GetParam().text), GetParam().want);
}
INSTANTIATE_TEST_SUITE_P(Cases, GlobMatchTest, testing::ValuesIn(kGlobCases),
                         [](auto& info) { return info.param.name; });

// --- Capabilities ------------------------------------------------------------------------------

struct CapCase {
  std::string name = {};
  std::string in = {};
  std::string normalized = {};
  bool valid = false;
};
void PrintTo(const CapCase& c, std::ostream* os) { *os << c.name; }

const CapCase kCapCases[] = {
    {"plain", "SYS_ADMIN", "SYS_ADMIN", true},
    {"lower_with_prefix", "cap_sys_admin", "SYS_ADMIN", true},
    {"upper_with_prefix", "CAP_SYS_ADMIN", "SYS_ADMIN", true},
    {"lower", "sys_admin", "SYS_ADMIN", true},
    {"mixed_case_prefix", "Cap_Net_Raw", "NET_RAW", true},
    {"all", "all", "ALL", true},
    {"cap_all", "CAP_ALL", "ALL", true},
    {"digits", "CAP_BPF2", "BPF2", true},
    {"space", "SYS ADMIN", "SYS ADMIN", false},
    {"dash", "SYS-ADMIN", "SYS-ADMIN", false},
    {"empty", "", "", false},
};

class CapabilityTest : public testing::TestWithParam<CapCase> {};
TEST_P(CapabilityTest, NormalizesAndValidates) {
  EXPECT_EQ(NormalizeCapability(GetParam().in), GetParam().normalized);
  EXPECT_EQ(IsCapabilityName(GetParam().in), GetParam().valid);
}
INSTANTIATE_TEST_SUITE_P(Cases, CapabilityTest, testing::ValuesIn(kCapCases),
                         [](auto& info) { return info.param.name; });

// --- Images ------------------------------------------------------------------------------------

struct ImageCase {
  std::string name = {};
  std::string image = {};
  std::string host = {};
  std::string path = {};
  std::string tag = {};
  std::string digest = {};
};
void PrintTo(const ImageCase& c, std::ostream* os) { *os << c.name; }

constexpr char kHex[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kSha = std::string("sha256:") + kHex;

const ImageCase kImageCases[] = {
    {"bare_name", "nginx", "docker.io", "library/nginx"},
    {"bare_name_tag", "nginx:1.25", "docker.io", "library/nginx", "1.25"},
    {"user_repo", "bitnami/redis", "docker.io", "bitnami/redis"},
    {"docker_io_one_component", "docker.io/nginx", "docker.io", "library/nginx"},
    {"docker_io_library", "docker.io/library/nginx", "docker.io", "library/nginx"},
    {"index_docker_io", "index.docker.io/nginx", "docker.io", "library/nginx"},
    {"registry_1_docker_io", "registry-1.docker.io/bitnami/redis", "docker.io", "bitnami/redis"},
    {"localhost_port", "localhost:5000/x", "localhost:5000", "x"},
    {"localhost", "localhost/x", "localhost", "x"},
    {"registry_port_tag", "registry.example.com:5000/team/app:v1", "registry.example.com:5000",
     "team/app", "v1"},
    {"ghcr", "ghcr.io/acme/api", "ghcr.io", "acme/api"},
    {"host_lower_cased", "GHCR.IO/acme/api", "ghcr.io", "acme/api"},
    {"digest", "nginx@" + kSha, "docker.io", "library/nginx", "", kSha},
    {"tag_and_digest", "nginx:1.25@" + kSha, "docker.io", "library/nginx", "1.25", kSha},
    {"port_and_digest", "localhost:5000/x@" + kSha, "localhost:5000", "x", "", kSha},
    {"first_component_without_dot_is_path", "acme/api/v2", "docker.io", "acme/api/v2"},
};

class ParseImageRefTest : public testing::TestWithParam<ImageCase> {};
TEST_P(ParseImageRefTest, Splits) {
  const ImageCase& c = GetParam();
  ImageRef ref = ParseImageRef(c.image);
  EXPECT_EQ(ref.host, c.host);
  EXPECT_EQ(ref.path, c.path);
  EXPECT_EQ(ref.tag, c.tag);
  EXPECT_EQ(ref.digest, c.digest);
}
INSTANTIATE_TEST_SUITE_P(Cases, ParseImageRefTest, testing::ValuesIn(kImageCases),
                         [](auto& info) { return info.param.name; });

struct DigestCase {
  std::string name = {};
  std::string digest = {};
  bool valid = false;
};
void PrintTo(const DigestCase& c, std::ostream* os) { *os << c.name; }

const DigestCase kDigestCases[] = {
    {"valid", kSha, true},
    {"upper_case_hex", "sha256:0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
     false},
    {"upper_case_algorithm", std::string("SHA256:") + kHex, false},
    {"too_short", kSha.substr(0, kSha.size() - 1), false},
    {"too_long", kSha + "0", false},
    {"not_hex", "sha256:z123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false},
    {"sha512", std::string("sha512:") + kHex, false},
    {"no_algorithm", kHex, false},
    {"empty", "", false},
};

class IsValidDigestTest : public testing::TestWithParam<DigestCase> {};
TEST_P(IsValidDigestTest, Validates) {
  EXPECT_EQ(IsValidDigest(GetParam().digest), GetParam().valid);
}
INSTANTIATE_TEST_SUITE_P(Cases, IsValidDigestTest, testing::ValuesIn(kDigestCases),
                         [](auto& info) { return info.param.name; });

struct RegistryCase {
  std::string name = {};
  std::string entry = {};  // as written in allowedRegistries
  std::string image = {};
  bool allowed = false;
};
void PrintTo(const RegistryCase& c, std::ostream* os) { *os << c.name; }

// controls.md "Images": an entry allows an image when it equals host/path or is a prefix of it
// ending at a '/'.
const RegistryCase kRegistryCases[] = {
    {"docker_io_nginx", "docker.io", "nginx", true},
    {"docker_io_user_repo", "docker.io", "bitnami/redis", true},
    {"docker_io_not_quay", "docker.io", "quay.io/x/y", false},
    {"index_docker_io_entry", "index.docker.io", "nginx", true},
    {"registry_1_entry", "registry-1.docker.io", "bitnami/redis", true},
    {"library_allows_nginx", "docker.io/library", "nginx", true},
    {"library_allows_docker_io_nginx", "docker.io/library", "docker.io/nginx", true},
    {"library_refuses_user_repo", "docker.io/library", "bitnami/redis", false},
    {"library_nginx_exact", "docker.io/library/nginx", "nginx:1.25", true},
    {"library_nginx_not_string_prefix", "docker.io/library/nginx", "nginx-unprivileged", false},
    {"docker_io_user_namespace", "docker.io/bitnami", "bitnami/redis", true},
    {"org_prefix", "ghcr.io/acme", "ghcr.io/acme/api", true},
    {"org_itself", "ghcr.io/acme", "ghcr.io/acme", true},
    {"org_whole_component", "ghcr.io/acme", "ghcr.io/acmecorp/x", false},
    {"org_trailing_slash_entry", "ghcr.io/acme/", "ghcr.io/acme/api", true},
    {"host_case_image", "ghcr.io/acme", "GHCR.IO/acme/api", true},
    {"host_case_entry", "GHCR.io/acme", "ghcr.io/acme/api", true},
    {"bare_host_allows_everything_on_it", "ghcr.io", "ghcr.io/anyone/any", true},
    {"bare_host_other_host", "ghcr.io", "ghcr.io.evil.com/x", false},
    {"localhost_port", "localhost:5000", "localhost:5000/x", true},
    {"localhost_port_mismatch", "localhost:5000", "localhost/x", false},
    {"localhost", "localhost", "localhost/x", true},
    {"localhost_refuses_port", "localhost", "localhost:5000/x", false},
    {"host_port", "registry.example.com:5000", "registry.example.com:5000/team/app:v1", true},
    {"host_port_mismatch", "registry.example.com:5000", "registry.example.com/team/app", false},
    {"host_without_port", "registry.example.com", "registry.example.com:5000/app", false},
};

class RegistryAllowsTest : public testing::TestWithParam<RegistryCase> {};
TEST_P(RegistryAllowsTest, Allows) {
  const RegistryCase& c = GetParam();
  const std::string prefix = NormalizeRegistryPrefix(c.entry);
  EXPECT_EQ(RegistryAllows(prefix, ParseImageRef(c.image)), c.allowed)
      << "entry " << c.entry << " normalized to " << prefix;
}
INSTANTIATE_TEST_SUITE_P(Cases, RegistryAllowsTest, testing::ValuesIn(kRegistryCases),
                         [](auto& info) { return info.param.name; });

// --- Label selectors ---------------------------------------------------------------------------

struct SelectorCase {
  std::string name = {};
  std::string selector = {};
  std::string labels = {};
  bool want = false;
};
void PrintTo(const SelectorCase& c, std::ostream* os) { *os << c.name; }

const SelectorCase kSelectorCases[] = {
    {"empty_selects_all", R"({})", R"({"a":"b"})", true},
    {"empty_selects_no_labels", R"({})", R"({})", true},
    {"match_labels", R"({"matchLabels":{"env":"prod"}})", R"({"env":"prod","x":"y"})", true},
    {"match_labels_other_value", R"({"matchLabels":{"env":"prod"}})", R"({"env":"dev"})", false},
    {"match_labels_missing", R"({"matchLabels":{"env":"prod"}})", R"({})", false},
    {"match_labels_all_required", R"({"matchLabels":{"env":"prod","team":"a"}})",
     R"({"env":"prod"})", false},
    {"in", R"({"matchExpressions":[{"key":"env","operator":"In","values":["prod","stage"]}]})",
     R"({"env":"stage"})", true},
    {"in_missing_key", R"({"matchExpressions":[{"key":"env","operator":"In","values":["prod"]}]})",
     R"({})", false},
    {"not_in", R"({"matchExpressions":[{"key":"env","operator":"NotIn","values":["prod"]}]})",
     R"({"env":"dev"})", true},
    {"not_in_excluded",
     R"({"matchExpressions":[{"key":"env","operator":"NotIn","values":["prod"]}]})",
     R"({"env":"prod"})", false},
    {"not_in_missing_key",
     R"({"matchExpressions":[{"key":"env","operator":"NotIn","values":["prod"]}]})", R"({})", true},
    {"exists", R"({"matchExpressions":[{"key":"env","operator":"Exists"}]})", R"({"env":""})",
     true},
    {"exists_missing", R"({"matchExpressions":[{"key":"env","operator":"Exists"}]})", R"({})",
     false},
    {"does_not_exist", R"({"matchExpressions":[{"key":"env","operator":"DoesNotExist"}]})",
     R"({"team":"a"})", true},
    {"does_not_exist_present", R"({"matchExpressions":[{"key":"env","operator":"DoesNotExist"}]})",
     R"({"env":"x"})", false},
    {"labels_and_expressions_and",
     R"({"matchLabels":{"team":"a"},"matchExpressions":[{"key":"env","operator":"Exists"}]})",
     R"({"team":"a"})", false},
};

class LabelSelectorTest : public testing::TestWithParam<SelectorCase> {};
TEST_P(LabelSelectorTest, Matches) {
  FieldErrors errors;
  LabelSelector selector = ParseLabelSelector(test::Json(GetParam().selector), "sel", errors);
  ASSERT_TRUE(errors.empty()) << errors.ToString();
  const nlohmann::json labels = test::Json(GetParam().labels);
  EXPECT_EQ(selector.Matches(LabelsFromJson(&labels)), GetParam().want);
}
INSTANTIATE_TEST_SUITE_P(Cases, LabelSelectorTest, testing::ValuesIn(kSelectorCases),
                         [](auto& info) { return info.param.name; });

struct SelectorErrorCase {
  std::string name = {};
  std::string selector = {};
  std::vector<std::string> errors = {};  // "path: message" lines, each must be reported
};
void PrintTo(const SelectorErrorCase& c, std::ostream* os) { *os << c.name; }

const SelectorErrorCase kSelectorErrorCases[] = {
    {"not_an_object", R"([])", {"sel: expected an object, got array"}},
    {"unknown_field", R"({"matchLabel":{}})", {"sel.matchLabel: unknown field"}},
    {"match_labels_not_string",
     R"({"matchLabels":{"env":1}})",
     {"sel.matchLabels.env: expected a string, got integer"}},
    {"bad_operator",
     R"({"matchExpressions":[{"key":"env","operator":"Equals","values":["a"]}]})",
     {R"(sel.matchExpressions[0].operator: "Equals" is not one of In, NotIn, Exists, DoesNotExist)"}},
    {"missing_operator_and_key",
     R"({"matchExpressions":[{}]})",
     {"sel.matchExpressions[0].key: required", "sel.matchExpressions[0].operator: required"}},
    {"in_without_values",
     R"({"matchExpressions":[{"key":"env","operator":"In"}]})",
     {"sel.matchExpressions[0].values: must be non-empty for operator In"}},
    {"not_in_empty_values",
     R"({"matchExpressions":[{"key":"env","operator":"NotIn","values":[]}]})",
     {"sel.matchExpressions[0].values: must be non-empty for operator NotIn"}},
    {"exists_with_values",
     R"({"matchExpressions":[{"key":"env","operator":"Exists","values":["x"]}]})",
     {"sel.matchExpressions[0].values: must be empty for operator Exists"}},
    {"several_at_once",
     R"({"matchExpressions":[{"key":"a","operator":"In"},{"key":"b","operator":"Is"}]})",
     {"sel.matchExpressions[0].values: must be non-empty for operator In",
      R"(sel.matchExpressions[1].operator: "Is" is not one of)"}},
};

class LabelSelectorErrorTest : public testing::TestWithParam<SelectorErrorCase> {};
TEST_P(LabelSelectorErrorTest, ReportsEveryError) {
  FieldErrors errors;
  ParseLabelSelector(test::Json(GetParam().selector), "sel", errors);
  const std::string all = errors.ToString();
  EXPECT_EQ(errors.all().size(), GetParam().errors.size()) << all;
  for (const std::string& e : GetParam().errors) {
    EXPECT_NE(all.find(e), std::string::npos) << "\"" << all << "\" lacks \"" << e << "\"";
  }
}
INSTANTIATE_TEST_SUITE_P(Cases, LabelSelectorErrorTest, testing::ValuesIn(kSelectorErrorCases),
                         [](auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::policy
