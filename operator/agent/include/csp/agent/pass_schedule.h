// When NodeAgent's install loop wakes and what it does then: the timing half of pass planning
// (PlanPass is the other). Pure: the loop passes the times in and does what comes out.
#pragma once

#include <optional>

#include "csp/agent/pass_plan.h"

namespace csp::agent {

struct PassTimers {
  SyncTimePoint resync_at = {};               // the next full pass
  std::optional<SyncTimePoint> retry = {};    // ProfileSync::NextRetry()
  std::optional<SyncTimePoint> trim_at = {};  // a memory trim waiting for a burst to settle
};

// The loop waits for a change until the earliest of the three.
SyncTimePoint WakeDeadline(const PassTimers& timers);

struct WakeDecision {
  bool trim = false;  // give freed memory back to the kernel (malloc_trim)
  bool pass = false;
  bool full = false;  // the pass is a full one: the resync is due

  friend bool operator==(const WakeDecision&, const WakeDecision&) = default;
};

// After a wait that ended at `now`, `woken` by a change or by the deadline. A change always
// brings a pass (and puts off a due trim until the next quiet deadline); the deadline brings
// the trim if it is due, and a pass only when the resync or a retry is due too.
WakeDecision DecideWake(const PassTimers& timers, bool woken, SyncTimePoint now);

}  // namespace csp::agent
