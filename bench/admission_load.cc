// Load generator for the admission benchmark of docs/benchmarks.md (issue 12). Not a test: it
// measures and prints one JSON line; bench/admission_bench.sh drives it.
//
//   admission_load apiserver --server https://127.0.0.1:PORT (--token-file F |
//       --client-cert C --client-key K) --cacert CA --namespace NS --clients N
//       --creates-per-client M [--pod-json FILE] [--rate R]
//     N threads, each with its own TLS keep-alive connection, each POSTs M Pods (generateName)
//     to /api/v1/namespaces/NS/pods. 201 is ok, a 403 that an admission webhook or policy
//     denied is refused, anything else (RBAC's 403 too, and a broken connection) is an error.
//     Closed loop by default (each client sends its next create when the last one returned);
//     --rate R paces all clients together at R creates/s (open loop, below saturation).
//   admission_load webhook --url https://127.0.0.1:PORT/validate (--cacert CA | --insecure)
//       --threads T --seconds S [--namespace NS] [--review-json FILE]
//     T threads, each with one TLS keep-alive connection, POST an AdmissionReview for S seconds;
//     ok is a 200 whose JSON response.uid echoes the request's uid.
//
// Every connection is made (TCP + TLS handshake) before the clock starts, so the figures are
// per-request latencies on warm connections. Percentiles come from every sample, sorted.
// Loopback only: the tool refuses a host other than 127.0.0.1, ::1 or localhost.
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr int kMaxClients = 500;

[[noreturn]] void Usage(const std::string& why) {
  std::cerr << "admission_load: " << why << "\n"
            << "usage: admission_load apiserver --server URL (--token-file F | --client-cert C "
               "--client-key K) --cacert CA --namespace NS --clients N --creates-per-client M "
               "[--pod-json FILE] [--rate R]\n"
            << "       admission_load webhook --url URL (--cacert CA | --insecure) --threads T "
               "--seconds S [--namespace NS] [--review-json FILE]\n";
  std::exit(2);
}

// --name value pairs (and the bare --insecure), after the mode.
std::map<std::string, std::string> ParseFlags(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 2; i < argc; ++i) {
    std::string name = argv[i];
    if (name.rfind("--", 0) != 0) Usage("unexpected argument " + name);
    name = name.substr(2);
    if (name == "insecure") {
      flags[name] = "1";
      continue;
    }
    if (i + 1 >= argc) Usage("--" + name + " wants a value");
    flags[name] = argv[++i];
  }
  return flags;
}

std::string Flag(const std::map<std::string, std::string>& flags, const std::string& name) {
  auto it = flags.find(name);
  if (it == flags.end()) Usage("--" + name + " is required");
  return it->second;
}

std::string FlagOr(const std::map<std::string, std::string>& flags, const std::string& name,
                   std::string fallback) {
  auto it = flags.find(name);
  return it == flags.end() ? fallback : it->second;
}

int PositiveFlag(const std::map<std::string, std::string>& flags, const std::string& name,
                 int max) {
  const std::string text = Flag(flags, name);
  std::size_t used = 0;
  int value = 0;
  try {
    value = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || value < 1 || value > max) {
    Usage("--" + name + " wants a number from 1 to " + std::to_string(max) + ", got " + text);
  }
  return value;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Usage("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

nlohmann::json ReadJson(const std::string& path) {
  try {
    return nlohmann::json::parse(ReadFile(path));
  } catch (const nlohmann::json::exception& e) {
    Usage(path + " is not JSON: " + e.what());
  }
}

struct Url {
  std::string host = {};
  std::string port = {};
  std::string path = {};
};

// https://HOST:PORT[/PATH] with a loopback HOST; anything else is a usage error.
Url ParseUrl(const std::string& text) {
  const std::string scheme = "https://";
  if (text.rfind(scheme, 0) != 0) Usage(text + " is not an https:// URL");
  const std::string rest = text.substr(scheme.size());
  const std::size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  Url url{.path = slash == std::string::npos ? "/" : rest.substr(slash)};
  const std::size_t colon = authority.rfind(':');
  if (colon == std::string::npos || authority.back() == ']') Usage(text + " names no port");
  url.host = authority.substr(0, colon);
  url.port = authority.substr(colon + 1);
  if (url.host.size() > 2 && url.host.front() == '[')
    url.host = url.host.substr(1, url.host.size() - 2);
  if (url.host != "127.0.0.1" && url.host != "::1" && url.host != "localhost") {
    Usage(text + " is not a loopback address; the benchmark runs on loopback only");
  }
  return url;
}

struct TlsOptions {
  std::string cacert = {};  // empty with insecure
  bool insecure = false;
  std::string client_cert = {};
  std::string client_key = {};
};

std::unique_ptr<ssl::context> MakeTlsContext(const TlsOptions& options) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (options.insecure) {
    context->set_verify_mode(ssl::verify_none);
  } else {
    context->load_verify_file(options.cacert);
    context->set_verify_mode(ssl::verify_peer);
  }
  if (!options.client_cert.empty()) {
    context->use_certificate_chain_file(options.client_cert);
    context->use_private_key_file(options.client_key, ssl::context::pem);
  }
  return context;
}

// One TLS keep-alive connection; Post() reconnects first when the last exchange broke it.
class Connection {
 public:
  Connection(ssl::context& tls, Url url, bool verify_host)
      : tls_(tls), url_(std::move(url)), verify_host_(verify_host) {}

  void Connect() {
    stream_ = std::make_unique<beast::ssl_stream<tcp::socket>>(io_, tls_);
    SSL* handle = stream_->native_handle();
    boost::system::error_code not_ip;
    asio::ip::make_address(url_.host, not_ip);
    if (not_ip) SSL_set_tlsext_host_name(handle, url_.host.c_str());  // SNI takes names only
    if (verify_host_) {
      X509_VERIFY_PARAM* param = SSL_get0_param(handle);
      const int set = not_ip ? X509_VERIFY_PARAM_set1_host(param, url_.host.c_str(), 0)
                             : X509_VERIFY_PARAM_set1_ip_asc(param, url_.host.c_str());
      if (set != 1) throw std::runtime_error("cannot set the host to verify");
    }
    tcp::resolver resolver(io_);
    asio::connect(stream_->next_layer(), resolver.resolve(url_.host, url_.port));
    stream_->next_layer().set_option(tcp::no_delay(true));
    stream_->handshake(ssl::stream_base::client);
    open_ = true;
  }

  // Sends one POST and reads the whole response. Throws on a transport error (the connection is
  // then dropped and the next call reconnects).
  http::response<http::string_body> Post(const std::string& target, const std::string& body,
                                         const std::string& authorization) {
    if (!open_) Connect();
    http::request<http::string_body> request{http::verb::post, target, 11};
    request.set(http::field::host, url_.host + ":" + url_.port);
    request.set(http::field::content_type, "application/json");
    request.set(http::field::accept, "application/json");
    if (!authorization.empty()) request.set(http::field::authorization, authorization);
    request.keep_alive(true);
    request.body() = body;
    request.prepare_payload();
    http::response<http::string_body> response;
    try {
      http::write(*stream_, request);
      http::read(*stream_, buffer_, response);
    } catch (...) {
      open_ = false;
      buffer_.clear();
      throw;
    }
    if (!response.keep_alive()) open_ = false;
    return response;
  }

 private:
  asio::io_context io_;  // one per connection: every call is synchronous on its own thread
  ssl::context& tls_;
  Url url_;
  bool verify_host_;
  std::unique_ptr<beast::ssl_stream<tcp::socket>> stream_;
  beast::flat_buffer buffer_;
  bool open_ = false;
};

// What one thread saw; merged after every thread has finished.
struct Tally {
  std::vector<double> latencies_ms;
  long ok = 0;
  long refused = 0;
  long denied = 0;
  long errors = 0;
  std::map<std::string, long> error_kinds;  // HTTP status or "transport", "uid", ...

  void Error(const std::string& kind) {
    ++errors;
    ++error_kinds[kind];
  }
  void Merge(Tally&& other) {
    latencies_ms.insert(latencies_ms.end(), other.latencies_ms.begin(), other.latencies_ms.end());
    ok += other.ok;
    refused += other.refused;
    denied += other.denied;
    errors += other.errors;
    for (const auto& [kind, count] : other.error_kinds) error_kinds[kind] += count;
  }
};

double Percentile(const std::vector<double>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  // Nearest rank: the smallest sample with at least `fraction` of the samples at or below it.
  auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Runs `work(index, connection, tally)` on `count` threads once every connection is made, and
// returns the merged tally and the seconds between the start signal and the last thread's end.
template <typename Work>
std::pair<Tally, double> RunThreads(int count, ssl::context& tls, const Url& url, bool verify_host,
                                    Work work) {
  std::vector<Tally> tallies(count);
  std::latch connected(count);
  std::latch start(1);
  std::atomic<int> failed_connects{0};
  std::mutex error_mutex;
  std::string first_connect_error;
  std::vector<std::thread> threads;
  threads.reserve(count);
  for (int i = 0; i < count; ++i) {
    threads.emplace_back([&, i] {
      Connection connection(tls, url, verify_host);
      bool ready = true;
      try {
        connection.Connect();
      } catch (const std::exception& e) {
        ready = false;
        ++failed_connects;
        std::lock_guard lock(error_mutex);
        if (first_connect_error.empty()) first_connect_error = e.what();
      }
      connected.count_down();
      start.wait();
      if (ready) work(i, connection, tallies[i]);
    });
  }
  connected.wait();
  if (failed_connects > 0) {
    std::cerr << "admission_load: " << failed_connects << " of " << count
              << " connections failed, first: " << first_connect_error << "\n";
  }
  const Clock::time_point began = Clock::now();
  start.count_down();
  for (std::thread& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - began).count();
  Tally all;
  for (Tally& t : tallies) all.Merge(std::move(t));
  all.errors += failed_connects;
  if (failed_connects > 0) all.error_kinds["connect"] += failed_connects;
  return {std::move(all), seconds};
}

nlohmann::ordered_json Summary(const std::string& mode, const char* width_name, int width,
                               Tally& tally, double seconds) {
  std::sort(tally.latencies_ms.begin(), tally.latencies_ms.end());
  const auto& l = tally.latencies_ms;
  const long requests = static_cast<long>(l.size());
  auto round3 = [](double v) { return std::round(v * 1000) / 1000; };
  nlohmann::ordered_json out;
  out["mode"] = mode;
  out[width_name] = width;
  out["requests"] = requests;
  out["ok"] = tally.ok;
  if (mode == "apiserver") out["refused"] = tally.refused;
  if (mode == "webhook") out["denied"] = tally.denied;
  out["errors"] = tally.errors;
  out["seconds"] = round3(seconds);
  out["per_second"] = std::round(seconds > 0 ? static_cast<double>(requests) / seconds : 0);
  out["p50_ms"] = round3(Percentile(l, 0.50));
  if (mode == "apiserver") out["p90_ms"] = round3(Percentile(l, 0.90));
  out["p99_ms"] = round3(Percentile(l, 0.99));
  out["max_ms"] = round3(l.empty() ? 0 : l.back());
  if (!tally.error_kinds.empty()) out["error_kinds"] = tally.error_kinds;
  return out;
}

// A Pod that passes every control: non-root (uid 1000), RuntimeDefault seccomp and AppArmor,
// every capability dropped, no privilege escalation, no hostPath. Its scheduler does not exist,
// so nothing but the create touches it (no binding, no kwok status writes, no Events): the
// benchmark measures admission, not the cluster's reaction to new Pods.
nlohmann::json DefaultPod() {
  return nlohmann::json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"generateName": "bench-", "labels": {"app": "admission-bench"}},
    "spec": {
      "schedulerName": "csp-bench-unscheduled",
      "securityContext": {"runAsNonRoot": true, "runAsUser": 1000,
                          "seccompProfile": {"type": "RuntimeDefault"},
                          "appArmorProfile": {"type": "RuntimeDefault"}},
      "containers": [{
        "name": "app", "image": "registry.k8s.io/pause:3.10",
        "securityContext": {"allowPrivilegeEscalation": false, "runAsNonRoot": true,
                            "runAsUser": 1000, "capabilities": {"drop": ["ALL"]},
                            "seccompProfile": {"type": "RuntimeDefault"},
                            "appArmorProfile": {"type": "RuntimeDefault"}}
      }]
    }
  })");
}

// A webhook's refusal says "admission webhook ... denied the request", a
// ValidatingAdmissionPolicy's "... denied request"; RBAC's and PodSecurity's 403s say neither.
bool IsAdmissionRefusal(const std::string& body) {
  return body.find("denied the request") != std::string::npos ||
         body.find("denied request") != std::string::npos;
}

int RunApiserver(const std::map<std::string, std::string>& flags) {
  const Url url = ParseUrl(Flag(flags, "server"));
  const std::string ns = Flag(flags, "namespace");
  const int clients = PositiveFlag(flags, "clients", kMaxClients);
  const int creates = PositiveFlag(flags, "creates-per-client", 1000000);
  TlsOptions tls_options{.cacert = Flag(flags, "cacert")};
  std::string authorization;
  if (flags.contains("token-file")) {
    std::string token = ReadFile(Flag(flags, "token-file"));
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) {
      token.pop_back();
    }
    authorization = "Bearer " + token;
  } else if (flags.contains("client-cert")) {
    tls_options.client_cert = Flag(flags, "client-cert");
    tls_options.client_key = Flag(flags, "client-key");
  } else {
    Usage("give --token-file or --client-cert and --client-key");
  }
  nlohmann::json pod =
      flags.contains("pod-json") ? ReadJson(Flag(flags, "pod-json")) : DefaultPod();
  if (!pod.is_object()) Usage("the pod is not a JSON object");
  if (!pod.contains("metadata") || !pod["metadata"].is_object())
    pod["metadata"] = nlohmann::json::object();
  pod["metadata"].erase("name");
  if (!pod["metadata"].contains("generateName")) pod["metadata"]["generateName"] = "bench-";
  const std::string body = pod.dump();
  const std::string target = "/api/v1/namespaces/" + ns + "/pods";
  auto tls = MakeTlsContext(tls_options);

  // With --rate, create n of client i is due at (n * clients + i) / rate seconds, and its
  // latency counts from then: a create sent late because the previous one was slow is charged
  // the wait (no coordinated omission).
  const int rate = flags.contains("rate") ? PositiveFlag(flags, "rate", 1000000) : 0;
  const auto interval = std::chrono::duration<double>(rate > 0 ? 1.0 / rate : 0.0);

  auto [tally, seconds] =
      RunThreads(clients, *tls, url, true, [&](int index, Connection& connection, Tally& mine) {
        mine.latencies_ms.reserve(creates);
        const Clock::time_point began = Clock::now();
        for (int n = 0; n < creates; ++n) {
          Clock::time_point sent = Clock::now();
          if (rate > 0) {
            const auto due = began + std::chrono::duration_cast<Clock::duration>(
                                         interval * (static_cast<double>(n) * clients + index));
            std::this_thread::sleep_until(due);
            sent = due;
          }
          try {
            const auto response = connection.Post(target, body, authorization);
            mine.latencies_ms.push_back(Millis(Clock::now() - sent));
            const unsigned status = response.result_int();
            if (status == 201) {
              ++mine.ok;
            } else if (status == 403 && IsAdmissionRefusal(response.body())) {
              ++mine.refused;
            } else {
              mine.Error(std::to_string(status));
            }
          } catch (const std::exception&) {
            mine.latencies_ms.push_back(Millis(Clock::now() - sent));
            mine.Error("transport");
          }
        }
      });
  std::cout << Summary("apiserver", "clients", clients, tally, seconds).dump() << std::endl;
  return tally.latencies_ms.empty() ? 1 : 0;  // nothing measured
}

// A Pod CREATE that fails several controls at once: privileged, the Docker socket mounted, no
// seccomp profile, running as root, SYS_ADMIN added.
nlohmann::json DefaultReview(const std::string& ns) {
  nlohmann::json review = nlohmann::json::parse(R"({
    "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
    "request": {
      "uid": "", "operation": "CREATE", "dryRun": false,
      "kind": {"group": "", "version": "v1", "kind": "Pod"},
      "resource": {"group": "", "version": "v1", "resource": "pods"},
      "requestKind": {"group": "", "version": "v1", "kind": "Pod"},
      "requestResource": {"group": "", "version": "v1", "resource": "pods"},
      "name": "violator", "namespace": "",
      "userInfo": {"username": "admin", "groups": ["system:masters", "system:authenticated"]},
      "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"},
      "object": {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "violator", "namespace": "", "labels": {"app": "violator"}},
        "spec": {
          "containers": [{
            "name": "app", "image": "docker.io/library/nginx:1.27",
            "securityContext": {"privileged": true, "runAsUser": 0,
                                "capabilities": {"add": ["SYS_ADMIN"]}},
            "volumeMounts": [{"name": "docker", "mountPath": "/var/run/docker.sock"}]
          }],
          "volumes": [{"name": "docker",
                       "hostPath": {"path": "/var/run/docker.sock", "type": "Socket"}}]
        }
      }
    }
  })");
  review["request"]["namespace"] = ns;
  review["request"]["object"]["metadata"]["namespace"] = ns;
  return review;
}

// The review's uid is rewritten in place for every request, so that each response must echo
// its own request: a placeholder of a uid's length is found once in the serialized body.
constexpr std::string_view kUidPlaceholder = "00000000-0000-4000-8000-000000000000";

std::string RequestUid(int thread, long sequence) {
  char uid[48];
  std::snprintf(uid, sizeof uid, "%08x-0000-4000-8000-%012llx", static_cast<unsigned>(thread),
                static_cast<unsigned long long>(sequence) & 0xffffffffffffULL);
  return uid;  // always the placeholder's 36 characters
}

int RunWebhook(const std::map<std::string, std::string>& flags) {
  const Url url = ParseUrl(Flag(flags, "url"));
  const int threads = PositiveFlag(flags, "threads", kMaxClients);
  const int seconds_wanted = PositiveFlag(flags, "seconds", 3600);
  TlsOptions tls_options{.insecure = flags.contains("insecure")};
  if (!tls_options.insecure) tls_options.cacert = Flag(flags, "cacert");
  nlohmann::json review = flags.contains("review-json")
                              ? ReadJson(Flag(flags, "review-json"))
                              : DefaultReview(FlagOr(flags, "namespace", "default"));
  if (!review.contains("request") || !review["request"].is_object()) {
    Usage("the review has no request object");
  }
  review["request"]["uid"] = kUidPlaceholder;
  const std::string body = review.dump();
  const std::size_t uid_at = body.find(kUidPlaceholder);
  auto tls = MakeTlsContext(tls_options);
  const auto deadline_after = std::chrono::seconds(seconds_wanted);

  auto [tally, seconds] =
      RunThreads(threads, *tls, url, !tls_options.insecure,
                 [&](int index, Connection& connection, Tally& mine) {
                   std::string mine_body = body;
                   const Clock::time_point deadline = Clock::now() + deadline_after;
                   for (long n = 0; Clock::now() < deadline; ++n) {
                     const std::string uid = RequestUid(index, n);
                     mine_body.replace(uid_at, uid.size(), uid);
                     const Clock::time_point sent = Clock::now();
                     try {
                       const auto response = connection.Post(url.path, mine_body, "");
                       mine.latencies_ms.push_back(Millis(Clock::now() - sent));
                       if (response.result_int() != 200) {
                         mine.Error(std::to_string(response.result_int()));
                         continue;
                       }
                       const auto answer = nlohmann::json::parse(response.body(), nullptr, false);
                       const nlohmann::json* got = nullptr;
                       if (answer.is_object() && answer.contains("response") &&
                           answer["response"].is_object()) {
                         got = &answer["response"];
                       }
                       if (got == nullptr || !got->contains("uid") || (*got)["uid"] != uid) {
                         mine.Error("uid");
                         continue;
                       }
                       ++mine.ok;
                       if (got->contains("allowed") && (*got)["allowed"] == false) ++mine.denied;
                     } catch (const std::exception&) {
                       mine.latencies_ms.push_back(Millis(Clock::now() - sent));
                       mine.Error("transport");
                     }
                   }
                 });
  std::cout << Summary("webhook", "threads", threads, tally, seconds).dump() << std::endl;
  return tally.latencies_ms.empty() ? 1 : 0;  // nothing measured
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) Usage("no mode");
  const std::string mode = argv[1];
  const auto flags = ParseFlags(argc, argv);
  try {
    if (mode == "apiserver") return RunApiserver(flags);
    if (mode == "webhook") return RunWebhook(flags);
  } catch (const std::exception& e) {
    std::cerr << "admission_load: " << e.what() << "\n";
    return 1;
  }
  Usage("unknown mode " + mode);
}
