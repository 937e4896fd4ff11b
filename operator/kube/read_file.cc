#include "read_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace csp::kube {

Result<std::string> ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    return Error{err == ENOENT ? Code::kNotFound : Code::kInvalidArgument,
                 path.string() + ": " + std::strerror(err)};
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return InvalidArgument(path.string() + ": read failed");
  return buf.str();
}

}  // namespace csp::kube
