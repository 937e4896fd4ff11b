#include "csp/record/syscall_record.h"

#include <gtest/gtest.h>

namespace csp::record {
namespace {

constexpr std::uint32_t kX86_64 = 0xC000003E;  // AUDIT_ARCH_X86_64
constexpr std::uint32_t kI386 = 0x40000003;    // AUDIT_ARCH_I386

TEST(SyscallRecordTest, KeepsNumbersPerArchitectureOnce) {
  SyscallRecord r;
  r.Add(kX86_64, 0);
  r.Add(kX86_64, 0);
  r.Add(kI386, 0);
  EXPECT_EQ(r.size(), 2u);
  EXPECT_TRUE(r.Contains(kX86_64, 0));
  EXPECT_TRUE(r.Contains(kI386, 0));
  EXPECT_FALSE(r.Contains(kI386, 1));
}

TEST(SyscallRecordTest, MergeIsTheUnion) {
  SyscallRecord a, b;
  a.Add(kX86_64, 1);
  b.Add(kX86_64, 1);
  b.Add(kX86_64, 2);
  b.Add(kI386, 3);
  a.Merge(b);
  EXPECT_EQ(a.size(), 3u);
  EXPECT_TRUE(a.Contains(kI386, 3));
  SyscallRecord c = b;
  c.Merge(b);
  EXPECT_EQ(c, b);
}

TEST(SyscallRecordTest, AllNamesUnitesArchitectures) {
  const SyscallNames names = {{"SCMP_ARCH_X86_64", {"read", "write"}},
                              {"SCMP_ARCH_X86", {"read", "socketcall"}}};
  EXPECT_EQ(AllNames(names), (std::set<std::string>{"read", "socketcall", "write"}));
}

}  // namespace
}  // namespace csp::record
