// Times reading a manifest file, in one run, five ways:
//   yaml-cpp   YAML::LoadAll: the whole stream as yaml-cpp nodes (the reference of issue 17)
//   tree       ParseManifests: every document as a JSON tree (libyaml events -> nlohmann::json)
//   tree+typed the tree, then policy::AsWorkload and policy::ParsePodSpec (the scan's old path)
//   libyaml    ParseManifests with the tape reader: workloads' typed pod specs straight from
//              libyaml's events, the tree only for documents it declines
//   events     the same with the events of plain-style documents from the plain scanner
//              (yaml_plain_scanner.h; the scan's path)
// and checks that `tree+typed`, `libyaml` and `events` find the same workloads and containers.
// The tree ways use the plain scanner too where the stream is read in pieces. Prints wall
// and CPU time and MB/s for each. Usage:
//   manifest_read_bench FILE [--repeat N] [--threads N] [--skip-yaml-cpp]
//   --repeat N   print the best and the median of N runs of each (default 1)
//   --threads N  Limits::threads (default 0: one per core, at most 4; 1: single-threaded)
#include <time.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "csp/manifest/manifest_reader.h"
#include "csp/manifest/sources.h"
#include "csp/manifest/tape_workload.h"
#include "csp/policy/pod_spec_parser.h"
#include "csp/policy/workload.h"

namespace {

using csp::manifest::Limits;

double CpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

struct Run {
  double wall = 0;
  double cpu = 0;  // every thread
  std::size_t documents = 0;
  std::size_t workloads = 0;
  std::size_t containers = 0;  // a checksum of what was read
  std::size_t errors = 0;
};

void OnError(Run& run, csp::manifest::ReadError&& error) {
  ++run.errors;
  std::fprintf(stderr, "%s\n", error.ToString().c_str());
}

void Tree(const std::string& text, const Limits& limits, Run& run) {
  csp::manifest::ParseManifests(
      text, "corpus", limits,
      [&](csp::manifest::Document&& document) {
        ++run.documents;
        if (document.value.is_object()) run.containers += document.value.size();
      },
      [&](csp::manifest::ReadError&& error) { OnError(run, std::move(error)); });
}

void TypedFromTree(Run& run, const nlohmann::json& value) {
  auto workload = csp::policy::AsWorkload(value, "default");
  if (!workload || !workload->has_value()) return;
  const csp::policy::Workload& w = **workload;
  auto pod = csp::policy::ParsePodSpec(*w.pod_spec, w.pod_spec_path, w.annotations);
  if (!pod) return;
  ++run.workloads;
  run.containers += pod->containers.size();
}

void TreeTyped(const std::string& text, const Limits& limits, Run& run) {
  csp::manifest::ParseManifests(
      text, "corpus", limits,
      [&](csp::manifest::Document&& document) {
        ++run.documents;
        TypedFromTree(run, document.value);
      },
      [&](csp::manifest::ReadError&& error) { OnError(run, std::move(error)); });
}

void Events(const std::string& text, const Limits& limits, Run& run) {
  csp::manifest::TapeWorkloadReader reader(limits);
  const csp::manifest::TapeSink on_tape = [&](const csp::manifest::YamlTape& tape) {
    std::optional<csp::manifest::TapeWorkload> w = reader.Read(tape, "default", false);
    if (!w) return false;
    ++run.documents;
    ++run.workloads;
    run.containers += w->pod.containers.size();
    return true;
  };
  csp::manifest::ParseManifests(
      text, "corpus", limits,
      [&](csp::manifest::Document&& document) {
        ++run.documents;
        TypedFromTree(run, document.value);
      },
      [&](csp::manifest::ReadError&& error) { OnError(run, std::move(error)); }, &on_tape);
}

void LibyamlEvents(const std::string& text, const Limits& limits, Run& run) {
  Limits libyaml = limits;
  libyaml.plain_yaml_scanner = false;
  Events(text, libyaml, run);
}

void YamlCpp(const std::string& text, const Limits&, Run& run) {
  try {
    const std::vector<YAML::Node> nodes = YAML::LoadAll(text);
    run.documents = nodes.size();
    for (const YAML::Node& node : nodes) run.containers += node.size();
  } catch (const YAML::Exception& e) {
    ++run.errors;
    std::fprintf(stderr, "yaml-cpp: %s\n", e.what());
  }
}

using Reader = std::function<void(const std::string&, const Limits&, Run&)>;

Run Once(const std::string& text, const Limits& limits, const Reader& read) {
  using Clock = std::chrono::steady_clock;
  Run run;
  const double cpu_start = CpuSeconds();
  const auto start = Clock::now();
  read(text, limits, run);
  run.wall = std::chrono::duration<double>(Clock::now() - start).count();
  run.cpu = CpuSeconds() - cpu_start;
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  int repeat = 1;
  bool yaml_cpp = true;
  Limits limits;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--repeat" && i + 1 < argc) {
      repeat = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--threads" && i + 1 < argc) {
      limits.threads = static_cast<std::size_t>(std::max(0, std::atoi(argv[++i])));
    } else if (arg == "--skip-yaml-cpp") {
      yaml_cpp = false;
    } else if (path.empty() && !arg.starts_with("--")) {
      path = arg;
    } else {
      path.clear();
      break;
    }
  }
  if (path.empty()) {
    std::fprintf(stderr, "usage: %s FILE [--repeat N] [--threads N] [--skip-yaml-cpp]\n", argv[0]);
    return 2;
  }
  auto source = csp::manifest::ReadSource(path);
  if (!source) {
    std::fprintf(stderr, "%s\n", source.error().message.c_str());
    return 2;
  }
  const double mb = static_cast<double>(source->text.size()) / 1e6;
  std::printf("file: %s (%.1f MB), threads: %zu (0: one per core), %d runs each\n", path.c_str(),
              mb, limits.threads, repeat);
  struct Way {
    const char* name;
    Reader read;
  };
  std::vector<Way> ways = {
      {"tree", Tree}, {"tree+typed", TreeTyped}, {"libyaml", LibyamlEvents}, {"events", Events}};
  if (yaml_cpp) ways.insert(ways.begin(), {"yaml-cpp", YamlCpp});
  std::vector<Run> typed;
  std::vector<double> medians;
  bool failed = false;
  for (const Way& way : ways) {
    std::vector<Run> runs;
    for (int i = 0; i < repeat; ++i) runs.push_back(Once(source->text, limits, way.read));
    std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) { return a.wall < b.wall; });
    const Run& best = runs.front();
    const Run& median = runs[runs.size() / 2];
    medians.push_back(median.wall);
    std::printf(
        "%-10s best %.3f s, median %.3f s wall (%.1f MB/s), median CPU %.3f s; %zu documents, "
        "%zu workloads, %zu errors\n",
        way.name, best.wall, median.wall, mb / median.wall, median.cpu, best.documents,
        best.workloads, best.errors);
    failed |= best.errors != 0;
    if (std::string(way.name) != "tree" && std::string(way.name) != "yaml-cpp") {
      typed.push_back(best);
    }
  }
  if (yaml_cpp) {
    std::printf("events vs yaml-cpp: %.1fx faster (median wall)\n",
                medians.front() / medians.back());
  }
  std::printf("events vs libyaml: %.1fx faster (median wall)\n",
              medians[medians.size() - 2] / medians.back());
  for (const Run& run : typed) {
    if (run.workloads != typed[0].workloads || run.containers != typed[0].containers) {
      std::printf("MISMATCH: tree+typed, libyaml and events read different workloads\n");
      return 1;
    }
  }
  return failed ? 1 : 0;
}
