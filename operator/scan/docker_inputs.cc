#include "docker_inputs.h"

#include <filesystem>

#include "csp/docker/compose.h"
#include "csp/docker/inspect.h"
#include "csp/docker/run_line.h"
#include "csp/manifest/sources.h"

namespace csp::scan {

DockerInputs::DockerInputs(const ScanOptions& options, ReportError report)
    : options_(options), report_(std::move(report)) {
  for (const std::string& path : options_.env_files) ReadEnvFile(path, env_file_values_);
}

void DockerInputs::ReadEnvFile(const std::string& path, EnvValues& into) {
  Result<std::string> text = manifest::ReadFile(path);
  auto values = text ? docker::ParseEnvFile(*text) : Result<EnvValues>(text.error());
  if (!values) {
    report_(path, 0, values.error().message);
    return;
  }
  into.merge(*values);  // the first file that sets a variable wins
}

// The environment first, then the env files, as Compose looks variables up.
docker::Lookup DockerInputs::LookupIn(const EnvValues& files) const {
  return [this, &files](std::string_view name) -> std::optional<std::string> {
    if (options_.environment) {
      if (auto v = options_.environment(name)) return v;
    }
    if (auto it = files.find(name); it != files.end()) return it->second;
    return std::nullopt;
  };
}

std::string DockerInputs::Home() const { return LookupIn(env_file_values_)("HOME").value_or(""); }

bool DockerInputs::ReadDocument(const std::string& file, const manifest::Document& doc,
                                const ContainerSink& sink) {
  if (docker::IsComposeFile(doc.value)) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path folder = file == manifest::kStdinName
                                ? fs::current_path(ec)
                                : fs::absolute(fs::path(file), ec).parent_path();
    // Without --env-file, the .env beside the Compose file, as Compose reads it.
    EnvValues dot_env;
    if (const fs::path path = folder / ".env"; options_.env_files.empty() && fs::exists(path, ec)) {
      ReadEnvFile(path.string(), dot_env);
    }
    docker::ComposeFile compose =
        docker::ReadCompose(doc.value, doc.line, doc.key_lines,
                            LookupIn(options_.env_files.empty() ? dot_env : env_file_values_),
                            {.base_dir = folder.string(), .home = Home()});
    for (const docker::ComposeProblem& p : compose.problems) report_(file, p.line, p.message);
    for (const docker::ComposeService& service : compose.services) {
      sink(service.container, docker::kComposeServiceKind, file, service.line);
    }
    return true;
  }
  if (docker::IsInspectOutput(doc.value)) {
    for (docker::InspectedContainer& c : docker::ReadInspect(doc.value)) {
      const int line = c.index < doc.item_lines.size() ? doc.item_lines[c.index] : doc.line;
      if (!c.container) {
        report_(file, line, "docker inspect output: " + c.container.error().message);
        continue;
      }
      sink(*c.container, docker::kContainerKind, file, line);
    }
    return true;
  }
  return false;
}

void DockerInputs::ReadRunLine(std::string_view text, const std::string& file, int line,
                               const std::string& default_name, const ContainerSink& sink) {
  auto container = docker::ParseRunLine(text, default_name, {.home = Home()});
  if (!container) {
    report_(file, line, "run line: " + container.error().message);
    return;
  }
  sink(*container, docker::kContainerKind, file, line);
}

}  // namespace csp::scan
