// One recording: the workload run by `runc run` under the recording filter, with a
// NotifyListener as its seccomp agent, until it exits, a signal arrives or the time is up.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "csp/common/result.h"
#include "csp/record/syscall_record.h"

namespace csp::record {

struct RecordRequest {
  // An OCI bundle (its config.json is read, never changed) ...
  std::filesystem::path bundle = {};
  // ... or a root filesystem, run with the config `runc spec` writes.
  std::filesystem::path rootfs = {};
  // The command; replaces the bundle's process.args, required with rootfs.
  std::vector<std::string> args = {};
  // SCMP_ARCH_* names the recording filter covers, native first.
  std::vector<std::string> architectures = {};
  std::string runc = "runc";  // a path, or a name looked up in PATH
  std::optional<std::chrono::milliseconds> timeout = {};
};

struct RecordOutcome {
  SyscallRecord record = {};
  int exit_code = 0;            // runc run's: the workload's status, 128+N when killed by N
  std::string stopped_by = {};  // empty when the workload ended; "SIGINT", "SIGTERM", "timeout"
  int connections = 0;          // notify fds runc handed over
  std::vector<std::string> problems = {};
};

// Runs the recording in a fresh folder under $TMPDIR (the recording's config.json and the
// listener socket; removed after). SIGINT and SIGTERM are blocked for the duration and taken
// as "stop": the container is killed with `runc kill ID KILL`, and what was seen until then is
// the outcome. The workload's stdio is the caller's. An error only when nothing could be run.
Result<RecordOutcome> RecordWithRunc(const RecordRequest& request);

}  // namespace csp::record
