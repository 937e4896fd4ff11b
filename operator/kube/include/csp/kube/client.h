// Client: typed, rate-limited, retrying access to the Kubernetes API over an HttpTransport.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "csp/common/result.h"
#include "csp/kube/backoff.h"
#include "csp/kube/clock.h"
#include "csp/kube/rate_limiter.h"
#include "csp/kube/request_metrics.h"
#include "csp/kube/resource_ref.h"
#include "csp/kube/rest_config.h"
#include "csp/kube/token_file.h"
#include "csp/kube/transport.h"
#include "csp/kube/watch_stream.h"

namespace csp::kube {

struct ClientOptions {
  double qps = 20;  // client-side rate limit; <= 0 disables it
  int burst = 30;
  RetryPolicy retry = {};
  Clock* clock = nullptr;  // nullptr: SteadyClock()
  // Draws from [0, 1) for backoff jitter; nullptr: a seeded Mersenne Twister.
  std::function<double()> uniform01 = nullptr;
  std::string user_agent = "csp-operator";
};

struct ListOptions {
  std::string label_selector = {};
  std::string field_selector = {};
  std::int64_t limit = 0;           // page size; 0: no limit (for ListAll: 500)
  std::string continue_token = {};  // from the previous page
  std::string resource_version = {};
  // Fields of each item skipped while the page is parsed: a top-level field ("status") or one
  // of metadata ("metadata.managedFields"). The page never exists with them, which for Pods is
  // most of their size.
  std::vector<std::string> drop_item_fields = {};
};

// A LIST response parsed without ListOptions::drop_item_fields in its items (discarded, as
// nlohmann::json::parse without exceptions, when it is not JSON).
nlohmann::json ParseListDroppingItemFields(std::string_view text,
                                           const std::vector<std::string>& fields);

struct ListPage {
  std::vector<nlohmann::json> items = {};  // without kind/apiVersion, as the server sends them
  std::string resource_version = {};       // the list's; start a Watch from here
  std::string continue_token = {};         // "" on the last page
};

enum class PatchType {
  kMerge,           // application/merge-patch+json (RFC 7386)
  kStrategicMerge,  // application/strategic-merge-patch+json (built-in types only)
  kJson,            // application/json-patch+json (RFC 6902); not idempotent, never retried
  kApply,           // application/apply-patch+yaml: server-side apply (needs field_manager)
};

struct PatchOptions {
  std::string field_manager = {};  // required for kApply
  bool force = false;              // kApply: take ownership of conflicting fields
  std::string subresource = {};    // "status", "scale", or "" for the object
};

struct DeleteOptions {
  std::string propagation_policy = {};  // "Background", "Foreground", "Orphan", or "" (default)
  std::string precondition_uid = {};
  std::string precondition_resource_version = {};
};

struct WatchOptions {
  std::string resource_version = {};  // start after this version; "" means "now" semantics
  bool allow_bookmarks = false;
  std::int64_t timeout_seconds = 0;  // server ends the watch after this long; 0: its default
  std::string label_selector = {};
  std::string field_selector = {};
  // A streaming list (KEP-3157 "WatchList"): the server first sends the current state as ADDED
  // events, then a BOOKMARK annotated k8s.io/initial-events-end, then changes. With an empty
  // resource_version the state is as fresh as a LIST's (resourceVersionMatch=NotOlderThan).
  // Needs allow_bookmarks. Kubernetes serves it by default since 1.34 (WatchList feature).
  bool send_initial_events = false;
};

// True for the BOOKMARK that ends a streaming list's initial events.
bool IsInitialEventsEnd(const WatchEvent& event);

// Called for each ADDED, MODIFIED, DELETED and BOOKMARK event, in stream order; return false to
// end the watch. ERROR events end the watch with an Error instead.
using WatchCallback = std::function<bool(const WatchEvent& event)>;

// Every method blocks, never throws, and is safe to call from several threads. Each attempt
// first takes a token from the rate limiter. Retries follow IsRetryable (backoff.h) with the
// policy's backoff and Retry-After. Errors are mapped by ErrorFromResponse (status_error.h);
// transport failures that survive the retries come back as kUnavailable (TLS verification
// failures as kUnauthenticated), naming the verb and path.
class Client {
 public:
  Client(std::unique_ptr<HttpTransport> transport, const RestConfig& config,
         ClientOptions options = {});

  // GET of a non-resource path such as "/version" or "/readyz?verbose" (JSON responses).
  Result<nlohmann::json> GetPath(std::string_view path);

  // `subresource` ("scale", "status"): that subresource of the object.
  Result<nlohmann::json> Get(const ResourceRef& ref, std::string_view ns, std::string_view name,
                             std::string_view subresource = {});

  // One page. A 410 (continue token expired) is IsGone.
  Result<ListPage> List(const ResourceRef& ref, std::string_view ns,
                        const ListOptions& options = {});

  // All pages, `options.limit` (default 500) items at a time. If a continue token expires
  // mid-way, lists again in one unpaginated request (what client-go's pager does).
  Result<ListPage> ListAll(const ResourceRef& ref, std::string_view ns, ListOptions options = {});

  // ListAll without holding the list: each item goes to `on_item` as its page arrives, and
  // the page is freed before the next is asked for. If a continue token expires mid-way,
  // `on_restart` is called (drop what was taken) before the unpaginated relist's items come.
  // Returns the list's resourceVersion.
  using ListItemFn = std::function<void(nlohmann::json item)>;
  Result<std::string> ListEach(const ResourceRef& ref, std::string_view ns, ListOptions options,
                               const ListItemFn& on_item, const std::function<void()>& on_restart);

  // POST. Retried only when nothing reached the server (connection refused) or on 429.
  // `dry_run`: ?dryRun=All, admission runs and nothing is stored.
  Result<nlohmann::json> Create(const ResourceRef& ref, std::string_view ns,
                                const nlohmann::json& object, bool dry_run = false);

  // PUT of object (name from metadata.name). A stale metadata.resourceVersion is kAborted.
  Result<nlohmann::json> Update(const ResourceRef& ref, std::string_view ns,
                                const nlohmann::json& object);
  // PUT to the status subresource.
  Result<nlohmann::json> UpdateStatus(const ResourceRef& ref, std::string_view ns,
                                      const nlohmann::json& object);

  Result<nlohmann::json> Patch(const ResourceRef& ref, std::string_view ns, std::string_view name,
                               PatchType type, const nlohmann::json& patch,
                               const PatchOptions& options = {});

  // Server-side apply of `object` (name from metadata.name) as `field_manager`.
  Result<nlohmann::json> Apply(const ResourceRef& ref, std::string_view ns,
                               const nlohmann::json& object, std::string_view field_manager,
                               bool force = false);

  Status Delete(const ResourceRef& ref, std::string_view ns, std::string_view name,
                const DeleteOptions& options = {});

  // Streams events until the server ends the watch (ok: resume from the last event's
  // resourceVersion), `on_event` returns false or `stop` is requested (ok), or an error:
  // IsGone for a 410 (HTTP status or ERROR event: relist); kUnavailable when the connection
  // breaks or the stream is torn mid-event; other ERROR events mapped like HTTP errors. No
  // retries here: the informer restarts watches from its own resourceVersion.
  Status Watch(const ResourceRef& ref, std::string_view ns, const WatchOptions& options,
               const WatchCallback& on_event, std::stop_token stop = {});

  const RequestMetrics& metrics() const { return metrics_; }

 private:
  struct Call {
    std::string verb;  // for metrics: GET, LIST, POST, ...
    bool idempotent = true;
  };

  // Sends with rate limit, auth and retries; maps non-2xx and transport errors to Errors.
  Result<HttpResponse> Do(const Call& call, HttpRequest request);
  Result<nlohmann::json> DoJson(const Call& call, HttpRequest request);
  Status AddAuthorization(HttpRequest& request);
  double Uniform01();

  std::unique_ptr<HttpTransport> transport_;
  ClientOptions options_;
  Clock& clock_;
  TokenBucket limiter_;
  std::string token_;
  std::unique_ptr<TokenFile> token_file_;
  RequestMetrics metrics_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
};

}  // namespace csp::kube
