// HttpServer over TLS with real OpenSSL on both sides: serving, protocol versions and ciphers,
// no credentials yet, invalid credentials, and rotation without a failed request.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "csp/serve/http_server.h"
#include "csp/serve/tls_credentials.h"
#include "loopback_client.h"
#include "parsed_response.h"
#include "test_certificate.h"
#include "tls_client.h"

namespace csp::serve {
namespace {

using ::testing::HasSubstr;
using testing::LoopbackClient;
using testing::MakeTestCertificate;
using testing::ParseResponse;
using testing::TestCertificate;
using testing::TlsClient;
using testing::TlsClientOptions;

constexpr const char* kReview =
    "POST /validate HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";

Routes ReviewRoutes() {
  return {{"/validate", {.methods = {"POST"}, .handler = [](const Request& request) {
                           return Response{.content_type = "application/json",
                                           .body = "reviewed " + std::string(request.body)};
                         }}}};
}

// The status of one review on `client`; 0 when the exchange failed.
int Review(TlsClient& client) {
  const auto response = ParseResponse(client.Exchange(kReview).value_or(""));
  return response ? response->status : 0;
}

class TlsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<HttpServer>> server =
        HttpServer::Start("127.0.0.1:0", ReviewRoutes(), {.threads = 2, .tls = credentials_});
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
  }

  TlsClientOptions Trusting(std::vector<std::string> pems) {
    return {.trusted_cert_pems = std::move(pems)};
  }

  const TestCertificate first_ = MakeTestCertificate("csp-test-first");
  const TestCertificate second_ = MakeTestCertificate("csp-test-second");
  std::shared_ptr<TlsCredentials> credentials_ = std::make_shared<TlsCredentials>();
  std::unique_ptr<HttpServer> server_;
};

TEST_F(TlsServerTest, ServesHttpsOnAKeptAliveConnection) {
  ASSERT_TRUE(credentials_->Update(first_.cert_pem, first_.key_pem));
  TlsClient client(server_->port(), Trusting({first_.cert_pem}));
  ASSERT_TRUE(client.connected()) << client.handshake_error();
  EXPECT_EQ(client.PeerCommonName(), "csp-test-first");
  for (int i = 0; i < 3; ++i) {
    const auto response = ParseResponse(client.Exchange(kReview).value_or(""));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "reviewed {}");
  }
}

TEST_F(TlsServerTest, WithoutCredentialsConnectionsCloseUntilTheFirstUpdate) {
  EXPECT_FALSE(credentials_->Ready());
  TlsClient refused(server_->port(), Trusting({first_.cert_pem}));
  EXPECT_FALSE(refused.connected());
  ASSERT_TRUE(credentials_->Update(first_.cert_pem, first_.key_pem));
  EXPECT_TRUE(credentials_->Ready());
  TlsClient client(server_->port(), Trusting({first_.cert_pem}));
  ASSERT_TRUE(client.connected()) << client.handshake_error();
  EXPECT_EQ(Review(client), 200);
}

TEST_F(TlsServerTest, InvalidCredentialsAreRefusedAndThePreviousOnesStay) {
  ASSERT_TRUE(credentials_->Update(first_.cert_pem, first_.key_pem));
  struct Bad {
    const char* name;
    std::string cert;
    std::string key;
    const char* reason;
  };
  for (const Bad& bad : {
           Bad{"key of another certificate", second_.cert_pem, first_.key_pem, "private key"},
           Bad{"garbage certificate", "not a PEM", second_.key_pem, "certificate chain"},
           Bad{"garbage key", second_.cert_pem, "not a PEM", "private key"},
           Bad{"empty", "", "", "certificate chain"},
       }) {
    const Status status = credentials_->Update(bad.cert, bad.key);
    ASSERT_FALSE(status) << bad.name;
    EXPECT_EQ(status.error().code, Code::kInvalidArgument) << bad.name;
    EXPECT_THAT(status.error().message, HasSubstr(bad.reason)) << bad.name;
  }
  EXPECT_TRUE(credentials_->Ready());
  TlsClient client(server_->port(), Trusting({first_.cert_pem, second_.cert_pem}));
  ASSERT_TRUE(client.connected()) << client.handshake_error();
  EXPECT_EQ(client.PeerCommonName(), "csp-test-first");
}

TEST_F(TlsServerTest, AfterAnUpdateNewConnectionsGetTheNewCertificateAndOldOnesKeepWorking) {
  ASSERT_TRUE(credentials_->Update(first_.cert_pem, first_.key_pem));
  TlsClient old_connection(server_->port(), Trusting({first_.cert_pem, second_.cert_pem}));
  ASSERT_TRUE(old_connection.connected()) << old_connection.handshake_error();
  EXPECT_EQ(Review(old_connection), 200);
  ASSERT_TRUE(credentials_->Update(second_.cert_pem, second_.key_pem));
  TlsClient new_connection(server_->port(), Trusting({first_.cert_pem, second_.cert_pem}));
  ASSERT_TRUE(new_connection.connected()) << new_connection.handshake_error();
  EXPECT_EQ(new_connection.PeerCommonName(), "csp-test-second");
  EXPECT_EQ(Review(new_connection), 200);
  EXPECT_EQ(old_connection.PeerCommonName(), "csp-test-first");
  EXPECT_EQ(Review(old_connection), 200) << "the old keep-alive connection broke";
}

TEST_F(TlsServerTest, RotatingWhileClientsReviewFailsNoRequest) {
  // Two clients review without pause, each on a kept-alive connection that it replaces every
  // few requests, while the credentials alternate. Clients trust both certificates, as the
  // apiserver trusts the old and the new CA during a rotation.
  ASSERT_TRUE(credentials_->Update(first_.cert_pem, first_.key_pem));
  std::atomic<bool> done = false;
  auto client = [&] {
    int failures = 0;
    for (int connection = 0; connection < 20; ++connection) {
      TlsClient tls(server_->port(), Trusting({first_.cert_pem, second_.cert_pem}));
      if (!tls.connected()) ++failures;
      for (int i = 0; i < 5 && tls.connected(); ++i) {
        if (Review(tls) != 200) ++failures;
      }
    }
    done = true;
    return failures;
  };
  auto a = std::async(std::launch::async, client);
  auto b = std::async(std::launch::async, client);
  for (int i = 0; i < 200 && !done.load(); ++i) {
    const TestCertificate& next = i % 2 == 0 ? second_ : first_;
    ASSERT_TRUE(credentials_->Update(next.cert_pem, next.key_pem));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(a.get(), 0);
  EXPECT_EQ(b.get(), 0);
}

struct VersionCase {
  const char* name;
  TlsClientOptions options;
  bool connects;
};

class TlsVersionTest : public TlsServerTest, public ::testing::WithParamInterface<VersionCase> {};

TEST_P(TlsVersionTest, OnlyTls12AndLaterWithStrongCiphers) {
  ASSERT_TRUE(credentials_->Update(first_.cert_pem, first_.key_pem));
  TlsClientOptions options = GetParam().options;
  options.trusted_cert_pems = {first_.cert_pem};
  TlsClient client(server_->port(), options);
  EXPECT_EQ(client.connected(), GetParam().connects) << client.handshake_error();
}

INSTANTIATE_TEST_SUITE_P(
    Clients, TlsVersionTest,
    ::testing::Values(VersionCase{"tls13", {.min_version = TLS1_3_VERSION}, true},
                      VersionCase{"tls12", {.max_version = TLS1_2_VERSION}, true},
                      VersionCase{"tls11", {.max_version = TLS1_1_VERSION}, false},
                      VersionCase{"tls10", {.max_version = TLS1_VERSION}, false},
                      VersionCase{"tls12_cbc_without_forward_secrecy",
                                  {.max_version = TLS1_2_VERSION, .ciphers = "AES128-SHA"},
                                  false}),
    [](const auto& info) { return info.param.name; });

TEST_F(TlsServerTest, PlainHttpToTheTlsPortGetsNoHttpResponse) {
  ASSERT_TRUE(credentials_->Update(first_.cert_pem, first_.key_pem));
  LoopbackClient plain(server_->port());
  ASSERT_TRUE(plain.Send("GET /validate HTTP/1.1\r\n\r\n"));
  EXPECT_THAT(plain.ReadToEof().value_or(""), ::testing::Not(HasSubstr("HTTP/1.1")));
}

}  // namespace
}  // namespace csp::serve
