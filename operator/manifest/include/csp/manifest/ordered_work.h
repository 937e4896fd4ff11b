// Pieces of work made on worker threads and used in order, so that what is built on several
// cores (YAML pieces' events, cspctl's reports) comes out as it does when built on one.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace csp::manifest {

// One worker per core, at most 4 (more would only hold more pieces in memory).
inline std::size_t WorkerThreads(std::size_t wanted = 0) {
  return std::clamp<std::size_t>(wanted != 0 ? wanted : std::thread::hardware_concurrency(), 1, 4);
}

// Calls produce(i) for every i in [0, count) on up to `threads` worker threads, and
// consume(i, piece) on the calling thread for i = 0, 1, ... in order, until it returns false
// (then returns false; true when every piece was consumed). At most `window` pieces
// are made ahead of the one consumed, which bounds memory. With threads <= 1 (or no thread to
// be had) everything runs on the calling thread, one piece at a time. An exception of produce
// is rethrown on the calling thread when its piece's turn comes.
template <typename Piece, typename Produce, typename Consume>
bool ProduceInOrder(std::size_t count, std::size_t threads, std::size_t window, Produce&& produce,
                    Consume&& consume) {
  struct Slot {
    std::optional<Piece> piece = {};
    std::exception_ptr error = {};
    bool done = false;
  };
  std::vector<Slot> slots(count);
  std::mutex mutex;
  std::condition_variable work_ready;   // workers: a piece may be started, or stop
  std::condition_variable piece_ready;  // the calling thread: a piece is made
  std::size_t next = 0;                 // the next piece to start
  std::size_t consumed = 0;
  bool stop = false;
  window = std::max<std::size_t>(window, 1);
  auto work = [&] {
    for (;;) {
      std::size_t i = 0;
      {
        std::unique_lock lock(mutex);
        work_ready.wait(lock, [&] { return stop || next >= count || next < consumed + window; });
        if (stop || next >= count) return;
        i = next++;
      }
      Slot made;
      try {
        made.piece.emplace(produce(i));
      } catch (...) {
        made.error = std::current_exception();
      }
      made.done = true;
      {
        std::lock_guard lock(mutex);
        slots[i] = std::move(made);
      }
      piece_ready.notify_one();
    }
  };
  std::vector<std::thread> workers;
  // Stops and joins the workers however this function is left (consume may throw).
  struct Joiner {
    std::mutex& mutex;
    bool& stop;
    std::condition_variable& work_ready;
    std::vector<std::thread>& workers;
    ~Joiner() {
      {
        std::lock_guard lock(mutex);
        stop = true;
      }
      work_ready.notify_all();
      for (std::thread& worker : workers) worker.join();
    }
  } joiner{mutex, stop, work_ready, workers};
  if (threads > 1 && count > 1) {
    try {
      for (std::size_t t = 0; t < std::min(threads, count); ++t) workers.emplace_back(work);
    } catch (const std::system_error&) {
      // No more threads to be had: go on with those there are, or work here.
    }
  }
  for (std::size_t i = 0; i < count; ++i) {
    Slot slot;
    if (workers.empty()) {
      slot.piece.emplace(produce(i));
    } else {
      std::unique_lock lock(mutex);
      piece_ready.wait(lock, [&] { return slots[i].done; });
      slot = std::move(slots[i]);
    }
    if (slot.error) std::rethrow_exception(slot.error);
    if (!consume(i, std::move(*slot.piece))) return false;
    {
      std::lock_guard lock(mutex);
      consumed = i + 1;
    }
    work_ready.notify_all();
  }
  return true;
}

}  // namespace csp::manifest
