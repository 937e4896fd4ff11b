// HTTP/1.1 persistent connections: several requests on one connection, pipelining, who closes
// and when, and the idle and read timeouts of a kept-alive connection.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "csp/serve/http_server.h"
#include "loopback_client.h"
#include "parsed_response.h"

namespace csp::serve {
namespace {

using testing::LoopbackClient;
using testing::ParseResponse;

Routes CountingRoutes(std::shared_ptr<std::atomic<int>> calls) {
  return {{"/n", {.handler = [calls](const Request&) {
             return Response{.body = std::to_string(++*calls)};
           }}}};
}

class KeepAliveTest : public ::testing::Test {
 protected:
  void Start(const ServerOptions& options = {}) {
    Result<std::unique_ptr<HttpServer>> server =
        HttpServer::Start("127.0.0.1:0", CountingRoutes(calls_), options);
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
  }

  // The body of the next response on `client`, or "" when none came.
  std::string NextBody(LoopbackClient& client) {
    const auto response = ParseResponse(client.ReadResponse().value_or(""));
    return response ? response->body : "";
  }

  std::shared_ptr<std::atomic<int>> calls_ = std::make_shared<std::atomic<int>>(0);
  std::unique_ptr<HttpServer> server_;
};

TEST_F(KeepAliveTest, ServesSeveralRequestsOnOneConnection) {
  Start();
  LoopbackClient client(server_->port());
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(client.Send("GET /n HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_EQ(NextBody(client), std::to_string(i));
  }
  EXPECT_FALSE(client.ReadableNow()) << "the connection was closed";
}

TEST_F(KeepAliveTest, AnswersPipelinedRequestsInOrder) {
  Start();
  LoopbackClient client(server_->port());
  ASSERT_TRUE(client.Send("GET /n HTTP/1.1\r\n\r\nGET /n HTTP/1.1\r\n\r\nGET /n HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(NextBody(client), "1");
  EXPECT_EQ(NextBody(client), "2");
  EXPECT_EQ(NextBody(client), "3");
}

TEST_F(KeepAliveTest, ConnectionCloseFromTheClientIsHonoured) {
  Start();
  LoopbackClient client(server_->port());
  ASSERT_TRUE(client.Send("GET /n HTTP/1.1\r\nConnection: close\r\n\r\nGET /n HTTP/1.1\r\n\r\n"));
  const auto response = ParseResponse(client.ReadResponse().value_or(""));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_EQ(client.ReadToEof(), std::optional<std::string>("")) << "the second request was read";
  EXPECT_EQ(calls_->load(), 1);
}

TEST_F(KeepAliveTest, Http10GetsOneResponseThenClose) {
  Start();
  LoopbackClient client(server_->port());
  ASSERT_TRUE(client.Send("GET /n HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  const auto response = ParseResponse(client.ReadResponse().value_or(""));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "1");
  EXPECT_EQ(client.ReadToEof(), std::optional<std::string>(""));
}

TEST_F(KeepAliveTest, AMalformedRequestAfterAGoodOneGets400AndClose) {
  Start();
  LoopbackClient client(server_->port());
  ASSERT_TRUE(client.Send("GET /n HTTP/1.1\r\n\r\nNOT HTTP\r\n\r\n"));
  EXPECT_EQ(NextBody(client), "1");
  const auto response = ParseResponse(client.ReadResponse().value_or(""));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(client.ReadToEof(), std::optional<std::string>(""));
}

TEST_F(KeepAliveTest, AnIdleConnectionIsClosedAfterTheIdleTimeout) {
  Start({.read_timeout = std::chrono::minutes(2), .idle_timeout = std::chrono::milliseconds(50)});
  LoopbackClient client(server_->port());
  ASSERT_TRUE(client.Send("GET /n HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(NextBody(client), "1");
  EXPECT_EQ(client.ReadToEof(), std::optional<std::string>(""));
}

TEST_F(KeepAliveTest, ASlowNextRequestIsClosedAfterTheReadTimeout) {
  // The idle timeout only covers the wait for the next request's first byte: a client trickling
  // a request in is bounded by the read timeout, however long the idle timeout.
  Start({.read_timeout = std::chrono::milliseconds(100), .idle_timeout = std::chrono::minutes(2)});
  LoopbackClient client(server_->port());
  ASSERT_TRUE(client.Send("GET /n HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(NextBody(client), "1");
  ASSERT_TRUE(client.Send("GET /n HTTP/1.1\r\n"));  // never finishes the head
  EXPECT_EQ(client.ReadToEof(), std::optional<std::string>(""));
}

TEST_F(KeepAliveTest, AnIdleConnectionWithinTheIdleTimeoutStaysOpen) {
  // The read timeout (short) does not apply between requests.
  Start({.read_timeout = std::chrono::milliseconds(300), .idle_timeout = std::chrono::minutes(2)});
  LoopbackClient client(server_->port());
  ASSERT_TRUE(client.Send("GET /n HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(NextBody(client), "1");
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  ASSERT_TRUE(client.Send("GET /n HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(NextBody(client), "2");
}

}  // namespace
}  // namespace csp::serve
