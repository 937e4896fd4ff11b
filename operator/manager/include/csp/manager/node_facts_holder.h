// The node facts in force for the node-aware rules: rebuilt from the Node, SecurityProfile and
// node-report caches, shared read-only by the workers (a reconcile keeps the facts it started
// with alive).
#pragma once

#include <memory>
#include <mutex>

#include "csp/manager/caches.h"
#include "csp/policy/node_facts.h"

namespace csp::manager {

// The facts from the caches' current content.
policy::NodeFacts BuildNodeFacts(const Caches& caches);

// True when evaluation under `a` and `b` may differ.
bool SameNodeFacts(const policy::NodeFacts& a, const policy::NodeFacts& b);

class NodeFactsHolder {
 public:
  // Null until the first Replace: before the caches synced nothing is known, and a
  // reconcile does not run then.
  std::shared_ptr<const policy::NodeFacts> Current() const;
  // Installs `next`; returns false (and keeps the current one) when nothing changed.
  bool Replace(policy::NodeFacts next);

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const policy::NodeFacts> current_;
};

}  // namespace csp::manager
