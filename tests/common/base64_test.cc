#include "csp/common/base64.h"

#include <gtest/gtest.h>

namespace csp {
namespace {

struct Case {
  const char* name = "";
  std::string in = {};
  std::string want = {};  // decoded bytes, when ok
  bool ok = true;
};

// Names the case in test output instead of dumping its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

const Case kCases[] = {
    {"empty", "", "", true},
    {"padded_two", "TQ==", "M", true},
    {"padded_one", "TWE=", "Ma", true},
    {"unpadded", "TWE", "Ma", true},
    {"full_group", "TWFu", "Man", true},
    {"line_breaks", "TW\nFu\r\nTWE=\n", "ManMa", true},
    {"binary", "AP8=", std::string("\x00\xff", 2), true},
    {"bad_character", "TW*u", "", false},
    {"url_alphabet_rejected", "-_8=", "", false},
    {"lone_digit", "TWFuT", "", false},
    {"data_after_padding", "TQ==TQ==", "", false},
    {"too_much_padding", "TQ===", "", false},
};

class DecodeBase64Test : public ::testing::TestWithParam<Case> {};

TEST_P(DecodeBase64Test, Decodes) {
  auto out = DecodeBase64(GetParam().in);
  ASSERT_EQ(out.has_value(), GetParam().ok) << (out ? *out : out.error().message);
  if (out) {
    EXPECT_EQ(*out, GetParam().want);
  } else {
    EXPECT_EQ(out.error().code, Code::kInvalidArgument);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, DecodeBase64Test, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(EncodeBase64Test, Rfc4648VectorsAndRoundTrip) {
  // RFC 4648 section 10.
  const std::vector<std::pair<std::string, std::string>> vectors = {{"", ""},
                                                                    {"f", "Zg=="},
                                                                    {"fo", "Zm8="},
                                                                    {"foo", "Zm9v"},
                                                                    {"foob", "Zm9vYg=="},
                                                                    {"fooba", "Zm9vYmE="},
                                                                    {"foobar", "Zm9vYmFy"}};
  for (const auto& [in, want] : vectors) EXPECT_EQ(EncodeBase64(in), want) << in;
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(DecodeBase64(EncodeBase64(all)).value(), all);
}

}  // namespace
}  // namespace csp
