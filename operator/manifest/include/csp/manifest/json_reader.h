// JSON manifests, with nlohmann's SAX parser (faster than going through libyaml for JSON input).
//
// Like kubectl's JSON decoder, the input may hold several top-level values one after another
// (whitespace between them optional after an object or array); each is a document. The rules
// match the YAML reader's: a duplicate key is an error (`mapping key "x" already defined`), and
// the same Limits apply. A value that breaks a rule or limit is reported and skipped; a syntax
// error ends the stream (documents before it have been delivered). Numbers keep nlohmann's types
// (int64, uint64, double).
#pragma once

#include <string_view>

#include "csp/manifest/document.h"

namespace csp::manifest {

void ParseJsonStream(std::string_view text, std::string_view file, const Limits& limits,
                     const DocumentSink& on_document, const ErrorSink& on_error);

// Like ParseJsonStream, except that when the first value has a syntax error nothing is reported
// and it returns false: the text is not JSON after all. ParseManifests then reads it as YAML,
// which accepts flow-style documents such as `{kind: Pod}` that merely look like JSON.
bool TryParseJsonStream(std::string_view text, std::string_view file, const Limits& limits,
                        const DocumentSink& on_document, const ErrorSink& on_error);

}  // namespace csp::manifest
