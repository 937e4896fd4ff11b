// Command-line PATH arguments to manifest text: path expansion and bounded reads.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "csp/common/result.h"
#include "csp/manifest/document.h"

namespace csp::manifest {

// No single input (file or stdin) is read beyond this; a bigger one is an error, not an OOM.
inline constexpr std::size_t kMaxInputBytes = std::size_t{256} << 20;

// The name stdin goes by in documents and errors.
inline constexpr const char* kStdinName = "<stdin>";

struct ExpandedPaths {
  std::vector<std::string> files = {};  // in scan order; "-" stands for stdin
  std::vector<ReadError> errors = {};   // paths that do not exist or cannot be listed (line 0)
};

// Expands PATH arguments in order, as kubectl -f -R does: "-" is stdin; a file is taken as it
// is, whatever its name; a directory is walked recursively, depth first, entries sorted by name
// (byte order), keeping only *.yaml, *.yml and *.json files. Symbolic links to directories met
// during a walk are not followed (no cycles). A missing path is an error naming it; the other
// paths are still expanded.
ExpandedPaths ExpandPaths(const std::vector<std::string>& paths);

// Reads a whole file. Errors name the file: "x.yaml: No such file or directory".
Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes = kMaxInputBytes);

// Reads stdin to its end.
Result<std::string> ReadStdin(std::size_t max_bytes = kMaxInputBytes);

struct Source {
  std::string name = {};  // the path, or kStdinName for "-"
  std::string text = {};
};

// ReadFile, or ReadStdin for "-".
Result<Source> ReadSource(const std::string& path, std::size_t max_bytes = kMaxInputBytes);

}  // namespace csp::manifest
