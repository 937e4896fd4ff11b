// `csp-agent run` up to the point where it needs a cluster: usage, flag errors and a
// configuration it cannot use, with their exit codes. Running against an API server is the e2e
// test's job (tests/e2e/agent_test.cc).
#include <gtest/gtest.h>

#include "subprocess.h"
#include "temp_dir.h"

namespace csp::agent {
namespace {

using csp::test::CommandResult;

CommandResult Agent(std::vector<std::string> args) {
  args.insert(args.begin(), CSP_AGENT_PATH);
  return csp::test::Run(args);
}

TEST(RunCommandTest, HelpListsEveryFlagAndItsVariable) {
  CommandResult r = Agent({"run", "--help"});
  ASSERT_EQ(r.exit_code, 0) << r;
  for (const char* text :
       {"--node-name", "CSP_AGENT_NODE_NAME", "NODE_NAME", "--root", "CSP_AGENT_ROOT",
        "--kubeconfig", "CSP_AGENT_KUBECONFIG", "--listen-address", "CSP_AGENT_LISTEN_ADDRESS",
        "--log-format", "CSP_AGENT_LOG_FORMAT", "/readyz"}) {
    EXPECT_NE(r.out.find(text), std::string::npos) << text;
  }
  EXPECT_NE(Agent({"help"}).out.find("csp-agent run --node-name NODE"), std::string::npos);
}

TEST(RunCommandTest, UsageErrorsExitTwoWithTheReason) {
  CommandResult no_node = Agent({"run"});
  EXPECT_EQ(no_node.exit_code, 2) << no_node;
  EXPECT_TRUE(no_node.err.starts_with("csp-agent run: --node-name is required")) << no_node.err;
  CommandResult bad_format = Agent({"run", "--node-name", "n", "--log-format", "xml"});
  EXPECT_EQ(bad_format.exit_code, 2) << bad_format;
  EXPECT_TRUE(
      bad_format.err.starts_with("csp-agent run: --log-format: \"xml\" is not text or json"))
      << bad_format.err;
}

TEST(RunCommandTest, AnUnusableKubeconfigExitsOneNamingIt) {
  csp::test::TempDir root;
  const std::string missing = (root.path() / "no-such-kubeconfig").string();
  CommandResult r = Agent({"run", "--node-name", "n", "--root", root.path().string(),
                           "--kubeconfig", missing, "--listen-address", "127.0.0.1:0"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_NE(r.err.find("cannot load the Kubernetes client configuration"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
}

}  // namespace
}  // namespace csp::agent
