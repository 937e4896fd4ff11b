#include "operator_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "csp/policy/control.h"

namespace csp::e2e {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Reads the whole response of a request sent on `fd`, until the server closes the connection
// (the request says Connection: close) or `deadline`.
bool ReadAll(int fd, std::string& out, Clock::time_point deadline, std::string& error) {
  char buf[16384];
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      error = "timed out reading the response";
      return false;
    }
    pollfd p{fd, POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      return true;
    } else if (errno != EINTR && errno != EAGAIN) {
      error = std::string("read: ") + std::strerror(errno);
      return false;
    }
  }
}

// The body of an HTTP/1.1 response with Transfer-Encoding: chunked.
std::string Dechunk(const std::string& body) {
  std::string out;
  size_t at = 0;
  while (at < body.size()) {
    const size_t eol = body.find("\r\n", at);
    if (eol == std::string::npos) break;
    const size_t size = std::strtoul(body.substr(at, eol - at).c_str(), nullptr, 16);
    if (size == 0) break;
    out += body.substr(eol + 2, size);
    at = eol + 2 + size + 2;
  }
  return out;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string ReadFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

std::string CurrentTestName() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return "operator";
  return std::string(info->test_suite_name()) + "." + info->name();
}

std::string SafeFileName(std::string s) {
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') c = '_';
  }
  return s;
}

}  // namespace

// ---- Operator process ------------------------------------------------------------------------

std::string OperatorBinary() {
  if (auto v = EnvVar("CSP_OPERATOR")) return *v;
  return BuildDir() + "/operator/cmd/operator/csp-operator";
}

int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

HttpResult HttpGet(int port, const std::string& path) {
  HttpResult result;
  if (port <= 0) {
    result.error = "no port";
    return result;
  }
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    result.error = std::string("socket: ") + std::strerror(errno);
    return result;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    result.error = "connect 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno);
    close(fd);
    return result;
  }
  const std::string request = "GET " + path +
                              " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                              "\r\nConnection: close\r\n\r\n";
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      result.error = std::string("send: ") + std::strerror(errno);
      close(fd);
      return result;
    }
    sent += static_cast<size_t>(n);
  }
  std::string raw;
  const bool complete = ReadAll(fd, raw, Clock::now() + 10s, result.error);
  close(fd);
  const size_t header_end = raw.find("\r\n\r\n");
  if (header_end == std::string::npos || raw.rfind("HTTP/", 0) != 0) {
    if (result.error.empty()) result.error = "not an HTTP response: " + raw.substr(0, 200);
    return result;
  }
  if (!complete) return result;
  const size_t space = raw.find(' ');
  result.status = std::atoi(raw.c_str() + space + 1);
  const std::string headers = Lower(raw.substr(0, header_end));
  result.body = raw.substr(header_end + 4);
  if (headers.find("transfer-encoding: chunked") != std::string::npos) {
    result.body = Dechunk(result.body);
  }
  return result;
}

std::vector<MetricSample> ParseMetrics(const std::string& text) {
  std::vector<MetricSample> samples;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    MetricSample sample;
    size_t at = line.find_first_of("{ ");
    if (at == std::string::npos) continue;
    sample.name = line.substr(0, at);
    if (line[at] == '{') {
      ++at;
      while (at < line.size() && line[at] != '}') {
        const size_t eq = line.find('=', at);
        if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') break;
        std::string key = line.substr(at, eq - at);
        std::string value;
        size_t i = eq + 2;
        for (; i < line.size() && line[i] != '"'; ++i) {
          if (line[i] == '\\' && i + 1 < line.size()) {
            ++i;
            value += line[i] == 'n' ? '\n' : line[i];
          } else {
            value += line[i];
          }
        }
        sample.labels[key] = value;
        at = i + 1;
        if (at < line.size() && line[at] == ',') ++at;
      }
      at = line.find(' ', at);
      if (at == std::string::npos) continue;
    }
    sample.value = std::strtod(line.c_str() + at + 1, nullptr);
    samples.push_back(std::move(sample));
  }
  return samples;
}

double SumMetric(const std::vector<MetricSample>& samples, const std::string& name,
                 const std::map<std::string, std::string>& labels) {
  double sum = 0;
  for (const MetricSample& s : samples) {
    if (s.name != name) continue;
    bool match = true;
    for (const auto& [key, value] : labels) {
      auto it = s.labels.find(key);
      if (it == s.labels.end() || it->second != value) match = false;
    }
    if (match) sum += s.value;
  }
  return sum;
}

bool HasMetric(const std::vector<MetricSample>& samples, const std::string& name) {
  return std::any_of(samples.begin(), samples.end(),
                     [&](const MetricSample& s) { return s.name == name; });
}

double SuccessfulWrites(const std::vector<MetricSample>& samples) {
  static const std::set<std::string> kWrites = {"POST", "PUT", "PATCH", "DELETE", "APPLY"};
  double sum = 0;
  for (const MetricSample& s : samples) {
    if (s.name != "csp_api_requests_total") continue;
    auto verb = s.labels.find("verb");
    auto code = s.labels.find("code");
    if (verb == s.labels.end() || code == s.labels.end()) continue;
    const int status = std::atoi(code->second.c_str());
    if (kWrites.count(verb->second) != 0 && status >= 200 && status < 300) sum += s.value;
  }
  return sum;
}

OperatorProcess::OperatorProcess(std::string kubeconfig, std::string log_path,
                                 OperatorOptions options)
    : kubeconfig_(std::move(kubeconfig)),
      log_path_(std::move(log_path)),
      options_(std::move(options)) {
  if (options_.identity.empty()) options_.identity = UniqueName("csp-e2e-replica");
  if (options_.lease_name.empty()) options_.lease_name = UniqueName("csp-e2e-lease");
}

OperatorProcess::~OperatorProcess() {
  if (pid_ > 0 && !exit_code_) Kill();
}

::testing::AssertionResult OperatorProcess::Start(std::chrono::seconds timeout) {
  const std::string binary = OperatorBinary();
  if (access(binary.c_str(), X_OK) != 0) {
    return ::testing::AssertionFailure()
           << "no operator binary at " << binary << " (build the target csp-operator)";
  }
  std::vector<std::string> argv = {binary,
                                   "--kubeconfig",
                                   kubeconfig_,
                                   "--listen-address",
                                   "127.0.0.1:0",
                                   "--log-format",
                                   "json",
                                   "--identity",
                                   options_.identity,
                                   "--lease-namespace",
                                   kOperatorNamespace,
                                   "--lease-name",
                                   options_.lease_name,
                                   "--lease-duration",
                                   std::to_string(options_.lease_duration),
                                   "--renew-deadline",
                                   std::to_string(options_.renew_deadline),
                                   "--retry-period",
                                   std::to_string(options_.retry_period)};
  if (!options_.webhook) argv.push_back("--webhook-listen-address=");
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());

  std::filesystem::create_directories(std::filesystem::path(log_path_).parent_path());
  const int log_fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    return ::testing::AssertionFailure()
           << "cannot open " << log_path_ << ": " << std::strerror(errno);
  }
  const std::string banner = "=== e2e: starting " + Join(argv, " ") + "\n";
  if (write(log_fd, banner.data(), banner.size()) < 0) {
    // The banner is a convenience for reading the log; the run does not depend on it.
  }
  std::vector<char*> cargv;
  for (std::string& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = getpid();

  const pid_t pid = fork();
  if (pid == 0) {
    // Only async-signal-safe calls until exec. The operator dies with the test process, so a
    // crashed test leaves nothing behind.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(null_fd, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execv(cargv[0], cargv.data());
    const char msg[] = "e2e: cannot execute the operator\n";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    _exit(127);
  }
  close(log_fd);
  if (null_fd >= 0) close(null_fd);
  if (pid < 0) return ::testing::AssertionFailure() << "fork: " << std::strerror(errno);
  setpgid(pid, 0);
  pid_ = pid;

  const Clock::time_point deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (auto port = PortFromLog()) {
      port_ = *port;
      return ::testing::AssertionSuccess();
    }
    if (!Running()) {
      return ::testing::AssertionFailure() << "the operator exited with code " << *exit_code_
                                           << " during start-up; log " << log_path_ << ":\n"
                                           << LogTail();
    }
    std::this_thread::sleep_for(100ms);
  }
  return ::testing::AssertionFailure() << "no \"listening on\" line with a port in " << log_path_
                                       << " after " << timeout.count() << " s:\n"
                                       << LogTail();
}

std::optional<int> OperatorProcess::PortFromLog() const {
  static const std::regex kPort(R"(:(\d{2,5})\b)");
  std::istringstream in(ReadFileText(log_path_));
  std::optional<int> port;
  for (std::string line; std::getline(in, line);) {
    const size_t at = line.find("listening on");
    if (at == std::string::npos) continue;
    std::smatch m;
    const std::string rest = line.substr(at);
    if (std::regex_search(rest, m, kPort)) {
      const int p = std::stoi(m[1].str());
      if (p > 0 && p < 65536) port = p;  // the newest line wins (a log may hold several runs)
    }
  }
  return port;
}

::testing::AssertionResult OperatorProcess::WaitFor200(const std::string& path,
                                                       std::chrono::seconds timeout) {
  HttpResult last;
  const bool ok = Eventually(
      [&] {
        last = Get(path);
        return last.status == 200 || !Running();
      },
      timeout);
  if (ok && last.status == 200) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure();
  if (exit_code_) {
    failure << "the operator exited with code " << *exit_code_ << " before " << path
            << " answered 200";
  } else {
    failure << path << " did not answer 200 within " << timeout.count() << " s (last: HTTP "
            << last.status << " " << last.body.substr(0, 500) << last.error << ")";
  }
  return failure << "; log " << log_path_ << ":\n" << LogTail();
}

std::optional<int> OperatorProcess::Reap(bool block) {
  if (pid_ <= 0) return std::nullopt;
  if (exit_code_) return exit_code_;
  int status = 0;
  while (true) {
    const pid_t done = waitpid(pid_, &status, block ? 0 : WNOHANG);
    if (done == pid_) {
      exit_code_ = ExitCodeOf(status);
      // Whatever it started in its process group goes with it.
      kill(-pid_, SIGKILL);
      return exit_code_;
    }
    if (done < 0 && errno == EINTR) continue;
    if (done < 0) {
      exit_code_ = -1;  // not our child any more: nothing left to wait for
      return exit_code_;
    }
    return std::nullopt;
  }
}

bool OperatorProcess::Running() { return pid_ > 0 && !Reap(/*block=*/false); }

std::optional<int> OperatorProcess::Stop(std::chrono::seconds grace) {
  if (!Running()) return std::nullopt;
  kill(pid_, SIGTERM);
  const Clock::time_point deadline = Clock::now() + grace;
  while (Clock::now() < deadline) {
    if (auto code = Reap(/*block=*/false)) return code;
    std::this_thread::sleep_for(50ms);
  }
  ADD_FAILURE() << "the operator (pid " << pid_ << ") ignored SIGTERM for " << grace.count()
                << " s; killing it. Log " << log_path_ << ":\n"
                << LogTail();
  Kill();
  return exit_code_;
}

void OperatorProcess::Kill() {
  if (!Running()) return;
  kill(-pid_, SIGKILL);
  kill(pid_, SIGKILL);
  Reap(/*block=*/true);
}

std::vector<MetricSample> OperatorProcess::Metrics() const {
  HttpResult r = Get("/metrics");
  if (r.status != 200) {
    ADD_FAILURE() << "GET /metrics of " << identity() << ": HTTP " << r.status << " " << r.error
                  << r.body.substr(0, 300);
    return {};
  }
  return ParseMetrics(r.body);
}

std::string OperatorProcess::LogTail(size_t lines) const {
  std::istringstream in(ReadFileText(log_path_));
  std::deque<std::string> tail;
  for (std::string line; std::getline(in, line);) {
    tail.push_back(line);
    if (tail.size() > lines) tail.pop_front();
  }
  std::string out;
  for (const std::string& line : tail) out += line + "\n";
  return out;
}

// ---- Policies and workloads ------------------------------------------------------------------

json PrivilegedOnlyControls() {
  json controls = json::object();
  for (const policy::Control& c : policy::AllControls()) {
    controls[std::string(c.key)] = {{"enabled", false}};
  }
  controls["privileged"] = {{"enabled", true}, {"severity", "critical"}};
  return controls;
}

json PrivilegedOnlyPolicySpec(const std::string& ns, const std::string& action) {
  return {
      {"match", {{"namespaceSelector", {{"matchLabels", {{"kubernetes.io/metadata.name", ns}}}}}}},
      {"action", action},
      {"controls", PrivilegedOnlyControls()}};
}

json PolicyObject(const std::string& name, const json& spec) {
  return {{"apiVersion", "containersecurity.dev/v1alpha1"},
          {"kind", "ContainerSecurityPolicy"},
          {"metadata", {{"name", name}}},
          {"spec", spec}};
}

json PodSpec(bool privileged, bool root) {
  json security = {{"privileged", privileged}};
  if (!root) {
    security["runAsNonRoot"] = true;
    security["runAsUser"] = 1000;
  }
  return {{"terminationGracePeriodSeconds", 0},
          {"containers",
           {{{"name", "app"},
             {"image", "registry.k8s.io/pause:3.10"},
             {"securityContext", security}}}}};
}

namespace {

json Template(const std::string& name, const json& pod_spec) {
  return {{"metadata", {{"labels", {{"app", name}}}}}, {"spec", pod_spec}};
}

json Meta(const std::string& name) { return {{"name", name}, {"labels", {{"app", name}}}}; }

}  // namespace

json DeploymentObject(const std::string& name, int replicas, const json& pod_spec) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", Meta(name)},
          {"spec",
           {{"replicas", replicas},
            {"selector", {{"matchLabels", {{"app", name}}}}},
            {"template", Template(name, pod_spec)}}}};
}

json StatefulSetObject(const std::string& name, int replicas, const json& pod_spec) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "StatefulSet"},
          {"metadata", Meta(name)},
          {"spec",
           {{"replicas", replicas},
            {"serviceName", name},
            {"podManagementPolicy", "Parallel"},
            {"selector", {{"matchLabels", {{"app", name}}}}},
            {"template", Template(name, pod_spec)}}}};
}

json DaemonSetObject(const std::string& name, const json& pod_spec) {
  return {
      {"apiVersion", "apps/v1"},
      {"kind", "DaemonSet"},
      {"metadata", Meta(name)},
      {"spec",
       {{"selector", {{"matchLabels", {{"app", name}}}}}, {"template", Template(name, pod_spec)}}}};
}

json CronJobObject(const std::string& name, const json& pod_spec) {
  json job_pod = pod_spec;
  job_pod["restartPolicy"] = "Never";
  return {{"apiVersion", "batch/v1"},
          {"kind", "CronJob"},
          {"metadata", Meta(name)},
          {"spec",
           {{"schedule", "0 0 1 1 *"},
            {"suspend", false},
            {"jobTemplate", {{"spec", {{"template", Template(name, job_pod)}}}}}}}};
}

json PodObject(const std::string& name, const json& pod_spec) {
  return {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", Meta(name)}, {"spec", pod_spec}};
}

// ---- Reading the cluster ---------------------------------------------------------------------

std::optional<json> TryGet(const std::string& resource, const std::string& ns,
                           const std::string& name) {
  std::vector<std::string> args = {"get", resource, name, "-o", "json"};
  if (!ns.empty()) args.insert(args.begin(), {"-n", ns});
  CommandResult r = Kubectl(args);
  if (r.exit_code != 0) return std::nullopt;
  json parsed = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return std::nullopt;
  return parsed;
}

std::vector<json> ListItems(const std::string& resource, const std::string& ns,
                            const std::string& selector) {
  std::vector<std::string> args = {"-n", ns, "get", resource, "-o", "json"};
  if (!selector.empty()) args.insert(args.end(), {"-l", selector});
  CommandResult r = Kubectl(args);
  if (r.exit_code != 0) return {};
  json parsed = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return {};
  std::vector<json> items;
  for (const json& item : parsed.value("items", json::array())) items.push_back(item);
  return items;
}

namespace {

std::string MetaField(const json& object, const char* field, const std::string& key) {
  const json& meta = object.value("metadata", json::object());
  const json& map = meta.value(field, json::object());
  auto it = map.find(key);
  return it != map.end() && it->is_string() ? it->get<std::string>() : "";
}

bool MetaHas(const json& object, const char* field, const std::string& key) {
  const json& meta = object.value("metadata", json::object());
  return meta.value(field, json::object()).contains(key);
}

}  // namespace

std::string LabelOf(const json& object, const std::string& key) {
  return MetaField(object, "labels", key);
}
std::string AnnotationOf(const json& object, const std::string& key) {
  return MetaField(object, "annotations", key);
}
bool HasLabel(const json& object, const std::string& key) { return MetaHas(object, "labels", key); }
bool HasAnnotation(const json& object, const std::string& key) {
  return MetaHas(object, "annotations", key);
}

std::optional<json> Report(const std::string& ns, const std::string& policy) {
  return TryGet("policyreports.wgpolicyk8s.io", ns, "csp-" + policy);
}

std::vector<json> ResultsFor(const json& report, const std::string& kind, const std::string& name) {
  std::vector<json> out;
  for (const json& result : report.value("results", json::array())) {
    for (const json& resource : result.value("resources", json::array())) {
      if (resource.value("kind", "") == kind && resource.value("name", "") == name) {
        out.push_back(result);
        break;
      }
    }
  }
  return out;
}

std::string ResultOf(const std::string& ns, const std::string& policy, const std::string& kind,
                     const std::string& name, const std::string& rule) {
  auto report = Report(ns, policy);
  if (!report) return "";
  for (const json& result : ResultsFor(*report, kind, name)) {
    if (result.value("rule", "") == rule) return result.value("result", "");
  }
  return "";
}

std::vector<std::string> ReportedNames(const json& report) {
  std::set<std::string> names;
  for (const json& result : report.value("results", json::array())) {
    for (const json& resource : result.value("resources", json::array())) {
      names.insert(resource.value("name", ""));
    }
  }
  return {names.begin(), names.end()};
}

std::map<std::string, int> OperatorEvents(const std::string& ns, const std::string& kind,
                                          const std::string& name) {
  std::map<std::string, int> reasons;
  for (const json& event : ListItems("events", ns)) {
    const json& involved = event.value("involvedObject", json::object());
    if (involved.value("kind", "") != kind || involved.value("name", "") != name) continue;
    const std::string component = event.value("source", json::object()).value("component", "");
    if (component != "csp-operator" && event.value("reportingComponent", "") != "csp-operator") {
      continue;
    }
    const int count = event.value("count", 0);
    reasons[event.value("reason", "")] += count > 0 ? count : 1;
  }
  return reasons;
}

int LivePods(const std::string& ns, const std::string& app) {
  int n = 0;
  for (const json& pod : ListItems("pods", ns, "app=" + app)) {
    if (!pod.value("metadata", json::object()).contains("deletionTimestamp")) ++n;
  }
  return n;
}

// ---- The fixture -----------------------------------------------------------------------------

namespace {

// What SetUp prepares once per test process.
struct ClusterSetup {
  bool done = false;
  std::string failure = {};
  std::string kubeconfig = {};
};

std::string MakeOperatorKubeconfig(std::string& failure) {
  CommandResult view = Kubectl({"config", "view", "--raw", "--minify", "--flatten", "-o", "json"});
  if (view.exit_code != 0) {
    failure = "kubectl config view: " + view.err;
    return "";
  }
  json config = json::parse(view.out, nullptr, false);
  if (config.is_discarded() || config.value("clusters", json::array()).empty()) {
    failure = "admin kubeconfig has no cluster: " + view.out;
    return "";
  }
  const json cluster = config["clusters"][0].value("cluster", json::object());
  CommandResult token =
      Kubectl({"create", "token", "csp-operator", "-n", kOperatorNamespace, "--duration", "2h"});
  if (token.exit_code != 0) {
    std::ostringstream os;
    os << "kubectl create token csp-operator: " << token;
    failure = os.str();
    return "";
  }
  std::string bearer = token.out;
  while (!bearer.empty() && std::isspace(static_cast<unsigned char>(bearer.back()))) {
    bearer.pop_back();
  }
  // JSON is YAML: a kubeconfig the operator and kubectl both read.
  json cluster_entry = {{"name", "e2e"}};
  cluster_entry["cluster"] = {
      {"server", cluster.value("server", "")},
      {"certificate-authority-data", cluster.value("certificate-authority-data", "")}};
  json user_entry = {{"name", "csp-operator"}};
  user_entry["user"] = {{"token", bearer}};
  json context_entry = {{"name", "csp-operator"}};
  context_entry["context"] = {
      {"cluster", "e2e"}, {"user", "csp-operator"}, {"namespace", kOperatorNamespace}};
  json kubeconfig = {{"apiVersion", "v1"}, {"kind", "Config"}};
  kubeconfig["clusters"] = json::array({cluster_entry});
  kubeconfig["users"] = json::array({user_entry});
  kubeconfig["contexts"] = json::array({context_entry});
  kubeconfig["current-context"] = "csp-operator";
  const std::string dir = BuildDir() + "/e2e-operator";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/csp-operator-" + std::to_string(getpid()) + ".kubeconfig";
  {
    std::ofstream out(path, std::ios::trunc);
    out << kubeconfig.dump(2) << "\n";
  }
  chmod(path.c_str(), 0600);
  return path;
}

ClusterSetup PrepareCluster() {
  ClusterSetup setup;
  CommandResult r = Kubectl({"apply", "--server-side", "-f", RepoRoot() + "/crds/"});
  if (r.exit_code != 0) {
    setup.failure = "applying crds/: " + r.err;
    return setup;
  }
  if (auto established = WaitCrdsEstablished({"containersecuritypolicies.containersecurity.dev",
                                              "policyreports.wgpolicyk8s.io",
                                              "clusterpolicyreports.wgpolicyk8s.io"});
      !established) {
    setup.failure = established.message();
    return setup;
  }
  r = Kubectl({"apply", "-k", RepoRoot() + "/config/rbac"});
  if (r.exit_code != 0) {
    setup.failure = "kubectl apply -k config/rbac: " + r.out + r.err;
    return setup;
  }
  setup.kubeconfig = MakeOperatorKubeconfig(setup.failure);
  if (setup.kubeconfig.empty()) return setup;
  // The operator must run as exactly the ServiceAccount, and its bindings must have reached the
  // authorizer (an informer) before it starts.
  const std::vector<std::string> as_operator = {KubectlPath(), "--kubeconfig", setup.kubeconfig};
  auto as = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = as_operator;
    argv.insert(argv.end(), args.begin(), args.end());
    return Run(argv);
  };
  CommandResult who;
  const bool is_sa = Eventually(
      [&] {
        who = as({"auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"});
        return who.exit_code == 0 && who.out == std::string("system:serviceaccount:") +
                                                    kOperatorNamespace + ":csp-operator";
      },
      30s);
  if (!is_sa) {
    std::ostringstream os;
    os << "the token kubeconfig is not the csp-operator ServiceAccount: " << who;
    setup.failure = os.str();
    return setup;
  }
  CommandResult can;
  const bool bound = Eventually(
      [&] {
        can = as({"auth", "can-i", "patch", "deployments.apps", "--all-namespaces"});
        CommandResult lease =
            as({"auth", "can-i", "update", "leases.coordination.k8s.io", "-n", kOperatorNamespace});
        return can.exit_code == 0 && lease.exit_code == 0;
      },
      30s);
  if (!bound) {
    std::ostringstream os;
    os << "config/rbac/ does not let csp-operator patch deployments and update leases: " << can;
    setup.failure = os.str();
    return setup;
  }
  // Never the admin, and only the verbs the code sends (config/rbac/role.yaml).
  const std::vector<std::vector<std::string>> denied = {
      {"delete", "deployments.apps", "--all-namespaces"},
      // get: only to read a reverted workload's managedFields (docs/remediation.md).
      {"update", "deployments.apps", "--all-namespaces"},
      {"patch", "containersecuritypolicies.containersecurity.dev", "--subresource=status"},
      {"create", "events.events.k8s.io", "--all-namespaces"},
      // Signatures: Secrets and ServiceAccounts by name (get), never listed or watched.
      {"list", "secrets", "--all-namespaces"},
      {"watch", "secrets", "--all-namespaces"},
      {"list", "serviceaccounts", "--all-namespaces"},
      {"update", "secrets/other", "-n", "default"},
      // Admission: its own Secret and webhook configuration by name, nothing else.
      {"update", "secrets/other", "-n", kOperatorNamespace},
      {"list", "secrets", "-n", kOperatorNamespace},
      {"patch", "validatingwebhookconfigurations.admissionregistration.k8s.io/other"},
      {"create", "mutatingwebhookconfigurations.admissionregistration.k8s.io"}};
  for (const auto& check : denied) {
    std::vector<std::string> args = {"auth", "can-i"};
    args.insert(args.end(), check.begin(), check.end());
    // Eventually: a role applied over an older one reaches the authorizer through an informer.
    if (!Eventually([&] { return as(args).exit_code != 0; }, 30s)) {
      setup.failure = "csp-operator may " + check[0] + " " + check[1] +
                      ": config/rbac/ grants more than the code needs";
      return setup;
    }
  }
  setup.done = true;
  return setup;
}

const ClusterSetup& Prepared() {
  static const ClusterSetup setup = PrepareCluster();
  return setup;
}

}  // namespace

void OperatorTest::SetUp() {
  E2ETest::SetUp();
  if (HasFatalFailure()) return;
  const ClusterSetup& setup = Prepared();
  ASSERT_TRUE(setup.done) << setup.failure;
}

const std::string& OperatorTest::operator_kubeconfig() const { return Prepared().kubeconfig; }

OperatorProcess* OperatorTest::LaunchOperator(OperatorOptions options) {
  const std::string log = BuildDir() + "/e2e-operator/logs/" + SafeFileName(CurrentTestName()) +
                          "." + std::to_string(operators_.size()) + ".log";
  std::filesystem::remove(log);
  const std::string kubeconfig =
      options.kubeconfig.empty() ? operator_kubeconfig() : options.kubeconfig;
  operators_.push_back(std::make_unique<OperatorProcess>(kubeconfig, log, std::move(options)));
  OperatorProcess* op = operators_.back().get();
  EXPECT_TRUE(op->Start());
  return op;
}

OperatorProcess* OperatorTest::StartOperator(OperatorOptions options) {
  OperatorProcess* op = LaunchOperator(std::move(options));
  if (op->port() > 0) {
    EXPECT_TRUE(op->WaitFor200("/readyz", 120s));
  }
  return op;
}

void OperatorTest::TearDown() {
  const bool failed = HasFailure();
  for (auto& op : operators_) {
    if (failed) {
      std::cerr << "----- " << op->identity() << " (" << op->log_path() << "), last lines -----\n"
                << op->LogTail(80) << "-----\n";
    }
    if (op->Running()) {
      const std::optional<int> code = op->Stop();
      EXPECT_EQ(code, std::optional<int>(0))
          << op->identity() << " did not exit cleanly on SIGTERM; log " << op->log_path() << ":\n"
          << op->LogTail();
    }
  }
  operators_.clear();
  for (const std::string& name : policies_) {
    CommandResult r = Kubectl({"delete", "containersecuritypolicies.containersecurity.dev", name,
                               "--ignore-not-found", "--wait=false"});
    EXPECT_EQ(r.exit_code, 0) << "deleting policy " << name << ": " << r;
  }
  policies_.clear();
  E2ETest::TearDown();
}

std::string OperatorTest::CreatePolicy(const std::string& prefix, const json& spec) {
  const std::string name = UniqueName(prefix);
  policies_.push_back(name);
  CommandResult r = Kubectl({"create", "-f", "-"}, PolicyObject(name, spec).dump());
  EXPECT_EQ(r.exit_code, 0) << "creating policy " << name << ": " << r;
  return name;
}

void OperatorTest::PatchPolicySpec(const std::string& name, const json& spec_patch) {
  CommandResult r = Kubectl({"patch", "containersecuritypolicies.containersecurity.dev", name,
                             "--type=merge", "-p", json{{"spec", spec_patch}}.dump()});
  EXPECT_EQ(r.exit_code, 0) << "patching policy " << name << ": " << r;
}

json OperatorTest::WaitPolicyReconciled(const std::string& name, std::chrono::seconds timeout) {
  json last;
  const bool ok = Eventually(
      [&] {
        auto policy = TryGet("containersecuritypolicies.containersecurity.dev", "", name);
        if (!policy) return false;
        last = *policy;
        const json& status = last.value("status", json::object());
        if (status.value("observedGeneration", -1) != last["metadata"].value("generation", 0)) {
          return false;
        }
        for (const json& c : status.value("conditions", json::array())) {
          if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
        }
        return false;
      },
      timeout);
  EXPECT_TRUE(ok) << "policy " << name << " not reconciled (observedGeneration == generation, "
                  << "Ready=True) within " << timeout.count() << " s: " << last.dump(2);
  return last;
}

void OperatorTest::Create(const json& object) {
  CommandResult r = Kubectl({"-n", ns(), "create", "-f", "-"}, object.dump());
  EXPECT_EQ(r.exit_code, 0) << "creating " << object["kind"] << " " << object["metadata"]["name"]
                            << ": " << r;
}

void OperatorTest::Patch(const std::string& resource, const std::string& name, const json& patch,
                         const std::string& type) {
  CommandResult r =
      Kubectl({"-n", ns(), "patch", resource, name, "--type=" + type, "-p", patch.dump()});
  EXPECT_EQ(r.exit_code, 0) << "patching " << resource << "/" << name << ": " << r;
}

::testing::AssertionResult OperatorTest::WaitObject(
    const std::string& resource, const std::string& name, const std::string& what,
    const std::function<bool(const json&)>& predicate, std::chrono::milliseconds timeout) {
  std::optional<json> last;
  const bool ok = Eventually(
      [&] {
        last = TryGet(resource, ns(), name);
        return last && predicate(*last);
      },
      timeout);
  if (ok) return ::testing::AssertionSuccess();
  json shown = last.value_or(json());
  if (shown.is_object() && shown.contains("metadata")) shown["metadata"].erase("managedFields");
  return ::testing::AssertionFailure()
         << resource << "/" << name << ": not " << what << " within " << timeout.count()
         << " ms; last seen: " << (last ? shown.dump(2) : std::string("(absent)"));
}

// ---- WebhookOperatorTest ---------------------------------------------------------------------

void WebhookOperatorTest::SetUp() {
  OperatorTest::SetUp();
  port_ = FreeLoopbackPort();
  ASSERT_NE(port_, 0);
}

void WebhookOperatorTest::TearDown() {
  OperatorTest::TearDown();
  for (const char* resource : {"validatingwebhookconfigurations.admissionregistration.k8s.io",
                               "validatingadmissionpolicybindings.admissionregistration.k8s.io",
                               "validatingadmissionpolicies.admissionregistration.k8s.io"}) {
    CommandResult r = Kubectl({"delete", resource, "-l",
                               "app.kubernetes.io/managed-by=csp-operator", "--ignore-not-found"});
    EXPECT_EQ(r.exit_code, 0) << r;
  }
}

OperatorProcess* WebhookOperatorTest::StartWithWebhook(const std::vector<std::string>& extra) {
  OperatorOptions options;
  options.webhook = true;
  const std::string address = "127.0.0.1:" + std::to_string(port_);
  options.extra_args = {"--webhook-listen-address=" + address,
                        "--webhook-url=https://" + address + "/validate"};
  options.extra_args.insert(options.extra_args.end(), extra.begin(), extra.end());
  return StartOperator(options);
}

}  // namespace csp::e2e
