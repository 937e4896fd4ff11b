#include "csp/manifest/sources.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <utility>

namespace csp::manifest {
namespace {

namespace fs = std::filesystem;

bool HasManifestExtension(std::string_view name) {
  return name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".json");
}

std::string Join(const std::string& dir, const std::string& name) {
  return dir.ends_with('/') ? dir + name : dir + "/" + name;
}

Error FileError(const std::string& name, int error_number) {
  const Code code = error_number == ENOENT   ? Code::kNotFound
                    : error_number == EACCES ? Code::kPermissionDenied
                                             : Code::kInvalidArgument;
  return Error{code, name + ": " + std::strerror(error_number)};
}

Error TooBig(const std::string& name, std::size_t max_bytes) {
  return Error{Code::kResourceExhausted,
               name + ": larger than " + std::to_string(max_bytes) + " bytes, not read"};
}

// Reads `fd` to its end, refusing more than max_bytes.
Result<std::string> ReadDescriptor(int fd, const std::string& name, std::size_t max_bytes) {
  std::string text;
  struct stat info {};
  if (fstat(fd, &info) == 0 && S_ISREG(info.st_mode)) {
    if (static_cast<std::size_t>(info.st_size) > max_bytes) return TooBig(name, max_bytes);
    text.reserve(static_cast<std::size_t>(info.st_size));
  }
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return FileError(name, errno);
    }
    if (text.size() + static_cast<std::size_t>(n) > max_bytes) return TooBig(name, max_bytes);
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}

// Appends the manifest files under `root` in filepath.Walk's order: depth first, entries sorted
// by name. Iterative: an explicit stack of entries still to visit, the next one at the back.
void Walk(const std::string& root, ExpandedPaths& out) {
  struct Entry {
    std::string path;
    bool is_directory = false;
  };
  std::vector<Entry> pending = {{root, true}};
  while (!pending.empty()) {
    Entry entry = std::move(pending.back());
    pending.pop_back();
    if (!entry.is_directory) {
      out.files.push_back(std::move(entry.path));
      continue;
    }
    std::error_code ec;
    std::vector<std::string> names;
    for (fs::directory_iterator it(entry.path, ec), end; !ec && it != end; it.increment(ec)) {
      names.push_back(it->path().filename().string());
    }
    if (ec) {
      out.errors.push_back(ReadError{.file = entry.path, .message = ec.message()});
      continue;
    }
    std::sort(names.begin(), names.end());
    std::vector<Entry> children;
    for (const std::string& name : names) {
      std::string path = Join(entry.path, name);
      const fs::file_status link = fs::symlink_status(path, ec);
      if (ec) continue;
      if (fs::is_directory(link)) {
        children.push_back({std::move(path), true});
      } else if (HasManifestExtension(name)) {
        const fs::file_status target = fs::status(path, ec);
        if (!ec && fs::is_directory(target)) continue;  // a link to a directory: not followed
        children.push_back({std::move(path), false});
      }
    }
    for (auto it = children.rbegin(); it != children.rend(); ++it)
      pending.push_back(std::move(*it));
  }
}

}  // namespace

ExpandedPaths ExpandPaths(const std::vector<std::string>& paths) {
  ExpandedPaths out;
  for (const std::string& path : paths) {
    if (path == "-") {
      out.files.push_back(path);
      continue;
    }
    struct stat info {};
    if (stat(path.c_str(), &info) != 0) {
      out.errors.push_back(ReadError{.file = path, .message = std::strerror(errno)});
      continue;
    }
    if (S_ISDIR(info.st_mode)) {
      Walk(path, out);
    } else {
      out.files.push_back(path);
    }
  }
  return out;
}

Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return FileError(path, errno);
  struct stat info {};
  if (fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) {
    close(fd);
    return FileError(path, EISDIR);
  }
  Result<std::string> text = ReadDescriptor(fd, path, max_bytes);
  close(fd);
  return text;
}

Result<std::string> ReadStdin(std::size_t max_bytes) {
  return ReadDescriptor(STDIN_FILENO, kStdinName, max_bytes);
}

Result<Source> ReadSource(const std::string& path, std::size_t max_bytes) {
  const bool is_stdin = path == "-";
  Result<std::string> text = is_stdin ? ReadStdin(max_bytes) : ReadFile(path, max_bytes);
  if (!text) return text.error();
  return Source{.name = is_stdin ? kStdinName : path, .text = std::move(*text)};
}

}  // namespace csp::manifest
