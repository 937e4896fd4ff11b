#include "csp/record/syscall_record.h"

namespace csp::record {

void SyscallRecord::Merge(const SyscallRecord& other) {
  for (const auto& [arch, numbers] : other.seen_)
    seen_[arch].insert(numbers.begin(), numbers.end());
}

bool SyscallRecord::Contains(std::uint32_t arch, int nr) const {
  auto it = seen_.find(arch);
  return it != seen_.end() && it->second.contains(nr);
}

std::size_t SyscallRecord::size() const {
  std::size_t n = 0;
  for (const auto& [arch, numbers] : seen_) n += numbers.size();
  return n;
}

std::set<std::string> AllNames(const SyscallNames& names) {
  std::set<std::string> all;
  for (const auto& [arch, set] : names) all.insert(set.begin(), set.end());
  return all;
}

}  // namespace csp::record
