// Against the machine's libseccomp: the names a recording filter lists and those it reports.
#include "csp/record/libseccomp_names.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace csp::record {
namespace {

constexpr std::uint32_t kX86_64 = 0xC000003E;  // AUDIT_ARCH_X86_64
constexpr std::uint32_t kI386 = 0x40000003;    // AUDIT_ARCH_I386

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(LibseccompNamesTest, ArchitectureNamesAndTokensRoundTrip) {
  Result<std::uint32_t> token = ArchToken("SCMP_ARCH_X86_64");
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(*token, kX86_64);
  EXPECT_EQ(ArchName(kI386), "SCMP_ARCH_X86");
  EXPECT_EQ(ArchName(12345), std::nullopt);
  EXPECT_FALSE(ArchToken("x86_64"));
  EXPECT_FALSE(ArchToken("SCMP_ARCH_VAX"));
}

TEST(LibseccompNamesTest, KnownNamesCoverEachArchitecture) {
  Result<std::vector<std::string>> native = KnownSyscallNames({"SCMP_ARCH_X86_64"});
  ASSERT_TRUE(native) << native.error().message;
  EXPECT_TRUE(Has(*native, "read"));
  EXPECT_TRUE(Has(*native, "arch_prctl"));
  EXPECT_FALSE(Has(*native, "socketcall"));  // i386 only
  EXPECT_TRUE(std::is_sorted(native->begin(), native->end()));
  Result<std::vector<std::string>> both = KnownSyscallNames({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"});
  ASSERT_TRUE(both);
  EXPECT_TRUE(Has(*both, "socketcall"));
  EXPECT_GT(both->size(), native->size());
  EXPECT_FALSE(KnownSyscallNames({"SCMP_ARCH_VAX"}));
}

TEST(LibseccompNamesTest, ResolvesNumbersPerArchitecture) {
  SyscallRecord record;
  record.Add(kX86_64, 0);      // read
  record.Add(kI386, 3);        // read on i386
  record.Add(kI386, 102);      // socketcall
  record.Add(kX86_64, 99999);  // nothing
  const ResolvedRecord r = ResolveRecord(record);
  EXPECT_EQ(r.names.at("SCMP_ARCH_X86_64"), (std::set<std::string>{"read"}));
  EXPECT_EQ(r.names.at("SCMP_ARCH_X86"), (std::set<std::string>{"read", "socketcall"}));
  EXPECT_EQ(r.unknown, (std::vector<std::string>{"SCMP_ARCH_X86_64:99999"}));
}

}  // namespace
}  // namespace csp::record
