// The only file that includes cpprestsdk. Its exceptions stop here and become Errors classified
// as transport.h describes.
#include "csp/kube/cpprest_transport.h"

#include <cpprest/http_client.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <pplx/threadpool.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ssl.hpp>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace csp::kube {
namespace {

using web::http::http_exception;
using web::http::http_request;
using web::http::http_response;
using web::http::client::http_client;
using web::http::client::http_client_config;

// cpprestsdk reports a failed handshake as "Error in SSL handshake" and drops OpenSSL's reason.
// Our chain-verification hook records it here. The slot is process-wide because OpenSSL hands
// the hook a raw pointer that would have to outlive every pooled connection; it only sharpens
// messages, and a counter tells a handshake whether a verification failed meanwhile.
std::atomic<std::uint64_t> g_verify_failures{0};
std::mutex g_verify_mu;
std::string g_verify_reason;

int VerifyChain(X509_STORE_CTX* store, void* /*unused*/) {
  const int ok = X509_verify_cert(store);
  if (ok != 1) {
    const int err = X509_STORE_CTX_get_error(store);
    std::lock_guard lock(g_verify_mu);
    // X509_V_OK with a failure means cpprestsdk's host-name check rejected the certificate.
    g_verify_reason = err == X509_V_OK ? "server certificate does not match the host name"
                                       : X509_verify_cert_error_string(err);
    g_verify_failures.fetch_add(1);
  }
  return ok;
}

std::string LastVerifyReason() {
  std::lock_guard lock(g_verify_mu);
  return g_verify_reason;
}

// Loads the config's TLS material into `ctx`. Called once to validate, then by cpprestsdk for
// every new connection.
Status ConfigureTls(boost::asio::ssl::context& ctx, const RestConfig& config) {
  SSL_CTX* native = ctx.native_handle();
  if (!config.ca_pem.empty()) {
    // Trust exactly the configured CAs (as client-go does), not the system roots cpprestsdk
    // loaded into the context first.
    X509_STORE* store = X509_STORE_new();
    SSL_CTX_set_cert_store(native, store);  // takes ownership
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(config.ca_pem.data(), static_cast<int>(config.ca_pem.size())), &BIO_free);
    int count = 0;
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
      X509_STORE_add_cert(store, cert);
      X509_free(cert);
      ++count;
    }
    ERR_clear_error();  // the loop ends on a "no start line" error
    if (count == 0) {
      return InvalidArgument(config.source + ": certificate-authority: no PEM certificate found");
    }
  }
  if (!config.client_cert_pem.empty()) {
    boost::system::error_code ec;
    ctx.use_certificate_chain(boost::asio::buffer(config.client_cert_pem), ec);
    if (ec) return InvalidArgument(config.source + ": client-certificate: " + ec.message());
    ctx.use_private_key(boost::asio::buffer(config.client_key_pem), boost::asio::ssl::context::pem,
                        ec);
    if (ec) return InvalidArgument(config.source + ": client-key: " + ec.message());
    if (SSL_CTX_check_private_key(native) != 1) {
      ERR_clear_error();
      return InvalidArgument(config.source + ": client-key does not match client-certificate");
    }
  }
  if (!config.insecure_skip_tls_verify)
    SSL_CTX_set_cert_verify_callback(native, &VerifyChain, nullptr);
  return {};
}

// cpprestsdk loads the system CA bundle (~140 certificates, ~1 MB of heap) into every new
// connection's context before our callback replaces the store with the configured CA. With a
// configured CA that work is thrown away, and the freed memory stays fragmented: measured
// 1.5 MB of resident memory in the idle agent. OpenSSL reads the bundle's path from
// SSL_CERT_FILE, so pointing it at an empty file skips the load. Whatever it named before is
// irrelevant: with a configured CA nothing else is trusted. Set once, before the first
// connection reads it (transports are made at start-up; no child process of ours uses TLS).
void SkipSystemRootsOnConnect() {
  static std::once_flag once;
  std::call_once(once, [] { ::setenv("SSL_CERT_FILE", "/dev/null", /*overwrite=*/1); });
}

// The body, read from the response stream straight into one string as it arrives: one copy
// (extract_vector() plus a string would be three of a LIST page's megabytes at once), and what
// was read is freed from cpprestsdk's buffer as we go.
std::string ReadBody(http_response& response) {
  auto stream = response.body().streambuf();
  std::string body;
  if (const auto length = response.headers().content_length(); length > 0) body.reserve(length);
  while (true) {
    // getn() of n bytes waits until n are buffered: wait for one, then take what has arrived.
    const std::size_t want = std::max<std::size_t>(1, stream.in_avail());
    const std::size_t old_size = body.size();
    body.resize(old_size + want);
    const std::size_t n =
        stream.getn(reinterpret_cast<std::uint8_t*>(body.data() + old_size), want).get();
    body.resize(old_size + n);
    if (n == 0) return body;  // the server ended the body
  }
}

bool StartsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

http_request ToCpprest(const HttpRequest& request) {
  http_request msg(request.method);
  msg.set_request_uri(web::uri(request.target));
  bool has_content_type = false;
  for (const auto& [name, value] : request.headers) {
    has_content_type = has_content_type || Lower(name) == "content-type";
    msg.headers().add(name, value);
  }
  if (!request.body.empty()) {
    if (!has_content_type) msg.headers().add("Content-Type", "application/json");
    // The byte-vector overload keeps our Content-Type. (The std::string overload would
    // replace it, and reads its buffer through a mistyped pointer that UBSan rejects.)
    msg.set_body(std::vector<unsigned char>(request.body.begin(), request.body.end()));
  }
  return msg;
}

HttpResponse FromCpprest(const http_response& response) {
  HttpResponse out{.status = response.status_code()};
  for (const auto& [name, value] : response.headers()) out.headers.emplace_back(Lower(name), value);
  return out;
}

class CpprestTransport final : public HttpTransport {
 public:
  CpprestTransport(std::string server, web::uri base, http_client_config config)
      : server_(std::move(server)),
        base_(std::move(base)),
        config_(std::move(config)),
        client_(base_, config_) {}

  Result<HttpResponse> Send(const HttpRequest& request) override {
    const std::uint64_t failures_before = g_verify_failures.load();
    http_response response;
    try {
      response = client_.request(ToCpprest(request)).get();
    } catch (const http_exception& e) {
      return Classify(e, failures_before);
    } catch (const std::exception& e) {
      return Internal(server_ + ": " + e.what());
    }
    HttpResponse out = FromCpprest(response);
    try {
      out.body = ReadBody(response);
    } catch (const std::exception& e) {
      return Error{Code::kAborted, server_ + ": reading the response body: " + e.what()};
    }
    return out;
  }

  Result<HttpResponse> Stream(const HttpRequest& request, std::chrono::seconds idle_timeout,
                              const ChunkCallback& on_chunk, std::stop_token stop) override {
    // A client of its own: a watch holds its connection for minutes and needs its own
    // (inactivity) timeout; cancelling it must not touch pooled connections.
    http_client_config config = config_;
    config.set_timeout(idle_timeout);
    http_client client(base_, config);
    pplx::cancellation_token_source cancel;
    std::stop_callback on_stop(stop, [&cancel] { cancel.cancel(); });
    const std::uint64_t failures_before = g_verify_failures.load();
    std::optional<HttpResponse> started;  // set once the status line and headers arrived
    try {
      http_response response = client.request(ToCpprest(request), cancel.get_token()).get();
      started = FromCpprest(response);
      if (started->status < 200 || started->status > 299) {
        started->body = ReadBody(response);
        return *started;
      }
      auto body = response.body().streambuf();
      std::vector<std::uint8_t> buffer(64 * 1024);
      while (true) {
        // getn() of n bytes waits until n are buffered, so wait for one byte, then take
        // whatever else has arrived: events reach the caller as soon as they are received.
        std::size_t n = body.getn(buffer.data(), 1).get();
        if (n == 0) break;  // the server ended the body
        const std::size_t more = std::min<std::size_t>(body.in_avail(), buffer.size() - 1);
        if (more > 0) n += body.getn(buffer.data() + 1, more).get();
        const std::string_view chunk(reinterpret_cast<const char*>(buffer.data()), n);
        if (!on_chunk(chunk)) {
          cancel.cancel();  // closes the connection instead of draining the watch
          break;
        }
      }
      return *started;
    } catch (const std::exception& e) {
      // Stopping cancels the request, which surfaces here as an exception: not a failure.
      if (stop.stop_requested() && started) return *started;
      if (stop.stop_requested()) return Error{Code::kAborted, server_ + ": stopped"};
      if (started) return Error{Code::kAborted, server_ + ": stream broken: " + e.what()};
      if (const auto* http = dynamic_cast<const http_exception*>(&e)) {
        return Classify(*http, failures_before);
      }
      return Internal(server_ + ": " + e.what());
    }
  }

 private:
  // Sorts a cpprestsdk failure by how far the request got (see transport.h). cpprestsdk keeps
  // only a message and a remapped errno, so its fixed messages are what there is to go on.
  Error Classify(const http_exception& e, std::uint64_t failures_before) const {
    const std::string what = e.what();
    const std::string& server = server_;
    if (what.find("SSL handshake") != std::string::npos) {
      if (g_verify_failures.load() != failures_before) {
        return {Code::kUnauthenticated, "TLS handshake with " + server +
                                            " failed: certificate verify failed: " +
                                            LastVerifyReason() + " (check certificate-authority)"};
      }
      return {Code::kUnavailable, "TLS handshake with " + server + " failed: " + what};
    }
    const bool timed_out = e.error_code() == std::errc::timed_out;
    if (!timed_out &&
        (StartsWith(what, "Failed to connect") || StartsWith(what, "Error resolving address") ||
         StartsWith(what, "Failed to resolve address"))) {
      return {Code::kUnavailable, "cannot connect to " + server + ": " + what};
    }
    if (timed_out) return {Code::kAborted, server + ": timed out: " + what};
    return {Code::kAborted, server + ": connection lost: " + what};
  }

  const std::string server_;  // as configured, for messages
  const web::uri base_;
  const http_client_config config_;
  http_client client_;
};

}  // namespace

Result<std::unique_ptr<HttpTransport>> NewCpprestTransport(const RestConfig& config) {
  const std::string field = config.source.empty() ? "server" : config.source + ": server";
  if (config.server.empty()) return InvalidArgument(field + ": missing");
  std::unique_ptr<web::uri> base;
  try {
    base = std::make_unique<web::uri>(config.server);
  } catch (const std::exception& e) {
    return InvalidArgument(field + ": \"" + config.server + "\": " + e.what());
  }
  if (base->scheme() != "https" && base->scheme() != "http") {
    return InvalidArgument(field + ": \"" + config.server + "\" is not an http(s) URL");
  }
  // Validate the PEM material now, so that a bad file fails at start-up with its field name.
  {
    boost::asio::ssl::context scratch(boost::asio::ssl::context::tls_client);
    if (Status s = ConfigureTls(scratch, config); !s) return s.error();
  }
  if (!config.ca_pem.empty()) SkipSystemRootsOnConnect();
  http_client_config client_config;
  client_config.set_timeout(config.request_timeout);
  client_config.set_validate_certificates(!config.insecure_skip_tls_verify);
  client_config.set_max_redirects(0);
  auto tls = std::make_shared<const RestConfig>(config);
  client_config.set_ssl_context_callback(
      [tls](boost::asio::ssl::context& ctx) { (void)ConfigureTls(ctx, *tls); });
  try {
    return std::unique_ptr<HttpTransport>(std::make_unique<CpprestTransport>(
        config.server, std::move(*base), std::move(client_config)));
  } catch (const std::exception& e) {
    return InvalidArgument(field + ": " + e.what());
  }
}

Status SetTransportThreads(std::size_t threads) {
  if (threads == 0) return InvalidArgument("transport threads: must be at least 1");
  try {
    crossplat::threadpool::initialize_with_threads(threads);
  } catch (const std::exception& e) {
    return Error{Code::kFailedPrecondition, std::string("transport threads: ") + e.what()};
  }
  return {};
}

}  // namespace csp::kube
