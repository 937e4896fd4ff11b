// RBAC of the local cluster's test identities: `nobody` may do nothing in a namespace, `dev`
// gets exactly what an admin binds to it, and only where it is bound.
#include <string>

#include "e2e_env.h"

namespace csp::e2e {
namespace {

using std::chrono::seconds;

// RBAC changes reach the authorizer through an informer, so a new binding may take a moment.
constexpr seconds kRbacPropagation{30};

constexpr char kDeployment[] = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: rbac-probe
spec:
  replicas: 1
  selector:
    matchLabels: {app: rbac-probe}
  template:
    metadata:
      labels: {app: rbac-probe}
    spec:
      containers:
      - name: probe
        image: registry.k8s.io/pause:3.10
)";

// A refusal by RBAC names the authenticated user, which also proves the token was accepted
// (a bad token would give "Unauthorized" instead).
void ExpectForbidden(const CommandResult& r, const std::string& user, const std::string& verb,
                     const std::string& resource) {
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_NE(r.err.find("Forbidden"), std::string::npos) << r;
  const std::string phrase =
      "User \"" + user + "\" cannot " + verb + " resource \"" + resource + "\"";
  EXPECT_NE(r.err.find(phrase), std::string::npos) << "expected \"" << phrase << "\" in: " << r;
}

class RbacTest : public E2ETest {};

TEST_F(RbacTest, NobodyCannotListPodsOrCreateDeployments) {
  ExpectForbidden(KubectlAs("nobody", {"-n", ns(), "get", "pods"}), "nobody", "list", "pods");
  ExpectForbidden(KubectlAs("nobody", {"-n", ns(), "create", "-f", "-"}, kDeployment), "nobody",
                  "create", "deployments");
  // The same requests work for the admin, so the refusals above come from RBAC alone.
  CommandResult r = Kubectl({"-n", ns(), "get", "pods"});
  EXPECT_EQ(r.exit_code, 0) << r;
  r = Kubectl({"-n", ns(), "create", "--dry-run=server", "-f", "-"}, kDeployment);
  EXPECT_EQ(r.exit_code, 0) << r;
}

TEST_F(RbacTest, DevCanEditOnlyWhereBound) {
  const std::string other = CreateExtraNamespace("other");
  ASSERT_FALSE(HasFailure());

  // No rights by default.
  ExpectForbidden(KubectlAs("dev", {"-n", ns(), "create", "-f", "-"}, kDeployment), "dev", "create",
                  "deployments");

  CommandResult r = Kubectl(
      {"-n", ns(), "create", "rolebinding", "dev-edit", "--clusterrole=edit", "--user=dev"});
  ASSERT_EQ(r.exit_code, 0) << r;

  CommandResult created;
  EXPECT_TRUE(Eventually(
      [&] {
        created = KubectlAs("dev", {"-n", ns(), "create", "-f", "-"}, kDeployment);
        return created.exit_code == 0;
      },
      kRbacPropagation))
      << "dev could not create a Deployment in " << ns() << " after the RoleBinding: " << created;
  r = Kubectl({"-n", ns(), "get", "deployment", "rbac-probe"});
  EXPECT_EQ(r.exit_code, 0) << r;

  // The binding is namespaced: the other namespace stays closed.
  ExpectForbidden(KubectlAs("dev", {"-n", other, "create", "-f", "-"}, kDeployment), "dev",
                  "create", "deployments");
}

}  // namespace
}  // namespace csp::e2e
