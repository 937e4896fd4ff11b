// Feeds arbitrary bytes to the HTTP server's request handling as a connection delivers them
// (operator/serve/session.h): Beast's request parser with the server's limits reads a request,
// the server answers it (or the read error), and the next request on the same bytes follows while
// the answer keeps the connection alive. Every answer must be a framed HTTP/1.1 response whose
// head holds only lines the server sets, and the requests served must not depend on how the bytes
// were split into reads (all at once, or one byte at a time). How a malformed request ends the
// connection may: Beast finds some errors only in a complete line (a bare LF: 400 when the bytes
// come at once, a silent close at the end of a byte-by-byte stream).
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "respond.h"

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using csp::serve::BeastResponse;
using csp::serve::Request;
using csp::serve::Response;
using csp::serve::Route;

const csp::serve::Routes& TestRoutes() {
  static const auto* routes = new csp::serve::Routes{
      {"/healthz", {.handler = [](const Request&) { return Response{.body = "ok\n"}; }}},
      {"/metrics",
       {.handler =
            [](const Request&) {
              return Response{.content_type = "text/plain", .body = "x 1\n"};
            }}},
      {"/throws", {.handler = [](const Request&) -> Response { throw 1; }}},
      {"/validate",
       {.methods = {"POST"},
        .handler = [](const Request& r) { return Response{.body = std::string(r.body)}; }}},
  };
  return *routes;
}

// Small limits, so that the fuzzer reaches them.
const csp::serve::ServerOptions kOptions = {.max_head_bytes = 512, .max_body_bytes = 1024};

// A SyncReadStream over the input that hands out at most `piece` bytes per read.
class PieceStream {
 public:
  PieceStream(std::string_view input, std::size_t piece) : input_(input), piece_(piece) {}

  template <class Buffers>
  std::size_t read_some(const Buffers& buffers, boost::system::error_code& ec) {
    if (input_.empty()) {
      ec = asio::error::eof;
      return 0;
    }
    ec = {};
    const std::size_t n =
        asio::buffer_copy(buffers, asio::buffer(input_.data(), std::min(piece_, input_.size())));
    input_.remove_prefix(n);
    return n;
  }
  template <class Buffers>
  std::size_t read_some(const Buffers& buffers) {
    boost::system::error_code ec;
    const std::size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

 private:
  std::string_view input_;
  std::size_t piece_;
};

// The response head must hold only lines the server writes: no byte of the request reaches it.
void CheckFramed(const std::string& wire) {
  const std::size_t end_of_head = wire.find("\r\n\r\n");
  if (!wire.starts_with("HTTP/1.1 ") || end_of_head == std::string::npos) __builtin_trap();
  std::string_view head = std::string_view(wire).substr(0, end_of_head + 2);
  head.remove_prefix(head.find("\r\n") + 2);
  while (!head.empty()) {
    const std::string_view line = head.substr(0, head.find("\r\n"));
    head.remove_prefix(line.size() + 2);
    if (!line.starts_with("Content-Type: ") && !line.starts_with("Content-Length: ") &&
        line != "Connection: close" && line != "Allow: GET, HEAD" && line != "Allow: POST") {
      __builtin_trap();
    }
  }
}

std::string Wire(const BeastResponse& response) {
  std::ostringstream wire;
  wire << response;
  return wire.str();
}

// The wire bytes of the answers to the requests the server serves from `input` read `piece` bytes
// at a time; the answer to a read error (400, 413, 431) is checked but not returned.
std::vector<std::string> Answers(std::string_view input, std::size_t piece) {
  PieceStream stream(input, piece);
  boost::beast::flat_buffer buffer;
  std::vector<std::string> answers;
  for (;;) {
    csp::serve::RequestParser parser;
    csp::serve::LimitParser(parser, kOptions);
    boost::system::error_code ec;
    http::read(stream, buffer, parser, ec);
    if (ec) {
      if (std::optional<BeastResponse> response = csp::serve::RespondToReadError(ec)) {
        if (response->keep_alive()) __builtin_trap();
        CheckFramed(Wire(*response));
      }
      return answers;
    }
    const BeastResponse response = csp::serve::RespondTo(TestRoutes(), parser.get());
    answers.push_back(Wire(response));
    CheckFramed(answers.back());
    if (!response.keep_alive()) return answers;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (Answers(input, input.size() + 1) != Answers(input, 1)) __builtin_trap();
  return 0;
}
