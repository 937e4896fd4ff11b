// Whole-file reads with errors that name the file (private to csp_kube).
#pragma once

#include <filesystem>
#include <string>

#include "csp/common/result.h"

namespace csp::kube {

// The file's bytes. A missing file is kNotFound, another failure kInvalidArgument; the message
// is "<path>: <reason>".
Result<std::string> ReadWholeFile(const std::filesystem::path& path);

}  // namespace csp::kube
