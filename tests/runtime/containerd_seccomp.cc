#include "containerd_seccomp.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <span>

namespace csp::runtime_test {
namespace {

using nlohmann::json;

// One field of a Go struct: its JSON name, how to decode it, and when encoding leaves it out:
// never, when it holds its zero value (`omitempty`), or only when absent (an `omitempty`
// pointer such as errnoRet, so that an explicit 0 survives).
enum class Kind { kString, kUint, kStrings, kSyscalls, kArgs };
enum class Omit { kNever, kWhenEmpty, kWhenAbsent };
struct Field {
  const char* name;
  Kind kind;
  Omit omit;
};

// specs-go LinuxSeccomp, LinuxSyscall and LinuxSeccompArg (runtime-spec 1.1), in field order.
constexpr Field kSeccompFields[] = {
    {"defaultAction", Kind::kString, Omit::kNever},
    {"defaultErrnoRet", Kind::kUint, Omit::kWhenAbsent},
    {"architectures", Kind::kStrings, Omit::kWhenEmpty},
    {"flags", Kind::kStrings, Omit::kWhenEmpty},
    {"listenerPath", Kind::kString, Omit::kWhenEmpty},
    {"listenerMetadata", Kind::kString, Omit::kWhenEmpty},
    {"syscalls", Kind::kSyscalls, Omit::kWhenEmpty},
};
constexpr Field kSyscallFields[] = {
    {"names", Kind::kStrings, Omit::kNever},
    {"action", Kind::kString, Omit::kNever},
    {"errnoRet", Kind::kUint, Omit::kWhenAbsent},
    {"args", Kind::kArgs, Omit::kWhenEmpty},
};
constexpr Field kArgFields[] = {
    {"index", Kind::kUint, Omit::kNever},
    {"value", Kind::kUint, Omit::kNever},
    {"valueTwo", Kind::kUint, Omit::kWhenEmpty},
    {"op", Kind::kString, Omit::kNever},
};

bool SameKey(const std::string& a, const std::string& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// encoding/json matches keys case-insensitively. With two spellings of one key in the input Go
// keeps the later one; nlohmann::json keeps no input order, so this prefers the exact spelling
// (no profile of ours holds two).
std::optional<json> Lookup(const json& object, const std::string& name) {
  if (object.contains(name)) return object.at(name);
  std::optional<json> found;
  for (const auto& [key, value] : object.items()) {
    if (SameKey(key, name)) found = value;
  }
  return found;
}

Result<json> DecodeObject(const json& in, std::span<const Field> fields, const std::string& at);

Result<json> DecodeValue(const json& in, Kind kind, const std::string& at) {
  auto wrong = [&](const char* want) {
    return InvalidArgument("json: cannot unmarshal " + std::string(in.type_name()) + " into " + at +
                           " of type " + want);
  };
  switch (kind) {
    case Kind::kString:
      if (!in.is_string()) return wrong("string");
      return in;
    case Kind::kUint:
      if (!in.is_number_unsigned()) return wrong("uint");
      return in;
    case Kind::kStrings: {
      if (!in.is_array()) return wrong("[]string");
      for (const json& item : in) {
        if (!item.is_string() && !item.is_null()) return wrong("[]string");
      }
      json out = json::array();
      for (const json& item : in) out.push_back(item.is_null() ? json("") : item);
      return out;
    }
    case Kind::kSyscalls:
    case Kind::kArgs: {
      if (!in.is_array()) return wrong("[]struct");
      json out = json::array();
      for (std::size_t i = 0; i < in.size(); ++i) {
        const std::string item_at = at + "[" + std::to_string(i) + "]";
        CSP_TRY(json item, kind == Kind::kSyscalls ? DecodeObject(in[i], kSyscallFields, item_at)
                                                   : DecodeObject(in[i], kArgFields, item_at));
        out.push_back(std::move(item));
      }
      return out;
    }
  }
  return Internal("unreachable");
}

bool IsEmpty(const json& value) {
  return (value.is_string() && value.get<std::string>().empty()) ||
         (value.is_array() && value.empty()) || (value.is_number() && value == 0);
}

json ZeroValue(Kind kind) {
  switch (kind) {
    case Kind::kString:
      return "";
    case Kind::kUint:
      return 0U;
    default:
      return nullptr;  // a nil slice encodes as null
  }
}

Result<json> DecodeObject(const json& in, std::span<const Field> fields, const std::string& at) {
  if (!in.is_object() && !in.is_null()) {  // null decodes to the zero struct
    return InvalidArgument("json: cannot unmarshal " + std::string(in.type_name()) + " into " + at +
                           " of type struct");
  }
  json out = json::object();
  for (const Field& field : fields) {
    std::optional<json> value;
    if (in.is_object()) value = Lookup(in, field.name);
    if (value && value->is_null()) value.reset();  // null leaves the zero value
    if (value) {
      CSP_TRY(*value, DecodeValue(*value, field.kind, at + "." + field.name));
    }
    if (!value) {
      if (field.omit == Omit::kNever) out[field.name] = ZeroValue(field.kind);
    } else if (field.omit != Omit::kWhenEmpty || !IsEmpty(*value)) {
      out[field.name] = std::move(*value);
    }
  }
  return out;
}

}  // namespace

Result<nlohmann::json> ContainerdLinuxSeccomp(const std::string& profile_text) {
  json in = json::parse(profile_text, nullptr, /*allow_exceptions=*/false);
  if (in.is_discarded()) return InvalidArgument("json: the profile is not valid JSON");
  return DecodeObject(in, kSeccompFields, "LinuxSeccomp");
}

}  // namespace csp::runtime_test
