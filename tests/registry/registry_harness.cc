#include "registry_harness.h"

#include <arpa/inet.h>
#include <crypt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace csp::registry::testing {
namespace fs = std::filesystem;

std::optional<fs::path> TestToolsBin() {
  auto complete = [](const fs::path& dir) {
    return fs::exists(dir / "registry") && fs::exists(dir / "crane");
  };
  if (const char* env = std::getenv("CSP_TEST_TOOLS_BIN")) {
    if (complete(env)) return fs::path(env);
    return std::nullopt;
  }
  const char* home = std::getenv("HOME");
  const fs::path root = fs::path(home ? home : "/") / ".cache/csp-operator/test-tools";
  std::error_code ec;
  std::optional<fs::path> newest;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (complete(entry.path() / "bin") && (!newest || entry.path() / "bin" > *newest)) {
      newest = entry.path() / "bin";
    }
  }
  return newest;
}

std::string BcryptHash(const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof salt) == nullptr) return {};
  crypt_data data{};
  const char* hash = crypt_r(password.c_str(), salt, &data);
  return hash == nullptr || hash[0] == '*' ? std::string() : std::string(hash);
}

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof addr;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size);
  close(fd);
  return ntohs(addr.sin_port);
}

namespace {

bool Accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

void Write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

}  // namespace

RegistryProcess::RegistryProcess(const fs::path& bin, const RegistryConfig& config) {
  std::string pattern = (fs::temp_directory_path() / "csp-registry-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    error_ = "mkdtemp failed";
    return;
  }
  dir_ = pattern;
  port_ = FreePort();
  const std::string addr = "127.0.0.1:" + std::to_string(port_);
  std::vector<std::string> argv;
  if (config.referrers_api) {
    if (!config.tls_cert_pem.empty() || !config.htpasswd.empty() || !config.token_realm.empty()) {
      error_ = "referrers-registry serves plain HTTP without auth only";
      return;
    }
    argv = {(bin / "referrers-registry").string(), "-addr", addr, "-blobs",
            (dir_ / "blobs").string()};
  } else {
    argv = {(bin / "registry").string(), "serve", WriteDistributionConfig(config, addr)};
  }
  const std::string log_path = (dir_ / "registry.log").string();
  std::vector<char*> args;
  for (std::string& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  pid_ = fork();
  if (pid_ == 0) {
    setpgid(0, 0);
    FILE* log = std::fopen(log_path.c_str(), "w");
    if (log != nullptr) {
      dup2(fileno(log), 1);
      dup2(fileno(log), 2);
    }
    execv(args[0], args.data());
    _exit(127);
  }
  for (int i = 0; i < 300; ++i) {
    if (Accepts(port_)) return;
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::ifstream in(log_path);
  error_ = "registry did not start; its log: " +
           std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string RegistryProcess::WriteDistributionConfig(const RegistryConfig& config,
                                                     const std::string& addr) {
  std::string yaml =
      "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\n"
      "storage:\n  filesystem:\n    rootdirectory: " +
      (dir_ / "root").string() + "\n  delete:\n    enabled: true\n" + "http:\n  addr: " + addr +
      "\n";
  if (!config.tls_cert_pem.empty()) {
    Write(dir_ / "tls.crt", config.tls_cert_pem);
    Write(dir_ / "tls.key", config.tls_key_pem);
    yaml += "  tls:\n    certificate: " + (dir_ / "tls.crt").string() +
            "\n    key: " + (dir_ / "tls.key").string() + "\n";
  }
  if (!config.htpasswd.empty()) {
    Write(dir_ / "htpasswd", config.htpasswd);
    yaml +=
        "auth:\n  htpasswd:\n    realm: csp-test\n    path: " + (dir_ / "htpasswd").string() + "\n";
  } else if (!config.token_realm.empty()) {
    Write(dir_ / "token-root.pem", config.token_root_pem);
    yaml += "auth:\n  token:\n    realm: " + config.token_realm +
            "\n    service: " + config.token_service + "\n    issuer: " + config.token_issuer +
            "\n    rootcertbundle: " + (dir_ / "token-root.pem").string() + "\n";
  }
  Write(dir_ / "config.yml", yaml);
  return (dir_ / "config.yml").string();
}

RegistryProcess::~RegistryProcess() {
  if (pid_ > 0) {
    kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

}  // namespace csp::registry::testing
