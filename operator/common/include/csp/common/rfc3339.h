// RFC 3339 timestamps in UTC, as the Kubernetes API writes them: metav1.Time
// ("2026-01-02T03:04:05Z") and metav1.MicroTime ("2026-01-02T03:04:05.000007Z"). The one
// parser and formatter of the project; pure (no clock, no locale, no time zone database).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace csp {

// "2027-03-31T04:05:06Z", "+01:00" offsets and fractions; nullopt when malformed or not a
// valid date and time. Fractions are accepted and dropped (seconds precision).
std::optional<std::chrono::sys_seconds> ParseRfc3339(std::string_view text);

// metav1.Time: "2026-01-02T03:04:05Z", for years 0001-9999.
std::string FormatRfc3339(std::chrono::sys_seconds t);
// The same, truncated to the second: what the API server keeps of a finer time.
template <typename Duration>
std::string FormatRfc3339(std::chrono::sys_time<Duration> t) {
  return FormatRfc3339(std::chrono::floor<std::chrono::seconds>(t));
}

// metav1.MicroTime: "2026-01-02T03:04:05.000007Z", truncated to the microsecond.
std::string FormatRfc3339Micros(std::chrono::sys_time<std::chrono::microseconds> t);
template <typename Duration>
std::string FormatRfc3339Micros(std::chrono::sys_time<Duration> t) {
  return FormatRfc3339Micros(std::chrono::floor<std::chrono::microseconds>(t));
}

}  // namespace csp
