// The cpprestsdk transport's set-up checks and its classification of a refused connection. TLS
// against a real server is covered by tests/e2e/kube_client_test.cc.
#include "csp/kube/cpprest_transport.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace csp::kube {
namespace {

struct Case {
  const char* name = "";
  RestConfig config = {};
  std::string message_has = {};
};

// Names the case in test output instead of dumping its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

const Case kCases[] = {
    {"no_server", {.source = "kubeconfig /k"}, "kubeconfig /k: server: missing"},
    {"not_http", {.server = "ftp://x", .source = "kubeconfig /k"}, "is not an http(s) URL"},
    {"ca_not_pem",
     {.server = "https://127.0.0.1:1", .ca_pem = "junk", .source = "kubeconfig /k"},
     "kubeconfig /k: certificate-authority: no PEM certificate found"},
    {"client_cert_not_pem",
     {.server = "https://127.0.0.1:1",
      .client_cert_pem = "junk",
      .client_key_pem = "junk",
      .source = "kubeconfig /k"},
     "kubeconfig /k: client-certificate: "},
};

class NewCpprestTransportTest : public ::testing::TestWithParam<Case> {};

TEST_P(NewCpprestTransportTest, RejectsBadConfigNamingTheField) {
  auto transport = NewCpprestTransport(GetParam().config);
  ASSERT_FALSE(transport);
  EXPECT_EQ(transport.error().code, Code::kInvalidArgument);
  EXPECT_NE(transport.error().message.find(GetParam().message_has), std::string::npos)
      << transport.error().message;
}

INSTANTIATE_TEST_SUITE_P(Cases, NewCpprestTransportTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

// A loopback port with nothing listening: bind, read the port, close.
int ClosedLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return -1;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(CpprestTransportTest, RefusedConnectionIsUnavailableNothingSent) {
  const int port = ClosedLoopbackPort();
  ASSERT_GT(port, 0);
  auto transport = NewCpprestTransport({.server = "http://127.0.0.1:" + std::to_string(port)});
  ASSERT_TRUE(transport) << transport.error().message;
  auto response = (*transport)->Send({.method = "GET", .target = "/version"});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, Code::kUnavailable) << response.error().message;
  EXPECT_NE(response.error().message.find("127.0.0.1"), std::string::npos)
      << response.error().message;
}

TEST(CpprestTransportTest, RefusedStreamIsUnavailable) {
  const int port = ClosedLoopbackPort();
  ASSERT_GT(port, 0);
  auto transport = NewCpprestTransport({.server = "http://127.0.0.1:" + std::to_string(port)});
  ASSERT_TRUE(transport) << transport.error().message;
  int chunks = 0;
  auto response =
      (*transport)
          ->Stream({.method = "GET", .target = "/api/v1/pods?watch=true"}, std::chrono::seconds(5),
                   [&](std::string_view) { return ++chunks > 0; }, {});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, Code::kUnavailable) << response.error().message;
  EXPECT_EQ(chunks, 0);
}

// With a configured CA the system bundle would be loaded into every connection and then
// discarded (cpprest_transport.cc): SSL_CERT_FILE points OpenSSL at an empty file instead.
TEST(CpprestTransportTest, ConfiguredCaSkipsTheSystemBundle) {
  std::ifstream in("/etc/ssl/certs/ca-certificates.crt");
  const std::string pem{std::istreambuf_iterator<char>(in), {}};
  ASSERT_FALSE(pem.empty()) << "no /etc/ssl/certs/ca-certificates.crt to use as a CA";
  auto transport = NewCpprestTransport({.server = "https://127.0.0.1:1", .ca_pem = pem});
  ASSERT_TRUE(transport) << transport.error().message;
  ASSERT_NE(std::getenv("SSL_CERT_FILE"), nullptr);
  EXPECT_STREQ(std::getenv("SSL_CERT_FILE"), "/dev/null");
}

}  // namespace
}  // namespace csp::kube
