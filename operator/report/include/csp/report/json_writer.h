// Writes JSON text directly, byte for byte as nlohmann::json::dump(indent) prints the same
// value (keys must be written in sorted order, as nlohmann's std::map keeps them). Reports are
// written this way because building a DOM for 80,000 results costs more than the scan.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace csp::report {

class JsonWriter {
 public:
  // indent < 0: compact. `level`: nesting level of the first value (for embedding).
  JsonWriter(std::string& out, int indent, int level = 0)
      : out_(out), indent_(indent), level_(level) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  void Key(std::string_view key);
  void String(std::string_view value);
  void Int(std::int64_t value);
  void Bool(bool value);
  void Null();

 private:
  void Open(char c);
  void Close(char c);
  void BeforeValue();  // separator and indentation before an array element
  void Newline(int level);
  void Escaped(std::string_view s);

  std::string& out_;
  int indent_;
  int level_;
  std::vector<char> first_ = {};  // per open container: nothing written in it yet (as bytes:
                                  // vector<bool>'s bit access costs more than it saves)
  bool after_key_ = false;
};

}  // namespace csp::report
