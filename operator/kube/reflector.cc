#include "csp/kube/reflector.h"

#include <random>
#include <utility>

#include "csp/kube/backoff.h"
#include "csp/kube/status_error.h"
#include "csp/kube/stoppable_sleep.h"

namespace csp::kube {
namespace {

std::function<double()> SeededUniform01() {
  auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [rng] { return std::uniform_real_distribution<double>(0.0, 1.0)(*rng); };
}

// A streaming list the server will not serve, so that LIST must do: a client error that a
// plain LIST would not get as well (403, 404), that is no version to relist from (410) and no
// overload (429). An apiserver without the WatchList feature answers 422 Invalid.
bool RefusesStreamingList(const Error& error) { return error.code == Code::kInvalidArgument; }

}  // namespace

Reflector::Reflector(Client& client, InformerOptions options, ReflectorSink& sink)
    : client_(client),
      options_(std::move(options)),
      sink_(sink),
      clock_(options_.clock != nullptr ? *options_.clock : SteadyClock()),
      uniform01_(options_.uniform01 ? options_.uniform01 : SeededUniform01()),
      streaming_list_(options_.streaming_list) {}

double Reflector::Uniform01() { return uniform01_(); }

void Reflector::Report(const Error& error) {
  ++errors_;
  if (options_.on_error) options_.on_error(error);
}

void Reflector::SetResourceVersion(std::string rv) {
  std::lock_guard lock(mu_);
  resource_version_ = std::move(rv);
}

std::string Reflector::LastResourceVersion() const {
  std::lock_guard lock(mu_);
  return resource_version_;
}

InformerStats Reflector::Stats() const {
  const std::uint64_t lists = lists_.load();
  const std::uint64_t watches = watches_.load();
  return {.lists = lists,
          .relists = lists > 0 ? lists - 1 : 0,
          .watches = watches,
          .watch_restarts = watches > 0 ? watches - 1 : 0,
          .events = events_.load(),
          .errors = errors_.load()};
}

bool Reflector::WaitForSync(std::stop_token stop) const {
  std::unique_lock lock(mu_);
  return synced_cv_.wait(lock, stop, [this] { return synced_.load(); });
}

bool Reflector::WaitForSyncFor(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return synced_cv_.wait_for(lock, timeout, [this] { return synced_.load(); });
}

std::int64_t Reflector::WatchTimeoutSeconds() {
  const auto min = options_.min_watch_timeout.count();
  if (min <= 0) return 0;
  return min + static_cast<std::int64_t>(Uniform01() * static_cast<double>(min));
}

void Reflector::Backoff(int failures, std::stop_token stop) {
  const RetryPolicy policy{.base_delay = options_.backoff_base, .max_delay = options_.backoff_max};
  SleepFor(clock_, BackoffDelay(policy, failures, Uniform01(), std::nullopt), stop);
}

bool Reflector::List() {
  sink_.StartList();
  auto rv = client_.ListEach(
      options_.resource, options_.ns,
      {.label_selector = options_.label_selector,
       .field_selector = options_.field_selector,
       .limit = options_.page_size,
       .drop_item_fields = options_.drop_list_item_fields},
      [this](nlohmann::json item) { sink_.AddListItem(std::move(item)); },
      [this] { sink_.StartList(); });
  if (!rv) {
    sink_.StartList();  // drop the partial list while we back off
    Report(rv.error());
    return false;
  }
  ++lists_;
  sink_.FinishList();
  SetResourceVersion(std::move(*rv));
  MarkSynced();
  return true;
}

void Reflector::MarkSynced() {
  if (!synced_.exchange(true)) {
    std::lock_guard lock(mu_);  // so that a waiter cannot miss the notification
    synced_cv_.notify_all();
  }
}

void Reflector::ApplyEvent(const WatchEvent& event) {
  if (event.type != WatchEventType::kBookmark) {
    ++events_;
    sink_.Apply(event);
  }
  std::string rv = ResourceVersionOf(event.object);
  if (!rv.empty()) SetResourceVersion(std::move(rv));
}

Status Reflector::StreamList(std::stop_token stop, bool& delivered, bool& listed) {
  ++watches_;
  sink_.StartList();
  const WatchOptions watch{.resource_version = "",  // as fresh as a LIST
                           .allow_bookmarks = true,
                           .timeout_seconds = WatchTimeoutSeconds(),
                           .label_selector = options_.label_selector,
                           .field_selector = options_.field_selector,
                           .send_initial_events = true};
  Status status = client_.Watch(
      options_.resource, options_.ns, watch,
      [&](const WatchEvent& event) {
        delivered = true;
        if (listed) {
          ApplyEvent(event);
        } else if (IsInitialEventsEnd(event)) {
          listed = true;
          ++lists_;
          sink_.FinishList();
          SetResourceVersion(ResourceVersionOf(event.object));
          MarkSynced();
        } else if (event.type == WatchEventType::kAdded) {
          sink_.AddListItem(event.object);
        }  // other bookmarks before the end carry nothing for the list
        return !stop.stop_requested();
      },
      stop);
  if (!listed) sink_.StartList();  // drop the partial list; it starts over
  return status;
}

Status Reflector::Watch(std::stop_token stop, bool& delivered) {
  ++watches_;
  const WatchOptions watch{.resource_version = LastResourceVersion(),
                           .allow_bookmarks = true,
                           .timeout_seconds = WatchTimeoutSeconds(),
                           .label_selector = options_.label_selector,
                           .field_selector = options_.field_selector};
  return client_.Watch(
      options_.resource, options_.ns, watch,
      [&](const WatchEvent& event) {
        delivered = true;
        ApplyEvent(event);
        return !stop.stop_requested();
      },
      stop);
}

void Reflector::Run(std::stop_token stop) {
  bool need_list = true;
  int failures = 0;  // consecutive, for the backoff
  while (!stop.stop_requested()) {
    const bool streaming = need_list && streaming_list_;
    if (need_list && !streaming) {
      if (!List()) {
        if (stop.stop_requested()) return;
        Backoff(failures++, stop);
        continue;
      }
      need_list = false;
      failures = 0;
    }
    bool delivered = false;
    bool listed = false;
    Status watched = streaming ? StreamList(stop, delivered, listed) : Watch(stop, delivered);
    if (listed) need_list = false;
    if (stop.stop_requested()) return;
    if (delivered) failures = 0;
    if (watched) {
      if (!delivered) Backoff(failures++, stop);
      continue;
    }
    Report(watched.error());
    if (need_list && RefusesStreamingList(watched.error())) {
      streaming_list_ = false;  // LIST from now on, at once
      continue;
    }
    if (IsGone(watched.error())) {
      need_list = true;  // at once: the server is fine, our version is just too old
      continue;
    }
    Backoff(failures++, stop);
  }
}

}  // namespace csp::kube
