#include "csp/profiles/apparmor_policy.h"

#include <algorithm>

#include "csp/profiles/quote.h"

namespace csp::profiles {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Splits one line (comment already removed) into words; a double-quoted word keeps its spaces
// and loses its quotes; '{' ends a word.
std::vector<std::string> Words(std::string_view line) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsSpace(line[i])) ++i;
    if (i >= line.size()) break;
    std::string word;
    if (line[i] == '"') {
      ++i;
      while (i < line.size() && line[i] != '"') word += line[i++];
      ++i;
    } else {
      while (i < line.size() && !IsSpace(line[i]) && line[i] != '{') word += line[i++];
      if (word.empty()) word = line[i++];  // a lone '{'
    }
    words.push_back(std::move(word));
  }
  return words;
}

}  // namespace

std::vector<std::string> DeclaredProfileNames(std::string_view policy) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start <= policy.size()) {
    std::size_t end = policy.find('\n', start);
    if (end == std::string_view::npos) end = policy.size();
    std::string_view line = policy.substr(start, end - start);
    // '#' starts a comment (outside quotes); `#include` lines declare nothing here either.
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '"') quoted = !quoted;
      if (line[i] == '#' && !quoted) {
        line = line.substr(0, i);
        break;
      }
    }
    std::vector<std::string> words = Words(line);
    for (std::size_t i = 0; i + 1 < words.size(); ++i) {
      if (words[i] == "profile") names.push_back(words[i + 1]);
    }
    start = end + 1;
  }
  return names;
}

Status CheckAppArmorPolicy(std::string_view name, std::string_view policy, std::string_view field) {
  const std::string where(field);
  if (policy.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return InvalidArgument(where + ": must hold the AppArmor policy text, not be empty");
  }
  if (policy.size() > kMaxAppArmorPolicyBytes) {
    return InvalidArgument(where + ": is " + std::to_string(policy.size()) + " bytes; at most " +
                           std::to_string(kMaxAppArmorPolicyBytes) + " are allowed");
  }
  if (policy.find('\0') != std::string_view::npos) {
    return InvalidArgument(where + ": must not contain NUL bytes");
  }
  const std::vector<std::string> declared = DeclaredProfileNames(policy);
  if (std::find(declared.begin(), declared.end(), name) == declared.end()) {
    return InvalidArgument(where + ": must declare `profile " + std::string(name) +
                           " { ... }`: pods name the profile by its declared name, and the agent " +
                           "installs it under the object's name" +
                           (declared.empty() ? std::string(" (it declares no named profile)")
                                             : " (it declares " + JoinComma(declared) + ")"));
  }
  return {};
}

}  // namespace csp::profiles
