// Private helpers of csp_profiles' parsers: typed access to JSON fields with errors that name the
// field, e.g. `spec.seccomp.syscalls[3].names: must be a list of strings, not a number`.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "csp/common/result.h"

namespace csp::profiles::internal {

// "path.key", or "key" when path is empty.
std::string At(const std::string& path, std::string_view key);
// "path[index]".
std::string AtIndex(const std::string& path, std::size_t index);

// "a string", "a number", "a list", "an object", "a boolean", "null".
std::string TypeName(const nlohmann::json& value);

Error FieldError(const std::string& path, const std::string& message);

// `value` must be an object whose keys are all in `allowed`.
Status CheckObject(const nlohmann::json& value, const std::string& path,
                   std::initializer_list<std::string_view> allowed);

Result<std::string> GetString(const nlohmann::json& value, const std::string& path);
// A non-negative integer (JSON has no other kind of unsigned).
Result<std::uint64_t> GetUnsigned(const nlohmann::json& value, const std::string& path);
// A list of at most max_items strings.
Result<std::vector<std::string>> GetStringList(const nlohmann::json& value, const std::string& path,
                                               std::size_t max_items);

}  // namespace csp::profiles::internal
