// HttpServer over real loopback sockets: framing, routing, hostile requests, limits, slow
// clients, threads, Stop, errors. Keep-alive is in keep_alive_test.cc, TLS in tls_server_test.cc.
#include "csp/serve/http_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
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

Route Get(std::function<Response()> respond) {
  return {.handler = [respond = std::move(respond)](const Request&) { return respond(); }};
}

Routes TestRoutes() {
  return {
      {"/healthz", Get([] { return Response{.body = "ok\n"}; })},
      {"/readyz", Get([] { return Response{.status = 503, .body = "not ready\n"}; })},
      {"/metrics",
       Get([] { return Response{.content_type = "text/plain; version=0.0.4", .body = "m 1\n"}; })},
      {"/throws", Get([]() -> Response { throw std::runtime_error("secret detail"); })},
      {"/throws_int", Get([]() -> Response { throw 7; })},
      {"/bad_status", Get([] { return Response{.status = 99}; })},
      {"/no_content", Get([] { return Response{.status = 204}; })},
      {"/injects", Get([] { return Response{.content_type = "text/plain\r\nX-Evil: 1"}; })},
      {"/empty_handler", Route{}},
      {"/big", Get([] { return Response{.body = std::string(1 << 20, 'x')}; })},
      {"/echo",
       {.methods = {"POST", "PUT"},
        .handler =
            [](const Request& request) {
              return Response{
                  .content_type = "application/json",
                  .body = std::string(request.method) + " " + std::string(request.path) + " " +
                          std::string(request.content_type) + " " + std::string(request.body)};
            }}},
  };
}

std::unique_ptr<HttpServer> MustStart(std::string_view address = "127.0.0.1:0",
                                      const ServerOptions& options = {}) {
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(address, TestRoutes(), options);
  if (!server) ADD_FAILURE() << server.error().message;
  return server ? std::move(*server) : nullptr;
}

std::optional<ParsedResponse> Fetched(int port, std::string_view request,
                                      const std::string& host = "127.0.0.1") {
  return ParseResponse(Fetch(port, request, host));
}

TEST(HttpServerTest, ServesGetWithStatusHeadersAndBody) {
  auto server = MustStart();
  ASSERT_TRUE(server);
  EXPECT_GT(server->port(), 0);
  const auto response = Fetched(server->port(), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(response->Header("Content-Type"), "text/plain; version=0.0.4");
  EXPECT_EQ(response->Header("Content-Length"), "4");
  EXPECT_EQ(response->headers.count("connection"), 0u) << "HTTP/1.1 stays open by default";
  EXPECT_EQ(response->body, "m 1\n");
}

TEST(HttpServerTest, HeadSendsTheHeadersWithoutTheBody) {
  auto server = MustStart();
  ASSERT_TRUE(server);
  LoopbackClient client(server->port());
  ASSERT_TRUE(client.Send("HEAD /healthz HTTP/1.1\r\n\r\nGET /metrics HTTP/1.1\r\n\r\n"));
  const auto head = ParseResponse(client.ReadResponse(/*to_head=*/true).value_or(""));
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("Content-Length"), "3");
  // Had the server sent the body, the next response would start with it and not parse.
  const auto next = ParseResponse(client.ReadResponse().value_or(""));
  ASSERT_TRUE(next) << "the connection carried bytes after the head";
  EXPECT_EQ(next->body, "m 1\n");
}

TEST(HttpServerTest, TheHandlerSeesMethodPathContentTypeAndBody) {
  auto server = MustStart();
  ASSERT_TRUE(server);
  const auto response = Fetched(server->port(),
                                "POST /echo?dry=1 HTTP/1.1\r\nContent-Type: application/json\r\n"
                                "Content-Length: 7\r\n\r\n{\"a\":1}");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "POST /echo application/json {\"a\":1}");
  const auto chunked = Fetched(server->port(),
                               "PUT /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  ASSERT_TRUE(chunked);
  EXPECT_EQ(chunked->body, "PUT /echo  abcde");
}

// Each row is one request on a new connection: the status, the Allow header, the body when set,
// and whether the server closes the connection after answering (every error that leaves the
// rest of the stream unreadable does).
struct StatusCase {
  const char* name;
  std::string request;
  int status;
  std::optional<std::string> allow = std::nullopt;
  std::optional<std::string> body = std::nullopt;
  bool closes = false;
};

class HttpServerStatusTest : public ::testing::TestWithParam<StatusCase> {};

TEST_P(HttpServerStatusTest, Answers) {
  auto server = MustStart();
  ASSERT_TRUE(server);
  LoopbackClient client(server->port());
  ASSERT_TRUE(client.Send(GetParam().request));
  const std::string raw = client.ReadResponse(GetParam().request.starts_with("HEAD ")).value_or("");
  const auto response = ParseResponse(raw);
  ASSERT_TRUE(response) << raw;
  EXPECT_EQ(response->status, GetParam().status) << raw;
  EXPECT_EQ(response->Header("Allow"), GetParam().allow);
  if (GetParam().body) {
    EXPECT_EQ(response->body, *GetParam().body);
  }
  ASSERT_TRUE(response->Header("Content-Length"));
  if (!GetParam().request.starts_with("HEAD ")) {
    EXPECT_EQ(*response->Header("Content-Length"), std::to_string(response->body.size()));
  }
  if (GetParam().closes) {
    EXPECT_EQ(response->Header("Connection"), "close");
    EXPECT_EQ(client.ReadToEof(), std::optional<std::string>("")) << "not closed, or more bytes";
  } else {
    EXPECT_FALSE(client.ReadableNow()) << "closed, or more bytes than one response";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Requests, HttpServerStatusTest,
    ::testing::Values(
        StatusCase{"http10", "GET /healthz HTTP/1.0\r\n\r\n", 200, {}, "ok\n", true},
        StatusCase{"query_ignored", "GET /healthz?verbose HTTP/1.1\r\n\r\n", 200, {}, "ok\n"},
        StatusCase{"handler_status", "GET /readyz HTTP/1.1\r\n\r\n", 503, {}, "not ready\n"},
        StatusCase{"head_has_no_body", "HEAD /healthz HTTP/1.1\r\n\r\n", 200, {}, ""},
        StatusCase{"unknown_path", "GET /nope HTTP/1.1\r\n\r\n", 404, {}, "not found\n"},
        StatusCase{"prefix_is_not_a_match", "GET /healthz/x HTTP/1.1\r\n\r\n", 404},
        StatusCase{"head_unknown_path", "HEAD /nope HTTP/1.1\r\n\r\n", 404, {}, ""},
        StatusCase{"post_unknown_path", "POST /nope HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 404},
        StatusCase{"post", "POST /healthz HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405, "GET, HEAD",
                   "method not allowed\n"},
        StatusCase{"get_on_post_route", "GET /echo HTTP/1.1\r\n\r\n", 405, "POST, PUT"},
        StatusCase{"delete", "DELETE /healthz HTTP/1.1\r\n\r\n", 405, "GET, HEAD"},
        StatusCase{"options", "OPTIONS /healthz HTTP/1.1\r\n\r\n", 405, "GET, HEAD"},
        StatusCase{"lowercase_get", "get /healthz HTTP/1.1\r\n\r\n", 405, "GET, HEAD"},
        StatusCase{"post_with_unread_body",
                   "POST /healthz HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", 405, "GET, HEAD"},
        StatusCase{
            "handler_throws", "GET /throws HTTP/1.1\r\n\r\n", 500, {}, "internal server error\n"},
        StatusCase{"throws_non_exception",
                   "GET /throws_int HTTP/1.1\r\n\r\n",
                   500,
                   {},
                   "internal server error\n"},
        StatusCase{"empty_handler", "GET /empty_handler HTTP/1.1\r\n\r\n", 500},
        StatusCase{"invalid_status",
                   "GET /bad_status HTTP/1.1\r\n\r\n",
                   500,
                   {},
                   "handler returned an invalid response\n"},
        StatusCase{"no_content_cannot_be_framed", "GET /no_content HTTP/1.1\r\n\r\n", 500},
        StatusCase{"header_injection",
                   "GET /injects HTTP/1.1\r\n\r\n",
                   500,
                   {},
                   "handler returned an invalid response\n"},
        // RFC 9112 §5.2: obsolete line folding is either refused or replaced by spaces (Beast).
        StatusCase{"folded_header", "GET /healthz HTTP/1.1\r\nA: b\r\n c\r\n\r\n", 200},
        // Malformed requests: 400, and the connection closes (its framing is lost).
        StatusCase{"garbage", "GARBAGE\r\n\r\n", 400, {}, {}, true},
        StatusCase{"empty", "\r\n\r\n", 400, {}, {}, true},
        StatusCase{"bare_lf", "GET /healthz HTTP/1.1\n\n", 400, {}, {}, true},
        StatusCase{"no_version", "GET /healthz\r\n\r\n", 400, {}, {}, true},
        StatusCase{"double_space", "GET  /healthz HTTP/1.1\r\n\r\n", 400, {}, {}, true},
        StatusCase{"relative_target", "GET healthz HTTP/1.1\r\n\r\n", 400, {}, {}, true},
        StatusCase{"absolute_form", "GET http://x/healthz HTTP/1.1\r\n\r\n", 400, {}, {}, true},
        StatusCase{"extra_word", "GET / HTTP/1.1 x\r\n\r\n", 400, {}, {}, true},
        StatusCase{"http2", "GET / HTTP/2.0\r\n\r\n", 400, {}, {}, true},
        StatusCase{"lowercase_version", "GET / http/1.1\r\n\r\n", 400, {}, {}, true},
        StatusCase{"method_with_slash", "GE/T / HTTP/1.1\r\n\r\n", 400, {}, {}, true},
        StatusCase{"control_in_target", "GET /a\x01 HTTP/1.1\r\n\r\n", 400, {}, {}, true},
        StatusCase{"header_without_colon", "GET / HTTP/1.1\r\nHost\r\n\r\n", 400, {}, {}, true},
        StatusCase{
            "header_space_before_colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, {}, {}, true},
        StatusCase{"two_content_lengths",
                   "POST /echo HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
                   400,
                   {},
                   {},
                   true},
        StatusCase{"content_length_and_chunked",
                   "POST /echo HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "0\r\n\r\n",
                   400,
                   {},
                   {},
                   true},
        StatusCase{"negative_content_length",
                   "POST /echo HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
                   400,
                   {},
                   {},
                   true},
        StatusCase{"bad_chunk_size",
                   "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                   400,
                   {},
                   {},
                   true},
        // Over the limits: 413 before the body is read, 431 for the head.
        StatusCase{"body_over_the_limit",
                   "POST /echo HTTP/1.1\r\nContent-Length: 3145729\r\n\r\n",
                   413,
                   {},
                   "request body too large\n",
                   true},
        StatusCase{"head_over_the_limit",
                   "GET /healthz HTTP/1.1\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n",
                   431,
                   {},
                   "request head too large\n",
                   true}),
    [](const auto& info) { return info.param.name; });

TEST(HttpServerTest, KeepsServingAfterAHandlerThrows) {
  auto server = MustStart();
  ASSERT_TRUE(server);
  for (int i = 0; i < 3; ++i) {
    const auto failed = Fetched(server->port(), "GET /throws HTTP/1.1\r\n\r\n");
    ASSERT_TRUE(failed);
    EXPECT_EQ(failed->status, 500);
    const auto ok = Fetched(server->port(), "GET /healthz HTTP/1.1\r\n\r\n");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
  }
}

TEST(HttpServerTest, HeadOverTheLimitWithoutItsEndGets431) {
  auto server = MustStart();
  ASSERT_TRUE(server);
  LoopbackClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send("GET /healthz HTTP/1.1\r\nX-Big: " + std::string(8200, 'a')));
  const auto response = ParseResponse(client.ReadResponse().value_or(""));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
}

TEST(HttpServerTest, HeadJustUnderTheLimitIsServed) {
  auto server = MustStart();
  ASSERT_TRUE(server);
  std::string request = "GET /healthz HTTP/1.1\r\nX-Big: ";
  request += std::string(8192 - request.size() - 4, 'a') + "\r\n\r\n";
  ASSERT_EQ(request.size(), 8192u);
  const auto response = Fetched(server->port(), request);
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
  const auto response = ParseResponse(client.ReadResponse().value_or(""));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "ok\n");
}

TEST(HttpServerTest, SendsALargeBodyCompletely) {
  auto server = MustStart();
  ASSERT_TRUE(server);
  const auto response = Fetched(server->port(), "GET /big HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("Content-Length"), std::to_string(1 << 20));
  EXPECT_EQ(response->body, std::string(1 << 20, 'x'));
}

TEST(HttpServerTest, BodyUpToTheLimitIsServedAndOneByteMoreGets413) {
  auto server = MustStart("127.0.0.1:0", {.max_body_bytes = 10});
  ASSERT_TRUE(server);
  const auto at_limit =
      Fetched(server->port(), "POST /echo HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789");
  ASSERT_TRUE(at_limit);
  EXPECT_EQ(at_limit->status, 200);
  const auto over =
      Fetched(server->port(), "POST /echo HTTP/1.1\r\nContent-Length: 11\r\n\r\n0123456789a");
  ASSERT_TRUE(over);
  EXPECT_EQ(over->status, 413);
}

TEST(HttpServerTest, ChunkedBodyOverTheLimitGets413AndCloses) {
  auto server = MustStart("127.0.0.1:0", {.max_body_bytes = 10});
  ASSERT_TRUE(server);
  LoopbackClient client(server->port());
  ASSERT_TRUE(
      client.Send("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "8\r\n01234567\r\n8\r\n01234567\r\n0\r\n\r\n"));
  const auto response = ParseResponse(client.ReadResponse().value_or(""));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(client.ReadToEof(), std::optional<std::string>(""));
}

TEST(HttpServerTest, WithTwoThreadsHandlersRunConcurrently) {
  // Each call waits (bounded) until the other has started: with one handler at a time, both
  // would give up and answer 503.
  std::atomic<int> started = 0;
  Routes routes = {{"/together", Get([&] {
                      ++started;
                      for (int i = 0; i < 1000 && started.load() < 2; ++i) {
                        std::this_thread::sleep_for(std::chrono::milliseconds(10));
                      }
                      return Response{.status = started.load() >= 2 ? 200 : 503};
                    })}};
  Result<std::unique_ptr<HttpServer>> server =
      HttpServer::Start("127.0.0.1:0", std::move(routes), {.threads = 2});
  ASSERT_TRUE(server) << server.error().message;
  const int port = (*server)->port();
  auto other = std::async(std::launch::async,
                          [port] { return Fetched(port, "GET /together HTTP/1.1\r\n\r\n"); });
  const auto mine = Fetched(port, "GET /together HTTP/1.1\r\n\r\n");
  const auto theirs = other.get();
  ASSERT_TRUE(mine && theirs);
  EXPECT_EQ(mine->status, 200);
  EXPECT_EQ(theirs->status, 200);
}

TEST(HttpServerTest, ZeroThreadsIsInvalidArgument) {
  const Result<std::unique_ptr<HttpServer>> server =
      HttpServer::Start("127.0.0.1:0", TestRoutes(), {.threads = 0});
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().code, Code::kInvalidArgument);
  EXPECT_THAT(server.error().message, HasSubstr("threads"));
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
  const auto response = Fetched(server->port(), "GET /healthz HTTP/1.1\r\n\r\n");
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
    response = Fetched(server->port(), "GET /healthz HTTP/1.1\r\n\r\n");
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
  ASSERT_TRUE(Fetched(port, "GET /healthz HTTP/1.1\r\n\r\n"));
  server->Stop();
  server->Stop();
  EXPECT_EQ(server->port(), port);
  EXPECT_EQ(open.ReadToEof(), std::optional<std::string>("")) << "open connection not closed";
  auto again = MustStart("127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(again) << "port " << port << " still bound after Stop";
  EXPECT_EQ(again->port(), port);
  const auto response = Fetched(port, "GET /healthz HTTP/1.1\r\n\r\n");
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
  Routes routes = {{"/stop", Get([&] {
                      self.load()->Stop();
                      handler_ran.set_value();
                      return Response{.body = "stopping\n"};
                    })}};
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
  const auto response = Fetched(server->port(), "GET /healthz HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(HttpServerTest, ServesOnIpv6Loopback) {
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start("[::1]:0", TestRoutes());
  if (!server) GTEST_SKIP() << "no IPv6 loopback here: " << server.error().message;
  const auto response = Fetched((*server)->port(), "GET /healthz HTTP/1.1\r\n\r\n", "::1");
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
