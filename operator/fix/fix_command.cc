#include "csp/fix/fix_command.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <ostream>
#include <set>
#include <sstream>

#include "csp/fix/kustomize.h"
#include "csp/fix/yaml_patch.h"
#include "csp/fix/yaml_source.h"
#include "csp/manifest/sources.h"

namespace csp::fix {
namespace {

// At most this many rounds: each applies one fix per workload, and there are fewer rules.
constexpr int kMaxRounds = 32;

struct Candidate {
  const scan::ScannedWorkload* workload = nullptr;
  const policy::RuleResult* result = nullptr;
  std::string policy = {};
};

std::string Describe(const scan::ScannedWorkload& w) {
  return w.ref.kind + " " + (w.ref.ns.empty() ? "" : w.ref.ns + "/") + w.ref.name;
}

std::string Key(const Candidate& c) {
  const auto& w = *c.workload;
  return w.file + '\0' + w.ref.kind + '\0' + w.ref.ns + '\0' + w.ref.name + '\0' +
         std::string(c.result->rule) + '\0' + c.policy;
}

bool IsDockerKind(const scan::ScannedWorkload& w) { return w.ref.api_version == "docker.com/v1"; }

// The place of the workload scanned at `line` of a file whose documents are `docs`.
std::optional<WorkloadPlace> PlaceOf(const std::vector<SourceNode>& docs, int line) {
  for (std::size_t d = 0; d < docs.size(); ++d) {
    if (docs[d].type != SourceNode::Type::kMapping) continue;
    if (static_cast<int>(docs[d].line) + 1 == line) return WorkloadPlace{.document = d};
    if (const SourceNode* items = docs[d].Find("items")) {
      for (std::size_t i = 0; i < items->children.size(); ++i) {
        if (static_cast<int>(items->children[i].line) + 1 == line) {
          return WorkloadPlace{.document = d, .item = i};
        }
      }
    }
  }
  return std::nullopt;
}

// Each workload's first fix not yet tried, in policy then rule order.
std::vector<Candidate> NextFixes(const scan::ScanResult& result,
                                 const std::set<std::string>& tried) {
  std::vector<Candidate> out;
  for (const scan::ScannedWorkload& w : result.workloads) {
    if (IsDockerKind(w)) continue;
    bool found = false;
    for (std::size_t p = 0; p < w.results.size() && !found; ++p) {
      if (!w.results[p]) continue;
      for (const policy::RuleResult& r : *w.results[p]) {
        if (r.patch.is_null()) continue;
        Candidate c{.workload = &w, .result = &r, .policy = result.policies[p].name};
        if (tried.count(Key(c))) continue;
        out.push_back(c);
        found = true;
        break;
      }
    }
  }
  return out;
}

int InPlace(const FixOptions& options, std::istream& in, std::ostream& out, std::ostream& err) {
  std::set<std::string> tried;
  bool refused = false;
  int input_errors = 0;
  std::ostringstream quiet;
  for (int round = 0; round < kMaxRounds; ++round) {
    scan::ScanResult result = scan::Scan(options.scan, in, round == 0 ? err : quiet);
    if (result.aborted) return 2;
    if (round == 0) input_errors = result.input_errors;
    std::vector<Candidate> fixes = NextFixes(result, tried);
    if (fixes.empty()) break;
    std::map<std::string, std::vector<Candidate>> by_file;
    for (const Candidate& c : fixes) {
      tried.insert(Key(c));
      by_file[c.workload->file].push_back(c);
    }
    bool applied = false;
    for (auto& entry : by_file) {
      // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
      const std::string& file = entry.first;
      std::vector<Candidate>& candidates = entry.second;
      auto refuse = [&](const Candidate& c, const std::string& why) {
        err << "cspctl fix: " << file << ": " << Describe(*c.workload) << ": " << c.result->rule
            << ": not fixed: " << why << '\n';
        refused = true;
      };
      if (file == manifest::kStdinName) {
        for (const Candidate& c : candidates) refuse(c, "stdin cannot be edited in place");
        continue;
      }
      auto text = manifest::ReadFile(file);
      if (!text) {
        for (const Candidate& c : candidates) refuse(c, text.error().message);
        continue;
      }
      auto docs = ParseSource(*text);
      std::string edited = *text;
      for (const Candidate& c : candidates) {
        std::optional<WorkloadPlace> place;
        if (docs) place = PlaceOf(*docs, c.workload->line);
        if (!place) {
          refuse(c, "cannot find the object in the file's YAML structure");
          continue;
        }
        auto patched = PatchYaml(edited, *place, c.result->patch);
        if (!patched) {
          refuse(c, patched.error().message);
          continue;
        }
        edited = std::move(*patched);
        out << file << ":" << c.workload->line << ": " << Describe(*c.workload) << ": fixed "
            << c.result->rule << '\n';
      }
      if (edited == *text) continue;
      if (Status s = WriteFileAtomically(file, edited); !s) {
        err << "cspctl fix: " << file << ": " << s.error().message << '\n';
        return 2;
      }
      applied = true;
    }
    if (!applied) break;
  }
  if (input_errors > 0) return 2;
  return refused ? 1 : 0;
}

int ToKustomize(const FixOptions& options, std::istream& in, std::ostream& out, std::ostream& err) {
  scan::ScanResult result = scan::Scan(options.scan, in, err);
  if (result.aborted) return 2;
  std::vector<WorkloadPatch> patches;
  for (const scan::ScannedWorkload& w : result.workloads) {
    if (IsDockerKind(w)) continue;
    WorkloadPatch p{.ref = w.ref,
                    .has_namespace = w.ref.ns != options.scan.default_namespace,
                    .patch = nlohmann::json::array()};
    // Every fix was computed against the same object: an operation two fixes share (a parent
    // both add) is kept once.
    for (const auto& results : w.results) {
      if (!results) continue;
      for (const policy::RuleResult& r : *results) {
        if (r.patch.is_null()) continue;
        for (const auto& op : r.patch) {
          if (std::find(p.patch.begin(), p.patch.end(), op) == p.patch.end()) p.patch.push_back(op);
        }
      }
    }
    if (!p.patch.empty()) patches.push_back(std::move(p));
  }
  if (Status s = WriteKustomize(options.kustomize_dir, patches); !s) {
    err << "cspctl fix: " << s.error().message << '\n';
    return 2;
  }
  out << "wrote " << patches.size() << " patch" << (patches.size() == 1 ? "" : "es") << " to "
      << options.kustomize_dir << "/kustomization.yaml\n";
  return result.input_errors > 0 ? 2 : 0;
}

}  // namespace

int RunFix(const FixOptions& options, std::istream& in, std::ostream& out, std::ostream& err) {
  return options.kustomize_dir.empty() ? InPlace(options, in, out, err)
                                       : ToKustomize(options, in, out, err);
}

Status WriteFileAtomically(const std::string& path, const std::string& bytes) {
  struct stat st {};
  const bool exists = ::stat(path.c_str(), &st) == 0;
  const std::string tmp = path + ".cspctl-fix.tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                        exists ? (st.st_mode & 07777) : 0644);
  if (fd < 0) return Error{Code::kUnavailable, "cannot create " + tmp};
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  // The new bytes are on disk before the name points at them.
  const bool ok = done == bytes.size() && ::fsync(fd) == 0 &&
                  (!exists || ::fchmod(fd, st.st_mode & 07777) == 0);
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Error{Code::kUnavailable, "cannot write " + path};
  }
  return {};
}

}  // namespace csp::fix
