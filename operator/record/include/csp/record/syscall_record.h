// What a recording saw: syscall numbers per architecture, as seccomp reports them, and the same
// resolved to names. Pure: no I/O, so that recordings can be merged and compared in tests.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace csp::record {

// Syscall numbers per architecture. `arch` is the AUDIT_ARCH_* value of
// seccomp_data.arch, which is also libseccomp's SCMP_ARCH_* token.
class SyscallRecord {
 public:
  void Add(std::uint32_t arch, int nr) { seen_[arch].insert(nr); }
  void Merge(const SyscallRecord& other);
  bool Contains(std::uint32_t arch, int nr) const;
  // The number of distinct (arch, nr) pairs.
  std::size_t size() const;
  const std::map<std::uint32_t, std::set<int>>& seen() const { return seen_; }

  friend bool operator==(const SyscallRecord&, const SyscallRecord&) = default;

 private:
  std::map<std::uint32_t, std::set<int>> seen_;
};

// Syscall names per architecture: "SCMP_ARCH_X86_64" -> {"read", "write", ...}.
using SyscallNames = std::map<std::string, std::set<std::string>>;

// Every name in `names`, whatever its architecture.
std::set<std::string> AllNames(const SyscallNames& names);

}  // namespace csp::record
