// The CEL text helpers (cel.h). What the API server makes of the generated expressions is
// tested against it (tests/e2e/operator_vap_test.cc).
#include "csp/policy/cel.h"

#include <gtest/gtest.h>

#include <regex>

#include "csp/policy/control.h"
#include "csp/policy/text.h"

namespace csp::policy::cel {
namespace {

TEST(CelTest, QuoteEscapesWhatEndsOrBreaksALiteral) {
  EXPECT_EQ(Quote("plain"), "'plain'");
  EXPECT_EQ(Quote("it's"), R"('it\'s')");
  EXPECT_EQ(Quote(R"(a\b)"), R"('a\\b')");
  EXPECT_EQ(Quote("a\nb"), R"('a\nb')");
  const std::vector<std::string> items = {"a", "b'"};
  EXPECT_EQ(QuoteList(items), R"(['a', 'b\''])");
  EXPECT_EQ(QuoteList({}), "[]");
}

// RE2 and ECMAScript agree on the anchored subset GlobRegex emits (less the (?s) flag).
TEST(CelTest, GlobRegexMatchesWhatGlobMatchMatches) {
  const char* globs[] = {"db-*", "*", "a.b*", "x+(y)*z", "[ns]", "*-prod", "exact"};
  const char* texts[] = {"db-",  "db-main", "mydb-main", "a.bc",  "axbc",    "x+(y)z", "x+(y)QQz",
                         "[ns]", "n",       "api-prod",  "exact", "exactly", ""};
  for (const char* g : globs) {
    std::string re = GlobRegex(g);
    ASSERT_EQ(re.substr(0, 5), "(?s)^");
    const std::regex ecma(re.substr(4));
    for (const char* t : texts) {
      EXPECT_EQ(std::regex_match(t, ecma), GlobMatch(g, t)) << g << " on " << t;
    }
  }
}

TEST(CelTest, PathPrefixesAreWholeComponents) {
  EXPECT_EQ(PathHasPrefix("np", "/"), "true");
  EXPECT_EQ(PathHasPrefix("np", "/var/log"), "(np == '/var/log' || np.startsWith('/var/log/'))");
  EXPECT_EQ(Let("x", "1", "x + 1"), "[1].map(x, x + 1)[0]");
}

// Every control of the registry has a CEL form that judges it with its default settings; the
// signature control cannot once keys are configured.
TEST(CelTest, EveryControlHasACelFormOrSaysWhyNot) {
  for (const Control& c : AllControls()) {
    SCOPED_TRACE(std::string(c.id));
    ASSERT_NE(c.cel, nullptr);
    FieldErrors errors;
    nlohmann::json defaults = ControlDefaults(c);
    if (c.id == "require-image-signature") defaults["requireDigest"] = true;
    auto settings = c.parse(defaults, "spec.controls." + std::string(c.key), errors);
    ASSERT_TRUE(errors.empty()) << errors.ToString();
    auto check = c.cel(*settings);
    ASSERT_TRUE(check);
    EXPECT_FALSE(check->passes.empty());
    EXPECT_FALSE(check->violations.empty());
  }
  const Control* signature = FindControl("require-image-signature");
  FieldErrors errors;
  nlohmann::json keys = ControlDefaults(*signature);
  keys["keys"] = nlohmann::json::parse(
      R"([{"name":"k","publicKey":"-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----"}])");
  auto settings = signature->parse(keys, "spec.controls.imageSignature", errors);
  EXPECT_FALSE(signature->cel(*settings));
}

}  // namespace
}  // namespace csp::policy::cel
