#include "manifest_writer.h"

#include <utility>  // before Boost.Asio, which needs std::exchange
//
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "csp/registry/digest.h"

namespace csp::registry::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;

std::string PutManifests(const std::string& host, std::string_view repository,
                         std::span<const std::string> manifests, std::string_view media_type) {
  const std::size_t colon = host.rfind(':');
  try {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address(host.substr(0, colon)),
                    static_cast<unsigned short>(std::stoi(host.substr(colon + 1)))});
    boost::beast::flat_buffer buffer;
    for (const std::string& manifest : manifests) {
      const std::string target =
          "/v2/" + std::string(repository) + "/manifests/" + Sha256Digest(manifest);
      http::request<http::string_body> request(http::verb::put, target, 11);
      request.set(http::field::host, host);
      request.set(http::field::content_type, std::string(media_type));
      request.body() = manifest;
      request.prepare_payload();
      http::write(socket, request);
      http::response<http::string_body> response;
      http::read(socket, buffer, response);
      if (response.result_int() / 100 != 2) {
        return "PUT " + target + ": " + std::to_string(response.result_int()) + " " +
               response.body();
      }
    }
  } catch (const std::exception& e) {
    return std::string("PUT manifests to ") + host + ": " + e.what();
  }
  return "";
}

}  // namespace csp::registry::testing
