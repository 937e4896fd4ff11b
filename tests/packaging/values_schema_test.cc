// values.schema.json refuses every value csp-operator or csp-agent would refuse at start-up
// (operator/manager/options.cc, operator/agent/run_options.cc: each flag's range and enum), or
// the API server would refuse in the default policy, with a message naming the field; and it
// accepts the boundaries the binaries accept.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "packaging_tools.h"

namespace csp::packaging {
namespace {

constexpr char kDigest[] =
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct SchemaCase {
  std::string name = {};
  std::vector<std::string> set = {};  // --set / --set-string arguments
  std::string field = {};  // the JSON pointer a refusal must name, e.g. /operator/workers

  friend void PrintTo(const SchemaCase& c, std::ostream* os) { *os << c.name; }
};

class RefusedValuesTest : public PackagingTest, public ::testing::WithParamInterface<SchemaCase> {};

TEST_P(RefusedValuesTest, SchemaRefusesNamingTheField) {
  const test::CommandResult r = HelmTemplate(GetParam().set);
  EXPECT_NE(r.exit_code, 0) << "rendered although the binaries would refuse it";
  EXPECT_NE(r.err.find("values don't meet the specifications of the schema"), std::string::npos)
      << r;
  EXPECT_NE(r.err.find("'" + GetParam().field + "'"), std::string::npos)
      << "message does not name " << GetParam().field << ": " << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    Flags, RefusedValuesTest,
    ::testing::Values(
        SchemaCase{"WorkersZero", {"--set", "operator.workers=0"}, "/operator/workers"},
        SchemaCase{"WorkersText", {"--set-string", "operator.workers=four"}, "/operator/workers"},
        SchemaCase{"ReplicasZero", {"--set", "operator.replicas=0"}, "/operator/replicas"},
        SchemaCase{"LogFormatYaml", {"--set", "operator.logFormat=yaml"}, "/operator/logFormat"},
        SchemaCase{"LogLevelTrace", {"--set", "operator.logLevel=trace"}, "/operator/logLevel"},
        // Not above the renew deadline (10 s): the operator exits 2.
        SchemaCase{
            "LeaseDurationTen", {"--set", "operator.leaseDuration=10"}, "/operator/leaseDuration"},
        SchemaCase{"AgentLogFormat", {"--set", "agent.logFormat=logfmt"}, "/agent/logFormat"},
        SchemaCase{"AgentLogLevel", {"--set", "agent.logLevel=verbose"}, "/agent/logLevel"},
        SchemaCase{"ReportApi", {"--set", "reportApi=wgpolicy"}, "/reportApi"},
        SchemaCase{
            "ActionEnforce", {"--set", "defaultPolicy.action=Enforce"}, "/defaultPolicy/action"},
        SchemaCase{"PolicyNameTooLong",
                   {"--set", "defaultPolicy.name=" + std::string(64, 'a')},
                   "/defaultPolicy/name"},
        SchemaCase{
            "PolicyNameUpperCase", {"--set", "defaultPolicy.name=Baseline"}, "/defaultPolicy/name"},
        SchemaCase{
            "FailurePolicy", {"--set", "webhook.failurePolicy=fail"}, "/webhook/failurePolicy"},
        SchemaCase{"TimeoutZero", {"--set", "webhook.timeoutSeconds=0"}, "/webhook/timeoutSeconds"},
        SchemaCase{
            "TimeoutAbove30", {"--set", "webhook.timeoutSeconds=31"}, "/webhook/timeoutSeconds"},
        SchemaCase{
            "EmptyCertSecret", {"--set-string", "webhook.certSecret="}, "/webhook/certSecret"},
        SchemaCase{"RecheckOneSecond",
                   {"--set", "imageVerification.recheckSeconds=1"},
                   "/imageVerification/recheckSeconds"},
        SchemaCase{"KeyNamespaceInvalid",
                   {"--set", "imageVerification.keyNamespaces={Bad_Name}"},
                   "/imageVerification/keyNamespaces/0"},
        SchemaCase{
            "DigestWithoutAlgorithm", {"--set", "image.digest=0123456789abcdef"}, "/image/digest"},
        SchemaCase{"RepositoryWithTag",
                   {"--set", "image.repository=ghcr.io/x/y:1.0"},
                   "/image/repository"},
        SchemaCase{"PullPolicy", {"--set", "image.pullPolicy=always"}, "/image/pullPolicy"},
        SchemaCase{"UnknownTopLevelKey", {"--set", "opertor.workers=2"}, ""},
        SchemaCase{"UnknownOperatorKey", {"--set", "operator.worker=2"}, "/operator"},
        SchemaCase{
            "UnknownMonitoringKey", {"--set", "monitoring.grafana.enabled=true"}, "/monitoring"},
        SchemaCase{"ServiceMonitorInterval",
                   {"--set", "monitoring.serviceMonitor.interval=often"},
                   "/monitoring/serviceMonitor/interval"},
        SchemaCase{"ServiceMonitorLabelNotString",
                   {"--set", "monitoring.serviceMonitor.labels.release=1"},
                   "/monitoring/serviceMonitor/labels/release"}),
    [](const auto& info) { return info.param.name; });

class AcceptedValuesTest : public PackagingTest,
                           public ::testing::WithParamInterface<SchemaCase> {};

TEST_P(AcceptedValuesTest, SchemaAcceptsWhatTheBinariesAccept) {
  const test::CommandResult r = HelmTemplate(GetParam().set);
  EXPECT_EQ(r.exit_code, 0) << r;
}

INSTANTIATE_TEST_SUITE_P(
    Boundaries, AcceptedValuesTest,
    ::testing::Values(
        SchemaCase{"OneWorkerTextDebug",
                   {"--set", "operator.workers=1", "--set", "operator.logFormat=text", "--set",
                    "operator.logLevel=debug", "--set", "agent.logFormat=text"}},
        SchemaCase{"LeaseEleven", {"--set", "operator.leaseDuration=11"}},
        SchemaCase{"TimeoutBounds", {"--set", "webhook.timeoutSeconds=30"}},
        SchemaCase{
            "IgnoreScaleDown",
            {"--set", "webhook.failurePolicy=Ignore", "--set", "defaultPolicy.action=ScaleDown"}},
        SchemaCase{"ReportApiBoth", {"--set", "reportApi=both"}},
        SchemaCase{"Digest", {"--set", std::string("image.digest=") + kDigest}},
        SchemaCase{"RegistryWithPort", {"--set", "image.repository=127.0.0.1:5000/csp"}},
        SchemaCase{"Monitoring",
                   {"--set", "monitoring.serviceMonitor.enabled=false", "--set",
                    "monitoring.serviceMonitor.interval=30s", "--set",
                    "monitoring.serviceMonitor.labels.release=prom", "--set",
                    "monitoring.prometheusRule.enabled=false", "--set",
                    "monitoring.prometheusRule.labels.release=prom", "--set",
                    "monitoring.dashboard.enabled=false", "--set-string",
                    "monitoring.dashboard.labels.grafana_dashboard=1"}}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::packaging
