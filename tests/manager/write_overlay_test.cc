// WriteOverlay: our writes win over an older cache, and are forgotten once the cache catches up.
#include "csp/manager/write_overlay.h"

#include <gtest/gtest.h>

namespace csp::manager {
namespace {

using Value = WriteOverlay<std::string>::Value;

Value V(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

TEST(WriteOverlayTest, NewerWriteWinsUntilTheCacheCatchesUp) {
  WriteOverlay<std::string> overlay;
  overlay.Record("ns/a", 10, V("written"));
  EXPECT_EQ(*overlay.Newest("ns/a", V("stale"), 9), "written");
  EXPECT_EQ(overlay.Size(), 1u);
  EXPECT_EQ(*overlay.Newest("ns/a", V("caught up"), 10), "caught up");
  EXPECT_EQ(overlay.Size(), 0u);  // forgotten
  EXPECT_EQ(*overlay.Newest("ns/a", V("later"), 9), "later");
}

TEST(WriteOverlayTest, ACacheNewerThanOurWriteWins) {
  WriteOverlay<std::string> overlay;
  overlay.Record("ns/a", 10, V("written"));
  EXPECT_EQ(*overlay.Newest("ns/a", V("someone else's"), 12), "someone else's");
}

TEST(WriteOverlayTest, UnparsableVersionsLetTheCacheWin) {
  EXPECT_EQ(ParseResourceVersion("12345"), 12345u);
  EXPECT_EQ(ParseResourceVersion("abc"), 0u);
  EXPECT_EQ(ParseResourceVersion(""), 0u);
  EXPECT_EQ(ParseResourceVersion("12a"), 0u);
  WriteOverlay<std::string> overlay;
  overlay.Record("ns/a", 0, V("unordered"));  // not recorded
  EXPECT_EQ(overlay.Size(), 0u);
  overlay.Record("ns/a", 5, V("written"));
  EXPECT_EQ(*overlay.Newest("ns/a", V("cache"), 0), "cache");
}

TEST(WriteOverlayTest, CreatedObjectsAreFoundByPrefixAndOlderWritesIgnored) {
  WriteOverlay<std::string> overlay;
  overlay.Record("shop/csp-a", 7, V("a"));
  overlay.Record("shop/csp-b", 8, V("b"));
  overlay.Record("shopping/csp-a", 9, V("other namespace"));
  overlay.Record("shop/csp-a", 6, V("older write"));  // out of order: ignored
  const auto found = overlay.WithPrefix("shop/");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(*found[0].second, "a");
  EXPECT_EQ(*found[1].second, "b");
  EXPECT_EQ(*overlay.Newest("shop/csp-a", nullptr, 0), "a");  // not in the cache yet
  overlay.Forget("shop/csp-a");
  EXPECT_EQ(overlay.Newest("shop/csp-a", nullptr, 0), nullptr);
}

}  // namespace
}  // namespace csp::manager
