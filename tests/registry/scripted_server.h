// Test support: a loopback HTTP server whose handler writes raw bytes to the socket, so that it
// can answer as no real registry would (endless bodies, lying headers, redirect loops) or stand
// in for a token server. One thread per connection, one request per connection.
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace csp::registry::testing {

struct RawRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

// Writes to the client. Write returns false once the client has gone (or the server stops).
class RawWriter {
 public:
  RawWriter(boost::asio::ip::tcp::socket& socket, const std::atomic<bool>& stopping)
      : socket_(socket), stopping_(stopping) {}
  bool Write(std::string_view bytes) {
    if (stopping_) return false;
    boost::system::error_code ec;
    boost::asio::write(socket_, boost::asio::buffer(bytes.data(), bytes.size()), ec);
    return !ec;
  }
  // A whole response with Content-Length.
  bool Respond(int status, const std::vector<std::pair<std::string, std::string>>& headers,
               std::string_view body) {
    std::string head = "HTTP/1.1 " + std::to_string(status) + " X\r\n";
    for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
    head += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
    return Write(head) && Write(body);
  }

 private:
  boost::asio::ip::tcp::socket& socket_;
  const std::atomic<bool>& stopping_;
};

using RawHandler = std::function<void(const RawRequest&, RawWriter&)>;

class ScriptedServer {
 public:
  explicit ScriptedServer(RawHandler handler)
      : handler_(std::move(handler)),
        acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~ScriptedServer() {
    stopping_ = true;
    boost::system::error_code ec;
    {
      // A blocking accept() does not wake when the acceptor is closed by another thread; a
      // connection does.
      boost::asio::ip::tcp::socket wake(ioc_);
      wake.connect(acceptor_.local_endpoint(), ec);
    }
    accept_thread_.join();
    acceptor_.close(ec);
    {
      std::lock_guard lock(mu_);
      for (auto* socket : sockets_) socket->shutdown(boost::asio::socket_base::shutdown_both, ec);
    }
    for (std::thread& t : connections_) t.join();
  }
  int port() const { return acceptor_.local_endpoint().port(); }
  std::string host() const { return "127.0.0.1:" + std::to_string(port()); }
  int requests() const { return requests_; }

 private:
  void AcceptLoop() {
    while (!stopping_) {
      boost::system::error_code ec;
      auto socket = std::make_shared<boost::asio::ip::tcp::socket>(ioc_);
      acceptor_.accept(*socket, ec);
      if (ec || stopping_) return;
      std::lock_guard lock(mu_);
      sockets_.push_back(socket.get());
      connections_.emplace_back([this, socket] { Serve(*socket); });
    }
  }

  void Serve(boost::asio::ip::tcp::socket& socket) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    http::request<http::string_body> request;
    boost::system::error_code ec;
    http::read(socket, buffer, request, ec);
    if (!ec) {
      ++requests_;
      RawRequest raw{.method = std::string(request.method_string()),
                     .target = std::string(request.target()),
                     .headers = {},
                     .body = request.body()};
      for (const auto& field : request) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        raw.headers[name] = std::string(field.value());
      }
      RawWriter writer(socket, stopping_);
      handler_(raw, writer);
    }
    socket.shutdown(boost::asio::socket_base::shutdown_both, ec);
    std::lock_guard lock(mu_);
    std::erase(sockets_, &socket);
  }

  RawHandler handler_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::mutex mu_;
  std::vector<boost::asio::ip::tcp::socket*> sockets_;
  std::vector<std::thread> connections_;
  std::thread accept_thread_;
};

}  // namespace csp::registry::testing
