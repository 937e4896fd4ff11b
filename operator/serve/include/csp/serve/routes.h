// What an HttpServer serves: a handler per exact path, each returning a complete response.
#pragma once

#include <functional>
#include <map>
#include <string>

namespace csp::serve {

struct Response {
  int status = 200;  // 200..599 except 204; anything else is answered with 500
  std::string content_type = "text/plain; charset=utf-8";
  std::string body = {};
};

// Handlers run on the server's single thread, one at a time: they must be quick and must not
// block (render from state kept up to date elsewhere). A handler that throws gives 500.
using Handler = std::function<Response()>;
using Routes = std::map<std::string, Handler, std::less<>>;  // exact path -> handler

}  // namespace csp::serve
