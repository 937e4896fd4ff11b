#include "csp/agent/pass_schedule.h"

#include <algorithm>

namespace csp::agent {

SyncTimePoint WakeDeadline(const PassTimers& timers) {
  SyncTimePoint deadline = timers.resync_at;
  if (timers.retry) deadline = std::min(deadline, *timers.retry);
  if (timers.trim_at) deadline = std::min(deadline, *timers.trim_at);
  return deadline;
}

WakeDecision DecideWake(const PassTimers& timers, bool woken, SyncTimePoint now) {
  WakeDecision decision;
  const bool resync_due = now >= timers.resync_at;
  const bool retry_due = timers.retry && *timers.retry <= now;
  decision.trim = !woken && timers.trim_at && now >= *timers.trim_at;
  decision.pass = !decision.trim || resync_due || retry_due;
  decision.full = decision.pass && resync_due;
  return decision;
}

}  // namespace csp::agent
