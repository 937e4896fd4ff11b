#include "csp/profiles/profile_name.h"

#include <string>

#include "csp/profiles/quote.h"

namespace csp::profiles {
namespace {

Error Refuse(std::string_view name, std::string_view why) {
  return InvalidArgument("profile name " + Quote(name) + ": " + std::string(why));
}

}  // namespace

Status ValidateProfileName(std::string_view name) {
  if (name.empty()) return Refuse(name, "must not be empty");
  if (name.size() > kMaxProfileNameBytes) {
    return Refuse(name.substr(0, 32),
                  "is " + std::to_string(name.size()) + " bytes long; at most " +
                      std::to_string(kMaxProfileNameBytes) + " fit in a file name");
  }
  if (name.find('\0') != std::string_view::npos) return Refuse(name, "must not contain NUL");
  if (name.find('/') != std::string_view::npos) {
    return Refuse(name, "must not contain '/' (it would leave the profile folder)");
  }
  if (name.find("..") != std::string_view::npos) {
    return Refuse(name, "must not contain \"..\" (it could leave the profile folder)");
  }
  if (name.front() == '.') {
    return Refuse(name, "must not start with '.' (hidden files are the writer's temp files)");
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == ' ') {
      return Refuse(name, "must not contain whitespace or control characters");
    }
  }
  return {};
}

}  // namespace csp::profiles
