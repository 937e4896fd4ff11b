// Test helper: a blocking TCP client on loopback, written with plain sockets so that it shares no
// code with the server under test. A 10 s receive timeout keeps a broken server from hanging the
// test; it is a guard, not an assertion.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace csp::serve::testing {

class LoopbackClient {
 public:
  // host is "127.0.0.1" or "::1".
  LoopbackClient(int port, const std::string& host = "127.0.0.1") {
    const bool v6 = host.find(':') != std::string::npos;
    fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    timeval guard{.tv_sec = 10, .tv_usec = 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof guard);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &guard, sizeof guard);
    int rc = -1;
    if (v6) {
      sockaddr_in6 addr{};
      addr.sin6_family = AF_INET6;
      addr.sin6_port = htons(static_cast<uint16_t>(port));
      ::inet_pton(AF_INET6, host.c_str(), &addr.sin6_addr);
      rc = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    } else {
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(static_cast<uint16_t>(port));
      ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
      rc = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    }
    if (rc != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  LoopbackClient(const LoopbackClient&) = delete;
  LoopbackClient& operator=(const LoopbackClient&) = delete;
  ~LoopbackClient() { Close(); }

  bool connected() const { return fd_ >= 0; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Everything until the server closes; nullopt on a reset or when the guard expires.
  std::optional<std::string> ReadToEof() {
    std::string out;
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n == 0) return out;
      if (n < 0) return std::nullopt;
      out.append(buf, static_cast<std::size_t>(n));
    }
  }

  // True when the server has closed the connection or sent something: a read would not block.
  bool ReadableNow() const {
    pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
    return ::poll(&p, 1, 0) > 0;
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// One request on a new connection; the raw response, or "" when the exchange failed.
inline std::string Fetch(int port, std::string_view request,
                         const std::string& host = "127.0.0.1") {
  LoopbackClient client(port, host);
  if (!client.connected() || !client.Send(request)) return "";
  return client.ReadToEof().value_or("");
}

}  // namespace csp::serve::testing
