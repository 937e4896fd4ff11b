// csp-operator: watches ContainerSecurityPolicies and every workload, keeps PolicyReports
// current and acts on violators (docs/operator.md).
#include <malloc.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "csp/kube/client.h"
#include "csp/kube/config.h"
#include "csp/kube/cpprest_transport.h"
#include "csp/log/log.h"
#include "csp/manager/manager.h"
#include "csp/manager/options.h"
#include "csp/serve/http_server.h"
#include "csp/version.h"

namespace {

using csp::LogError;
using csp::LogInfo;

std::optional<std::string> Env(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (!value) return std::nullopt;
  return std::string(value);
}

std::string DefaultIdentity() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "csp-operator") + "_" + std::to_string(getpid());
}

int Fail(std::string_view what, const csp::Error& error) {
  LogError(what, {{"error", error.message}});
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto options = csp::manager::ParseOptions(args, Env);
  if (!options) {
    std::cerr << "csp-operator: " << options.error().message << "\n";
    return 2;
  }
  if (options->help) {
    std::cout << csp::manager::Usage();
    return 0;
  }
  if (options->version) {
    std::cout << "csp-operator " << csp::kVersion << "\n";
    return 0;
  }
  if (auto s = csp::SetUpLogging(options->log_format, options->log_level, "csp-operator"); !s) {
    std::cerr << "csp-operator: " << s.error().message << "\n";
    return 2;
  }
  // Signals are taken by sigwait below, so block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Memory: two malloc arenas instead of up to eight per core (the informers' threads each
  // grabbed one and kept its freed pages), and a small I/O pool instead of cpprestsdk's 40
  // threads (see docs/benchmarks.md, "csp-operator").
  mallopt(M_ARENA_MAX, 2);
  // LIST pages and reports are buffers of megabytes, allocated and freed again and again. A
  // fixed mmap threshold (setting it stops glibc from raising it to the largest buffer freed)
  // keeps every buffer over 128 KiB in pages of its own, returned when it is freed, instead of
  // fragmenting the heap; and the heap's top is returned above 256 KiB free. Measured: restart
  // peak 57 -> 48 MiB (docs/benchmarks.md, run F).
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  mallopt(M_TRIM_THRESHOLD, 256 * 1024);
  if (auto s = csp::kube::SetTransportThreads(4); !s) {
    return Fail("cannot set up the API connection", s.error());
  }

  auto config = csp::kube::LoadConfig(options->kubeconfig, options->context);
  if (!config) return Fail("cannot load the Kubernetes configuration", config.error());
  if (options->identity.empty()) options->identity = DefaultIdentity();
  if (options->lease_namespace.empty()) {
    options->lease_namespace =
        config->source.starts_with("in-cluster") && !config->default_namespace.empty()
            ? config->default_namespace
            : "csp-system";
  }

  auto transport = csp::kube::NewCpprestTransport(*config);
  if (!transport) return Fail("cannot set up the API connection", transport.error());
  csp::kube::Client client(std::move(*transport), *config,
                           {.qps = options->kube_api_qps,
                            .burst = options->kube_api_burst,
                            .user_agent = std::string("csp-operator/") + csp::kVersion});
  // The Lease gets its own connection and no retries: one slow attempt must not outlast the
  // renew deadline (leader_election.h).
  csp::kube::RestConfig lease_config = *config;
  lease_config.request_timeout = std::chrono::seconds(std::max(1, options->retry_period));
  auto lease_transport = csp::kube::NewCpprestTransport(lease_config);
  if (!lease_transport) return Fail("cannot set up the API connection", lease_transport.error());
  csp::kube::Client lease_client(
      std::move(*lease_transport), lease_config,
      {.qps = 0,
       .retry = {.max_attempts = 1},
       .user_agent = std::string("csp-operator/") + csp::kVersion + " leader-election"});

  // Events: a connection and a rate limit of their own, the same size as the main client's.
  auto events_transport = csp::kube::NewCpprestTransport(*config);
  if (!events_transport) return Fail("cannot set up the API connection", events_transport.error());
  csp::kube::Client events_client(
      std::move(*events_transport), *config,
      {.qps = options->kube_api_qps,
       .burst = options->kube_api_burst,
       .user_agent = std::string("csp-operator/") + csp::kVersion + " events"});

  csp::manager::Manager manager(*options, client, lease_client, events_client);
  manager.OnLostLeadership([] { kill(getpid(), SIGTERM); });
  auto server = csp::serve::HttpServer::Start(options->listen_address, manager.Routes());
  if (!server) return Fail("cannot serve health and metrics", server.error());
  const std::string address = options->listen_address;
  LogInfo("listening on", {{"address", address.substr(0, address.rfind(':') + 1) +
                                           std::to_string((*server)->port())},
                           {"port", std::to_string((*server)->port())}});
  LogInfo("starting", {{"version", csp::kVersion},
                       {"identity", options->identity},
                       {"server", config->server},
                       {"leader-elect", options->leader_elect ? "true" : "false"}});
  // The webhook: HTTPS on threads of its own, certificate from the Secret the leader keeps
  // (every replica serves, leading or not: docs/admission.md).
  std::unique_ptr<csp::serve::HttpServer> webhook;
  if (!options->webhook_listen_address.empty()) {
    auto started = csp::serve::HttpServer::Start(
        options->webhook_listen_address, manager.WebhookRoutes(),
        // A review carries the object and, on UPDATE, the old one: each up to the API server's
        // 3 MiB request limit.
        // The API server calls with one connection per concurrent request and keeps only 25
        // of them idle (client-go's transport): 500 concurrent creates are ~500 connections,
        // and a connection refused at the cap is a failed admission.
        {.max_body_bytes = 7 << 20,
         .max_connections = 1024,
         .threads = options->webhook_threads,
         .tls = manager.WebhookCredentials()});
    if (!started) return Fail("cannot serve the admission webhook", started.error());
    webhook = std::move(*started);
    LogInfo("admission webhook listening", {{"port", std::to_string(webhook->port())}});
  }
  if (auto s = manager.Start(); !s) return Fail("cannot start", s.error());

  int signal = 0;
  sigwait(&signals, &signal);
  LogInfo("shutting down", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"},
                            {"lost-leadership", manager.LostLeadership() ? "true" : "false"}});
  manager.Shutdown();
  if (webhook) webhook->Stop();
  (*server)->Stop();
  LogInfo("stopped");
  return manager.LostLeadership() ? 1 : 0;
}
