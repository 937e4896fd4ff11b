#include "operator_etcd.h"

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "csp/kube/base64.h"
#include "csp/kube/cpprest_transport.h"
#include "e2e_env.h"

namespace csp::e2e {
namespace {

using nlohmann::json;

std::string EncodeBase64(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned n = static_cast<unsigned char>(bytes[i]) << 16 |
                       static_cast<unsigned char>(bytes[i + 1]) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == bytes.size()) {
    const unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const unsigned n =
        static_cast<unsigned char>(bytes[i]) << 16 | static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

// The etcd client port of the fixture's cluster, from the cluster.env hack/cluster.sh writes.
Result<std::string> EtcdPort() {
  const auto dir = EnvVar("CSP_E2E_CLUSTER_DIR");
  if (!dir) return Internal("CSP_E2E_CLUSTER_DIR is not set (run the e2e tests through ctest)");
  std::ifstream in(*dir + "/cluster.env");
  const std::string prefix = "CSP_ETCD_PORT=";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
  }
  return Internal("no CSP_ETCD_PORT in " + *dir + "/cluster.env");
}

// One call of etcd's v3 JSON gateway; returns the parsed response.
Result<json> EtcdCall(const std::string& path, const json& request) {
  CSP_TRY(const std::string port, EtcdPort());
  CSP_TRY(auto etcd, kube::NewCpprestTransport({.server = "http://127.0.0.1:" + port}));
  CSP_TRY(kube::HttpResponse response,
          etcd->Send({.method = "POST",
                      .target = path,
                      .headers = {{"Content-Type", "application/json"}},
                      .body = request.dump()}));
  if (response.status != 200) {
    return Internal("etcd " + path + ": HTTP " + std::to_string(response.status) + ": " +
                    response.body);
  }
  json parsed = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Internal("etcd " + path + ": not JSON: " + response.body);
  return parsed;
}

// etcd's gateway prints int64 fields as strings.
std::int64_t Int64Field(const json& object, const char* name) {
  const json& v = object.value(name, json());
  if (v.is_string()) return std::stoll(v.get<std::string>());
  if (v.is_number_integer()) return v.get<std::int64_t>();
  return 0;
}

}  // namespace

std::string EtcdKey(const std::string& resource, const std::string& ns, const std::string& name) {
  return "/registry/" + resource + "/" + (ns.empty() ? "" : ns + "/") + name;
}

Result<std::optional<std::string>> EtcdGet(const std::string& key) {
  CSP_TRY(json response, EtcdCall("/v3/kv/range", {{"key", EncodeBase64(key)}}));
  const json kvs = response.value("kvs", json::array());
  if (kvs.empty()) return std::optional<std::string>();
  CSP_TRY(std::string value, kube::DecodeBase64(kvs[0].value("value", "")));
  return std::optional<std::string>(std::move(value));
}

Status EtcdPut(const std::string& key, const std::string& value) {
  auto response =
      EtcdCall("/v3/kv/put", {{"key", EncodeBase64(key)}, {"value", EncodeBase64(value)}});
  if (!response) return response.error();
  return {};
}

Result<std::int64_t> EtcdDelete(const std::string& key) {
  CSP_TRY(json response, EtcdCall("/v3/kv/deleterange", {{"key", EncodeBase64(key)}}));
  return Int64Field(response, "deleted");
}

Result<std::string> EtcdRevision() {
  // A range over one key answers with the store's current revision in its header.
  CSP_TRY(json response,
          EtcdCall("/v3/kv/range", {{"key", EncodeBase64("/registry/")}, {"count_only", true}}));
  return std::to_string(Int64Field(response.value("header", json::object()), "revision"));
}

}  // namespace csp::e2e
