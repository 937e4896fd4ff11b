#include <utility>

#include "csp/admission/nesting.h"
#include "csp/admission/review.h"
#include "csp/policy/field_errors.h"

namespace csp::admission {
namespace {

using json = nlohmann::json;

// A value of the sender's, quoted for a message: JSON-escaped, at most 64 bytes of it.
std::string Quote(const std::string& value) {
  constexpr std::size_t kMax = 64;
  std::string shown =
      json(value.substr(0, kMax)).dump(-1, ' ', false, json::error_handler_t::replace);
  return value.size() > kMax ? shown + "..." : shown;
}

Error WrongType(const std::string& path, std::string_view want, const json& got) {
  return InvalidArgument(path + ": expected " + std::string(want) + ", got " +
                         std::string(policy::JsonTypeName(got)));
}

// Reads the string object[key] into `out`; absent or null leaves `out` as it is.
Status ReadString(const json& object, std::string_view key, const std::string& path,
                  std::string& out) {
  const json* v = policy::GetField(object, key);
  if (v == nullptr) return {};
  if (!v->is_string()) return WrongType(path, "a string", *v);
  out = v->get<std::string>();
  return {};
}

Status ReadRequiredString(const json& object, std::string_view key, const std::string& path,
                          std::string& out) {
  if (policy::GetField(object, key) == nullptr) return InvalidArgument(path + ": missing");
  if (Status s = ReadString(object, key, path, out); !s) return s;
  if (out.empty()) return InvalidArgument(path + ": empty");
  return {};
}

// request.kind and request.resource: GroupVersionKind and GroupVersionResource objects.
Status ReadKind(const json& request, AdmissionRequest& out) {
  const json* kind = policy::GetField(request, "kind");
  if (kind == nullptr) return InvalidArgument("request.kind: missing");
  if (!kind->is_object()) return WrongType("request.kind", "an object", *kind);
  if (Status s = ReadString(*kind, "group", "request.kind.group", out.group); !s) return s;
  if (Status s = ReadString(*kind, "version", "request.kind.version", out.version); !s) return s;
  return ReadRequiredString(*kind, "kind", "request.kind.kind", out.kind);
}

Status ReadResource(const json& request, AdmissionRequest& out) {
  if (Status s = ReadString(request, "subResource", "request.subResource", out.sub_resource); !s)
    return s;
  const json* resource = policy::GetField(request, "resource");
  if (resource == nullptr) return {};
  if (!resource->is_object()) return WrongType("request.resource", "an object", *resource);
  return ReadString(*resource, "resource", "request.resource.resource", out.resource);
}

// request.object / request.oldObject: CREATE and UPDATE carry the object, UPDATE the old one
// too (the API server always sends them). An object without apiVersion or kind takes them from
// request.kind (each one that is absent), so that the engine recognises it as the API server named
// it.
Status ReadObject(json& request, std::string_view key, bool required, const AdmissionRequest& r,
                  json& out) {
  const std::string path = "request." + std::string(key);
  auto it = request.find(key);
  if (it != request.end()) out = std::move(*it);
  if (!required) return {};
  if (out.is_null()) return InvalidArgument(path + ": missing (required for " + r.operation + ")");
  if (!out.is_object()) return WrongType(path, "an object", out);
  if (policy::GetField(out, "apiVersion") == nullptr) {
    out["apiVersion"] = r.group.empty() ? r.version : r.group + "/" + r.version;
  }
  if (policy::GetField(out, "kind") == nullptr) out["kind"] = r.kind;
  return {};
}

Status ReadRequest(json& request, AdmissionRequest& out) {
  if (Status s = ReadRequiredString(request, "uid", "request.uid", out.uid); !s) return s;
  if (Status s = ReadKind(request, out); !s) return s;
  if (Status s = ReadResource(request, out); !s) return s;
  if (Status s = ReadRequiredString(request, "operation", "request.operation", out.operation); !s)
    return s;
  if (Status s = ReadString(request, "namespace", "request.namespace", out.ns); !s) return s;
  if (Status s = ReadString(request, "name", "request.name", out.name); !s) return s;
  if (const json* dry_run = policy::GetField(request, "dryRun")) {
    if (!dry_run->is_boolean()) return WrongType("request.dryRun", "a boolean", *dry_run);
    out.dry_run = dry_run->get<bool>();
  }
  const bool create = out.operation == "CREATE", update = out.operation == "UPDATE";
  if (Status s = ReadObject(request, "object", create || update, out, out.object); !s) return s;
  return ReadObject(request, "oldObject", update, out, out.old_object);
}

}  // namespace

Result<AdmissionRequest> ParseReview(std::string_view body) {
  if (!NestingWithin(body, kMaxReviewDepth)) {
    return InvalidArgument("AdmissionReview: nested deeper than " +
                           std::to_string(kMaxReviewDepth) + " levels");
  }
  json review;
  try {
    review = json::parse(body.begin(), body.end());
  } catch (const json::parse_error& e) {
    // e.what() quotes the bytes last read, which need not be UTF-8: only the offset is kept.
    return InvalidArgument("AdmissionReview: not JSON (syntax error at byte " +
                           std::to_string(e.byte) + ")");
  } catch (const json::exception&) {
    return InvalidArgument("AdmissionReview: not JSON");
  }
  if (!review.is_object()) return WrongType("AdmissionReview", "an object", review);
  std::string api_version, kind;
  if (Status s = ReadRequiredString(review, "apiVersion", "apiVersion", api_version); !s)
    return s.error();
  if (api_version != kReviewApiVersion) {
    return InvalidArgument("apiVersion: " + Quote(api_version) + " is not " +
                           std::string(kReviewApiVersion));
  }
  if (Status s = ReadRequiredString(review, "kind", "kind", kind); !s) return s.error();
  if (kind != kReviewKind) {
    return InvalidArgument("kind: " + Quote(kind) + " is not " + std::string(kReviewKind));
  }
  auto request = review.find("request");
  if (request == review.end() || request->is_null()) return InvalidArgument("request: missing");
  if (!request->is_object()) return WrongType("request", "an object", *request);
  AdmissionRequest out;
  if (Status s = ReadRequest(*request, out); !s) return s.error();
  return out;
}

}  // namespace csp::admission
