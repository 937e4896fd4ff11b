// A JSON value kept as its CBOR bytes (RFC 8949), for caches that hold many values and read
// each one now and then: nlohmann's tree spends a heap node of ~100 B on every member (a
// cached Deployment took 5.3 KB, its CBOR 0.53 KB; docs/benchmarks.md, "Compact caches").
// Reading unpacks a copy; equality compares the bytes, which nlohmann writes in one order
// for equal trees (object members sorted, each number in its own type).
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

namespace csp {

class PackedJson {
 public:
  PackedJson() = default;  // null
  // Null packs to nothing, so that a cache of mostly-null values costs only the empty vector.
  explicit PackedJson(const nlohmann::json& value);

  // The value packed; null when none was. Throws only std::bad_alloc.
  nlohmann::json Unpack() const;
  bool IsNull() const { return bytes_.empty(); }
  std::size_t ByteSize() const { return bytes_.size(); }

  bool operator==(const PackedJson& other) const = default;

 private:
  std::vector<std::uint8_t> bytes_;
};

}  // namespace csp
