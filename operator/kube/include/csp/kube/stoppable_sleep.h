// Sleeping that a stop request cuts short, on an injectable Clock.
#pragma once

#include <stop_token>

#include "csp/kube/clock.h"

namespace csp::kube {

// Waits `d` on `clock`; returns false if `stop` was requested before or during the wait. On
// SteadyClock() the wait ends as soon as stop is requested. Other clocks (test fakes) are asked
// to SleepFor(d) as a whole, since their time does not pass by itself.
bool SleepFor(Clock& clock, Clock::Duration d, std::stop_token stop);

}  // namespace csp::kube
