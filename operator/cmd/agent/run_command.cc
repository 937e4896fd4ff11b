#include "run_command.h"

#include <malloc.h>
#include <signal.h>

#include <thread>

#include "csp/agent/host_render_target.h"
#include "csp/agent/node_agent.h"
#include "csp/agent/profile_installer.h"
#include "csp/agent/profile_writer.h"
#include "csp/agent/run_options.h"
#include "csp/agent/system_apparmor_loader.h"
#include "csp/kube/client.h"
#include "csp/kube/config.h"
#include "csp/kube/cpprest_transport.h"
#include "csp/log/log.h"
#include "csp/record/node_recorder.h"
#include "csp/serve/http_server.h"
#include "csp/serve/metrics_text.h"
#include "csp/version.h"
#include "host_default_seccomp.h"

namespace csp::agent::cmd {
namespace {

serve::Routes Routes(const NodeAgent& agent) {
  return {
      {"/healthz",
       {.handler = [](const serve::Request&) { return serve::Response{.body = "ok\n"}; }}},
      {"/readyz",
       {.handler =
            [&agent](const serve::Request&) {
              if (agent.Ready()) return serve::Response{.body = "ok\n"};
              return serve::Response{
                  .status = 503,
                  .body = "not ready: waiting for the first lists and the first install\n"};
            }}},
      {"/metrics",
       {.handler =
            [&agent](const serve::Request&) {
              serve::MetricsText text;
              agent.RenderMetrics(text);
              return serve::Response{.content_type = std::string(serve::kContentType),
                                     .body = text.Take()};
            }}},
  };
}

}  // namespace

int RunAgent(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Result<RunOptions> options = ParseRunOptions(args, ProcessEnvironment);
  if (!options) {
    err << "csp-agent run: " << options.error().message << "\n\n" << kRunUsage;
    return 2;
  }
  if (options->help) {
    out << kRunUsage;
    return 0;
  }
  if (Status s = SetUpLogging(options->log_format, options->log_level, "csp-agent"); !s) {
    err << "csp-agent run: " << s.error().message << "\n";
    return 2;
  }

  // Few threads allocate, and rarely: one malloc arena (instead of up to eight per core, one
  // per thread that allocates) keeps the resident size down; measured about 0.8 MB less.
  mallopt(M_ARENA_MAX, 1);
  // Two I/O threads for cpprestsdk instead of its default 40: the agent has three connections.
  if (Status s = kube::SetTransportThreads(2); !s) {
    LogError("cannot set up the API connection", {{"error", s.error().message}});
    return 1;
  }

  // SIGTERM and SIGINT are taken by sigwait below; block them before any thread starts, so
  // that every thread inherits the mask and none is interrupted.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const std::string root = options->root.string();
  LogInfo("starting", {{"version", kVersion},
                       {"node", options->node_name},
                       {"root", root},
                       {"listen", options->listen_address}});

  Result<profiles::RenderTarget> target = HostRenderTarget();
  if (!target) {
    LogError("cannot tell this machine's architecture and kernel; csp-default seccomp fails",
             {{"error", target.error().message}});
    target = profiles::RenderTarget{};
  }

  ProfileWriter writer(ProfileLayout::ForRoot(options->root));
  if (Result<int> reaped = writer.ReapStaleTempFiles(); !reaped) {
    LogWarn("cannot reap stale temp files", {{"error", reaped.error().message}});
  } else if (*reaped > 0) {
    LogInfo("removed temp files of an interrupted run", {{"count", std::to_string(*reaped)}});
  }
  SystemAppArmorLoader apparmor({.sys_root = options->root});
  if (AppArmorAvailability a = apparmor.Availability(); !a.available) {
    LogInfo("AppArmor profiles will be reported Unsupported", {{"reason", a.reason}});
  }
  ProfileInstaller installer(writer, apparmor);

  Result<kube::RestConfig> config = kube::LoadConfig(options->kubeconfig, "");
  if (!config) {
    LogError("cannot load the Kubernetes client configuration",
             {{"error", config.error().message}});
    return 1;
  }
  Result<std::unique_ptr<kube::HttpTransport>> transport = kube::NewCpprestTransport(*config);
  if (!transport) {
    LogError("cannot set up the connection to the API server",
             {{"error", transport.error().message}});
    return 1;
  }
  kube::Client client(std::move(*transport), *config,
                      {.user_agent = std::string("csp-agent/") + kVersion});

  NodeAgent agent(client, installer,
                  {.node = options->node_name,
                   .target = *target,
                   .status = {.report_apis = options->report_apis}});
  Result<std::unique_ptr<serve::HttpServer>> server =
      serve::HttpServer::Start(options->listen_address, Routes(agent));
  if (!server) {
    LogError("cannot serve health and metrics", {{"error", server.error().message}});
    return 1;
  }
  LogInfo("serving /healthz, /readyz and /metrics",
          {{"address", options->listen_address}, {"port", std::to_string((*server)->port())}});

  std::unique_ptr<record::NodeRecorder> recorder;
  if (!options->record.empty()) {
    Result<profiles::SeccompProfile> baseline = HostDefaultSeccomp();
    Result<std::unique_ptr<record::NodeRecorder>> started =
        baseline ? record::NodeRecorder::Start({.root = options->root,
                                                .names = options->record,
                                                .architectures = baseline->architectures})
                 : Result<std::unique_ptr<record::NodeRecorder>>(baseline.error());
    if (!started) {
      LogError("cannot record", {{"error", started.error().message}});
      return 1;
    }
    recorder = std::move(*started);
    LogInfo("recording", {{"socket", recorder->paths().socket.string()},
                          {"profiles", recorder->paths().recording_profiles.string()},
                          {"recorded", recorder->paths().recorded_profiles.string()}});
  }

  std::jthread loop([&agent](std::stop_token stop) { agent.Run(stop); });
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  LogInfo("stopping", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  loop.request_stop();
  loop.join();
  (*server)->Stop();
  recorder.reset();
  LogInfo("stopped");
  return 0;
}

}  // namespace csp::agent::cmd
