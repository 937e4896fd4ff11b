// Test helper: a blocking TCP client on loopback, written with plain sockets so that it shares no
// code with the server under test. A 10 s receive timeout keeps a broken server from hanging the
// test; it is a guard, not an assertion.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

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

  // Everything until the server closes (after what ReadResponse left); nullopt on a reset or
  // when the guard expires.
  std::optional<std::string> ReadToEof() {
    while (Receive()) {
    }
    if (!eof_) return std::nullopt;
    return std::exchange(pending_, std::string());
  }

  // One response: its head, and then Content-Length bytes of body (none when `to_head`, the
  // answer to a HEAD request). nullopt when the connection ends or breaks first. Bytes after it
  // stay for the next call.
  std::optional<std::string> ReadResponse(bool to_head = false) {
    std::size_t head_end;
    while ((head_end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!Receive()) return std::nullopt;
    }
    head_end += 4;
    std::string head = pending_.substr(0, head_end);
    std::transform(head.begin(), head.end(), head.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    std::size_t length = 0;
    if (const std::size_t at = head.find("\r\ncontent-length:"); at != std::string::npos) {
      length = std::stoul(head.substr(at + 17));
    }
    const std::size_t total = head_end + (to_head ? 0 : length);
    while (pending_.size() < total) {
      if (!Receive()) return std::nullopt;
    }
    std::string response = pending_.substr(0, total);
    pending_.erase(0, total);
    return response;
  }

  // True when the server has closed the connection or sent something: a read would not block.
  bool ReadableNow() const {
    if (!pending_.empty() || eof_) return true;
    pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
    return ::poll(&p, 1, 0) > 0;
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  // Appends what the next recv brings to pending_; false at the end of the stream (eof_ set), on
  // an error or when the guard expires.
  bool Receive() {
    char buf[4096];
    const ssize_t n = fd_ < 0 ? -1 : ::recv(fd_, buf, sizeof buf, 0);
    if (n == 0) eof_ = true;
    if (n <= 0) return false;
    pending_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string pending_;  // received, not yet returned
  bool eof_ = false;
};

// One request on a new connection; the raw response (one, framed by its Content-Length), or ""
// when the exchange failed.
inline std::string Fetch(int port, std::string_view request,
                         const std::string& host = "127.0.0.1") {
  LoopbackClient client(port, host);
  if (!client.connected() || !client.Send(request)) return "";
  return client.ReadResponse(request.starts_with("HEAD ")).value_or("");
}

}  // namespace csp::serve::testing
