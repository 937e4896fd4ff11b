#include "csp/manifest/yaml_pieces.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

#include "csp/manifest/yaml_document_builder.h"
#include "csp/manifest/yaml_events.h"

namespace csp::manifest {
namespace {

// A line that begins a document: `---` then a blank, a line break or the end. libyaml reads it as
// a document start wherever it appears at column 0 (inside a quoted scalar or a flow collection
// it is an error either way, reported at the same line; only the wording can differ).
bool StartsDocument(std::string_view text, std::size_t at) {
  if (text.compare(at, 3, "---") != 0) return false;
  if (at + 3 == text.size()) return true;
  const char next = text[at + 3];
  return next == ' ' || next == '\t' || next == '\r' || next == '\n';
}

bool HasDirectives(std::string_view text) {
  return text.starts_with('%') || text.find("\n%") != std::string_view::npos;
}

bool IsUtf16(std::string_view text) {
  return text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF");
}

struct Piece {
  RecordedYaml recorded = {};
  bool parsed = false;
};

}  // namespace

std::vector<std::size_t> SplitYamlStream(std::string_view text, std::size_t piece_bytes) {
  std::vector<std::size_t> starts = {0};
  if (piece_bytes == 0 || text.size() <= piece_bytes || IsUtf16(text) || HasDirectives(text)) {
    return starts;
  }
  std::size_t from = piece_bytes;
  while (from < text.size()) {
    const std::size_t newline = text.find("\n---", from - 1);
    if (newline == std::string_view::npos) break;
    const std::size_t start = newline + 1;
    if (StartsDocument(text, start)) {
      starts.push_back(start);
      from = start + piece_bytes;
    } else {
      from = start + 1;
    }
  }
  return starts;
}

bool ParseYamlPieces(std::string_view text, const std::vector<std::size_t>& starts,
                     std::size_t threads, std::string_view file, int line_offset,
                     const Limits& limits, const DocumentSink& on_document,
                     const ErrorSink& on_error, const TapeSink* on_tape) {
  const std::size_t count = starts.size();
  if (count <= 1 || threads <= 1) {
    return ParseYamlText(text, file, line_offset, limits, on_document, on_error, on_tape);
  }
  std::vector<std::string_view> texts(count);
  std::vector<int> line_offsets(count, line_offset);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t end = i + 1 < count ? starts[i + 1] : text.size();
    texts[i] = text.substr(starts[i], end - starts[i]);
    if (i > 0) {
      line_offsets[i] = line_offsets[i - 1] + static_cast<int>(std::count(
                                                  texts[i - 1].begin(), texts[i - 1].end(), '\n'));
    }
  }

  std::vector<Piece> pieces(count);
  std::mutex mutex;
  std::condition_variable work_ready;   // workers: a piece may be started, or stop
  std::condition_variable piece_ready;  // the calling thread: a piece has been parsed
  std::size_t next = 0;                 // the next piece to start
  std::size_t delivered = 0;            // pieces handed to the callbacks
  bool stop = false;
  const std::size_t window = threads + 1;

  auto work = [&] {
    for (;;) {
      std::size_t i = 0;
      {
        std::unique_lock lock(mutex);
        work_ready.wait(lock, [&] { return stop || next >= count || next < delivered + window; });
        if (stop || next >= count) return;
        i = next++;
      }
      RecordedYaml recorded;
      try {
        recorded = RecordYamlEvents(texts[i], file, line_offsets[i], limits);
      } catch (const std::exception& e) {  // bad_alloc, in practice
        recorded =
            RecordedYaml{.error = ReadError{.file = std::string(file),
                                            .line = line_offsets[i] + 1,
                                            .message = std::string("cannot parse: ") + e.what()}};
      }
      {
        std::lock_guard lock(mutex);
        pieces[i].recorded = std::move(recorded);
        pieces[i].parsed = true;
      }
      piece_ready.notify_one();
    }
  };

  std::vector<std::thread> workers;
  // Stops and joins the workers however this function is left (a callback may throw).
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
  try {
    for (std::size_t t = 0; t < std::min(threads, count); ++t) workers.emplace_back(work);
  } catch (const std::system_error&) {
    // No more threads to be had: go on with those there are, or parse here.
    if (workers.empty()) {
      return ParseYamlText(text, file, line_offset, limits, on_document, on_error, on_tape);
    }
  }

  YamlDocumentBuilder builder(file, limits, on_document, on_error);
  for (std::size_t i = 0; i < count; ++i) {
    RecordedYaml recorded;
    {
      std::unique_lock lock(mutex);
      piece_ready.wait(lock, [&] { return pieces[i].parsed; });
      recorded = std::move(pieces[i].recorded);
    }
    builder.set_line_offset(line_offsets[i]);
    if (!ReplayYamlEvents(recorded, builder, on_error, on_tape))
      return false;  // nothing after the error
    {
      std::lock_guard lock(mutex);
      delivered = i + 1;
    }
    work_ready.notify_all();
  }
  return true;
}

}  // namespace csp::manifest
