// Internal to csp_scan: a scan's Docker inputs (docs/controls.md "Docker and Compose"): Compose
// documents, `docker inspect` documents and `docker run` lines, read into containers with the
// Compose environment the scan's options give.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "csp/docker/docker_container.h"
#include "csp/docker/interpolate.h"
#include "csp/manifest/document.h"
#include "csp/scan/scan.h"

namespace csp::scan {

// An input error at FILE:LINE (line 0: about the file).
using ReportError = std::function<void(std::string_view file, int line, std::string_view message)>;
// A container read from `file` at `line`, as a workload of `kind` (ComposeService, Container).
using ContainerSink = std::function<void(const docker::DockerContainer& container,
                                         std::string_view kind, const std::string& file, int line)>;

class DockerInputs {
 public:
  // Reads options.env_files now; their errors go to `report`. `options` must outlive this.
  DockerInputs(const ScanOptions& options, ReportError report);

  // When `doc` is a Compose file or `docker inspect` output: sends its containers to `sink`,
  // reports its problems and returns true. Otherwise false (a Kubernetes document).
  bool ReadDocument(const std::string& file, const manifest::Document& doc,
                    const ContainerSink& sink);

  // One `docker run` line; `default_name` names a container without --name.
  void ReadRunLine(std::string_view text, const std::string& file, int line,
                   const std::string& default_name, const ContainerSink& sink);

 private:
  using EnvValues = std::map<std::string, std::string, std::less<>>;
  void ReadEnvFile(const std::string& path, EnvValues& into);
  docker::Lookup LookupIn(const EnvValues& files) const;
  std::string Home() const;

  const ScanOptions& options_;
  ReportError report_;
  EnvValues env_file_values_ = {};
};

}  // namespace csp::scan
