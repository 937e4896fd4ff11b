// The image verification benchmark of docs/benchmarks.md (issue 13): csp::imageverify::Verifier
// over the real registry client, against a local registry holding signed images.
//   verify_bench --images FILE --key KEY.pub --insecure-registry HOST [--threads N] [--rounds N]
// FILE lists one image reference per line (tags: the cold path includes their resolution).
// Cold: a fresh verifier verifies every image once (resolve, fetch the signatures, verify), on
// one thread for per-image latency, then with a fresh verifier on N threads for throughput.
// Warm: the one-thread verifier verifies every image again `rounds` times, each a cache hit:
// what admission pays for an image already verified. Prints totals, per-image p50/p99/max and
// how many images did not verify (a correct run has none).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "csp/imageverify/verifier.h"
#include "csp/kube/clock.h"
#include "csp/registry/client.h"
#include "csp/signature/public_key.h"

namespace {

using Clock = std::chrono::steady_clock;
using csp::imageverify::Verifier;

struct Args {
  std::string images_file, key_file, host;
  int threads = 4;
  int rounds = 10;
};

bool ParseArgs(int argc, char** argv, Args& args) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--images") {
      args.images_file = value;
    } else if (flag == "--key") {
      args.key_file = value;
    } else if (flag == "--insecure-registry") {
      args.host = value;
    } else if (flag == "--threads") {
      args.threads = std::max(1, std::atoi(value.c_str()));
    } else if (flag == "--rounds") {
      args.rounds = std::max(1, std::atoi(value.c_str()));
    } else {
      return false;
    }
  }
  return !args.images_file.empty() && !args.key_file.empty() && !args.host.empty();
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(p * static_cast<double>(values.size()) + 0.999999);
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

// Per-call latencies in microseconds, as "p50 X, p99 Y, max Z" in `unit` (1 = µs, 1000 = ms).
std::string Summary(const std::vector<double>& micros, double unit, const char* unit_name) {
  char line[160];
  std::snprintf(line, sizeof line, "p50 %.3f %s, p99 %.3f %s, max %.3f %s",
                Percentile(micros, 0.5) / unit, unit_name, Percentile(micros, 0.99) / unit,
                unit_name, Percentile(micros, 1.0) / unit, unit_name);
  return line;
}

std::unique_ptr<csp::registry::Client> NewClient(const std::string& host) {
  csp::registry::ClientOptions options;
  options.insecure_hosts[host] = csp::registry::HostSecurity::kPlainHttp;
  auto client = csp::registry::Client::New(std::move(options));
  if (!client) {
    std::fprintf(stderr, "%s\n", client.error().message.c_str());
    std::exit(2);
  }
  return std::move(*client);
}

// Verifies images[i] for every i, on `threads` threads sharing `verifier`; each call's latency
// (µs) and the number not verified.
std::size_t VerifyAll(Verifier& verifier, const std::vector<std::string>& images,
                      std::span<const csp::signature::NamedKey> keys, int threads,
                      std::vector<double>& micros) {
  micros.assign(images.size(), 0);
  std::atomic<std::size_t> next{0}, failed{0};
  auto work = [&] {
    for (std::size_t i; (i = next++) < images.size();) {
      const auto start = Clock::now();
      const auto result = verifier.Verify(images[i], keys);
      micros[i] = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
      if (result.verdict != csp::policy::SignatureVerdict::kVerified) {
        if (failed++ == 0) {
          std::fprintf(stderr, "%s: %s\n", images[i].c_str(), result.detail.c_str());
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  return failed;
}

// The registry source, counting the images it is asked about: the warm rounds must ask none.
class CountingSource final : public csp::imageverify::SignatureSource {
 public:
  explicit CountingSource(csp::registry::Client& client)
      : inner_(csp::imageverify::NewRegistrySource(client)) {}
  csp::Result<std::string> ResolveDigest(const csp::registry::Reference& ref,
                                         const csp::registry::Keychain& keychain) override {
    ++resolves;
    return inner_->ResolveDigest(ref, keychain);
  }
  csp::Result<std::vector<csp::signature::SignatureArtifact>> FetchSignatures(
      const csp::registry::Reference& ref, std::string_view digest,
      const csp::registry::Keychain& keychain) override {
    return inner_->FetchSignatures(ref, digest, keychain);
  }
  std::atomic<std::size_t> resolves{0};

 private:
  std::unique_ptr<csp::imageverify::SignatureSource> inner_;
};

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, args)) {
    std::fprintf(stderr,
                 "usage: %s --images FILE --key KEY.pub --insecure-registry HOST [--threads N] "
                 "[--rounds N]\n",
                 argv[0]);
    return 2;
  }
  std::vector<std::string> images;
  std::ifstream list(args.images_file);
  for (std::string line; std::getline(list, line);) {
    if (!line.empty()) images.push_back(line);
  }
  std::ifstream key_in(args.key_file);
  std::stringstream pem;
  pem << key_in.rdbuf();
  auto key = csp::signature::ParsePublicKey(pem.str());
  if (!key) {
    std::fprintf(stderr, "%s: %s\n", args.key_file.c_str(), key.error().message.c_str());
    return 2;
  }
  const std::vector<csp::signature::NamedKey> keys = {{.name = "release", .key = *key}};
  std::printf("images: %zu on %s\n", images.size(), args.host.c_str());

  std::vector<double> micros;
  auto client = NewClient(args.host);
  CountingSource source(*client);
  Verifier verifier(source, csp::kube::SteadyClock());
  auto start = Clock::now();
  std::size_t failed = VerifyAll(verifier, images, keys, 1, micros);
  std::printf("cold, 1 thread:    total %.2f s; per image %s; not verified %zu\n", Seconds(start),
              Summary(micros, 1000, "ms").c_str(), failed);

  auto parallel_client = NewClient(args.host);
  CountingSource parallel_source(*parallel_client);
  Verifier parallel(parallel_source, csp::kube::SteadyClock());
  start = Clock::now();
  failed = VerifyAll(parallel, images, keys, args.threads, micros);
  std::printf("cold, %d threads:   total %.2f s; per image %s; not verified %zu\n", args.threads,
              Seconds(start), Summary(micros, 1000, "ms").c_str(), failed);

  std::vector<double> warm;
  failed = 0;
  const std::size_t cold_resolves = source.resolves;
  start = Clock::now();
  for (int round = 0; round < args.rounds; ++round) {
    failed += VerifyAll(verifier, images, keys, 1, micros);
    warm.insert(warm.end(), micros.begin(), micros.end());
  }
  std::printf(
      "warm, %d rounds:   total %.3f s; per image %s; not verified %zu; registry asked "
      "%zu times\n",
      args.rounds, Seconds(start), Summary(warm, 1, "us").c_str(), failed,
      source.resolves - cold_resolves);
  return 0;
}
