// Test support: an in-memory stand-in for the API server's object store behind an
// HttpTransport, keyed by object path (/api/v1/namespaces/shop/pods/web). A PUT, or a PATCH
// carrying metadata.resourceVersion, whose version is not the stored one is refused with 409
// Conflict, as etcd's compare-and-swap makes the real server do. GET (an object, or a
// collection as a LIST: selectors and paging ignored), POST (create; generateName too), PUT (object
// and /status), PATCH (JSON merge patch), DELETE. A WATCH delivers nothing and ends when stopped,
// so informers sync on the LIST and then hold still. Every request is logged as
// "METHOD path" (requests()).
#pragma once

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>
#include <vector>

#include "csp/kube/transport.h"

namespace csp::test {

class FakeApiServer final : public kube::HttpTransport {
 public:
  // Called before each PUT is applied, with the object's path (without "/status"); may change
  // the stored object, as another writer would between our GET and PUT.
  std::function<void(const std::string& path)> before_put = nullptr;
  // Requests under these path prefixes ("/apis/x/") or method and path prefixes ("DELETE
  // /apis/x/") are refused 403 Forbidden (RBAC without those rights).
  std::vector<std::string> forbidden = {};
  // Called at the start of every request (e.g. to advance a fake clock).
  std::function<void()> on_request = nullptr;

  void Put(const std::string& path, nlohmann::json object) {
    std::lock_guard lock(mu_);
    object["metadata"]["resourceVersion"] = std::to_string(++revision_);
    objects_[path] = std::move(object);
  }
  nlohmann::json Get(const std::string& path) {
    std::lock_guard lock(mu_);
    auto it = objects_.find(path);
    return it == objects_.end() ? nlohmann::json(nullptr) : it->second;
  }
  int count(const std::string& method) {
    std::lock_guard lock(mu_);
    return counts_[method];
  }
  int conflicts() {
    std::lock_guard lock(mu_);
    return conflicts_;
  }
  // "METHOD path" of every request so far, in order (WATCHes as "WATCH path").
  std::vector<std::string> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  // Those of requests() with `method`.
  std::vector<std::string> requests(const std::string& method) {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const std::string& r : requests_) {
      if (r.starts_with(method + " ")) out.push_back(r);
    }
    return out;
  }

  Result<kube::HttpResponse> Send(const kube::HttpRequest& request) override {
    if (on_request) on_request();
    std::string path = request.target.substr(0, request.target.find('?'));
    if (request.method == "PUT" && before_put) {
      std::string object_path = path;
      if (object_path.ends_with("/status")) object_path.resize(object_path.size() - 7);
      before_put(object_path);
    }
    std::lock_guard lock(mu_);
    ++counts_[request.method];
    requests_.push_back(request.method + " " + path);
    for (const std::string& prefix : forbidden) {
      if (path.starts_with(prefix) || (request.method + " " + path).starts_with(prefix)) {
        return Status(403, "Forbidden", request.method + " " + path + " is forbidden");
      }
    }
    if (request.method == "GET") {
      if (!IsCollection(path)) {
        auto it = objects_.find(path);
        if (it == objects_.end()) return Status(404, "NotFound", path + " not found");
        return kube::HttpResponse{.status = 200, .body = it->second.dump()};
      }
      nlohmann::json items = nlohmann::json::array();
      for (const auto& [object_path, object] : objects_) {
        if (InCollection(object_path, path)) items.push_back(object);
      }
      const nlohmann::json list = {{"kind", "List"},
                                   {"apiVersion", "v1"},
                                   {"metadata", {{"resourceVersion", std::to_string(revision_)}}},
                                   {"items", std::move(items)}};
      return kube::HttpResponse{.status = 200, .body = list.dump()};
    }
    if (request.method == "DELETE") {
      if (objects_.erase(path) == 0) return Status(404, "NotFound", path + " not found");
      ++revision_;
      return kube::HttpResponse{.status = 200, .body = R"({"kind":"Status","status":"Success"})"};
    }
    nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    if (request.method == "POST") {
      if (!body["metadata"].contains("name")) {  // generateName, as the server completes it
        body["metadata"]["name"] =
            body["metadata"].value("generateName", "") + std::to_string(++revision_);
      }
      path += "/" + body["metadata"]["name"].get<std::string>();
      if (objects_.contains(path)) return Status(409, "AlreadyExists", path + " exists");
      body["metadata"]["uid"] = "uid-" + std::to_string(++revision_);
      body["metadata"]["resourceVersion"] = std::to_string(++revision_);
      objects_[path] = body;
      return kube::HttpResponse{.status = 201, .body = body.dump()};
    }
    if (request.method == "PUT") {
      const bool status_only = path.ends_with("/status");
      if (status_only) path.resize(path.size() - 7);
      auto it = objects_.find(path);
      if (it == objects_.end()) return Status(404, "NotFound", path + " not found");
      if (body["metadata"]["resourceVersion"] != it->second["metadata"]["resourceVersion"]) {
        ++conflicts_;
        return Status(409, "Conflict", "the object has been modified");
      }
      nlohmann::json stored = it->second;
      if (status_only) {
        stored["status"] = body["status"];  // the status subresource changes only status
      } else {
        body["status"] = stored.contains("status") ? stored["status"] : nlohmann::json(nullptr);
        if (body["status"].is_null()) body.erase("status");
        stored = body;
      }
      stored["metadata"]["resourceVersion"] = std::to_string(++revision_);
      it->second = stored;
      return kube::HttpResponse{.status = 200, .body = stored.dump()};
    }
    if (request.method == "PATCH") {
      auto it = objects_.find(path);
      if (it == objects_.end()) return Status(404, "NotFound", path + " not found");
      const nlohmann::json& rv = body["metadata"]["resourceVersion"];
      if (!rv.is_null() && rv != it->second["metadata"]["resourceVersion"]) {
        ++conflicts_;
        return Status(409, "Conflict", "the object has been modified");
      }
      it->second.merge_patch(body);
      it->second["metadata"]["resourceVersion"] = std::to_string(++revision_);
      return kube::HttpResponse{.status = 200, .body = it->second.dump()};
    }
    return Status(405, "MethodNotAllowed", request.method);
  }

  Result<kube::HttpResponse> Stream(const kube::HttpRequest& request, std::chrono::seconds,
                                    const kube::ChunkCallback&, std::stop_token stop) override {
    std::unique_lock lock(mu_);
    requests_.push_back("WATCH " + request.target.substr(0, request.target.find('?')));
    std::condition_variable_any stopped;
    stopped.wait(lock, stop, [] { return false; });
    return kube::HttpResponse{.status = 200};
  }

 private:
  static kube::HttpResponse Status(int code, const std::string& reason,
                                   const std::string& message) {
    const nlohmann::json status = {{"kind", "Status"},    {"apiVersion", "v1"},
                                   {"status", "Failure"}, {"message", message},
                                   {"reason", reason},    {"code", code}};
    return {.status = code, .body = status.dump()};
  }

  // The path's segments, and how many of them name the group version: /api/v1 or
  // /apis/<group>/<version>.
  static std::vector<std::string> Segments(const std::string& path, std::size_t& prefix_parts) {
    prefix_parts = path.starts_with("/apis/") ? 3 : 2;
    std::vector<std::string> parts;
    for (std::size_t start = 1; start <= path.size();) {
      const std::size_t end = std::min(path.find('/', start), path.size());
      parts.push_back(path.substr(start, end - start));
      start = end + 1;
    }
    return parts;
  }

  // <resource> and namespaces/<ns>/<resource> are collections; <resource>/<name> and
  // namespaces/<ns>/<resource>/<name> objects.
  static bool IsCollection(const std::string& path) {
    if (path.ends_with("/scale")) return false;  // a subresource, stored as an object
    std::size_t prefix_parts = 0;
    const std::size_t parts = Segments(path, prefix_parts).size();
    return parts > prefix_parts && (parts - prefix_parts) % 2 == 1;
  }

  // Whether the object at `object_path` is listed by a GET of `collection`: its parent path,
  // or, for a namespaced object, the resource's all-namespaces path (/api/v1/pods lists
  // /api/v1/namespaces/*/pods/*).
  static bool InCollection(const std::string& object_path, const std::string& collection) {
    const auto slash = object_path.rfind('/');
    if (slash == std::string::npos) return false;
    const std::string parent = object_path.substr(0, slash);
    if (parent == collection) return true;
    std::size_t prefix_parts = 0;
    const std::vector<std::string> parts = Segments(parent, prefix_parts);
    if (parts.size() != prefix_parts + 3 || parts[prefix_parts] != "namespaces") return false;
    std::string all;
    for (std::size_t i = 0; i < prefix_parts; ++i) all += "/" + parts[i];
    return all + "/" + parts.back() == collection;
  }

  std::mutex mu_;
  std::vector<std::string> requests_;
  std::map<std::string, nlohmann::json> objects_;
  std::map<std::string, int> counts_;
  int conflicts_ = 0;
  int revision_ = 0;
};

}  // namespace csp::test
