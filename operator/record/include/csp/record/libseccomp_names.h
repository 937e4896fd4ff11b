// Syscall and architecture names from the machine's libseccomp: which names a recording filter
// lists, and what the numbers a recording saw are called.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "csp/common/result.h"
#include "csp/record/syscall_record.h"

namespace csp::record {

// "SCMP_ARCH_X86_64" -> libseccomp's token (AUDIT_ARCH_X86_64); an unknown name is an error.
Result<std::uint32_t> ArchToken(const std::string& scmp_arch);
// The reverse; nullopt for a token libseccomp does not name.
std::optional<std::string> ArchName(std::uint32_t token);

// Every syscall name libseccomp knows for any of `architectures` (SCMP_ARCH_* names), sorted and
// unique.
Result<std::vector<std::string>> KnownSyscallNames(const std::vector<std::string>& architectures);

// Names for the numbers of `record`. A number libseccomp cannot name (a syscall newer than it)
// is left out and returned in `unknown` as "SCMP_ARCH_X86_64:462".
struct ResolvedRecord {
  SyscallNames names = {};
  std::vector<std::string> unknown = {};
};
ResolvedRecord ResolveRecord(const SyscallRecord& record);

}  // namespace csp::record
