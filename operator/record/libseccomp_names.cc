#include "csp/record/libseccomp_names.h"

#include <seccomp.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <set>

namespace csp::record {
namespace {

// The SCMP_ARCH_* names libseccomp 2.5 knows (seccomp_arch_resolve_name takes them lower-case
// without the prefix).
constexpr const char* kArchNames[] = {
    "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",
};

// Syscall numbers are below this on every architecture (x86_64 is at about 460); x32 numbers
// carry the x32 bit on top.
constexpr int kMaxSyscallNumber = 1024;
constexpr int kX32Bit = 0x40000000;

std::optional<std::string> SyscallName(std::uint32_t token, int nr) {
  std::unique_ptr<char, decltype(&std::free)> name(seccomp_syscall_resolve_num_arch(token, nr),
                                                   &std::free);
  if (!name) return std::nullopt;
  return std::string(name.get());
}

}  // namespace

Result<std::uint32_t> ArchToken(const std::string& scmp_arch) {
  constexpr std::string_view kPrefix = "SCMP_ARCH_";
  if (!scmp_arch.starts_with(kPrefix))
    return InvalidArgument(scmp_arch + ": not a SCMP_ARCH_ name");
  std::string lower = scmp_arch.substr(kPrefix.size());
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  const std::uint32_t token = seccomp_arch_resolve_name(lower.c_str());
  if (token == 0) return InvalidArgument(scmp_arch + ": an architecture libseccomp does not know");
  return token;
}

std::optional<std::string> ArchName(std::uint32_t token) {
  for (const char* name : kArchNames) {
    Result<std::uint32_t> t = ArchToken(name);
    if (t && *t == token) return std::string(name);
  }
  return std::nullopt;
}

Result<std::vector<std::string>> KnownSyscallNames(const std::vector<std::string>& architectures) {
  std::set<std::string> names;
  for (const std::string& arch : architectures) {
    CSP_TRY(std::uint32_t token, ArchToken(arch));
    const int base = token == SCMP_ARCH_X32 ? kX32Bit : 0;
    for (int nr = base; nr < base + kMaxSyscallNumber; ++nr) {
      if (std::optional<std::string> name = SyscallName(token, nr)) names.insert(*name);
    }
  }
  return std::vector<std::string>(names.begin(), names.end());
}

ResolvedRecord ResolveRecord(const SyscallRecord& record) {
  ResolvedRecord resolved;
  for (const auto& [token, numbers] : record.seen()) {
    const std::string arch = ArchName(token).value_or("AUDIT_ARCH_" + std::to_string(token));
    for (int nr : numbers) {
      if (std::optional<std::string> name = SyscallName(token, nr)) {
        resolved.names[arch].insert(*name);
      } else {
        resolved.unknown.push_back(arch + ":" + std::to_string(nr));
      }
    }
  }
  return resolved;
}

}  // namespace csp::record
