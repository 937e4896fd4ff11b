// FNV-1a, 64 bits: a hash stable across builds, platforms and processes (std::hash is not),
// for what must outlive the process that computed it or be the same in two processes: names
// derived from content, digests kept on objects, a workload's report part.
#pragma once

#include <cstdint>
#include <string_view>

namespace csp {

class Fnv1a {
 public:
  // A field, followed by its length, so that ("ab", "c") and ("a", "bc") differ.
  Fnv1a& Add(std::string_view field) {
    Bytes(field);
    const std::uint64_t n = field.size();
    for (int i = 0; i < 8; ++i) Byte(static_cast<unsigned char>(n >> (8 * i)));
    return *this;
  }
  // Bytes as they are (no length): the plain FNV-1a of everything passed so far.
  Fnv1a& Bytes(std::string_view bytes) {
    for (unsigned char c : bytes) Byte(c);
    return *this;
  }
  std::uint64_t value() const { return h_; }

 private:
  void Byte(unsigned char c) {
    h_ ^= c;
    h_ *= 1099511628211ull;
  }
  std::uint64_t h_ = 14695981039346656037ull;
};

// The plain FNV-1a 64 of `text`.
inline std::uint64_t Fnv1a64(std::string_view text) { return Fnv1a().Bytes(text).value(); }

}  // namespace csp
