#include "csp/agent/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "unique_fd.h"

namespace csp::agent {
namespace {

using internal::UniqueFd;

Error SysError(std::string_view what, const std::filesystem::path& path, int err) {
  return Internal(std::string(what) + " " + path.string() + ": " + std::strerror(err));
}

// 12 random hex digits; the O_EXCL create catches the unlikely collision.
std::string RandomSuffix() {
  unsigned char bytes[6] = {};
  if (getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) {
    // Never expected; a fixed suffix still works, O_EXCL and the retry loop handle clashes.
    std::memcpy(bytes, "csptmp", sizeof bytes);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

Status WriteAll(int fd, std::string_view bytes, const std::filesystem::path& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return SysError("write", path, errno);
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Result<UniqueFd> OpenDirectory(const std::filesystem::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return SysError("open directory", dir, errno);
  return fd;
}

}  // namespace

Result<std::optional<std::string>> ReadRegularFile(const std::filesystem::path& path,
                                                   std::size_t max_bytes) {
  // O_NONBLOCK: a FIFO planted at `path` must not block the open; O_NOFOLLOW: a symlink is not
  // the file we wrote.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::optional<std::string>();
    if (errno == ELOOP) return Internal(path.string() + " is a symlink, not a regular file");
    return SysError("open", path, errno);
  }
  struct stat st = {};
  if (::fstat(fd.get(), &st) != 0) return SysError("stat", path, errno);
  if (!S_ISREG(st.st_mode)) return Internal(path.string() + " is not a regular file");
  std::string out;
  char buffer[8192];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return SysError("read", path, errno);
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
      return Internal(path.string() + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buffer, static_cast<std::size_t>(n));
  }
  return std::optional<std::string>(std::move(out));
}

Status WriteFileAtomic(const std::filesystem::path& dir, std::string_view name,
                       std::string_view bytes, mode_t mode) {
  CSP_TRY(UniqueFd dir_fd, OpenDirectory(dir));
  const std::filesystem::path target = dir / name;
  std::string temp_name;
  UniqueFd fd;
  for (int attempt = 0; attempt < 16 && !fd.valid(); ++attempt) {
    temp_name = std::string(kTempFilePrefix) + RandomSuffix();
    fd.Reset(::openat(dir_fd.get(), temp_name.c_str(),
                      O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd.valid() && errno != EEXIST) return SysError("create temp file in", dir, errno);
  }
  if (!fd.valid()) return SysError("create temp file in", dir, EEXIST);

  const std::filesystem::path temp_path = dir / temp_name;
  auto fail = [&](Error error) -> Status {
    fd.Reset();
    ::unlinkat(dir_fd.get(), temp_name.c_str(), 0);
    return error;
  };
  // fchmod, not the open mode: the umask must not decide what kubelet and apparmor can read.
  if (::fchmod(fd.get(), mode) != 0) return fail(SysError("chmod", temp_path, errno));
  if (Status s = WriteAll(fd.get(), bytes, temp_path); !s) return fail(s.error());
  if (::fsync(fd.get()) != 0) return fail(SysError("fsync", temp_path, errno));
  if (fd.Close() != 0) return fail(SysError("close", temp_path, errno));
  if (::renameat(dir_fd.get(), temp_name.c_str(), dir_fd.get(), std::string(name).c_str()) != 0) {
    return fail(SysError("rename to", target, errno));
  }
  // The rename is a change to the directory: without this fsync a crash can forget it.
  if (::fsync(dir_fd.get()) != 0) return SysError("fsync directory", dir, errno);
  return {};
}

Result<bool> RemoveFileDurably(const std::filesystem::path& dir, std::string_view name) {
  UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.valid()) {
    if (errno == ENOENT) return false;
    return SysError("open directory", dir, errno);
  }
  if (::unlinkat(dir_fd.get(), std::string(name).c_str(), 0) != 0) {
    if (errno == ENOENT) return false;
    return SysError("remove", dir / name, errno);
  }
  if (::fsync(dir_fd.get()) != 0) return SysError("fsync directory", dir, errno);
  return true;
}

Result<int> ReapTempFiles(const std::filesystem::path& dir) {
  UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.valid()) {
    if (errno == ENOENT) return 0;
    return SysError("open directory", dir, errno);
  }
  // fdopendir takes over its own descriptor; keep dir_fd for unlinkat.
  DIR* listing = ::fdopendir(::dup(dir_fd.get()));
  if (listing == nullptr) return SysError("list", dir, errno);
  std::vector<std::string> temps;
  while (const dirent* entry = ::readdir(listing)) {
    if (std::string_view(entry->d_name).starts_with(kTempFilePrefix)) {
      temps.emplace_back(entry->d_name);
    }
  }
  ::closedir(listing);
  int reaped = 0;
  for (const std::string& temp : temps) {
    if (::unlinkat(dir_fd.get(), temp.c_str(), 0) == 0) {
      ++reaped;
    } else if (errno != ENOENT) {
      return SysError("remove", dir / temp, errno);
    }
  }
  if (reaped > 0 && ::fsync(dir_fd.get()) != 0) return SysError("fsync directory", dir, errno);
  return reaped;
}

Status MakeDirectories(const std::filesystem::path& dir, mode_t mode) {
  std::filesystem::path partial;
  for (const std::filesystem::path& part : dir) {
    partial /= part;
    if (::mkdir(partial.c_str(), mode) == 0) continue;
    if (errno != EEXIST) return SysError("create directory", partial, errno);
    struct stat st = {};
    // stat follows symlinks: /var/lib/kubelet may well be one.
    if (::stat(partial.c_str(), &st) != 0) return SysError("stat", partial, errno);
    if (!S_ISDIR(st.st_mode)) return Internal(partial.string() + " exists and is not a directory");
  }
  return {};
}

}  // namespace csp::agent
