// JsonWriter's strings against nlohmann's dump: every byte that needs an escape, at every place
// in strings longer and shorter than the eight bytes the writer checks at a time.
#include "csp/report/json_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace csp::report {
namespace {

TEST(JsonWriterTest, EscapesAtEveryPlaceAsDumpDoes) {
  const std::string specials = std::string("\"\\\b\f\n\r\t\x01\x1f", 9) + std::string(1, '\0');
  int checked = 0;
  for (std::size_t length = 0; length <= 20; ++length) {
    const std::string plain = std::string(length, 'a');
    for (std::size_t at = 0; at <= length; ++at) {
      for (char special : specials) {
        std::string s = plain;
        s.insert(at, 1, special);
        s += "\xc3\xa9";  // UTF-8 (é) is written as is
        std::string out;
        JsonWriter w(out, -1);
        w.String(s);
        EXPECT_EQ(out, nlohmann::json(s).dump()) << "length " << length << " at " << at;
        ++checked;
      }
    }
    std::string out;
    JsonWriter w(out, -1);
    w.String(plain + " ~\x7f");
    EXPECT_EQ(out, nlohmann::json(plain + " ~\x7f").dump());
  }
  EXPECT_GT(checked, 2000);
}

}  // namespace
}  // namespace csp::report
