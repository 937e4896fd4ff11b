// An OCI bundle for `runc run`: a root filesystem from Debian's busybox-static (/bin/busybox and
// a symlink per applet, no image registry) plus the static syscall probe as /probe.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "busybox_rootfs.h"
#include "csp/common/result.h"
#include "oci_config.h"
#include "subprocess.h"
#include "temp_dir.h"

namespace csp::runtime_test {

using csp::test::RuncUnavailable;

// The capabilities this process may pass on (its bounding set), as "CAP_..." names: a container
// can hold no more. Lets a test give the container everything, so that only the seccomp filter
// stands between a call and the kernel.
std::vector<std::string> HeldCapabilities();

class BusyboxBundle {
 public:
  // rootfs/bin/busybox, its applets, rootfs/probe; the root is read-only in every run, so one
  // bundle serves any number of containers.
  static Result<std::unique_ptr<BusyboxBundle>> Create();

  // Writes config.json for spec, runs the container with `runc run` (stdout and stderr
  // captured, 60 s at most) and removes it.
  csp::test::CommandResult Run(const ContainerSpec& spec);

  const std::filesystem::path& path() const { return dir_.path(); }

 private:
  BusyboxBundle() = default;
  csp::test::TempDir dir_;
};

}  // namespace csp::runtime_test
