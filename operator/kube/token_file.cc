#include "csp/kube/token_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "read_file.h"

namespace csp::kube {
namespace {

std::string Trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

}  // namespace

TokenFile::TokenFile(std::filesystem::path path) : path_(std::move(path)) {}

Result<std::string> TokenFile::Get() {
  std::lock_guard lock(mu_);
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    // Keep serving the last token through a failed rotation rather than failing every call.
    if (loaded_) return token_;
    return Error{Code::kUnauthenticated,
                 "token file " + path_.string() + ": " + std::strerror(errno)};
  }
  const Identity now{.dev = static_cast<std::uint64_t>(st.st_dev),
                     .ino = static_cast<std::uint64_t>(st.st_ino),
                     .size = static_cast<std::uint64_t>(st.st_size),
                     .mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
                                 st.st_mtim.tv_nsec};
  if (loaded_ && now == identity_) return token_;
  auto text = ReadWholeFile(path_);
  if (!text) {
    if (loaded_) return token_;
    return Error{Code::kUnauthenticated, "token file " + text.error().message};
  }
  std::string token = Trim(std::move(*text));
  if (token.empty()) {
    if (loaded_) return token_;
    return Error{Code::kUnauthenticated, "token file " + path_.string() + ": empty"};
  }
  token_ = std::move(token);
  identity_ = now;
  loaded_ = true;
  return token_;
}

}  // namespace csp::kube
