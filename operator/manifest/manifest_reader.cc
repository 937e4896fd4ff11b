#include "csp/manifest/manifest_reader.h"

#include "csp/manifest/json_reader.h"
#include "csp/manifest/yaml_reader.h"

namespace csp::manifest {

bool LooksLikeJson(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    return c == '{' || c == '[';
  }
  return false;
}

void ParseManifests(std::string_view text, std::string_view file, const Limits& limits,
                    const DocumentSink& on_document, const ErrorSink& on_error,
                    const TapeSink* on_tape, const TapePreparer* prepare) {
  // JSON that turns out not to be JSON at its first value is flow-style YAML, or broken either
  // way; YAML, a superset, reads the one and reports the other.
  if (LooksLikeJson(text) && TryParseJsonStream(text, file, limits, on_document, on_error)) return;
  ParseYamlStream(text, file, limits, on_document, on_error, on_tape, prepare);
}

}  // namespace csp::manifest
