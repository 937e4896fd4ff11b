// Rule 7, restrict-host-path: every hostPath volume's normalized path must lie under an allowed
// prefix (whole components; the longest matching prefix governs, of equal ones the read-only),
// and be mounted read-only where that prefix says readOnly. Default: nothing allowed.
#include <gtest/gtest.h>

#include "test_util.h"

namespace csp::policy {
namespace {

using test::RuleCase;

enum class Mount { kNone, kWritable, kReadOnly };

// A pod with a hostPath volume "host" at `path`, mounted by container "a" as `mount` says.
std::string HostPathPod(std::string_view path, Mount mount = Mount::kWritable) {
  nlohmann::json container = {{"name", "a"}};
  if (mount != Mount::kNone) {
    container["volumeMounts"] = {
        {{"name", "host"}, {"mountPath", "/host"}, {"readOnly", mount == Mount::kReadOnly}}};
  }
  nlohmann::json pod = {{"containers", {container}},
                        {"volumes", {{{"name", "host"}, {"hostPath", {{"path", path}}}}}}};
  return pod.dump();
}

std::string NotAllowed(std::string_view path) {
  return "volume \"host\": hostPath " + std::string(path) + " is not under an allowed prefix";
}

constexpr char kVarLog[] = R"({"allowed":[{"pathPrefix":"/var/log"}]})";
constexpr char kVarLogReadOnly[] = R"({"allowed":[{"pathPrefix":"/var/log","readOnly":true}]})";

const RuleCase kCases[] = {
    {"no_volumes", R"({"containers":[{"name":"a"}]})", Outcome::kPass},
    {"no_host_path_volumes",
     R"({"containers":[{"name":"a"}],"volumes":[{"name":"c","configMap":{"name":"x"}}]})",
     Outcome::kPass},
    // Default: nothing allowed.
    {"default_denies_everything",
     HostPathPod("/var/log"),
     Outcome::kFail,
     {"a"},
     {NotAllowed("/var/log")}},
    {"default_denies_read_only_mount",
     HostPathPod("/etc/ssl/certs", Mount::kReadOnly),
     Outcome::kFail,
     {"a"},
     {NotAllowed("/etc/ssl/certs")}},
    {"declared_not_mounted_counts",
     HostPathPod("/var/log", Mount::kNone),
     Outcome::kFail,
     {},
     {NotAllowed("/var/log")}},
    {"empty_allowed_list",
     HostPathPod("/var/log"),
     Outcome::kFail,
     {"a"},
     {NotAllowed("/var/log")},
     R"({"allowed":[]})"},
    // Whole-component prefixes.
    {"prefix_itself", HostPathPod("/var/log"), Outcome::kPass, {}, {}, kVarLog},
    {"below_prefix", HostPathPod("/var/log/app"), Outcome::kPass, {}, {}, kVarLog},
    {"sibling_sharing_characters",
     HostPathPod("/var/logs"),
     Outcome::kFail,
     {"a"},
     {NotAllowed("/var/logs")},
     kVarLog},
    {"parent_of_prefix", HostPathPod("/var"), Outcome::kFail, {"a"}, {NotAllowed("/var")}, kVarLog},
    {"root_prefix_allows_all",
     HostPathPod("/etc"),
     Outcome::kPass,
     {},
     {},
     R"({"allowed":[{"pathPrefix":"/"}]})"},
    // Paths and prefixes are normalized before comparing.
    {"path_dotdot_escapes_prefix",
     HostPathPod("/var/log/../lib"),
     Outcome::kFail,
     {"a"},
     {NotAllowed("/var/lib")},
     kVarLog},
    {"path_dotdot_to_parent",
     HostPathPod("/var/log/.."),
     Outcome::kFail,
     {"a"},
     {NotAllowed("/var")},
     kVarLog},
    {"path_slashes_and_dots", HostPathPod("//var/./log//app/"), Outcome::kPass, {}, {}, kVarLog},
    {"path_dotdot_at_root", HostPathPod("/../../var/log"), Outcome::kPass, {}, {}, kVarLog},
    {"prefix_normalized",
     HostPathPod("/var/log/app"),
     Outcome::kPass,
     {},
     {},
     R"({"allowed":[{"pathPrefix":"//var/./log/"}]})"},
    // readOnly prefixes.
    {"read_only_prefix_read_only_mount",
     HostPathPod("/var/log/app", Mount::kReadOnly),
     Outcome::kPass,
     {},
     {},
     kVarLogReadOnly},
    {"read_only_prefix_writable_mount",
     HostPathPod("/var/log/app", Mount::kWritable),
     Outcome::kFail,
     {"a"},
     {R"(volume "host": hostPath /var/log/app is mounted writable by container "a")",
      "/var/log is allowed read-only"},
     kVarLogReadOnly},
    {"read_only_prefix_not_mounted",
     HostPathPod("/var/log", Mount::kNone),
     Outcome::kPass,
     {},
     {},
     kVarLogReadOnly},
    {"prefix_without_read_only_allows_writable",
     HostPathPod("/var/log", Mount::kWritable),
     Outcome::kPass,
     {},
     {},
     R"({"allowed":[{"pathPrefix":"/var/log","readOnly":false}]})"},
    {"only_writable_mounts_named",
     R"({"initContainers":[{"name":"setup","volumeMounts":[{"name":"logs","mountPath":"/l"}]}],
         "containers":[{"name":"a","volumeMounts":[{"name":"logs","mountPath":"/l","readOnly":true}]},
                       {"name":"b","volumeMounts":[{"name":"logs","mountPath":"/l"}]}],
         "volumes":[{"name":"logs","hostPath":{"path":"/var/log"}}]})",
     Outcome::kFail,
     {"setup", "b"},
     {R"(mounted writable by initContainer "setup")", R"(mounted writable by container "b")"},
     kVarLogReadOnly},
    // Longest prefix governs, both ways.
    {"longer_writable_prefix_governs",
     HostPathPod("/var/log/app"),
     Outcome::kPass,
     {},
     {},
     R"({"allowed":[{"pathPrefix":"/var","readOnly":true},{"pathPrefix":"/var/log"}]})"},
    {"shorter_read_only_prefix_applies_elsewhere",
     HostPathPod("/var/lib"),
     Outcome::kFail,
     {"a"},
     {"mounted writable", "/var is allowed read-only"},
     R"({"allowed":[{"pathPrefix":"/var/log"},{"pathPrefix":"/var","readOnly":true}]})"},
    {"longer_read_only_prefix_governs",
     HostPathPod("/var/log/app"),
     Outcome::kFail,
     {"a"},
     {"mounted writable", "/var/log is allowed read-only"},
     R"({"allowed":[{"pathPrefix":"/var"},{"pathPrefix":"/var/log","readOnly":true}]})"},
    // Of equal prefixes, the read-only one, whichever comes first.
    {"equal_prefixes_read_only_wins_first",
     HostPathPod("/data/x"),
     Outcome::kFail,
     {"a"},
     {"mounted writable", "/data is allowed read-only"},
     R"({"allowed":[{"pathPrefix":"/data","readOnly":true},{"pathPrefix":"/data"}]})"},
    {"equal_prefixes_read_only_wins_second",
     HostPathPod("/data/x"),
     Outcome::kFail,
     {"a"},
     {"mounted writable", "/data is allowed read-only"},
     R"({"allowed":[{"pathPrefix":"/data"},{"pathPrefix":"/data/","readOnly":true}]})"},
    // Relative and empty paths fail rule 7, a Windows path included.
    {"relative_path",
     HostPathPod("var/log", Mount::kNone),
     Outcome::kFail,
     {},
     {R"(volume "host": hostPath)", "var/log", "not absolute"},
     R"({"allowed":[{"pathPrefix":"/"}]})"},
    {"empty_path",
     HostPathPod("", Mount::kNone),
     Outcome::kFail,
     {},
     {R"(volume "host": hostPath)", "not absolute"},
     R"({"allowed":[{"pathPrefix":"/"}]})"},
    {"windows_path_is_relative",
     HostPathPod(R"(C:\logs)", Mount::kNone),
     Outcome::kFail,
     {},
     {R"(volume "host": hostPath)", R"(C:\logs)", "not absolute"},
     R"({"allowed":[{"pathPrefix":"/"}]})"},
    {"several_volumes_each_named",
     R"({"containers":[{"name":"a","volumeMounts":[{"name":"ok","mountPath":"/o"},
                                                   {"name":"bad","mountPath":"/b"}]}],
         "volumes":[{"name":"ok","hostPath":{"path":"/var/log"}},
                    {"name":"bad","hostPath":{"path":"/etc"}},
                    {"name":"idle","hostPath":{"path":"/home"}}]})",
     Outcome::kFail,
     {"a"},
     {R"(volume "bad": hostPath /etc is not under an allowed prefix)",
      R"(volume "idle": hostPath /home is not under an allowed prefix)"},
     kVarLog},
    {"windows_pod_still_checked",
     R"({"os":{"name":"windows"},"containers":[{"name":"a"}],
         "volumes":[{"name":"host","hostPath":{"path":"/etc"}}]})",
     Outcome::kFail,
     {},
     {NotAllowed("/etc")}},
    {"disabled", HostPathPod("/etc"), Outcome::kSkip, {}, {"disabled"}, R"({"enabled":false})"},
    // Pod Security Standards (both levels): no hostPath volume at all, mounted or not.
    {"pss_baseline_any_host_path",
     R"({"containers":[{"name":"a"}],"volumes":[{"name":"v","hostPath":{"path":"/dev/null"}},
         {"name":"w","emptyDir":{}}]})",
     Outcome::kFail,
     {},
     {R"(volume "v": hostPath /dev/null is not under an allowed prefix)"},
     test::PssSettings("restrict-host-path", "baseline")},
    {"pss_restricted_no_host_path",
     R"({"containers":[{"name":"a"}],"volumes":[{"name":"w","emptyDir":{}}]})",
     Outcome::kPass,
     {},
     {},
     test::PssSettings("restrict-host-path", "restricted")},
};

class RestrictHostPathTest : public testing::TestWithParam<RuleCase> {};

TEST_P(RestrictHostPathTest, Evaluates) { test::RunRuleCase("restrict-host-path", GetParam()); }

INSTANTIATE_TEST_SUITE_P(Cases, RestrictHostPathTest, testing::ValuesIn(kCases),
                         [](auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::policy
