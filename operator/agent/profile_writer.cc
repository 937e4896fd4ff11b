#include "csp/agent/profile_writer.h"

#include <algorithm>
#include <system_error>

#include "csp/agent/atomic_file.h"
#include "csp/names/names.h"
#include "csp/profiles/profile_name.h"

namespace csp::agent {
namespace {

constexpr mode_t kDirMode = 0755;
constexpr mode_t kFileMode = 0644;
// Larger files are not ours (the CRD bounds a profile far below this); they are rewritten.
constexpr std::size_t kMaxProfileFileBytes = 16 << 20;
constexpr std::string_view kSeccompSuffix = ".json";

std::string FileName(profiles::ProfileKind kind, std::string_view name) {
  std::string file(name);
  if (kind == profiles::ProfileKind::kSeccomp) file += kSeccompSuffix;
  return file;
}

}  // namespace

ProfileLayout ProfileLayout::ForRoot(const std::filesystem::path& root) {
  return {.seccomp_dir = root / "var/lib/kubelet/seccomp" / names::kProfileFolder,
          .apparmor_dir = root / "etc/apparmor.d" / names::kProfileFolder};
}

const std::filesystem::path& ProfileWriter::DirFor(profiles::ProfileKind kind) const {
  return kind == profiles::ProfileKind::kSeccomp ? layout_.seccomp_dir : layout_.apparmor_dir;
}

Result<std::filesystem::path> ProfileWriter::PathFor(profiles::ProfileKind kind,
                                                     std::string_view name) const {
  if (Status s = profiles::ValidateProfileName(name); !s) return s.error();
  return DirFor(kind) / FileName(kind, name);
}

Result<WriteOutcome> ProfileWriter::Write(const profiles::RenderedProfile& profile) {
  CSP_TRY(std::filesystem::path path, PathFor(profile.kind, profile.name));
  // Whatever is not our regular file with the same bytes (missing, different, a symlink) is
  // replaced; only an unreadable directory entry makes the rename below fail.
  Result<std::optional<std::string>> existing = ReadRegularFile(path, kMaxProfileFileBytes);
  if (existing && existing->has_value() && **existing == profile.bytes) {
    return WriteOutcome::kUnchanged;
  }
  const std::filesystem::path& dir = DirFor(profile.kind);
  if (Status s = MakeDirectories(dir, kDirMode); !s) return s.error();
  if (Status s =
          WriteFileAtomic(dir, FileName(profile.kind, profile.name), profile.bytes, kFileMode);
      !s) {
    return s.error();
  }
  return WriteOutcome::kWritten;
}

Result<std::optional<std::string>> ProfileWriter::Read(profiles::ProfileKind kind,
                                                       std::string_view name) const {
  CSP_TRY(std::filesystem::path path, PathFor(kind, name));
  return ReadRegularFile(path, kMaxProfileFileBytes);
}

Result<RemoveOutcome> ProfileWriter::Remove(profiles::ProfileKind kind, std::string_view name) {
  if (Status s = profiles::ValidateProfileName(name); !s) return s.error();
  CSP_TRY(bool removed, RemoveFileDurably(DirFor(kind), FileName(kind, name)));
  return removed ? RemoveOutcome::kRemoved : RemoveOutcome::kAbsent;
}

Result<std::vector<std::string>> ProfileWriter::List(profiles::ProfileKind kind) const {
  const std::filesystem::path& dir = DirFor(kind);
  std::vector<std::string> names;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return names;
    return Internal("list " + dir.string() + ": " + ec.message());
  }
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) return Internal("list " + dir.string() + ": " + ec.message());
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    std::string file = it->path().filename().string();
    if (kind == profiles::ProfileKind::kSeccomp) {
      if (!file.ends_with(kSeccompSuffix)) continue;
      file.resize(file.size() - kSeccompSuffix.size());
    }
    // Temp files and names the writer would refuse are not profiles it manages.
    if (profiles::ValidateProfileName(file)) names.push_back(std::move(file));
  }
  if (ec) return Internal("list " + dir.string() + ": " + ec.message());
  std::sort(names.begin(), names.end());
  return names;
}

Result<int> ProfileWriter::ReapStaleTempFiles() {
  int reaped = 0;
  for (profiles::ProfileKind kind :
       {profiles::ProfileKind::kSeccomp, profiles::ProfileKind::kAppArmor}) {
    CSP_TRY(int n, ReapTempFiles(DirFor(kind)));
    reaped += n;
  }
  return reaped;
}

}  // namespace csp::agent
