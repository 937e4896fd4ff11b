// File primitives for the profile writer: a reader that does not follow a final symlink, and a
// writer that either leaves the old file or puts the complete new one in place, never a torn
// one, even across a crash or power loss.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "csp/common/result.h"

namespace csp::agent {

// Prefix of the writer's temp files: hidden, so that kubelet's and apparmor's directory scans
// skip them, and distinctive, so that only ours are reaped.
inline constexpr std::string_view kTempFilePrefix = ".csp-tmp-";

// The contents of the regular file `path`; nullopt when nothing is there. A symlink, a
// directory or anything else at `path` is an error, as is a file over max_bytes.
Result<std::optional<std::string>> ReadRegularFile(const std::filesystem::path& path,
                                                   std::size_t max_bytes);

// Replaces `dir`/`name` with `bytes` atomically: a temp file in the same directory (so that
// rename stays within one file system), written, fchmod'ed to `mode`, fsync'ed, renamed over
// the target, and the directory fsync'ed so that the rename itself is durable. On failure the
// temp file is removed and the target is untouched.
Status WriteFileAtomic(const std::filesystem::path& dir, std::string_view name,
                       std::string_view bytes, mode_t mode);

// Removes `dir`/`name` and fsyncs the directory; false when it was not there.
Result<bool> RemoveFileDurably(const std::filesystem::path& dir, std::string_view name);

// Removes the temp files (kTempFilePrefix) a crashed writer left in `dir`; returns how many.
// Assumes a single writer per directory, as there is one agent per node.
Result<int> ReapTempFiles(const std::filesystem::path& dir);

// Creates `dir` and its missing parents with `mode`.
Status MakeDirectories(const std::filesystem::path& dir, mode_t mode);

}  // namespace csp::agent
