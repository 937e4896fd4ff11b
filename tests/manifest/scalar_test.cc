#include "csp/manifest/scalar.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace csp::manifest {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr const char* kInt = "tag:yaml.org,2002:int";
constexpr const char* kFloat = "tag:yaml.org,2002:float";
constexpr const char* kBool = "tag:yaml.org,2002:bool";
constexpr const char* kNull = "tag:yaml.org,2002:null";
constexpr const char* kStr = "tag:yaml.org,2002:str";

struct ValueCase {
  const char* name;
  const char* text;
  ScalarStyle style;
  const char* tag;
  json want;          // compared with its type
  const char* error;  // non-null: resolution fails with this in the message
};

const ScalarStyle P = ScalarStyle::kPlain;
const ScalarStyle Q = ScalarStyle::kQuoted;

const ValueCase kValueCases[] = {
    // null
    {"empty", "", P, "", nullptr, nullptr},
    {"tilde", "~", P, "", nullptr, nullptr},
    {"null_lower", "null", P, "", nullptr, nullptr},
    {"null_title", "Null", P, "", nullptr, nullptr},
    {"null_upper", "NULL", P, "", nullptr, nullptr},
    {"null_mixed_is_string", "nUll", P, "", "nUll", nullptr},
    // bool, YAML 1.1 words as go-yaml v2 (and so kubectl) reads them
    {"true_lower", "true", P, "", true, nullptr},
    {"true_title", "True", P, "", true, nullptr},
    {"true_upper", "TRUE", P, "", true, nullptr},
    {"true_mixed_is_string", "tRUE", P, "", "tRUE", nullptr},
    {"false_lower", "false", P, "", false, nullptr},
    {"yes", "yes", P, "", true, nullptr},
    {"Yes", "Yes", P, "", true, nullptr},
    {"y", "y", P, "", true, nullptr},
    {"Y", "Y", P, "", true, nullptr},
    {"on", "on", P, "", true, nullptr},
    {"ON", "ON", P, "", true, nullptr},
    {"no", "no", P, "", false, nullptr},
    {"n", "n", P, "", false, nullptr},
    {"off", "off", P, "", false, nullptr},
    {"Off", "Off", P, "", false, nullptr},
    {"yEs_is_string", "yEs", P, "", "yEs", nullptr},
    // integers: Go base-0 syntax, underscores ignored
    {"zero", "0", P, "", 0, nullptr},
    {"minus_zero", "-0", P, "", 0, nullptr},
    {"plus", "+12", P, "", 12, nullptr},
    {"negative", "-42", P, "", -42, nullptr},
    {"underscores", "1_000_000", P, "", 1000000, nullptr},
    {"hex", "0x1F", P, "", 31, nullptr},
    {"hex_upper_prefix", "0X1f", P, "", 31, nullptr},
    {"octal_0o", "0o17", P, "", 15, nullptr},
    {"octal_leading_zero", "0777", P, "", 511, nullptr},
    {"binary", "0b101", P, "", 5, nullptr},
    {"negative_binary", "-0b101", P, "", -5, nullptr},
    {"int64_max", "9223372036854775807", P, "", std::int64_t{9223372036854775807}, nullptr},
    {"int64_min", "-9223372036854775808", P, "", std::numeric_limits<std::int64_t>::min(), nullptr},
    {"uint64", "9223372036854775808", P, "", std::uint64_t{9223372036854775808ULL}, nullptr},
    {"beyond_uint64_is_float", "18446744073709551616", P, "", 18446744073709551616.0, nullptr},
    {"bad_octal_digit_reads_as_float_then_integer", "08", P, "", 8, nullptr},
    {"hex_without_digits_is_string", "0x", P, "", "0x", nullptr},
    {"bad_0o_digit_is_string", "0o8", P, "", "0o8", nullptr},
    // floats; integral values print as integers in the JSON conversion
    {"float", "1.5", P, "", 1.5, nullptr},
    {"float_exponent", "-2.5e-3", P, "", -0.0025, nullptr},
    {"float_leading_dot", ".5", P, "", 0.5, nullptr},
    {"float_signed_dot", "+.5", P, "", 0.5, nullptr},
    {"float_integral", "1e3", P, "", 1000, nullptr},
    {"float_trailing_dot", "1.", P, "", 1, nullptr},
    {"float_overflow_is_string", "1e999", P, "", "1e999", nullptr},
    {"inf_refused", ".inf", P, "", nullptr, "not a finite number"},
    {"minus_inf_refused", "-.Inf", P, "", nullptr, "not a finite number"},
    {"nan_refused", ".NaN", P, "", nullptr, "not a finite number"},
    // strings
    {"word", "nginx", P, "", "nginx", nullptr},
    {"timestamp_stays_string", "2001-12-14", P, "", "2001-12-14", nullptr},
    {"version", "1.2.3", P, "", "1.2.3", nullptr},
    {"dash", "-", P, "", "-", nullptr},
    {"digits_then_letters", "12abc", P, "", "12abc", nullptr},
    {"merge_word_as_value", "<<", P, "", "<<", nullptr},
    {"quantity", "100m", P, "", "100m", nullptr},
    // quoted scalars are strings
    {"quoted_true", "true", Q, "", "true", nullptr},
    {"quoted_number", "123", Q, "", "123", nullptr},
    {"quoted_empty", "", Q, "", "", nullptr},
    {"quoted_null", "null", Q, "", "null", nullptr},
    // explicit tags
    {"str_tag", "123", P, kStr, "123", nullptr},
    {"nonspecific_tag", "123", P, "!", "123", nullptr},
    {"local_tag", "123", P, "!foo", "123", nullptr},
    {"int_tag_on_quoted", "12", Q, kInt, 12, nullptr},
    {"int_tag_refuses_word", "abc", P, kInt, nullptr, "cannot decode !!str `abc` as a !!int"},
    {"int_tag_refuses_float", "1.5", P, kInt, nullptr, "cannot decode !!float `1.5` as a !!int"},
    {"bool_tag", "yes", P, kBool, true, nullptr},
    {"bool_tag_refuses_int", "1", P, kBool, nullptr, "cannot decode !!int `1` as a !!bool"},
    {"float_tag", "1.5", P, kFloat, 1.5, nullptr},
    {"float_tag_on_int", "2", P, kFloat, 2, nullptr},
    {"float_tag_refuses_word", "x", P, kFloat, nullptr, "as a !!float"},
    {"null_tag", "", Q, kNull, nullptr, nullptr},
    {"null_tag_refuses_word", "x", P, kNull, nullptr, "cannot decode !!str `x` as a !!null"},
    {"binary_tag_keeps_text", "aGVsbG8=", P, "tag:yaml.org,2002:binary", "aGVsbG8=", nullptr},
    {"timestamp_tag_keeps_text", "2001-01-01", P, "tag:yaml.org,2002:timestamp", "2001-01-01",
     nullptr},
};

class ResolveScalarTest : public ::testing::TestWithParam<ValueCase> {};

TEST_P(ResolveScalarTest, Resolves) {
  const ValueCase& c = GetParam();
  json got;
  const Status status = ResolveScalar(c.text, c.style, c.tag, got);
  if (c.error != nullptr) {
    ASSERT_FALSE(status) << "got " << got.dump();
    EXPECT_THAT(status.error().message, HasSubstr(c.error));
    return;
  }
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(got.type_name(), c.want.type_name()) << got.dump();
  EXPECT_EQ(got.is_number_unsigned(), c.want.is_number_unsigned()) << got.dump();
  EXPECT_EQ(got, c.want);
}

INSTANTIATE_TEST_SUITE_P(Table, ResolveScalarTest, ::testing::ValuesIn(kValueCases),
                         [](const auto& info) { return std::string(info.param.name); });

struct KeyCase {
  const char* name;
  const char* text;
  ScalarStyle style;
  const char* tag;
  const char* want;  // null when an error is expected
  bool merge;
  const char* error;
};

const KeyCase kKeyCases[] = {
    {"word", "name", P, "", "name", false, nullptr},
    {"word_with_word_prefix", "namespace", P, "", "namespace", false, nullptr},
    {"integer", "1", P, "", "1", false, nullptr},
    {"hex_prints_decimal", "0x10", P, "", "16", false, nullptr},
    {"octal_prints_decimal", "010", P, "", "8", false, nullptr},
    {"yes_is_true", "yes", P, "", "true", false, nullptr},
    {"on_is_true", "on", P, "", "true", false, nullptr},
    {"off_is_false", "off", P, "", "false", false, nullptr},
    {"float", "1.5", P, "", "1.5", false, nullptr},
    {"integral_float", "1.0", P, "", "1", false, nullptr},
    {"float_exponent_form", "1e6", P, "", "1e+06", false, nullptr},
    {"float_short_form", "100000.0", P, "", "100000", false, nullptr},
    {"small_float", "0.0001", P, "", "0.0001", false, nullptr},
    {"tiny_float", "0.00001", P, "", "1e-05", false, nullptr},
    {"quoted_number", "1", Q, "", "1", false, nullptr},
    {"str_tag", "0x10", P, kStr, "0x10", false, nullptr},
    {"merge", "<<", P, "", "<<", true, nullptr},
    {"merge_tag", "<<", Q, "tag:yaml.org,2002:merge", "<<", true, nullptr},
    {"quoted_merge_is_plain_key", "<<", Q, "", "<<", false, nullptr},
    {"null_refused", "~", P, "", nullptr, false, "is null"},
    {"empty_refused", "", P, "", nullptr, false, "is null"},
    {"null_tag_refused", "", Q, kNull, nullptr, false, "is null"},
    {"inf_refused", ".inf", P, kFloat, nullptr, false, "not a finite number"},
};

class ResolveKeyTest : public ::testing::TestWithParam<KeyCase> {};

TEST_P(ResolveKeyTest, Resolves) {
  const KeyCase& c = GetParam();
  std::string got;
  bool merge = false;
  const Status status = ResolveKey(c.text, c.style, c.tag, got, merge);
  if (c.error != nullptr) {
    ASSERT_FALSE(status) << "got " << got;
    EXPECT_THAT(status.error().message, HasSubstr(c.error));
    return;
  }
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(got, c.want);
  EXPECT_EQ(merge, c.merge);
}

INSTANTIATE_TEST_SUITE_P(Table, ResolveKeyTest, ::testing::ValuesIn(kKeyCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(KeyFromValueTest, ConvertsScalarsAndRefusesTheRest) {
  std::string key;
  ASSERT_TRUE(KeyFromValue(json(7), key));
  EXPECT_EQ(key, "7");
  ASSERT_TRUE(KeyFromValue(json(false), key));
  EXPECT_EQ(key, "false");
  ASSERT_TRUE(KeyFromValue(json("x"), key));
  EXPECT_EQ(key, "x");
  EXPECT_FALSE(KeyFromValue(json(nullptr), key));
  EXPECT_FALSE(KeyFromValue(json::object(), key));
  EXPECT_FALSE(KeyFromValue(json::array(), key));
}

}  // namespace
}  // namespace csp::manifest
