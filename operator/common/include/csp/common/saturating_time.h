// Time arithmetic on user-given instants, saturating.
//
// An RFC 3339 instant may be any second of the years 0000-9999, but std::chrono::system_clock's
// time_point counts nanoseconds in 64 bits and holds only about 1677-2262: converting such an
// instant, or subtracting it from now, overflows (undefined behaviour; in practice a wrapped,
// often negative, result). Keep user-given instants in std::chrono::sys_seconds and cross into
// nanoseconds only through these functions.
#pragma once

#include <algorithm>
#include <chrono>

namespace csp {

// `t` as a system_clock time_point, clamped to the range the type can hold.
inline std::chrono::system_clock::time_point SaturatingTimePoint(std::chrono::sys_seconds t) {
  using std::chrono::system_clock;
  constexpr auto kFirst = std::chrono::ceil<std::chrono::seconds>(system_clock::time_point::min());
  constexpr auto kLast = std::chrono::floor<std::chrono::seconds>(system_clock::time_point::max());
  if (t <= kFirst) return system_clock::time_point::min();
  if (t >= kLast) return system_clock::time_point::max();
  return std::chrono::time_point_cast<system_clock::duration>(t);
}

// How long from `now` until `target`, clamped to [0, max]: zero for a past instant, `max` for
// one further away than that.
inline std::chrono::system_clock::duration ClampedDelay(std::chrono::sys_seconds target,
                                                        std::chrono::system_clock::time_point now,
                                                        std::chrono::system_clock::duration max) {
  using Delay = std::chrono::system_clock::duration;
  // In whole seconds first: every system_clock time_point fits in sys_seconds.
  const auto now_seconds = std::chrono::floor<std::chrono::seconds>(now);
  if (target <= now_seconds) return Delay::zero();
  if (target > now_seconds + std::chrono::ceil<std::chrono::seconds>(max)) return max;
  // Within `max` of now, so representable in nanoseconds.
  return std::clamp<Delay>(SaturatingTimePoint(target) - now, Delay::zero(), max);
}

}  // namespace csp
