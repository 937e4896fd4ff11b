// A workload's YAML document, read through its indexed events as the policy engine reads an
// object for a fix's patch (policy/object_view.h): `cspctl scan` judges workloads with fixes
// without building their JSON tree.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "csp/manifest/tape_workload.h"
#include "csp/manifest/yaml_tape.h"
#include "csp/policy/object_view.h"

namespace csp::manifest {

// Over a tape that TapeWorkloadReader::Read accepted, with the reader's index of it; both must
// outlive the view, and the reader must read nothing else meanwhile. A node is an event's index.
// Equals tells scalars apart as the tree would hold them (the index resolved them as the tree
// builder does) and answers nullopt for a container or a number it did not resolve to an
// integer.
class TapeObjectView final : public policy::ObjectView {
 public:
  TapeObjectView(const YamlTape& tape, const TapeWorkloadReader& reader)
      : tape_(tape), nodes_(reader.nodes()) {}

  Node At(std::string_view pointer) const override;
  Node Child(Node node, const std::string& token) const override;
  bool IsNull(Node node) const override;
  bool IsArray(Node node) const override;
  std::optional<bool> Equals(Node node, const nlohmann::json& value) const override;

 private:
  YamlEventType Type(Node node) const { return tape_.events[node].type; }
  std::string_view Text(Node node) const { return tape_.Value(tape_.events[node]); }
  Node Next(Node node) const { return nodes_[node].end + 1; }  // past the node's last event

  const YamlTape& tape_;
  const std::vector<TapeWorkloadReader::Node>& nodes_;
};

}  // namespace csp::manifest
