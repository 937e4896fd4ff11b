// Multi-document YAML to JSON values, with libyaml's event API: yaml-cpp's LoadAll needs 4 to 7 s
// and ~700 MB for the 13 MB benchmark corpus, this reader well under a second and ~30 MB.
//
// Beyond the scalar typing of scalar.h, the semantics follow kubectl (sigs.k8s.io/yaml):
// - Anchors and aliases are expanded by copy; each copy counts against the node and byte limits
//   (billion laughs is refused: "document expands to more than N nodes"), and an alias whose
//   expansion would nest deeper than max_depth is refused. An alias to an anchor that is not
//   defined yet (including one inside its own node) is an error.
// - Merge keys (`<<: *base`, `<<: [*a, *b]`, or an inline mapping) copy the keys the mapping does
//   not set itself; earlier sources win over later ones. Anything else as a merge value is an
//   error.
// - A duplicate key in one mapping is an error, `mapping key "x" already defined at line N`, as
//   in kubectl's strict decoding; a security scanner must not pick a different duplicate than the
//   API server does. Keys that come from a merge never conflict.
// - Mapping keys must be scalars (or aliases to scalars); a mapping or sequence as a key is an
//   error.
// - Tags on mappings and sequences are ignored.
// - A document that breaks a rule or a limit is reported and skipped, and the stream goes on with
//   the next document.
// - A document libyaml cannot finish (a syntax error, nesting beyond max_depth, a byte YAML
//   forbids) is reported, and reading resumes at the next line that separates documents as
//   kubectl's YAML reader splits a file: `---` at column 0 followed by nothing but blanks or a
//   comment. libyaml cannot resynchronise by itself, and one half-edited document must not hide
//   the violations after it.
#pragma once

#include <string_view>

#include "csp/manifest/document.h"
#include "csp/manifest/yaml_tape.h"

namespace csp::manifest {

// Parses `text` as a YAML stream; calls on_document for each document in order (empty ones
// included, with a null value) and on_error for each broken one. With `on_tape`, each document
// libyaml reads to its end is offered to it first (yaml_tape.h); the results are the same
// either way. `prepare` runs on the worker threads of a read in pieces (yaml_pieces.h).
void ParseYamlStream(std::string_view text, std::string_view file, const Limits& limits,
                     const DocumentSink& on_document, const ErrorSink& on_error,
                     const TapeSink* on_tape = nullptr, const TapePreparer* prepare = nullptr);

}  // namespace csp::manifest
