// BOOST_ASSERT for everything that links csp_serve (BOOST_ENABLE_ASSERT_HANDLER, CMakeLists.txt):
// as the default, it prints the failed expression and aborts, with one exception.
//
// Boost.Beast 1.74 (Debian 12's) asserts more than its chunk-header parser needs: a chunked body
// whose last bytes ("0\r\n", then "\r\n") arrive in separate reads trips `n >= 5` or `n >= 3` in
// parse_chunk_header, though the code after the assertion asks for more bytes correctly
// (boostorg/beast#2861, fixed upstream in 2024). Release builds compile the assertion out;
// debug builds (ASan, the fuzzer) would abort on a valid byte stream, so exactly that
// assertion is let through here.
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

bool KnownFalseBeastAssertion(std::string_view expr, std::string_view function,
                              std::string_view file) {
  return file.ends_with("boost/beast/http/impl/basic_parser.ipp") &&
         function.find("parse_chunk_header") != std::string_view::npos &&
         (expr == "n >= 5" || expr == "n >= 3");
}

[[noreturn]] void Fail(const char* expr, const char* msg, const char* function, const char* file,
                       long line) {
  std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed%s%s.\n", file, line, function, expr,
               msg ? ": " : "", msg ? msg : "");
  std::abort();
}

}  // namespace

namespace boost {

void assertion_failed(const char* expr, const char* function, const char* file, long line) {
  if (KnownFalseBeastAssertion(expr, function, file)) return;
  Fail(expr, nullptr, function, file, line);
}

void assertion_failed_msg(const char* expr, const char* msg, const char* function, const char* file,
                          long line) {
  if (KnownFalseBeastAssertion(expr, function, file)) return;
  Fail(expr, msg, function, file, line);
}

}  // namespace boost
