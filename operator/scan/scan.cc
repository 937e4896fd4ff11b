#include "csp/scan/scan.h"

#include <algorithm>
#include <any>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <set>
#include <sstream>

#include "csp/common/json_fields.h"
#include "csp/docker/adjust_results.h"
#include "csp/docker/run_line.h"
#include "csp/manifest/manifest_reader.h"
#include "csp/manifest/sources.h"
#include "csp/manifest/tape_object_view.h"
#include "csp/manifest/tape_workload.h"
#include "csp/names/names.h"
#include "csp/policy/pod_spec_parser.h"
#include "csp/policy/workload.h"
#include "csp/policy/workload_kind.h"
#include "docker_inputs.h"

namespace csp::scan {
namespace {

using json = nlohmann::json;
using policy::Labels;

constexpr std::string_view kNamespaceNameLabel = "kubernetes.io/metadata.name";

// Prints input errors as FILE:LINE: message and counts them.
class Diagnostics {
 public:
  explicit Diagnostics(std::ostream& err) : err_(err) {}
  void Report(std::string_view file, int line, std::string_view message) {
    err_ << file;
    if (line > 0) err_ << ':' << line;
    err_ << ": " << message << '\n';
    ++count_;
  }
  void Warn(std::string_view message) { err_ << "cspctl: warning: " << message << '\n'; }
  int count() const { return count_; }

 private:
  std::ostream& err_;
  int count_ = 0;
};

// Reads `in` to its end, refusing more than the input limit (no unbounded memory).
Result<std::string> ReadStream(std::istream& in) {
  std::string text;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > manifest::kMaxInputBytes) {
      return InvalidArgument("input is larger than " +
                             std::to_string(manifest::kMaxInputBytes >> 20) + " MiB");
    }
  }
  return text;
}

// Reads every source named by `paths` ("-" is `in`) and hands each document to `fn`; with
// `on_tape`, each YAML document is offered to on_tape(file, tape) first (yaml_tape.h), and with
// `prepare` too, prepare(file, tape) runs on the reading threads before (TapePreparer).
using FileTapeSink = std::function<bool(const std::string&, const manifest::YamlTape&)>;
using FileTapePreparer = std::function<std::any(const std::string&, const manifest::YamlTape&)>;
template <typename Fn>
void ForEachDocument(const std::vector<std::string>& paths, std::istream& in, Diagnostics& diag,
                     Fn&& fn, const FileTapeSink* on_tape = nullptr,
                     const FileTapePreparer* prepare = nullptr) {
  const manifest::Limits limits;
  auto on_error = [&](manifest::ReadError&& e) { diag.Report(e.file, e.line, e.message); };
  manifest::ExpandedPaths expanded = manifest::ExpandPaths(paths);
  for (const manifest::ReadError& e : expanded.errors) diag.Report(e.file, e.line, e.message);
  for (const std::string& file : expanded.files) {
    const bool is_stdin = file == "-";
    const std::string name = is_stdin ? manifest::kStdinName : file;
    Result<std::string> text = is_stdin ? ReadStream(in) : manifest::ReadFile(file);
    if (!text) {
      diag.Report(name, 0, text.error().message);
      continue;
    }
    const manifest::TapeSink tape_sink = [&](const manifest::YamlTape& tape) {
      return (*on_tape)(name, tape);
    };
    const manifest::TapePreparer tape_prepare = [&](const manifest::YamlTape& tape) {
      return (*prepare)(name, tape);
    };
    manifest::ParseManifests(
        *text, name, limits, [&](manifest::Document&& doc) { fn(name, doc); }, on_error,
        on_tape != nullptr ? &tape_sink : nullptr,
        on_tape != nullptr && prepare != nullptr ? &tape_prepare : nullptr);
  }
}

// Calls fn(object, line) for the object and, for a List or *List, for each item (recursively);
// items of typed lists take their kind and apiVersion from the list when missing.
template <typename Fn>
void ExpandLists(json& object, int line, const std::vector<int>* item_lines, Fn&& fn) {
  const json* kind = object.is_object() ? policy::GetField(object, "kind") : nullptr;
  const bool is_list =
      kind != nullptr && kind->is_string() && kind->get_ref<const std::string&>().size() >= 4 &&
      kind->get_ref<const std::string&>().ends_with("List") && object.contains("items");
  if (!is_list) {
    fn(object, line);
    return;
  }
  const std::string list_kind = kind->get<std::string>();
  const std::string item_kind =
      list_kind == "List" ? "" : list_kind.substr(0, list_kind.size() - 4);
  const json* api_version = policy::GetField(object, "apiVersion");
  json& items = object["items"];
  if (!items.is_array()) {
    fn(object, line);  // let the caller report it
    return;
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    json& item = items[i];
    if (item.is_object() && !item_kind.empty()) {
      if (!item.contains("kind")) item["kind"] = item_kind;
      if (!item.contains("apiVersion") && api_version != nullptr) item["apiVersion"] = *api_version;
    }
    int item_line = item_lines != nullptr && i < item_lines->size() ? (*item_lines)[i] : line;
    ExpandLists(item, item_line, nullptr, fn);
  }
}

std::string Describe(const json& object) {
  std::string kind(StringAt(object, "kind"));
  if (kind.empty()) kind = "object";
  std::string name;
  if (const json* meta = policy::GetField(object, "metadata"); meta && meta->is_object()) {
    if (const json* n = policy::GetField(*meta, "name"); n && n->is_string())
      name = n->get<std::string>();
  }
  return name.empty() ? kind : kind + " \"" + name + "\"";
}

// ` "name"` of a policy object, or "" when it has none.
std::string PolicyName(const json& object) {
  const json* meta = policy::GetField(object, "metadata");
  const json* name = meta && meta->is_object() ? policy::GetField(*meta, "name") : nullptr;
  return name && name->is_string() ? " \"" + name->get<std::string>() + "\"" : "";
}

// Writes the result in options.format.
void WriteResult(const ScanResult& result, const ScanOptions& options, std::ostream& out) {
  switch (options.format) {
    case Format::kJson:
    case Format::kYaml:
      WriteReports(result, options, out);
      break;
    case Format::kSarif:
      WriteSarif(result, options, out);
      break;
    case Format::kTable:
      WriteTable(result, options, out);
      break;
  }
}

// Reads a workload from `tape` and judges it under every policy, as the tree path would, fixes'
// patches written through a view of the tape; nullopt when the tape path does not take the
// document or the view cannot tell what a patch needs (a patch replacing a whole list or mapping
// that is there): the tree path then reads and judges it. Reads only its arguments (and
// `reader`, one per thread).
std::optional<ScannedWorkload> ReadTape(manifest::TapeWorkloadReader& reader,
                                        const manifest::YamlTape& tape, const std::string& file,
                                        const std::vector<policy::Policy>& policies,
                                        const std::vector<policy::EvalContext>& contexts,
                                        const std::string& default_namespace, bool want_labels) {
  std::optional<manifest::TapeWorkload> w = reader.Read(tape, default_namespace, want_labels);
  if (!w) return std::nullopt;
  const manifest::TapeObjectView object(tape, reader);
  std::vector<std::optional<std::vector<policy::RuleResult>>> results;
  for (std::size_t i = 0; i < policies.size(); ++i) {
    auto r = policy::EvaluateWithObjectView(policies[i], w->ref, w->pod, w->pod_spec_path, object,
                                            contexts[i]);
    if (!r) return std::nullopt;
    results.emplace_back(std::move(*r));
  }
  return ScannedWorkload{.ref = std::move(w->ref),
                         .file = file,
                         .line = w->line,
                         .labels = std::move(w->labels),
                         .results = std::move(results)};
}

}  // namespace

ScanResult Scan(const ScanOptions& options, std::istream& in, std::ostream& err) {
  ScanResult result;
  Diagnostics diag(err);

  // Policies first: an invalid one refuses the whole scan (its every bad field named).
  std::set<std::string> names;
  if (options.pod_security_standard) {
    const std::string level(policy::PssLevelName(*options.pod_security_standard));
    auto preset = policy::ParsePolicy({{"apiVersion", names::kApiVersion},
                                       {"kind", names::kPolicies.kind},
                                       {"metadata", {{"name", "pss-" + level}}},
                                       {"spec", {{"podSecurityStandard", level}}}});
    result.policies.push_back(std::move(*preset));  // valid by construction (tested)
    result.policy_files.emplace_back();
    names.insert("pss-" + level);
  } else if (options.policy_files.empty()) {
    result.policies.push_back(policy::DefaultPolicy());
    result.policy_files.emplace_back();
  }
  ForEachDocument(
      options.policy_files, in, diag, [&](const std::string& file, manifest::Document& doc) {
        if (doc.value.is_null()) return;
        ExpandLists(doc.value, doc.line, &doc.item_lines, [&](json& object, int line) {
          auto parsed = policy::ParsePolicy(object);
          if (!parsed) {
            const std::string name = parsed.error().message.empty() ? "" : PolicyName(object);
            std::string message = "invalid ContainerSecurityPolicy" + name + ":";
            std::istringstream lines(parsed.error().message);
            for (std::string l; std::getline(lines, l);) message += "\n  " + l;
            diag.Report(file, line, message);
            return;
          }
          if (!names.insert(parsed->name).second) {
            diag.Report(file, line,
                        "ContainerSecurityPolicy \"" + parsed->name + "\" is given twice");
            return;
          }
          result.policies.push_back(std::move(*parsed));
          result.policy_files.push_back(file);
        });
      });
  std::vector<policy::WorkloadKind> kinds;
  ForEachDocument(
      options.kind_files, in, diag, [&](const std::string& file, manifest::Document& doc) {
        if (doc.value.is_null()) return;
        ExpandLists(doc.value, doc.line, &doc.item_lines, [&](json& object, int line) {
          auto parsed = policy::ParseWorkloadKind(object);
          if (!parsed) {
            std::string message = "invalid WorkloadKind" + PolicyName(object) + ":";
            std::istringstream lines(parsed.error().message);
            for (std::string l; std::getline(lines, l);) message += "\n  " + l;
            diag.Report(file, line, message);
            return;
          }
          if (policy::FindWorkloadKind(kinds, parsed->group, parsed->kind) != nullptr) {
            diag.Report(file, line,
                        "kind " + parsed->kind + "." + parsed->group + " is declared twice");
            return;
          }
          kinds.push_back(std::move(*parsed));
        });
      });
  if (diag.count() > 0) {
    result.input_errors = diag.count();
    result.aborted = true;
    return result;
  }

  bool wants_workload_labels = false;
  for (const policy::Policy& p : result.policies)
    wants_workload_labels |= p.match.workload_selector.has_value();

  DockerInputs docker_inputs(options,
                             [&](std::string_view file, int line, std::string_view message) {
                               diag.Report(file, line, message);
                             });

  std::map<std::string, Labels, std::less<>> namespace_labels;
  // One context per policy: signature verdicts depend on the policy's keys.
  std::vector<std::unique_ptr<policy::ImageSignatures>> signatures;
  std::vector<policy::EvalContext> contexts;
  for (const policy::Policy& p : result.policies) {
    signatures.push_back(options.signatures ? options.signatures(p) : nullptr);
    contexts.push_back({.now = options.now, .signatures = signatures.back().get()});
  }
  // Evaluates one workload under every policy with evaluate(policy, context); `docker` is set
  // for a Docker input.
  auto add_scanned = [&](ScannedWorkload&& scanned, const std::string& describe,
                         const docker::DockerContainer* docker, auto&& evaluate) {
    for (std::size_t i = 0; i < result.policies.size(); ++i) {
      Result<std::vector<policy::RuleResult>> results = evaluate(result.policies[i], contexts[i]);
      if (!results) {
        diag.Report(scanned.file, scanned.line, describe + ": " + results.error().message);
        return;
      }
      if (docker != nullptr) docker::AdjustResults(*docker, *results);
      scanned.results.emplace_back(std::move(*results));
    }
    result.workloads.push_back(std::move(scanned));
  };
  auto add_workload = [&](const policy::Workload& w, const std::string& file, int line,
                          const std::string& describe, const docker::DockerContainer* docker) {
    ScannedWorkload scanned{.ref = w.ref, .file = file, .line = line};
    if (wants_workload_labels) scanned.labels = policy::LabelsFromJson(w.labels);
    add_scanned(std::move(scanned), describe, docker,
                [&](const policy::Policy& p, const policy::EvalContext& context) {
                  return policy::Evaluate(p, w, context);
                });
  };
  // The fast path: a YAML workload read from its events and judged (read_tape), then added in
  // stream order (add_from_tape); or declined, to have the tree built and read as below.
  // read_tape only reads what is shared, so it runs on the reading threads too (prepare_tape),
  // unless a policy verifies signatures: a verifier holds a cache and a registry client, and is
  // used from this thread only.
  const auto read_tape = [&](const std::string& file, const manifest::YamlTape& tape) {
    thread_local manifest::TapeWorkloadReader tape_reader{manifest::Limits{}};
    return ReadTape(tape_reader, tape, file, result.policies, contexts, options.default_namespace,
                    wants_workload_labels);
  };
  const bool verifies_signatures =
      std::any_of(signatures.begin(), signatures.end(), [](const auto& s) { return s != nullptr; });
  const FileTapePreparer prepare_tape = [&](const std::string& file,
                                            const manifest::YamlTape& tape) {
    return std::any(read_tape(file, tape));
  };
  const FileTapeSink add_from_tape = [&](const std::string& file, const manifest::YamlTape& tape) {
    std::optional<ScannedWorkload> scanned =
        tape.prepared != nullptr && tape.prepared->has_value()
            ? std::any_cast<std::optional<ScannedWorkload>&&>(std::move(*tape.prepared))
            : read_tape(file, tape);
    if (!scanned) return false;
    result.workloads.push_back(std::move(*scanned));
    return true;
  };
  // A Docker container as the workload its pod spec makes (docs/design.md "Docker inputs").
  auto add_docker = [&](const docker::DockerContainer& c, std::string_view kind,
                        const std::string& file, int line) {
    const std::string describe = std::string(kind) + " \"" + c.name + "\"";
    auto spec = docker::PodSpecFromDocker(c);
    if (!spec) {
      diag.Report(file, line, describe + ": " + spec.error().message);
      return;
    }
    const policy::Workload w{.ref = {.api_version = std::string(docker::kApiVersion),
                                     .kind = std::string(kind),
                                     .ns = options.default_namespace,
                                     .name = c.name},
                             .object = &*spec,
                             .pod_spec = &*spec,
                             .pod_spec_path = "spec"};
    add_workload(w, file, line, describe, &c);
  };
  ForEachDocument(
      options.paths, in, diag,
      [&](const std::string& file, manifest::Document& doc) {
        if (doc.value.is_null()) return;
        if (docker_inputs.ReadDocument(file, doc, add_docker)) return;
        ExpandLists(doc.value, doc.line, &doc.item_lines, [&](json& object, int line) {
          if (!object.is_object()) {
            diag.Report(file, line,
                        "expected an object, got " + std::string(policy::JsonTypeName(object)));
            return;
          }
          if (StringAt(object, "kind") == "Namespace" && StringAt(object, "apiVersion") == "v1") {
            const json* meta = policy::GetField(object, "metadata");
            const json* name = meta ? policy::GetField(*meta, "name") : nullptr;
            if (name != nullptr && name->is_string()) {
              Labels labels =
                  policy::LabelsFromJson(meta ? policy::GetField(*meta, "labels") : nullptr);
              labels[std::string(kNamespaceNameLabel)] = name->get<std::string>();
              namespace_labels[name->get<std::string>()] = std::move(labels);
            }
            return;
          }
          auto workload = policy::AsWorkload(object, options.default_namespace);
          if (!workload) {
            diag.Report(file, line, Describe(object) + ": " + workload.error().message);
            return;
          }
          if (workload->has_value()) {
            add_workload(**workload, file, line, Describe(object), nullptr);
            return;
          }
          auto custom = policy::AsCustomWorkloads(object, kinds, options.default_namespace);
          if (!custom) {
            diag.Report(file, line, Describe(object) + ": " + custom.error().message);
            return;
          }
          if (!custom->has_value()) return;  // not a workload kind: no result
          for (const policy::Workload& w : **custom) {
            add_workload(w, file, line,
                         Describe(object) + " template \"" + w.ref.pod_template + "\"", nullptr);
          }
        });
      },
      options.read_yaml_events ? &add_from_tape : nullptr,
      verifies_signatures ? nullptr : &prepare_tape);
  for (std::size_t i = 0; i < options.run_lines.size(); ++i) {
    docker_inputs.ReadRunLine(options.run_lines[i], "<run-line>", static_cast<int>(i) + 1,
                              "run-line-" + std::to_string(i + 1), add_docker);
  }
  for (const std::string& path : options.run_line_files) {
    const std::string name = path == "-" ? manifest::kStdinName : path;
    Result<std::string> text = path == "-" ? ReadStream(in) : manifest::ReadFile(path);
    if (!text) {
      diag.Report(name, 0, text.error().message);
      continue;
    }
    for (const docker::RunLine& r : docker::SplitRunLines(*text)) {
      docker_inputs.ReadRunLine(r.text, name, r.line, "run-line-" + std::to_string(r.line),
                                add_docker);
    }
  }

  // Matching waits for the whole input: a Namespace object may follow its workloads.
  std::set<std::string> unknown_namespaces;
  for (ScannedWorkload& w : result.workloads) {
    auto ns = namespace_labels.find(w.ref.ns);
    Labels implicit;
    if (ns == namespace_labels.end()) {
      implicit[std::string(kNamespaceNameLabel)] = w.ref.ns;
    }
    const Labels& labels = ns == namespace_labels.end() ? implicit : ns->second;
    for (std::size_t i = 0; i < result.policies.size(); ++i) {
      const policy::Policy& p = result.policies[i];
      if (p.match.namespace_selector && ns == namespace_labels.end())
        unknown_namespaces.insert(w.ref.ns);
      if (!policy::Matches(p, w.ref, w.labels, &labels)) {
        w.results[i].reset();
        continue;
      }
      for (const policy::RuleResult& r : *w.results[i])
        result.any_fail |= r.outcome == policy::Outcome::kFail;
    }
  }
  for (const std::string& ns : unknown_namespaces) {
    diag.Warn("namespace \"" + ns +
              "\" has no Namespace object in the input: a namespaceSelector sees only its " +
              std::string(kNamespaceNameLabel) + " label");
  }
  result.input_errors = diag.count();
  return result;
}

std::string DisplayName(const policy::WorkloadRef& ref) {
  return ref.pod_template.empty() ? ref.name : ref.name + "[" + ref.pod_template + "]";
}

std::optional<std::string> ProcessEnvironment(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  return value == nullptr ? std::nullopt : std::optional<std::string>(value);
}

std::vector<InputImage> ListImages(const ScanOptions& options, std::istream& in, std::ostream& err,
                                   int& input_errors) {
  Diagnostics diag(err);
  const std::string_view default_namespace = options.default_namespace;
  std::vector<InputImage> images;
  std::map<std::string, std::size_t, std::less<>> index;
  auto add = [&](std::string_view image, std::string user) {
    if (image.empty()) return;
    auto [it, added] = index.try_emplace(std::string(image), images.size());
    if (added) images.push_back({.image = std::string(image)});
    images[it->second].users.push_back(std::move(user));
  };
  DockerInputs docker_inputs(options,
                             [&](std::string_view file, int line, std::string_view message) {
                               diag.Report(file, line, message);
                             });
  auto add_docker = [&](const docker::DockerContainer& c, std::string_view kind, const std::string&,
                        int) {
    add(c.image, std::string(kind) + " " + std::string(default_namespace) + "/" + c.name +
                     ": container \"" + c.name + "\"");
  };
  ForEachDocument(options.paths, in, diag, [&](const std::string& file, manifest::Document& doc) {
    if (doc.value.is_null()) return;
    if (docker_inputs.ReadDocument(file, doc, add_docker)) return;
    ExpandLists(doc.value, doc.line, &doc.item_lines, [&](json& object, int line) {
      if (!object.is_object()) return;
      auto workload = policy::AsWorkload(object, default_namespace);
      if (!workload) {
        diag.Report(file, line, Describe(object) + ": " + workload.error().message);
        return;
      }
      if (!workload->has_value()) return;
      const policy::Workload& w = **workload;
      auto pod = policy::ParsePodSpec(*w.pod_spec, w.pod_spec_path, w.annotations);
      if (!pod) {
        diag.Report(file, line, Describe(object) + ": " + pod.error().message);
        return;
      }
      for (const policy::Container& c : pod->containers) {
        add(c.image,
            w.ref.kind + " " + w.ref.ns + "/" + w.ref.name + ": " + policy::ContainerLabel(c));
      }
    });
  });
  input_errors = diag.count();
  return images;
}

int ExitCode(const ScanResult& result) {
  if (result.input_errors > 0) return 2;
  return result.any_fail ? 1 : 0;
}

int RunScan(const ScanOptions& options, std::istream& in, std::ostream& out, std::ostream& err,
            ScanResult* keep) {
  ScanResult result = Scan(options, in, err);
  const int code = ExitCode(result);
  if (!result.aborted)
    WriteResult(result, options, out);  // aborted: an invalid policy, nothing judged
  if (keep != nullptr) *keep = std::move(result);
  return code;
}

}  // namespace csp::scan
