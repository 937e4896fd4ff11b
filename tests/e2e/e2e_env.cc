#include "e2e_env.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>

namespace csp::e2e {
namespace {

using Clock = std::chrono::steady_clock;

// A child that exits before reading all of its stdin must not kill the test with SIGPIPE;
// the write then fails with EPIPE instead.
void IgnoreSigpipe() {
  static std::once_flag once;
  std::call_once(once, [] { signal(SIGPIPE, SIG_IGN); });
}

struct Pipe {
  int read_end = -1;
  int write_end = -1;
};

bool MakePipe(Pipe& p) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return false;
  p.read_end = fds[0];
  p.write_end = fds[1];
  return true;
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

void SetNonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Reads what is available; closes fd at end of file.
void Drain(int& fd, std::string& sink) {
  char buf[65536];
  while (fd >= 0) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      sink.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
      CloseFd(fd);
    } else if (errno == EAGAIN) {
      return;
    }
  }
}

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Child side of Run: only async-signal-safe calls between fork and exec.
[[noreturn]] void ExecChild(char* const* argv, const Pipe& in, const Pipe& out, const Pipe& err) {
  setpgid(0, 0);  // own process group, so a timeout kills the program's children too
  dup2(in.read_end, STDIN_FILENO);
  dup2(out.write_end, STDOUT_FILENO);
  dup2(err.write_end, STDERR_FILENO);
  execvp(argv[0], argv);
  const char msg[] = "Run: cannot execute ";
  ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
  ignored = write(STDERR_FILENO, argv[0], strlen(argv[0]));
  ignored = write(STDERR_FILENO, "\n", 1);
  (void)ignored;
  _exit(127);
}

std::string Identifier(const std::string& identity) {
  std::string id;
  for (char c : identity) {
    id += std::isalnum(static_cast<unsigned char>(c))
              ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
              : '_';
  }
  return id;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string NamespaceYaml(const std::string& name) {
  return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name +
         "\n  labels:\n    csp-e2e: \"true\"\n";
}

// Creates a namespace and waits for its `default` ServiceAccount: until the controller manager
// has made it, the ServiceAccount admission plugin refuses every pod in the namespace.
::testing::AssertionResult CreateNamespace(const std::string& name) {
  CommandResult r = Kubectl({"create", "-f", "-"}, NamespaceYaml(name));
  if (r.exit_code != 0) {
    return ::testing::AssertionFailure() << "creating namespace " << name << ": " << r;
  }
  const bool has_sa = Eventually(
      [&] {
        return Kubectl({"-n", name, "get", "serviceaccount", "default"}).exit_code == 0;
      },
      std::chrono::seconds(60));
  if (!has_sa) {
    return ::testing::AssertionFailure()
           << "namespace " << name << " has no default ServiceAccount after 60 s";
  }
  return ::testing::AssertionSuccess();
}

std::string TestBaseName() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return "e2e";
  return std::string("e2e-") + info->test_suite_name() + "-" + info->name();
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const CommandResult& result) {
  return os << "exit code " << result.exit_code << "\n--- stdout ---\n"
            << result.out << "\n--- stderr ---\n"
            << result.err;
}

CommandResult Run(const std::vector<std::string>& argv, const std::string& stdin_data,
                  int timeout_seconds) {
  CommandResult result;
  if (argv.empty()) {
    result.exit_code = 127;
    result.err = "Run: empty command line";
    return result;
  }
  IgnoreSigpipe();
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);

  Pipe in, out, err;
  if (!MakePipe(in) || !MakePipe(out) || !MakePipe(err)) {
    result.exit_code = 127;
    result.err = std::string("Run: pipe: ") + std::strerror(errno);
    for (Pipe* p : {&in, &out, &err}) {
      CloseFd(p->read_end);
      CloseFd(p->write_end);
    }
    return result;
  }
  const pid_t pid = fork();
  if (pid == 0) ExecChild(cargv.data(), in, out, err);
  CloseFd(in.read_end);
  CloseFd(out.write_end);
  CloseFd(err.write_end);
  if (pid < 0) {
    result.exit_code = 127;
    result.err = std::string("Run: fork: ") + std::strerror(errno);
    CloseFd(in.write_end);
    CloseFd(out.read_end);
    CloseFd(err.read_end);
    return result;
  }
  setpgid(pid, 0);  // also from the parent, whichever runs first

  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(timeout_seconds);
  size_t written = 0;
  if (stdin_data.empty()) CloseFd(in.write_end);
  for (int fd : {in.write_end, out.read_end, err.read_end}) {
    if (fd >= 0) SetNonBlocking(fd);
  }
  bool timed_out = false;
  while (in.write_end >= 0 || out.read_end >= 0 || err.read_end >= 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[3] = {
        {in.write_end, POLLOUT, 0}, {out.read_end, POLLIN, 0}, {err.read_end, POLLIN, 0}};
    if (poll(fds, 3, static_cast<int>(std::min<long long>(left, 1000))) < 0 && errno != EINTR)
      break;
    if (in.write_end >= 0 && (fds[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = write(in.write_end, stdin_data.data() + written, stdin_data.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == stdin_data.size()) {
        CloseFd(in.write_end);
      }
    }
    if (fds[1].revents) Drain(out.read_end, result.out);
    if (fds[2].revents) Drain(err.read_end, result.err);
  }
  CloseFd(in.write_end);
  CloseFd(out.read_end);
  CloseFd(err.read_end);

  int status = 0;
  while (!timed_out) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      result.exit_code = ExitCodeOf(status);
      return result;
    }
    if (done < 0 && errno != EINTR) {
      result.exit_code = 127;
      result.err += std::string("\nRun: waitpid: ") + std::strerror(errno);
      return result;
    }
    if (Clock::now() >= deadline) timed_out = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  result.exit_code = 124;
  result.err += "\nRun: " + argv[0] + " timed out after " + std::to_string(timeout_seconds) +
                " s and was killed";
  return result;
}

std::optional<std::string> EnvVar(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

std::string Kubeconfig() {
  if (auto v = EnvVar("CSP_E2E_KUBECONFIG")) return *v;
  if (auto v = EnvVar("KUBECONFIG")) return *v;
  return "";
}

std::string KubeconfigFor(const std::string& identity) {
  if (identity == "admin") return Kubeconfig();
  const std::string var = "CSP_E2E_" + Identifier(identity) + "_KUBECONFIG";
  if (auto v = EnvVar(var.c_str())) return *v;
  // hack/cluster.sh writes <identity>.kubeconfig next to admin.kubeconfig.
  const std::string admin = Kubeconfig();
  const size_t slash = admin.rfind('/');
  if (slash == std::string::npos) return "";
  const std::string sibling = admin.substr(0, slash + 1) + identity + ".kubeconfig";
  return FileExists(sibling) ? sibling : "";
}

std::string KubectlPath() { return EnvVar("CSP_KUBECTL").value_or("kubectl"); }

std::string RepoRoot() { return EnvVar("CSP_REPO_ROOT").value_or(CSP_E2E_SOURCE_DIR); }

std::string BuildDir() { return EnvVar("CSP_BUILD_DIR").value_or(CSP_E2E_BINARY_DIR); }

CommandResult KubectlAs(const std::string& identity, const std::vector<std::string>& args,
                        const std::string& stdin_data) {
  const std::string kubeconfig = KubeconfigFor(identity);
  if (kubeconfig.empty()) {
    CommandResult r;
    r.exit_code = 127;
    r.err = "no kubeconfig for identity '" + identity +
            "': set CSP_E2E_KUBECONFIG (or CSP_E2E_<IDENTITY>_KUBECONFIG), e.g. via ctest -L e2e";
    return r;
  }
  std::vector<std::string> argv = {KubectlPath(), "--kubeconfig=" + kubeconfig};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, stdin_data);
}

CommandResult Kubectl(const std::vector<std::string>& args, const std::string& stdin_data) {
  return KubectlAs("admin", args, stdin_data);
}

nlohmann::json KubectlJson(const std::vector<std::string>& args) {
  std::vector<std::string> full = args;
  full.insert(full.end(), {"-o", "json"});
  CommandResult r = Kubectl(full);
  if (r.exit_code != 0) {
    ADD_FAILURE() << "kubectl failed: " << r;
    return nlohmann::json::object();
  }
  nlohmann::json parsed = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    ADD_FAILURE() << "kubectl printed no valid JSON: " << r;
    return nlohmann::json::object();
  }
  return parsed;
}

bool Eventually(const std::function<bool()>& fn, std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (true) {
    if (fn()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

std::string UniqueName(const std::string& text) {
  static std::mt19937 rng{std::random_device{}()};
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "%06x", static_cast<unsigned>(rng() & 0xffffff));
  std::string name;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    const char mapped = std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '-';
    if (mapped == '-' && (name.empty() || name.back() == '-')) continue;
    name += mapped;
  }
  constexpr size_t kMaxLabel = 63;
  name = name.substr(0, kMaxLabel - 7);  // room for "-" and six hex digits
  while (!name.empty() && name.back() == '-') name.pop_back();
  if (name.empty()) name = "e2e";
  return name + "-" + suffix;
}

void E2ETest::SetUp() {
  ASSERT_FALSE(Kubeconfig().empty())
      << "no cluster configured: run through ctest (ctest -L e2e) or set CSP_E2E_KUBECONFIG "
         "after `hack/cluster.sh up` (see docs/cluster.md)";
  ns_ = UniqueName(TestBaseName());
  ASSERT_TRUE(CreateNamespace(ns_));
  namespaces_.push_back(ns_);
}

std::string E2ETest::CreateExtraNamespace(const std::string& suffix) {
  const std::string name = UniqueName(TestBaseName() + "-" + suffix);
  EXPECT_TRUE(CreateNamespace(name));
  namespaces_.push_back(name);
  return name;
}

void E2ETest::TearDown() {
  const bool keep = EnvVar("CSP_E2E_KEEP_NAMESPACES").value_or("") == "1";
  for (const std::string& name : namespaces_) {
    if (keep) {
      std::cerr << "keeping namespace " << name << " (CSP_E2E_KEEP_NAMESPACES=1)\n";
      continue;
    }
    CommandResult r = Kubectl({"delete", "namespace", name, "--wait=false", "--ignore-not-found"});
    EXPECT_EQ(r.exit_code, 0) << "deleting namespace " << name << ": " << r;
  }
  namespaces_.clear();
}

}  // namespace csp::e2e
