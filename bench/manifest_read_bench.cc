// Times reading a manifest file: ReadSource + ParseManifests over every document, nothing else.
// Prints wall and CPU time, documents/s and MB/s. Usage:
//   manifest_read_bench FILE [--repeat N] [--threads N]
//   --repeat N   print the best of N runs (default 1)
//   --threads N  Limits::threads (default 0: one per core, at most 4; 1: single-threaded)
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "csp/manifest/manifest_reader.h"
#include "csp/manifest/sources.h"

namespace {

double CpuSeconds(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

struct Run {
  double read_seconds = 0;
  double parse_seconds = 0;
  double process_cpu_seconds = 0;  // every thread, reading and parsing
  double caller_cpu_seconds = 0;   // the calling thread, which builds the documents
  double worker_cpu_seconds = 0;   // the other threads, which run libyaml
  std::size_t documents = 0;
  std::size_t nodes = 0;
  std::size_t errors = 0;
  std::size_t bytes = 0;
};

Run Once(const std::string& path, const csp::manifest::Limits& limits) {
  using Clock = std::chrono::steady_clock;
  Run run;
  const double process_cpu_start = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
  const double caller_cpu_start = CpuSeconds(CLOCK_THREAD_CPUTIME_ID);
  const auto start = Clock::now();
  auto source = csp::manifest::ReadSource(path);
  if (!source) {
    std::fprintf(stderr, "%s\n", source.error().message.c_str());
    std::exit(2);
  }
  const auto read = Clock::now();
  run.bytes = source->text.size();
  csp::manifest::ParseManifests(
      source->text, source->name, limits,
      [&](csp::manifest::Document&& document) {
        ++run.documents;
        // Touch the value the way an evaluator would, so nothing is optimized away.
        if (document.value.is_object()) run.nodes += document.value.size();
      },
      [&](csp::manifest::ReadError&& error) {
        ++run.errors;
        std::fprintf(stderr, "%s\n", error.ToString().c_str());
      });
  const auto parsed = Clock::now();
  run.process_cpu_seconds = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - process_cpu_start;
  run.caller_cpu_seconds = CpuSeconds(CLOCK_THREAD_CPUTIME_ID) - caller_cpu_start;
  run.worker_cpu_seconds = std::max(0.0, run.process_cpu_seconds - run.caller_cpu_seconds);
  run.read_seconds = std::chrono::duration<double>(read - start).count();
  run.parse_seconds = std::chrono::duration<double>(parsed - read).count();
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  int repeat = 1;
  csp::manifest::Limits limits;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--repeat" && i + 1 < argc) {
      repeat = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--threads" && i + 1 < argc) {
      limits.threads = static_cast<std::size_t>(std::max(0, std::atoi(argv[++i])));
    } else if (path.empty() && !arg.starts_with("--")) {
      path = arg;
    } else {
      path.clear();
      break;
    }
  }
  if (path.empty()) {
    std::fprintf(stderr, "usage: %s FILE [--repeat N] [--threads N]\n", argv[0]);
    return 2;
  }
  Run best;
  for (int i = 0; i < repeat; ++i) {
    const Run run = Once(path, limits);
    if (i == 0 || run.read_seconds + run.parse_seconds < best.read_seconds + best.parse_seconds) {
      best = run;
    }
  }
  const double total = best.read_seconds + best.parse_seconds;
  std::printf("file: %s (%.1f MB), threads: %zu\n", path.c_str(), best.bytes / 1e6, limits.threads);
  std::printf("documents: %zu, errors: %zu\n", best.documents, best.errors);
  std::printf("read file: %.3f s, parse: %.3f s, total wall: %.3f s\n", best.read_seconds,
              best.parse_seconds, total);
  std::printf("throughput: %.0f documents/s, %.1f MB/s\n", best.documents / total,
              best.bytes / 1e6 / total);
  // On a busy machine wall time includes waiting for a core; CPU time does not.
  std::printf("cpu: %.3f s in all, %.3f s on the calling thread, %.3f s on workers\n",
              best.process_cpu_seconds, best.caller_cpu_seconds, best.worker_cpu_seconds);
  return best.errors == 0 ? 0 : 1;
}
