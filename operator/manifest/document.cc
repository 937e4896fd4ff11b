#include "csp/manifest/document.h"

namespace csp::manifest {

std::string ReadError::ToString() const {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ": " + message;
}

}  // namespace csp::manifest
