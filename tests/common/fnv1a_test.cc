// Fnv1a: the published FNV-1a 64 test vectors, and fields that differ only in where they split.
#include "csp/common/fnv1a.h"

#include <gtest/gtest.h>

namespace csp {
namespace {

TEST(Fnv1aTest, MatchesThePublishedVectors) {
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ull);
  EXPECT_EQ(Fnv1a().Bytes("foo").Bytes("bar").value(), Fnv1a64("foobar"));
}

TEST(Fnv1aTest, FieldsCarryTheirLength) {
  EXPECT_NE(Fnv1a().Add("ab").Add("c").value(), Fnv1a().Add("a").Add("bc").value());
  EXPECT_EQ(Fnv1a().Add("ab").Add("c").value(), Fnv1a().Add("ab").Add("c").value());
  EXPECT_NE(Fnv1a().Add("").value(), Fnv1a().value());
}

}  // namespace
}  // namespace csp
