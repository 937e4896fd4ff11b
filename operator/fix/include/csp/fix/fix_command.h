// `cspctl fix`: the engine's fixes (the `patch` of failing results, docs/controls.md "Fixes")
// applied to the manifests where they are, or written as a kustomize directory.
#pragma once

#include <iosfwd>
#include <string>

#include "csp/common/result.h"
#include "csp/scan/scan.h"

namespace csp::fix {

struct FixOptions {
  scan::ScanOptions scan = {};  // what to read and which policies judge it, as for `scan`
  // Empty: edit the files in place. Else a directory to write patch files and a
  // kustomization.yaml into; the manifests are left alone.
  std::string kustomize_dir = {};
};

// In place: rounds of scan-then-edit until no patch is left to apply (one fix per workload per
// round, so that each patch is computed against the text it edits), each file written
// atomically once per round. Prints what it fixed to `out` and what it could not to `err`
// (file, object, rule and why). Returns 2 on usage or input errors, 1 when some patch could not
// be applied, else 0.
int RunFix(const FixOptions& options, std::istream& in, std::ostream& out, std::ostream& err);

// Replaces `path` with `bytes` through a temporary file in the same directory and a rename,
// keeping the file's permission bits: a reader sees the old file or the new one, never a part.
Status WriteFileAtomically(const std::string& path, const std::string& bytes);

}  // namespace csp::fix
