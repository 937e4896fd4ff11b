// HttpServer over real loopback sockets: framing, routing, limits, slow clients, Stop, errors.
#include "csp/serve/http_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "loopback_client.h"
#include "parsed_response.h"

namespace csp::serve {
namespace {

using testing::Fetch;
using ::testing::HasSubstr;
using testing::LoopbackClient;
using testing::ParsedResponse;
using testing::ParseResponse;

Routes TestRoutes() {
  return {
      {"/healthz", [] { return Response{.body = "ok\n"}; }},
      {"/readyz", [] { return Response{.status = 503, .body = "not ready\n"}; }},
      {"/metrics",
       [] { return Response{.content_type = "text/plain; version=0.0.4", .body = "m 1\n"}; }},
      {"/throws", []() -> Response { throw std::runtime_error("boom"); }},
      {"/big", [] { return Response{.body = std::string(1 << 20, 'x')}; }},
  };
}

std::unique_ptr<HttpServer> MustStart(std::string_view address = "127.0.0.1:0",
                                      const ServerOptions& options = {}) {
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(address, TestRoutes(), options);
  if (!server) ADD_FAILURE() << server.error().message;
  return server ? std::move(*server) : nullptr;
}

std::optional<ParsedResponse> Get(int port, std::string_view request,
                                  const std::string& host = "127.0.0.1") {
  return ParseResponse(Fetch(port, request, host));
}

TEST(HttpServerTest, ServesGetWithStatusHeadersAndBody) {
  auto server = MustStart();
  ASSERT_TRUE(server);
  EXPECT_GT(server->port(), 0);
  const auto response = Get(server->port(), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(response->Header("Content-Type"), "text/plain; version=0.0.4");
  EXPECT_EQ(response->Header("Content-Length"), "4");
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_EQ(response->body, "m 1\n");
}

TEST(HttpServerTest, HeadSendsTheHeadersWithoutTheBody) {
  auto server = MustStart();
  ASSERT_TRUE(server);
  const std::string raw = Fetch(server->port(), "HEAD /healthz HTTP/1.1\r\n\r\n");
  const auto response = ParseResponse(raw);
  ASSERT_TRUE(response) << raw;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("Content-Length"), "3");
  EXPECT_EQ(response->body, "") << "the connection carried bytes after the head";
}

struct StatusCase {
  const char* name;
  const char* request;
  int status;
  std::optional<std::string> allow = std::nullopt;
};

class HttpServerStatusTest : public ::testing::TestWithParam<StatusCase> {};

TEST_P(HttpServerStatusTest, Answers) {
  auto server = MustStart();
  ASSERT_TRUE(server);
  const std::string raw = Fetch(server->port(), GetParam().request);
  const auto response = ParseResponse(raw);
  ASSERT_TRUE(response) << raw;
  EXPECT_EQ(response->status, GetParam().status) << raw;
  EXPECT_EQ(response->Header("Allow"), GetParam().allow);
  ASSERT_TRUE(response->Header("Content-Length"));
  EXPECT_EQ(*response->Header("Content-Length"), std::to_string(response->body.size()));
}

INSTANTIATE_TEST_SUITE_P(
    Requests, HttpServerStatusTest,
    ::testing::Values(
        StatusCase{"http10", "GET /healthz HTTP/1.0\r\n\r\n", 200},
        StatusCase{"query_ignored", "GET /healthz?verbose HTTP/1.1\r\n\r\n", 200},
        StatusCase{"bare_lf", "GET /healthz HTTP/1.1\n\n", 200},
        StatusCase{"handler_status", "GET /readyz HTTP/1.1\r\n\r\n", 503},
        StatusCase{"unknown_path", "GET /nope HTTP/1.1\r\n\r\n", 404},
        StatusCase{"post", "POST /healthz HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405, "GET, HEAD"},
        StatusCase{"delete", "DELETE /healthz HTTP/1.1\r\n\r\n", 405, "GET, HEAD"},
        StatusCase{"options", "OPTIONS /healthz HTTP/1.1\r\n\r\n", 405, "GET, HEAD"},
        StatusCase{"post_with_unread_body",
                   "POST /healthz HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", 405, "GET, HEAD"},
        StatusCase{"garbage", "GARBAGE\r\n\r\n", 400},
        StatusCase{"no_version", "GET /healthz\r\n\r\n", 400},
        StatusCase{"bad_header", "GET /healthz HTTP/1.1\r\nno colon\r\n\r\n", 400},
        StatusCase{"handler_throws", "GET /throws HTTP/1.1\r\n\r\n", 500}),
    [](const auto& info) { return info.param.name; });

TEST(HttpServerTest, KeepsServingAfterAHandlerThrows) {
  auto server = MustStart();
  ASSERT_TRUE(server);
  for (int i = 0; i < 3; ++i) {
    const auto failed = Get(server->port(), "GET /throws HTTP/1.1\r\n\r\n");
    ASSERT_TRUE(failed);
    EXPECT_EQ(failed->status, 500);
    const auto ok = Get(server->port(), "GET /healthz HTTP/1.1\r\n\r\n");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
  }
}

TEST(HttpServerTest, HeadOverTheLimitGets431) {
  auto server = MustStart();
  ASSERT_TRUE(server);
  const std::string request =
      "GET /healthz HTTP/1.1\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n";
  const std::string raw = Fetch(server->port(), request);
  const auto response = ParseResponse(raw);
  ASSERT_TRUE(response) << "no response (or a reset) to an oversized head";
  EXPECT_EQ(response->status, 431);
}

TEST(HttpServerTest, HeadOverTheLimitWithoutItsEndGets431) {
  auto server = MustStart();
  ASSERT_TRUE(server);
  LoopbackClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send("GET /healthz HTTP/1.1\r\nX-Big: " + std::string(8200, 'a')));
  const auto response = ParseResponse(client.ReadToEof().value_or(""));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
}

TEST(HttpServerTest, HeadJustUnderTheLimitIsServed) {
  auto server = MustStart();
  ASSERT_TRUE(server);
  std::string request = "GET /healthz HTTP/1.1\r\nX-Big: ";
  request += std::string(8192 - request.size() - 4, 'a') + "\r\n\r\n";
  ASSERT_EQ(request.size(), 8192u);
  const auto response = Get(server->port(), request);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(HttpServerTest, HeadSentInPiecesIsAssembled) {
  auto server = MustStart();
  ASSERT_TRUE(server);
  LoopbackClient client(server->port());
  ASSERT_TRUE(client.connected());
  for (const char* piece : {"GE", "T /hea", "lthz HTTP/1.1\r", "\nHost: x\r\n", "\r\n"}) {
    ASSERT_TRUE(client.Send(piece));
  }
  const auto response = ParseResponse(client.ReadToEof().value_or(""));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "ok\n");
}

TEST(HttpServerTest, SendsALargeBodyCompletely) {
  auto server = MustStart();
  ASSERT_TRUE(server);
  const auto response = Get(server->port(), "GET /big HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("Content-Length"), std::to_string(1 << 20));
  EXPECT_EQ(response->body, std::string(1 << 20, 'x'));
}

TEST(HttpServerTest, SilentClientsDoNotBlockOtherRequests) {
  // A read timeout far beyond the client's guard: a server that served one connection at a time
  // would leave the second request unanswered and this test would fail.
  auto server = MustStart("127.0.0.1:0", {.read_timeout = std::chrono::minutes(2)});
  ASSERT_TRUE(server);
  LoopbackClient silent(server->port());
  LoopbackClient partial(server->port());
  ASSERT_TRUE(silent.connected() && partial.connected());
  ASSERT_TRUE(partial.Send("GET /heal"));
  const auto response = Get(server->port(), "GET /healthz HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_FALSE(silent.ReadableNow()) << "the silent connection was answered or closed early";
  EXPECT_FALSE(partial.ReadableNow()) << "the partial connection was answered or closed early";
}

TEST(HttpServerTest, ClosesAClientThatStaysSilentPastTheReadTimeout) {
  auto server = MustStart("127.0.0.1:0", {.read_timeout = std::chrono::milliseconds(100)});
  ASSERT_TRUE(server);
  LoopbackClient silent(server->port());
  ASSERT_TRUE(silent.connected());
  ASSERT_TRUE(silent.Send("GET /healthz HTTP/1.1\r\n"));  // never finishes the head
  EXPECT_EQ(silent.ReadToEof(), std::optional<std::string>(""))
      << "the server should close the connection without a response";
}

TEST(HttpServerTest, ConnectionsBeyondTheLimitAreClosedAndServingResumes) {
  auto server =
      MustStart("127.0.0.1:0", {.read_timeout = std::chrono::minutes(2), .max_connections = 1});
  ASSERT_TRUE(server);
  auto holder = std::make_unique<LoopbackClient>(server->port());
  ASSERT_TRUE(holder->connected());
  LoopbackClient refused(server->port());
  ASSERT_TRUE(refused.connected());  // the kernel accepts; the server closes it
  EXPECT_EQ(refused.ReadToEof().value_or(""), "");
  holder.reset();
  // The server frees the slot when it reads the holder's EOF; poll for that, a bounded number
  // of times, rather than assume how long it takes.
  std::optional<ParsedResponse> response;
  for (int attempt = 0; attempt < 500 && !response; ++attempt) {
    response = Get(server->port(), "GET /healthz HTTP/1.1\r\n\r\n");
    if (!response) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(response) << "the freed slot was never reused";
  EXPECT_EQ(response->status, 200);
}

TEST(HttpServerTest, StopIsIdempotentClosesConnectionsAndFreesThePort) {
  auto server = MustStart("127.0.0.1:0", {.read_timeout = std::chrono::minutes(2)});
  ASSERT_TRUE(server);
  const int port = server->port();
  LoopbackClient open(port);
  ASSERT_TRUE(open.connected());
  ASSERT_TRUE(Get(port, "GET /healthz HTTP/1.1\r\n\r\n"));
  server->Stop();
  server->Stop();
  EXPECT_EQ(server->port(), port);
  EXPECT_EQ(open.ReadToEof(), std::optional<std::string>("")) << "open connection not closed";
  auto again = MustStart("127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(again) << "port " << port << " still bound after Stop";
  EXPECT_EQ(again->port(), port);
  const auto response = Get(port, "GET /healthz HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(HttpServerTest, StopFromTwoThreadsAtOnceIsSafe) {
  auto server = MustStart();
  ASSERT_TRUE(server);
  std::thread stopper([&] { server->Stop(); });
  server->Stop();
  stopper.join();
  server.reset();  // the destructor stops again
}

TEST(HttpServerTest, StopFromAHandlerStopsServingWithoutDeadlock) {
  std::promise<void> handler_ran;
  std::atomic<HttpServer*> self = nullptr;  // set before any request is sent
  Routes routes = {{"/stop", [&] {
                      self.load()->Stop();
                      handler_ran.set_value();
                      return Response{.body = "stopping\n"};
                    }}};
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start("127.0.0.1:0", routes);
  ASSERT_TRUE(server) << server.error().message;
  self = server->get();
  LoopbackClient client((*server)->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send("GET /stop HTTP/1.1\r\n\r\n"));
  ASSERT_EQ(handler_ran.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  server->reset();  // joins the server thread and closes the connection
  EXPECT_TRUE(client.ReadToEof().has_value()) << "the connection was left open";
}

TEST(HttpServerTest, AllInterfacesAcceptsIpv4Loopback) {
  auto server = MustStart(":0");
  ASSERT_TRUE(server);
  const auto response = Get(server->port(), "GET /healthz HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(HttpServerTest, ServesOnIpv6Loopback) {
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start("[::1]:0", TestRoutes());
  if (!server) GTEST_SKIP() << "no IPv6 loopback here: " << server.error().message;
  const auto response = Get((*server)->port(), "GET /healthz HTTP/1.1\r\n\r\n", "::1");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(HttpServerTest, MalformedAddressIsInvalidArgumentNamingIt) {
  const Result<std::unique_ptr<HttpServer>> server = HttpServer::Start("localhost", TestRoutes());
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().code, Code::kInvalidArgument);
  EXPECT_THAT(server.error().message, HasSubstr("\"localhost\""));
  EXPECT_THAT(server.error().message, HasSubstr("missing port"));
}

TEST(HttpServerTest, PortInUseIsUnavailableWithTheOsReason) {
  auto first = MustStart();
  ASSERT_TRUE(first);
  const std::string address = "127.0.0.1:" + std::to_string(first->port());
  const Result<std::unique_ptr<HttpServer>> second = HttpServer::Start(address, TestRoutes());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Code::kUnavailable);
  EXPECT_THAT(second.error().message, HasSubstr("\"" + address + "\""));
  EXPECT_THAT(second.error().message, HasSubstr("Address already in use"));
}

TEST(HttpServerTest, UnassignedAddressIsUnavailable) {
  // 192.0.2.1 (TEST-NET-1) is not assigned to this machine: binding it fails locally, and no
  // packet is sent anywhere.
  const Result<std::unique_ptr<HttpServer>> server = HttpServer::Start("192.0.2.1:0", TestRoutes());
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().code, Code::kUnavailable);
  EXPECT_THAT(server.error().message, HasSubstr("bind 192.0.2.1:0"));
}

}  // namespace
}  // namespace csp::serve
