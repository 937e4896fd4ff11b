// A bearer token kept in a file that another process rotates (the kubelet's projected
// service-account token, a kubeconfig tokenFile).
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>

#include "csp/common/result.h"

namespace csp::kube {

class TokenFile {
 public:
  explicit TokenFile(std::filesystem::path path);

  // The token without surrounding whitespace. The file is re-read only when its identity
  // (device, inode, size, mtime) changed since the last read: one stat() per call. The kubelet
  // rotates by swapping a symlink, which changes the inode. Thread-safe.
  // Errors name the file: missing/unreadable (kUnauthenticated), empty (kUnauthenticated).
  Result<std::string> Get();

 private:
  struct Identity {
    std::uint64_t dev = 0, ino = 0, size = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const Identity&) const = default;
  };

  const std::filesystem::path path_;
  std::mutex mu_;
  bool loaded_ = false;
  Identity identity_ = {};
  std::string token_ = {};
};

}  // namespace csp::kube
