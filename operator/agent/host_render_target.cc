#include "csp/agent/host_render_target.h"

#include <sys/utsname.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace csp::agent {

Result<profiles::RenderTarget> HostRenderTarget() {
  struct utsname uts = {};
  if (uname(&uts) != 0) return Internal(std::string("uname: ") + std::strerror(errno));
  profiles::RenderTarget target;
  target.machine = profiles::NormalizeMachine(uts.machine);
  // A release the parser cannot read leaves the kernel unknown: kernel-gated rules stay off,
  // which is the safe side.
  if (Result<profiles::KernelVersion> kernel = profiles::ParseKernelVersion(uts.release)) {
    target.kernel = *kernel;
  }
  return target;
}

}  // namespace csp::agent
