#include "csp/kube/client.h"

#include <algorithm>
#include <utility>

#include "csp/kube/status_error.h"

namespace csp::kube {
namespace {

constexpr std::int64_t kDefaultPageSize = 500;
// Idle timeout of a watch connection: the server's timeoutSeconds plus slack, or, without one,
// longer than the server's own default (a random 30-60 min).
constexpr std::chrono::seconds kWatchSlack{60};
constexpr std::chrono::seconds kWatchDefaultIdle{65 * 60};

bool Is2xx(int status) { return status >= 200 && status <= 299; }

// A transport failure as the caller sees it: TLS verification stays kUnauthenticated, every
// other connection problem is kUnavailable.
Error TransportError(const Error& e, std::string_view context) {
  const Code code = e.code == Code::kUnauthenticated ? Code::kUnauthenticated : Code::kUnavailable;
  return {code, std::string(context) + ": " + e.message};
}

Error ToError(const Result<HttpResponse>& outcome, std::string_view context) {
  if (!outcome) return TransportError(outcome.error(), context);
  return ErrorFromResponse(outcome->status, outcome->body, context);
}

std::string ContentType(PatchType type) {
  switch (type) {
    case PatchType::kMerge:
      return "application/merge-patch+json";
    case PatchType::kStrategicMerge:
      return "application/strategic-merge-patch+json";
    case PatchType::kJson:
      return "application/json-patch+json";
    case PatchType::kApply:
      return "application/apply-patch+yaml";
  }
  return "application/json";
}

Result<std::string> NameOf(const nlohmann::json& object, std::string_view what) {
  const auto metadata = object.find("metadata");
  if (metadata != object.end() && metadata->is_object()) {
    const auto name = metadata->find("name");
    if (name != metadata->end() && name->is_string() &&
        !name->get_ref<const std::string&>().empty()) {
      return name->get<std::string>();
    }
  }
  return InvalidArgument(std::string(what) + ": object has no metadata.name");
}

HttpRequest JsonRequest(std::string method, std::string target, const nlohmann::json& body,
                        std::string content_type = "application/json") {
  return {.method = std::move(method),
          .target = std::move(target),
          .headers = {{"Content-Type", std::move(content_type)}},
          .body = body.dump()};
}

}  // namespace

Client::Client(std::unique_ptr<HttpTransport> transport, const RestConfig& config,
               ClientOptions options)
    : transport_(std::move(transport)),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : SteadyClock()),
      limiter_(options_.qps, options_.burst, clock_),
      token_(config.token),
      token_file_(config.token_file.empty() ? nullptr
                                            : std::make_unique<TokenFile>(config.token_file)),
      rng_(std::random_device{}()) {}

double Client::Uniform01() {
  if (options_.uniform01) return options_.uniform01();
  std::lock_guard lock(rng_mu_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

Status Client::AddAuthorization(HttpRequest& request) {
  std::string token = token_;
  if (token_file_ != nullptr) {
    CSP_TRY(token, token_file_->Get());
  }
  if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
  return {};
}

Result<HttpResponse> Client::Do(const Call& call, HttpRequest request) {
  request.headers.emplace_back("Accept", "application/json");
  request.headers.emplace_back("User-Agent", options_.user_agent);
  const std::string context = request.method + " " + request.target;
  const int attempts = std::max(1, options_.retry.max_attempts);
  for (int attempt = 0;; ++attempt) {
    limiter_.Wait();
    HttpRequest sent = request;  // the token may rotate between attempts
    if (Status s = AddAuthorization(sent); !s) return s.error();
    Result<HttpResponse> outcome = transport_->Send(sent);
    metrics_.Record(call.verb, outcome ? outcome->status : 0);
    if (outcome && Is2xx(outcome->status)) return outcome;
    if (attempt + 1 >= attempts || !IsRetryable(call.idempotent, outcome)) {
      return ToError(outcome, context);
    }
    std::optional<std::chrono::seconds> retry_after;
    if (outcome) {
      if (auto value = FindHeader(outcome->headers, "Retry-After")) {
        retry_after = ParseRetryAfter(*value);
      }
    }
    clock_.SleepFor(BackoffDelay(options_.retry, attempt, Uniform01(), retry_after));
  }
}

nlohmann::json ParseListDroppingItemFields(std::string_view text,
                                           const std::vector<std::string>& fields) {
  // Depths as nlohmann's parser reports keys: 1 the list's own, 3 an item's, 4 inside an
  // item's field (items' objects sit in the array at depth 2).
  // Called for every key of every item: compares in place, allocating nothing.
  std::string item_key;
  auto named = [&](std::string_view key) {
    return std::any_of(fields.begin(), fields.end(), [&](std::string_view f) {
      if (item_key.empty()) return f == key;  // depth 3: the item's own field
      return f.size() == item_key.size() + 1 + key.size() && f.starts_with(item_key) &&
             f[item_key.size()] == '.' && f.ends_with(key);
    });
  };
  auto keep = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (event != nlohmann::json::parse_event_t::key || depth < 3 || depth > 4) return true;
    const std::string& key = parsed.get_ref<const std::string&>();
    if (depth == 3) {
      item_key.clear();
      const bool drop = named(key);
      item_key = key;
      return !drop;
    }
    return !named(key);
  };
  return nlohmann::json::parse(text, keep, /*allow_exceptions=*/false);
}

Result<nlohmann::json> Client::DoJson(const Call& call, HttpRequest request) {
  const std::string context = request.method + " " + request.target;
  CSP_TRY(HttpResponse response, Do(call, std::move(request)));
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return Internal(context + ": response is not JSON");
  return body;
}

Result<nlohmann::json> Client::GetPath(std::string_view path) {
  if (!path.starts_with('/'))
    return InvalidArgument("GetPath: \"" + std::string(path) + "\" is not absolute");
  return DoJson({.verb = "GET"}, {.method = "GET", .target = std::string(path)});
}

Result<nlohmann::json> Client::Get(const ResourceRef& ref, std::string_view ns,
                                   std::string_view name, std::string_view subresource) {
  return DoJson({.verb = "GET"},
                {.method = "GET", .target = ref.ObjectPath(ns, name, subresource)});
}

Result<ListPage> Client::List(const ResourceRef& ref, std::string_view ns,
                              const ListOptions& options) {
  const std::string target =
      ref.CollectionPath(ns) +
      QueryString({{"labelSelector", options.label_selector},
                   {"fieldSelector", options.field_selector},
                   {"limit", options.limit > 0 ? std::to_string(options.limit) : ""},
                   {"continue", options.continue_token},
                   {"resourceVersion", options.resource_version}});
  nlohmann::json list;
  if (options.drop_item_fields.empty()) {
    CSP_TRY(list, DoJson({.verb = "LIST"}, {.method = "GET", .target = target}));
  } else {
    CSP_TRY(HttpResponse response, Do({.verb = "LIST"}, {.method = "GET", .target = target}));
    list = ParseListDroppingItemFields(response.body, options.drop_item_fields);
    if (list.is_discarded()) return Internal("GET " + target + ": response is not JSON");
  }
  ListPage page;
  const auto items = list.find("items");
  if (items != list.end() && items->is_array()) {
    page.items.reserve(items->size());
    for (auto& item : *items) page.items.push_back(std::move(item));
  }
  const auto metadata = list.find("metadata");
  if (metadata != list.end() && metadata->is_object()) {
    page.resource_version = metadata->value("resourceVersion", "");
    page.continue_token = metadata->value("continue", "");
  }
  return page;
}

Result<ListPage> Client::ListAll(const ResourceRef& ref, std::string_view ns, ListOptions options) {
  ListPage all;
  CSP_TRY(all.resource_version,
          ListEach(
              ref, ns, std::move(options),
              [&all](nlohmann::json item) { all.items.push_back(std::move(item)); },
              [&all] { all.items.clear(); }));
  return all;
}

Result<std::string> Client::ListEach(const ResourceRef& ref, std::string_view ns,
                                     ListOptions options, const ListItemFn& on_item,
                                     const std::function<void()>& on_restart) {
  if (options.limit <= 0) options.limit = kDefaultPageSize;
  ListOptions page_options = options;
  while (true) {
    auto page = List(ref, ns, page_options);
    if (!page) {
      if (IsGone(page.error()) && !page_options.continue_token.empty()) {
        // The snapshot behind the continue token was compacted: start over in one request.
        ListOptions whole = options;
        whole.limit = 0;
        CSP_TRY(ListPage list, List(ref, ns, whole));
        if (on_restart) on_restart();
        for (auto& item : list.items) on_item(std::move(item));
        return std::move(list.resource_version);
      }
      return page.error();
    }
    for (auto& item : page->items) on_item(std::move(item));
    if (page->continue_token.empty()) return std::move(page->resource_version);
    page_options.continue_token = std::move(page->continue_token);
    // The token pins the snapshot; the server rejects a resourceVersion next to it.
    page_options.resource_version.clear();
  }
}

Result<nlohmann::json> Client::Create(const ResourceRef& ref, std::string_view ns,
                                      const nlohmann::json& object, bool dry_run) {
  const std::string query = dry_run ? QueryString({{"dryRun", "All"}}) : "";
  return DoJson({.verb = "POST", .idempotent = false},
                JsonRequest("POST", ref.CollectionPath(ns) + query, object));
}

Result<nlohmann::json> Client::Update(const ResourceRef& ref, std::string_view ns,
                                      const nlohmann::json& object) {
  CSP_TRY(std::string name, NameOf(object, "Update " + ref.Name()));
  return DoJson({.verb = "PUT"}, JsonRequest("PUT", ref.ObjectPath(ns, name), object));
}

Result<nlohmann::json> Client::UpdateStatus(const ResourceRef& ref, std::string_view ns,
                                            const nlohmann::json& object) {
  CSP_TRY(std::string name, NameOf(object, "UpdateStatus " + ref.Name()));
  return DoJson({.verb = "PUT"}, JsonRequest("PUT", ref.ObjectPath(ns, name, "status"), object));
}

Result<nlohmann::json> Client::Patch(const ResourceRef& ref, std::string_view ns,
                                     std::string_view name, PatchType type,
                                     const nlohmann::json& patch, const PatchOptions& options) {
  const bool apply = type == PatchType::kApply;
  if (apply && options.field_manager.empty()) {
    return InvalidArgument("Apply " + ref.Name() + " " + std::string(name) +
                           ": a field manager is required");
  }
  const std::string target = ref.ObjectPath(ns, name, options.subresource) +
                             QueryString({{"fieldManager", options.field_manager},
                                          {"force", apply && options.force ? "true" : ""}});
  return DoJson({.verb = apply ? "APPLY" : "PATCH", .idempotent = type != PatchType::kJson},
                JsonRequest("PATCH", target, patch, ContentType(type)));
}

Result<nlohmann::json> Client::Apply(const ResourceRef& ref, std::string_view ns,
                                     const nlohmann::json& object, std::string_view field_manager,
                                     bool force) {
  CSP_TRY(std::string name, NameOf(object, "Apply " + ref.Name()));
  return Patch(ref, ns, name, PatchType::kApply, object,
               {.field_manager = std::string(field_manager), .force = force});
}

Status Client::Delete(const ResourceRef& ref, std::string_view ns, std::string_view name,
                      const DeleteOptions& options) {
  HttpRequest request{.method = "DELETE", .target = ref.ObjectPath(ns, name)};
  nlohmann::json body = nlohmann::json::object();
  if (!options.propagation_policy.empty()) body["propagationPolicy"] = options.propagation_policy;
  if (!options.precondition_uid.empty()) body["preconditions"]["uid"] = options.precondition_uid;
  if (!options.precondition_resource_version.empty()) {
    body["preconditions"]["resourceVersion"] = options.precondition_resource_version;
  }
  if (!body.empty()) {
    body["apiVersion"] = "v1";
    body["kind"] = "DeleteOptions";
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = body.dump();
  }
  CSP_TRY(HttpResponse ignored, Do({.verb = "DELETE"}, std::move(request)));
  return {};
}

bool IsInitialEventsEnd(const WatchEvent& event) {
  if (event.type != WatchEventType::kBookmark || !event.object.is_object()) return false;
  auto meta = event.object.find("metadata");
  if (meta == event.object.end() || !meta->is_object()) return false;
  auto annotations = meta->find("annotations");
  if (annotations == meta->end() || !annotations->is_object()) return false;
  auto end = annotations->find("k8s.io/initial-events-end");
  return end != annotations->end() && end->is_string() &&
         end->get_ref<const std::string&>() == "true";
}

Status Client::Watch(const ResourceRef& ref, std::string_view ns, const WatchOptions& options,
                     const WatchCallback& on_event, std::stop_token stop) {
  HttpRequest request{
      .method = "GET",
      .target = ref.CollectionPath(ns) +
                QueryString(
                    {{"watch", "true"},
                     {"resourceVersion", options.resource_version},
                     {"allowWatchBookmarks", options.allow_bookmarks ? "true" : ""},
                     {"timeoutSeconds",
                      options.timeout_seconds > 0 ? std::to_string(options.timeout_seconds) : ""},
                     {"labelSelector", options.label_selector},
                     {"fieldSelector", options.field_selector},
                     {"sendInitialEvents", options.send_initial_events ? "true" : ""},
                     {"resourceVersionMatch", options.send_initial_events ? "NotOlderThan" : ""}}),
      .headers = {{"Accept", "application/json"}, {"User-Agent", options_.user_agent}}};
  const std::string context = "WATCH " + request.target;
  const std::chrono::seconds idle =
      options.timeout_seconds > 0 ? std::chrono::seconds(options.timeout_seconds) + kWatchSlack
                                  : kWatchDefaultIdle;
  if (stop.stop_requested()) return {};
  limiter_.Wait();
  if (Status s = AddAuthorization(request); !s) return s;

  WatchDecoder decoder;
  Status ended;  // set when the stream itself reports an error
  bool stopped = false;
  auto outcome = transport_->Stream(
      request, idle,
      [&](std::string_view chunk) {
        auto events = decoder.Feed(chunk);
        if (!events) {
          ended = events.error();
          return false;
        }
        for (const WatchEvent& event : *events) {
          if (event.type == WatchEventType::kError) {
            ended = ErrorFromStatus(event.object, context);
            return false;
          }
          if (!on_event(event)) {
            stopped = true;
            return false;
          }
        }
        return true;
      },
      stop);
  metrics_.Record("WATCH", outcome ? outcome->status : 0);
  if (stop.stop_requested()) return {};
  if (!ended) return ended;
  if (!outcome) return TransportError(outcome.error(), context);
  if (!Is2xx(outcome->status)) return ErrorFromResponse(outcome->status, outcome->body, context);
  if (!stopped && decoder.MidLine()) {
    return Error{Code::kUnavailable, context + ": stream ended in the middle of an event"};
  }
  return {};
}

}  // namespace csp::kube
