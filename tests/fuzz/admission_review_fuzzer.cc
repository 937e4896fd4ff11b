// Feeds arbitrary bytes to the admission webhook's pure core, as a client of the endpoint could
// send them: ParseReview must answer with a request or an error, never crash; a parsed request
// is judged under a Deny and a Warn policy (with owners to resolve), and the response must be
// JSON that says the same as the verdict.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "csp/admission/judge.h"
#include "csp/admission/response.h"
#include "csp/admission/review.h"
#include "csp/common/json_fields.h"
#include "csp/names/names.h"
#include "csp/policy/policy.h"

namespace {

using json = nlohmann::json;

std::vector<csp::policy::Policy> Policies() {
  std::vector<csp::policy::Policy> out;
  for (const char* spec : {
           R"({"admission": "Deny", "exemptions": [{"kinds": ["Deployment"],
               "names": ["exempt-*"], "reason": "r"}]})",
           R"({"admission": "Warn",
               "match": {"workloadSelector": {"matchLabels": {"team": "a"}}}})",
       }) {
    const json doc = {{"apiVersion", csp::names::kApiVersion},
                      {"kind", csp::names::kPolicies.kind},
                      {"metadata", {{"name", "p" + std::to_string(out.size())}}},
                      {"spec", json::parse(spec)}};
    auto p = csp::policy::ParsePolicy(doc);
    if (!p) __builtin_trap();
    out.push_back(std::move(*p));
  }
  return out;
}

// Owners the lookup finds in every namespace: Deployment web and its ReplicaSet web-abc.
const std::vector<json>& Cache() {
  static const std::vector<json> cache = {
      json::parse(R"({"apiVersion": "apps/v1", "kind": "Deployment",
                      "metadata": {"name": "web", "uid": "u-web", "labels": {"team": "a"}}})"),
      json::parse(R"({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                      "metadata": {"name": "web-abc", "uid": "u-rs", "ownerReferences": [
                        {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                         "uid": "u-web", "controller": true}]}})"),
  };
  return cache;
}

const json* Lookup(const csp::controllers::OwnerReference& owner, std::string_view) {
  for (const json& object : Cache()) {
    if (csp::StringAt(object, "kind") == owner.kind &&
        csp::StringAt(object["metadata"], "name") == owner.name) {
      return &object;
    }
  }
  return nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<csp::policy::Policy> policies = Policies();
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto request = csp::admission::ParseReview(body);
  if (!request) {
    if (request.error().code != csp::Code::kInvalidArgument) __builtin_trap();
    return 0;
  }
  const csp::admission::Verdict verdict =
      csp::admission::Judge(*request, policies, nullptr, &Lookup, {});
  if (!verdict.allowed && verdict.code != 400 && verdict.code != 403) __builtin_trap();
  if (verdict.allowed != verdict.message.empty()) __builtin_trap();
  const bool judged = request->operation == "CREATE" || request->operation == "UPDATE";
  if (!judged && (!verdict.allowed || !verdict.warnings.empty())) __builtin_trap();
  const json response =
      json::parse(csp::admission::RenderResponse(request->uid, verdict))["response"];
  if (response["uid"] != request->uid || response["allowed"] != verdict.allowed) __builtin_trap();
  return 0;
}
