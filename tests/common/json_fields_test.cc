// The non-throwing JSON field readers: every kind of "absent" reads as absent.
#include "csp/common/json_fields.h"

#include <gtest/gtest.h>

namespace csp {
namespace {

using nlohmann::json;

TEST(JsonFieldsTest, StringAtReadsStringsOnly) {
  const json object = {{"name", "web"}, {"count", 3}, {"none", nullptr}, {"list", {"a"}}};
  EXPECT_EQ(StringAt(object, "name"), "web");
  EXPECT_EQ(StringAt(object, "count"), "");
  EXPECT_EQ(StringAt(object, "none"), "");
  EXPECT_EQ(StringAt(object, "list"), "");
  EXPECT_EQ(StringAt(object, "missing"), "");
  EXPECT_EQ(StringAt(json("text"), "name"), "") << "not an object";
  EXPECT_EQ(StringAt(json::array({object}), "name"), "") << "not an object";
  EXPECT_EQ(StringAt(json(), "name"), "") << "null";
}

TEST(JsonFieldsTest, StringPtrAtTellsAnEmptyStringFromNone) {
  const json object = {{"empty", ""}, {"count", 3}};
  ASSERT_NE(StringPtrAt(object, "empty"), nullptr);
  EXPECT_EQ(*StringPtrAt(object, "empty"), "");
  EXPECT_EQ(StringPtrAt(object, "count"), nullptr);
  EXPECT_EQ(StringPtrAt(object, "missing"), nullptr);
}

TEST(JsonFieldsTest, FieldAtFindsAnyType) {
  const json object = {{"none", nullptr}, {"count", 3}};
  ASSERT_NE(FieldAt(object, "none"), nullptr);
  EXPECT_TRUE(FieldAt(object, "none")->is_null());
  EXPECT_EQ(*FieldAt(object, "count"), 3);
  EXPECT_EQ(FieldAt(object, "missing"), nullptr);
  EXPECT_EQ(FieldAt(json(42), "count"), nullptr);
}

}  // namespace
}  // namespace csp
