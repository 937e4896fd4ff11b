// What an HttpServer serves: a handler per exact path, each returning a complete response.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace csp::serve {

// One request as a handler sees it. The views are valid only during the handler's call.
struct Request {
  std::string_view method = {};        // as sent, case-sensitive: "GET", "HEAD", "POST", ...
  std::string_view path = {};          // the target without its query string or fragment
  std::string_view content_type = {};  // the Content-Type header; empty when absent
  std::string_view body = {};
};

struct Response {
  // 200..599 except 204 (it cannot carry the Content-Length every response has); anything else,
  // or a Content-Type with a control character, is answered with 500.
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body = {};
};

// A handler that throws gives 500. With ServerOptions::threads > 1 handlers run concurrently
// (even the same one, on several connections) and must be thread-safe; with one thread a slow
// handler delays every other request, so handlers should not block.
using Handler = std::function<Response(const Request&)>;

struct Route {
  // The methods served (compared case-sensitively); other methods get 405 with an Allow header
  // naming these. HEAD calls the handler and sends the headers without the body.
  std::vector<std::string> methods = {"GET", "HEAD"};
  Handler handler = {};
};

using Routes = std::map<std::string, Route, std::less<>>;  // exact path -> route

}  // namespace csp::serve
