// Test support: an in-memory stand-in for the API server's object store behind an
// HttpTransport, with the one behaviour the status writer depends on: a PUT whose
// metadata.resourceVersion is not the stored one is refused with 409 Conflict, as etcd's
// compare-and-swap makes the real server do. GET, POST (create), PUT (object and /status).
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "csp/kube/transport.h"

namespace csp::agent::test {

class FakeApiServer final : public kube::HttpTransport {
 public:
  // Called before each PUT is applied, with the object's path (without "/status"); may change
  // the stored object, as another writer would between our GET and PUT.
  std::function<void(const std::string& path)> before_put = nullptr;
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
    if (request.method == "GET") {
      auto it = objects_.find(path);
      if (it == objects_.end()) return Status(404, "NotFound", path + " not found");
      return kube::HttpResponse{.status = 200, .body = it->second.dump()};
    }
    nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    if (request.method == "POST") {
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
    return Status(405, "MethodNotAllowed", request.method);
  }

  Result<kube::HttpResponse> Stream(const kube::HttpRequest&, std::chrono::seconds,
                                    const kube::ChunkCallback&, std::stop_token) override {
    return Error{Code::kUnavailable, "FakeApiServer does not watch"};
  }

 private:
  static kube::HttpResponse Status(int code, const std::string& reason,
                                   const std::string& message) {
    const nlohmann::json status = {{"kind", "Status"},    {"apiVersion", "v1"},
                                   {"status", "Failure"}, {"message", message},
                                   {"reason", reason},    {"code", code}};
    return {.status = code, .body = status.dump()};
  }

  std::mutex mu_;
  std::map<std::string, nlohmann::json> objects_;
  std::map<std::string, int> counts_;
  int conflicts_ = 0;
  int revision_ = 0;
};

}  // namespace csp::agent::test
