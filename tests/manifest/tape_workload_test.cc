#include "csp/manifest/tape_workload.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "csp/manifest/manifest_reader.h"

namespace csp::manifest {
namespace {

struct Offered {
  std::vector<std::optional<TapeWorkload>> read;  // per document offered, nullopt: declined
  std::vector<std::string> container_names;       // of the accepted ones, copied
  std::size_t trees = 0;                          // documents built as trees
};

Offered Offer(const std::string& text) {
  Offered o;
  TapeWorkloadReader reader{Limits{}};
  const TapeSink sink = [&](const YamlTape& tape) {
    std::optional<TapeWorkload> w = reader.Read(tape, "default", true);
    if (w) {
      for (const policy::Container& c : w->pod.containers) o.container_names.emplace_back(c.name);
    }
    const bool accepted = w.has_value();
    o.read.push_back(std::move(w));
    return accepted;
  };
  ParseManifests(
      text, "x.yaml", Limits{}, [&](Document&&) { ++o.trees; }, [](ReadError&&) {}, &sink);
  return o;
}

constexpr const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  template:
    metadata:
      annotations: {container.apparmor.security.beta.kubernetes.io/web: unconfined}
    spec:
      hostNetwork: true
      containers:
      - name: web
        image: nginx
        securityContext: {privileged: yes, runAsUser: 0x10}
)";

TEST(TapeWorkloadTest, ReadsAPlainDeployment) {
  const Offered o = Offer(std::string("# comment\n") + kDeployment);
  ASSERT_EQ(o.read.size(), 1u);
  ASSERT_TRUE(o.read[0].has_value());
  EXPECT_EQ(o.trees, 0u);
  const TapeWorkload& w = *o.read[0];
  EXPECT_EQ(w.line, 2);
  EXPECT_EQ(w.ref.kind, "Deployment");
  EXPECT_EQ(w.ref.name, "web");
  EXPECT_EQ(w.ref.ns, "default");
  EXPECT_EQ(w.labels.at("app"), "web");
  EXPECT_TRUE(w.pod.host_network);
  EXPECT_EQ(o.container_names, std::vector<std::string>{"web"});
}

// Whatever the reader is not sure of goes to the tree path, which reports or reads it.
TEST(TapeWorkloadTest, DeclinesWhatOnlyTheTreePathReads) {
  const std::string base = kDeployment;
  const std::vector<std::string> declined = {
      base + "x: &a 1\ny: *a\n",                                 // anchors and aliases
      base + "x: !!str 1\n",                                     // tags
      base + "<<: {x: 1}\n",                                     // merge keys
      base + "kind: Pod\n",                                      // duplicate keys
      base + "on: 1\n",                                          // a key that is not itself
      base + "x: .inf\n",                                        // a scalar JSON cannot hold
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n",  // not a workload
      "apiVersion: v1\nkind: List\nitems: []\n",                 // a list
      "kind: Deployment\nspec: {}\n",                            // no apiVersion
      "services: {web: {image: nginx}}\n",                       // Compose
      "- a\n",                                                   // not a mapping
      "apiVersion: v1\nkind: Pod\nspec: {hostPID: 1}\n",         // a field's type
      "apiVersion: v1\nkind: Pod\nspec: {containers: [{ports: [{hostPort: 1.5}]}]}\n",
  };
  for (const std::string& text : declined) {
    const Offered o = Offer(text);
    ASSERT_EQ(o.read.size(), 1u) << text;
    EXPECT_FALSE(o.read[0].has_value()) << text;
  }
}

}  // namespace
}  // namespace csp::manifest
