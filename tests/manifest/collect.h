// Test helper: runs a reader over a text and collects what it delivers, in order.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "csp/manifest/document.h"

namespace csp::manifest::testing {

struct Collected {
  std::vector<Document> documents;
  std::vector<ReadError> errors;
  // "doc" and "error" in delivery order, to check interleaving.
  std::vector<std::string> order;

  // Errors as FILE:LINE: message.
  std::vector<std::string> ErrorStrings() const {
    std::vector<std::string> out;
    for (const ReadError& error : errors) out.push_back(error.ToString());
    return out;
  }
  // The non-null document values.
  std::vector<nlohmann::json> Values() const {
    std::vector<nlohmann::json> out;
    for (const Document& document : documents) {
      if (!document.value.is_null()) out.push_back(document.value);
    }
    return out;
  }
};

// Reader is ParseManifests, ParseYamlStream or ParseJsonStream.
template <typename Reader>
Collected Collect(Reader reader, std::string_view text, const Limits& limits = {},
                  std::string_view file = "test.yaml") {
  Collected out;
  const DocumentSink on_document = [&](Document&& document) {
    out.order.push_back("doc");
    out.documents.push_back(std::move(document));
  };
  const ErrorSink on_error = [&](ReadError&& error) {
    out.order.push_back("error");
    out.errors.push_back(std::move(error));
  };
  // The YAML readers take an optional TapeSink and TapePreparer, which a function pointer cannot
  // leave out.
  if constexpr (std::is_invocable_v<Reader, std::string_view, std::string_view, const Limits&,
                                    const DocumentSink&, const ErrorSink&>) {
    reader(text, file, limits, on_document, on_error);
  } else {
    reader(text, file, limits, on_document, on_error, nullptr, nullptr);
  }
  return out;
}

}  // namespace csp::manifest::testing
