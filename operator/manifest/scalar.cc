// Scalar typing as go-yaml v2's resolve() plus sigs.k8s.io/yaml's JSON conversion do it; see
// scalar.h for the table. Hot path: most scalars in manifests are strings whose first byte
// already rules out every other type, so that check comes first.
#include "csp/manifest/scalar.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>

namespace csp::manifest {
namespace {

using nlohmann::json;

enum class Type { kNull, kBool, kInt, kFloat, kStr, kBinary, kTimestamp, kMerge, kOther };

constexpr std::string_view kYamlTagPrefix = "tag:yaml.org,2002:";

// Joins message parts with append(): GCC 12 at -O2/-O3 warns falsely (-Wrestrict) on
// `"literal" + std::string` chains.
std::string Concat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) out.append(part);
  return out;
}

Type TagType(std::string_view tag) {
  if (tag == "!") return Type::kStr;  // the non-specific tag: "not a plain scalar"
  if (!tag.starts_with(kYamlTagPrefix)) return Type::kOther;
  const std::string_view name = tag.substr(kYamlTagPrefix.size());
  if (name == "str") return Type::kStr;
  if (name == "int") return Type::kInt;
  if (name == "float") return Type::kFloat;
  if (name == "bool") return Type::kBool;
  if (name == "null") return Type::kNull;
  if (name == "binary") return Type::kBinary;
  if (name == "timestamp") return Type::kTimestamp;
  if (name == "merge") return Type::kMerge;
  return Type::kOther;
}

const char* TypeName(Type type) {
  switch (type) {
    case Type::kNull:
      return "!!null";
    case Type::kBool:
      return "!!bool";
    case Type::kInt:
      return "!!int";
    case Type::kFloat:
      return "!!float";
    case Type::kStr:
      return "!!str";
    case Type::kBinary:
      return "!!binary";
    case Type::kTimestamp:
      return "!!timestamp";
    case Type::kMerge:
      return "!!merge";
    case Type::kOther:
      break;
  }
  return "!!str";
}

// go-yaml's resolveTable: the first byte says which types a plain scalar can have at all.
enum Hint : char { kNone = 0, kSign = 'S', kDigit = 'D', kWord = 'M', kDot = '.' };

constexpr Hint HintFor(unsigned char c) {
  if (c == '+' || c == '-') return kSign;
  if (c >= '0' && c <= '9') return kDigit;
  switch (c) {
    case 'y':
    case 'Y':
    case 'n':
    case 'N':
    case 't':
    case 'T':
    case 'f':
    case 'F':
    case 'o':
    case 'O':
    case '~':
      return kWord;
    case '.':
      return kDot;
    default:
      return kNone;
  }
}

bool OneOf(std::string_view s, std::string_view a, std::string_view b, std::string_view c) {
  return s == a || s == b || s == c;
}

// go-yaml's resolveMap: the fixed words. Returns false when `s` is none of them.
bool ResolveWord(std::string_view s, Type& type, json& out) {
  auto set_bool = [&](bool v) {
    type = Type::kBool;
    out = v;
    return true;
  };
  auto set_float = [&](double v) {
    type = Type::kFloat;
    out = v;
    return true;
  };
  switch (s.size()) {
    case 0:
      type = Type::kNull;
      out = nullptr;
      return true;
    case 1:
      if (s == "y" || s == "Y") return set_bool(true);
      if (s == "n" || s == "N") return set_bool(false);
      if (s == "~") {
        type = Type::kNull;
        out = nullptr;
        return true;
      }
      return false;
    case 2:
      if (OneOf(s, "on", "On", "ON")) return set_bool(true);
      if (OneOf(s, "no", "No", "NO")) return set_bool(false);
      return false;
    case 3:
      if (OneOf(s, "yes", "Yes", "YES")) return set_bool(true);
      if (OneOf(s, "off", "Off", "OFF")) return set_bool(false);
      return false;
    case 4:
      if (OneOf(s, "true", "True", "TRUE")) return set_bool(true);
      if (OneOf(s, "null", "Null", "NULL")) {
        type = Type::kNull;
        out = nullptr;
        return true;
      }
      if (OneOf(s, ".nan", ".NaN", ".NAN"))
        return set_float(std::numeric_limits<double>::quiet_NaN());
      if (OneOf(s, ".inf", ".Inf", ".INF"))
        return set_float(std::numeric_limits<double>::infinity());
      return false;
    case 5:
      if (OneOf(s, "false", "False", "FALSE")) return set_bool(false);
      if (OneOf(s, "+.inf", "+.Inf", "+.INF"))
        return set_float(std::numeric_limits<double>::infinity());
      if (OneOf(s, "-.inf", "-.Inf", "-.INF")) {
        return set_float(-std::numeric_limits<double>::infinity());
      }
      return false;
    default:
      return false;
  }
}

enum class IntParse { kOk, kSyntax, kRange };

int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  const char lower = static_cast<char>(c | 0x20);
  if (lower >= 'a' && lower <= 'z') return lower - 'a' + 10;
  return 99;
}

// Strips Go's base-0 prefix ("0x", "0o", "0b", or a bare leading "0" for octal).
int TakeBasePrefix(std::string_view& s) {
  if (s.empty() || s[0] != '0') return 10;
  if (s.size() >= 3) {
    switch (s[1] | 0x20) {
      case 'b':
        s.remove_prefix(2);
        return 2;
      case 'o':
        s.remove_prefix(2);
        return 8;
      case 'x':
        s.remove_prefix(2);
        return 16;
      default:
        break;
    }
  }
  s.remove_prefix(1);
  return 8;
}

// strconv.ParseUint(s, 0, 64): no sign; like Go, stops at the first overflow.
IntParse ParseGoUint(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return IntParse::kSyntax;
  const int base = TakeBasePrefix(s);
  std::uint64_t n = 0;
  for (char c : s) {
    const int d = DigitValue(c);
    if (d >= base) return IntParse::kSyntax;
    if (n > (std::numeric_limits<std::uint64_t>::max() - static_cast<unsigned>(d)) /
                static_cast<unsigned>(base)) {
      return IntParse::kRange;
    }
    n = n * static_cast<unsigned>(base) + static_cast<unsigned>(d);
  }
  out = n;
  return IntParse::kOk;
}

// strconv.ParseInt(s, 0, 64).
IntParse ParseGoInt(std::string_view s, std::int64_t& out) {
  if (s.empty()) return IntParse::kSyntax;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  std::uint64_t magnitude = 0;
  const IntParse parsed = ParseGoUint(s, magnitude);
  if (parsed != IntParse::kOk) return parsed;
  constexpr std::uint64_t kCutoff = std::uint64_t{1} << 63;
  if (!negative && magnitude >= kCutoff) return IntParse::kRange;
  if (negative && magnitude > kCutoff) return IntParse::kRange;
  out = negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
  return IntParse::kOk;
}

// big.Int.SetString(s, 0) for integers that overflow 64 bits; returns the value as a double
// (what a JSON reader makes of the huge literal the conversion prints).
bool ParseBigInt(std::string_view s, double& out) {
  if (s.empty()) return false;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  const int base = TakeBasePrefix(s);
  if (s.empty() && base != 8) return false;
  long double value = 0;
  for (char c : s) {
    const int d = DigitValue(c);
    if (d >= base) return false;
    value = value * base + d;
  }
  out = static_cast<double>(negative ? -value : value);
  return std::isfinite(out);
}

// go-yaml's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool MatchesYamlFloat(std::string_view s) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto digits = [&] {
    const std::size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < n && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < n && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == n;
}

// strconv.ParseFloat on text that MatchesYamlFloat: false on overflow (Go's ErrRange); an
// underflow is 0, as in Go.
bool ParseFloatText(std::string_view s, double& out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);  // from_chars takes no '+'
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec == std::errc()) return end == s.data() + s.size() && std::isfinite(out);
  if (ec != std::errc::result_out_of_range) return false;
  // Out of range: tell underflow from overflow by the decimal exponent of the first digit.
  long exponent = 0;
  const std::size_t e = s.find_first_of("eE");
  if (e != std::string_view::npos) {
    std::string_view exp_text = s.substr(e + 1);
    if (!exp_text.empty() && exp_text[0] == '+') exp_text.remove_prefix(1);
    std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
  }
  const std::string_view mantissa = s.substr(0, e);
  const std::size_t dot = mantissa.find('.');
  const std::size_t first = mantissa.find_first_of("123456789");
  if (first == std::string_view::npos) {
    out = 0;
    return true;
  }
  const long int_digits = dot == std::string_view::npos
                              ? static_cast<long>(mantissa.size() - first)
                              : static_cast<long>(dot) - static_cast<long>(first);
  if (int_digits + exponent > 0) return false;  // overflow
  out = mantissa.starts_with('-') ? -0.0 : 0.0;
  return true;
}

// go-yaml v2 resolve() for an untagged plain scalar (or for the text of a tagged one). Sets `out`
// for every type but kStr, whose value the caller makes from the text.
Type ResolveText(std::string_view in, json& out) {
  const Hint hint = in.empty() ? kWord : HintFor(static_cast<unsigned char>(in[0]));
  if (hint == kNone) return Type::kStr;
  Type type = Type::kStr;
  if (ResolveWord(in, type, out)) return type;
  if (hint == kWord) return Type::kStr;
  if (hint == kDot) {
    double value = 0;
    if (MatchesYamlFloat(in) && ParseFloatText(in, value)) {
      out = value;
      return Type::kFloat;
    }
    return Type::kStr;
  }
  // Sign or digit: integer, float, or (huge) integer. Go removes every '_' first.
  std::string plain_storage;
  std::string_view plain = in;
  if (in.find('_') != std::string_view::npos) {
    plain_storage.reserve(in.size());
    for (char c : in) {
      if (c != '_') plain_storage.push_back(c);
    }
    plain = plain_storage;
  }
  std::int64_t int_value = 0;
  const IntParse as_int = ParseGoInt(plain, int_value);
  if (as_int == IntParse::kOk) {
    out = int_value;
    return Type::kInt;
  }
  std::uint64_t uint_value = 0;
  const IntParse as_uint = ParseGoUint(plain, uint_value);
  if (as_uint == IntParse::kOk) {
    out = uint_value;
    return Type::kInt;
  }
  double float_value = 0;
  if (MatchesYamlFloat(plain) && ParseFloatText(plain, float_value)) {
    out = float_value;
    return Type::kFloat;
  }
  if (as_int == IntParse::kRange || as_uint == IntParse::kRange) {
    if (ParseBigInt(plain, float_value)) {
      out = float_value;
      return Type::kInt;
    }
  }
  return Type::kStr;
}

// The JSON conversion prints a float64 with Go's encoding/json: an integral value prints as an
// integer, which is how every JSON reader (the API server too) then sees it. NaN and infinities
// make the conversion fail.
Status NormalizeFloat(std::string_view text, json& out) {
  const double value = out.get<double>();
  if (!std::isfinite(value)) {
    return InvalidArgument(Concat(
        {"`", text, "` is not a finite number, which JSON (and so Kubernetes) cannot hold"}));
  }
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (value == std::trunc(value) && value >= -kTwoTo63 && value < kTwoTo63) {
    out = static_cast<std::int64_t>(value);
  }
  return {};
}

Status ResolveTyped(std::string_view text, ScalarStyle style, std::string_view tag, json& out,
                    Type& resolved) {
  if (tag.empty()) {
    if (style == ScalarStyle::kQuoted) {
      resolved = Type::kStr;
      out = std::string(text);
      return {};
    }
    resolved = ResolveText(text, out);
    if (resolved == Type::kStr) out = std::string(text);
    if (resolved == Type::kFloat) return NormalizeFloat(text, out);
    return {};
  }
  const Type want = TagType(tag);
  switch (want) {
    case Type::kNull:
    case Type::kBool:
    case Type::kInt:
    case Type::kFloat:
      break;
    default:  // !!str, !, !!binary, !!timestamp, local and unknown tags: the text as it is
      resolved = Type::kStr;
      out = std::string(text);
      return {};
  }
  const Type got = ResolveText(text, out);
  resolved = want;
  if (got == want) return want == Type::kFloat ? NormalizeFloat(text, out) : Status();
  if (want == Type::kFloat && got == Type::kInt) return NormalizeFloat(text, out);
  if (want == Type::kFloat && got == Type::kStr && MatchesYamlFloat(text)) {
    return InvalidArgument(Concat({"`", text, "` is out of range for a !!float"}));
  }
  return InvalidArgument(
      Concat({"cannot decode ", TypeName(got), " `", text, "` as a ", TypeName(want)}));
}

// strconv.FormatFloat(v, 'g', -1, 32), the form sigs.k8s.io/yaml gives float keys.
std::string GoFormatFloat32(double v) {
  if (std::isnan(v)) return ".nan";
  if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
  char buf[64];
  const auto result =
      std::to_chars(buf, buf + sizeof buf, static_cast<float>(v), std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(result.ptr - buf));  // -d.ddde+XX
  const bool negative = sci.starts_with('-');
  if (negative) sci.remove_prefix(1);
  const std::size_t e = sci.find('e');
  int exponent = 0;
  std::string_view exp_text = sci.substr(e + 1);
  if (exp_text.starts_with('+')) exp_text.remove_prefix(1);
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (digits == "0") return negative ? "-0" : "0";
  const int nd = static_cast<int>(digits.size());
  const int dp = exponent + 1;  // position of the decimal point relative to the digits
  // Built with append(): GCC 12 warns falsely (-Wrestrict) on chains of operator+ here.
  std::string out;
  if (negative) out.push_back('-');
  if (exponent < -4 || exponent >= 6) {  // %e, at least two exponent digits
    out.push_back(digits[0]);
    if (nd > 1) {
      out.push_back('.');
      out.append(digits, 1);
    }
    out.append(exponent < 0 ? "e-" : "e+");
    const int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10) out.push_back('0');
    out.append(std::to_string(magnitude));
    return out;
  }
  if (dp <= 0) {
    out.append("0.");
    out.append(static_cast<std::size_t>(-dp), '0');
    out.append(digits);
  } else if (dp >= nd) {
    out.append(digits);
    out.append(static_cast<std::size_t>(dp - nd), '0');
  } else {
    out.append(digits, 0, static_cast<std::size_t>(dp));
    out.push_back('.');
    out.append(digits, static_cast<std::size_t>(dp));
  }
  return out;
}

}  // namespace

Status ResolveScalar(std::string_view text, ScalarStyle style, std::string_view tag, json& out) {
  Type resolved = Type::kStr;
  return ResolveTyped(text, style, tag, out, resolved);
}

bool IsPlainString(std::string_view text) {
  if (text.empty()) return false;
  const Hint hint = HintFor(static_cast<unsigned char>(text[0]));
  if (hint == kNone) return true;
  json unused;
  if (hint == kWord) {
    Type type = Type::kStr;
    return !ResolveWord(text, type, unused);
  }
  return ResolveText(text, unused) == Type::kStr;
}

Status KeyFromValue(const json& value, std::string& out) {
  switch (value.type()) {
    case json::value_t::string:
      out = value.get_ref<const std::string&>();
      return {};
    case json::value_t::number_integer:
      out = std::to_string(value.get<std::int64_t>());
      return {};
    case json::value_t::number_unsigned:
      out = std::to_string(value.get<std::uint64_t>());
      return {};
    case json::value_t::number_float:
      out = GoFormatFloat32(value.get<double>());
      return {};
    case json::value_t::boolean:
      out = value.get<bool>() ? "true" : "false";
      return {};
    case json::value_t::null:
      return InvalidArgument("a null mapping key cannot become a JSON object key");
    default:
      return InvalidArgument("mapping keys must be scalars");
  }
}

Status ResolveKey(std::string_view text, ScalarStyle style, std::string_view tag, std::string& out,
                  bool& is_merge) {
  is_merge = false;
  // Fast path: an untagged key starting with a letter no YAML word starts with is a string.
  if (tag.empty() && !text.empty() &&
      (style == ScalarStyle::kQuoted || HintFor(static_cast<unsigned char>(text[0])) == kNone)) {
    is_merge = style == ScalarStyle::kPlain && text == "<<";
    out.assign(text);
    return {};
  }
  if (text == "<<" &&
      ((tag.empty() && style == ScalarStyle::kPlain) || TagType(tag) == Type::kMerge)) {
    is_merge = true;
    out.assign(text);
    return {};
  }
  json value;
  Type resolved = Type::kStr;
  // A float key keeps its value even when integral: Go formats the float64 itself.
  if (tag.empty() && style == ScalarStyle::kPlain) {
    resolved = ResolveText(text, value);
    if (resolved == Type::kStr) {
      out.assign(text);
      return {};
    }
    if (resolved == Type::kFloat) {
      out = GoFormatFloat32(value.get<double>());
      return {};
    }
  } else {
    const Status status = ResolveTyped(text, style, tag, value, resolved);
    if (!status) return status;
  }
  if (value.is_null()) {
    return InvalidArgument(
        Concat({"mapping key `", text, "` is null, which cannot become a JSON object key"}));
  }
  return KeyFromValue(value, out);
}

}  // namespace csp::manifest
