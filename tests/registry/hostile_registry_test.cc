// The client against answers no honest registry gives: each must end in a clear error, bounded
// in time (the client's deadline) and memory (its size limits). Also the protocol paths a
// distribution registry does not exercise: the referrers API, redirects to another host,
// Retry-After, the per-host concurrency limit.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "csp/registry/client.h"
#include "csp/registry/digest.h"
#include "csp/registry/media_types.h"
#include "fakes.h"  // tests/kube: FakeClock
#include "scripted_server.h"

namespace csp::registry {
namespace {

using testing::RawRequest;
using testing::RawWriter;
using testing::ScriptedServer;

const std::string kManifest = R"({"schemaVersion":2,"mediaType":")" + std::string(kOciManifest) +
                              R"(","config":{},"layers":[]})";

class HostileRegistryTest : public ::testing::Test {
 protected:
  std::unique_ptr<Client> NewClient(const ScriptedServer& server, ClientOptions options = {}) {
    options.insecure_hosts[server.host()] = HostSecurity::kPlainHttp;
    if (options.timeout == ClientOptions{}.timeout) options.timeout = std::chrono::seconds(5);
    auto client = Client::New(std::move(options), clock_);
    EXPECT_TRUE(client) << client.error().message;
    return std::move(*client);
  }
  static Reference Repo(const ScriptedServer& server) {
    return *ParseReference(server.host() + "/app:v1");
  }
  kube::testing::FakeClock clock_;
};

TEST_F(HostileRegistryTest, AnnouncedHugeManifestIsRefusedBeforeReading) {
  ScriptedServer server([](const RawRequest&, RawWriter& out) {
    out.Write("HTTP/1.1 200 OK\r\nContent-Type: " + std::string(kOciManifest) +
              "\r\nContent-Length: 1099511627776\r\n\r\n{");
  });
  auto got = NewClient(server)->GetManifest(Repo(server), "v1");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Code::kResourceExhausted);
  EXPECT_EQ(got.error().message,
            "registry " + server.host() + ": response body exceeds 4194304 bytes");
}

TEST_F(HostileRegistryTest, EndlessChunkedBodyStopsAtTheLimit) {
  ScriptedServer server([](const RawRequest&, RawWriter& out) {
    out.Write(
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
        "Transfer-Encoding: chunked\r\n\r\n");
    const std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
    while (out.Write(chunk)) {
    }
  });
  auto got = NewClient(server)->GetBlob(Repo(server), Sha256Digest("x"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Code::kResourceExhausted);
  EXPECT_NE(got.error().message.find("exceeds 16777216 bytes"), std::string::npos);
}

TEST_F(HostileRegistryTest, TricklingBodyEndsAtTheDeadline) {
  ScriptedServer server([](const RawRequest&, RawWriter& out) {
    out.Write("HTTP/1.1 200 OK\r\nContent-Type: " + std::string(kOciManifest) +
              "\r\nContent-Length: 1000000\r\n\r\n");
    while (out.Write("x")) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  });
  ClientOptions options;
  options.timeout = std::chrono::milliseconds(500);
  auto got = NewClient(server, options)->GetManifest(Repo(server), "v1");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Code::kAborted);
  EXPECT_EQ(got.error().message,
            "registry " + server.host() + ": read response: deadline exceeded");
}

TEST_F(HostileRegistryTest, WrongMediaTypeIsRefused) {
  ScriptedServer server([](const RawRequest&, RawWriter& out) {
    out.Respond(200, {{"Content-Type", "text/html"}}, "<html>login</html>");
  });
  auto got = NewClient(server)->GetManifest(Repo(server), "v1");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().message, "registry " + server.host() +
                                     ": GET /v2/app/manifests/v1: unexpected media type "
                                     "\"text/html\"");
}

TEST_F(HostileRegistryTest, InvalidJsonManifestIsRefused) {
  ScriptedServer server([](const RawRequest&, RawWriter& out) {
    out.Respond(200, {{"Content-Type", std::string(kOciIndex)}}, "{\"manifests\": [");
  });
  auto got = NewClient(server)->GetManifest(Repo(server), "v1");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().message,
            "registry " + server.host() + ": GET /v2/app/manifests/v1: body is not valid JSON");
}

TEST_F(HostileRegistryTest, BodyNotMatchingTheRequestedDigestIsRefused) {
  ScriptedServer server([](const RawRequest&, RawWriter& out) {
    out.Respond(200, {{"Content-Type", std::string(kOciManifest)}}, kManifest);
  });
  const std::string wanted = Sha256Digest("another manifest");
  auto got = NewClient(server)->GetManifest(Repo(server), wanted);
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("content has digest " + Sha256Digest(kManifest) +
                                     ", expected " + wanted),
            std::string::npos)
      << got.error().message;
}

TEST_F(HostileRegistryTest, LyingDigestHeaderIsRefused) {
  ScriptedServer server([](const RawRequest&, RawWriter& out) {
    out.Respond(200,
                {{"Content-Type", std::string(kOciManifest)},
                 {"Docker-Content-Digest", Sha256Digest("other")}},
                kManifest);
  });
  auto got = NewClient(server)->GetManifest(Repo(server), "v1");
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("differs from the body's"), std::string::npos);
}

TEST_F(HostileRegistryTest, RedirectLoopEndsAfterTheLimit) {
  ScriptedServer server([](const RawRequest& request, RawWriter& out) {
    out.Respond(307, {{"Location", request.target + "x"}}, "");
  });
  auto got = NewClient(server)->GetBlob(Repo(server), Sha256Digest("x"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().message, "registry " + server.host() + ": more than 5 redirects for GET " +
                                     "/v2/app/blobs/" + Sha256Digest("x"));
  EXPECT_EQ(server.requests(), 6);
}

TEST_F(HostileRegistryTest, RedirectToPlainHttpOfAnotherHostIsRefused) {
  ScriptedServer server([](const RawRequest&, RawWriter& out) {
    out.Respond(302, {{"Location", "http://storage.invalid/blob"}}, "");
  });
  auto got = NewClient(server)->GetBlob(Repo(server), Sha256Digest("x"));
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("refusing a redirect to plain HTTP (storage.invalid)"),
            std::string::npos)
      << got.error().message;
}

TEST_F(HostileRegistryTest, BlobRedirectToStorageDropsAuthorization) {
  const std::string blob = "layer bytes";
  std::string storage_authorization = "unset";
  ScriptedServer storage([&](const RawRequest& request, RawWriter& out) {
    auto it = request.headers.find("authorization");
    storage_authorization = it == request.headers.end() ? "" : it->second;
    out.Respond(200, {{"Content-Type", "application/octet-stream"}}, blob);
  });
  ScriptedServer server([&](const RawRequest& request, RawWriter& out) {
    if (!request.headers.contains("authorization")) {
      out.Respond(401, {{"WWW-Authenticate", "Basic realm=\"r\""}}, "");
      return;
    }
    out.Respond(307, {{"Location", "http://" + storage.host() + "/signed?sig=abc"}}, "");
  });
  ClientOptions options;
  options.insecure_hosts[storage.host()] = HostSecurity::kPlainHttp;
  Keychain keychain;
  ASSERT_TRUE(
      keychain.Add(R"({"auths":{")" + server.host() + R"(":{"username":"u","password":"p"}}})"));
  auto got = NewClient(server, options)->GetBlob(Repo(server), Sha256Digest(blob), keychain);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, blob);
  EXPECT_EQ(storage_authorization, "");
}

TEST_F(HostileRegistryTest, InvalidTokenAnswerIsAClearError) {
  std::unique_ptr<ScriptedServer> token_server;
  token_server = std::make_unique<ScriptedServer>([](const RawRequest&, RawWriter& out) {
    out.Respond(200, {{"Content-Type", "application/json"}}, "{\"token\": ");
  });
  const std::string realm = "http://" + token_server->host() + "/token";
  ScriptedServer server([&](const RawRequest&, RawWriter& out) {
    out.Respond(401, {{"WWW-Authenticate", "Bearer realm=\"" + realm + "\",service=\"s\""}}, "");
  });
  ClientOptions options;
  options.insecure_hosts[token_server->host()] = HostSecurity::kPlainHttp;
  auto got = NewClient(server, options)->ResolveDigest(Repo(server));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Code::kUnauthenticated);
  EXPECT_EQ(got.error().message, "registry " + server.host() + ": token realm: " +
                                     token_server->host() + " answered with invalid JSON");
}

TEST_F(HostileRegistryTest, PlainHttpRealmIsRefusedUnlessOptedIn) {
  ScriptedServer server([&](const RawRequest&, RawWriter& out) {
    out.Respond(401, {{"WWW-Authenticate", "Bearer realm=\"http://auth.invalid/token\""}}, "");
  });
  auto got = NewClient(server)->ResolveDigest(Repo(server));
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("refusing plain-HTTP realm auth.invalid"), std::string::npos)
      << got.error().message;
}

std::string IndexWithReferrers(int count) {
  std::string index =
      R"({"schemaVersion":2,"mediaType":")" + std::string(kOciIndex) + R"(","manifests":[)";
  for (int i = 0; i < count; ++i) {
    if (i > 0) index += ",";
    index += R"({"mediaType":")" + std::string(kOciManifest) + R"(","digest":")" +
             Sha256Digest(std::to_string(i)) +
             R"(","size":1000,"artifactType":"application/vnd.dev.sigstore.bundle.v0.3+json"})";
  }
  return index + "]}";
}

TEST_F(HostileRegistryTest, TenThousandReferrersStayWithinTheManifestLimit) {
  const std::string index = IndexWithReferrers(10000);
  ASSERT_GT(index.size(), 2u << 20);
  ScriptedServer server([&](const RawRequest&, RawWriter& out) {
    out.Respond(200, {{"Content-Type", std::string(kOciIndex)}}, index);
  });
  const std::string digest = Sha256Digest("image");
  auto got = NewClient(server)->GetReferrers(Repo(server), digest, "");
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_EQ(got->pages.size(), 1u);
  EXPECT_EQ(got->pages[0].bytes, index);

  ClientOptions small;
  small.max_manifest_bytes = 1 << 20;
  auto refused = NewClient(server, small)->GetReferrers(Repo(server), digest, "");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Code::kResourceExhausted);
}

TEST_F(HostileRegistryTest, EndlessReferrersPagesEndAtThePageLimit) {
  ScriptedServer server([&](const RawRequest& request, RawWriter& out) {
    out.Respond(200,
                {{"Content-Type", std::string(kOciIndex)},
                 {"Link", "<" + request.target + "&n=1>; rel=\"next\""}},
                IndexWithReferrers(1));
  });
  auto got = NewClient(server)->GetReferrers(Repo(server), Sha256Digest("image"), "a/b");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Code::kResourceExhausted);
  EXPECT_NE(got.error().message.find("span more than 16 pages"), std::string::npos);
  EXPECT_EQ(server.requests(), 16);
}

TEST_F(HostileRegistryTest, ReferrersApiAnswerIsUsedWithItsFilter) {
  std::string seen_target;
  ScriptedServer server([&](const RawRequest& request, RawWriter& out) {
    seen_target = request.target;
    out.Respond(200,
                {{"Content-Type", std::string(kOciIndex)}, {"OCI-Filters-Applied", "artifactType"}},
                IndexWithReferrers(2));
  });
  const std::string digest = Sha256Digest("image");
  auto got = NewClient(server)->GetReferrers(Repo(server), digest,
                                             "application/vnd.dev.sigstore.bundle.v0.3+json");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_FALSE(got->from_fallback_tag);
  EXPECT_TRUE(got->filtered);
  ASSERT_EQ(got->pages.size(), 1u);
  EXPECT_EQ(got->pages[0].media_type, kOciIndex);
  EXPECT_EQ(seen_target, "/v2/app/referrers/" + digest +
                             "?artifactType=application%2Fvnd.dev.sigstore.bundle.v0.3%2Bjson");
}

TEST_F(HostileRegistryTest, TooManyRequestsIsRetriedAfterRetryAfter) {
  std::atomic<int> calls = 0;
  ScriptedServer server([&](const RawRequest&, RawWriter& out) {
    if (calls++ == 0) {
      out.Respond(429, {{"Retry-After", "2"}}, "");
      return;
    }
    out.Respond(200, {{"Content-Type", std::string(kOciManifest)}}, kManifest);
  });
  auto got = NewClient(server)->GetManifest(Repo(server), "v1");
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_EQ(clock_.sleeps.size(), 1u);
  EXPECT_EQ(clock_.sleeps[0], std::chrono::seconds(2));
}

TEST_F(HostileRegistryTest, PersistentServerErrorEndsAfterTheAttempts) {
  ScriptedServer server([&](const RawRequest&, RawWriter& out) {
    out.Respond(503, {{"Content-Type", "application/json"}},
                R"({"errors":[{"code":"UNAVAILABLE","message":"try later\n"}]})");
  });
  auto got = NewClient(server)->GetManifest(Repo(server), "v1");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Code::kUnavailable);
  EXPECT_EQ(got.error().message, "registry " + server.host() +
                                     ": 503 Service Unavailable for GET /v2/app/manifests/v1 "
                                     "(UNAVAILABLE: try later?)");
  EXPECT_EQ(server.requests(), 4);
  EXPECT_EQ(clock_.sleeps.size(), 3u);
}

TEST_F(HostileRegistryTest, HeadWithoutDigestHeaderFallsBackToGet) {
  ScriptedServer server([&](const RawRequest& request, RawWriter& out) {
    if (request.method == "HEAD") {
      out.Write("HTTP/1.1 200 OK\r\nContent-Type: " + std::string(kOciManifest) +
                "\r\nContent-Length: " + std::to_string(kManifest.size()) + "\r\n\r\n");
      return;
    }
    out.Respond(200, {{"Content-Type", std::string(kOciManifest)}}, kManifest);
  });
  auto got = NewClient(server)->ResolveDigest(Repo(server));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, Sha256Digest(kManifest));
  EXPECT_EQ(server.requests(), 2);
}

TEST_F(HostileRegistryTest, ConcurrentRequestsToOneHostAreBounded) {
  std::atomic<int> in_flight = 0;
  std::atomic<int> most = 0;
  ScriptedServer server([&](const RawRequest&, RawWriter& out) {
    const int now = ++in_flight;
    int seen = most;
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    --in_flight;
    out.Respond(200, {{"Content-Type", std::string(kOciManifest)}}, kManifest);
  });
  ClientOptions options;
  options.max_requests_per_host = 2;
  auto client = NewClient(server, options);
  std::vector<std::thread> threads;
  std::atomic<int> ok = 0;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      if (client->GetManifest(Repo(server), "v1")) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 6);
  EXPECT_LE(most, 2);
}

}  // namespace
}  // namespace csp::registry
