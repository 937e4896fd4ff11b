// A YAML stream as its source text lays it out: every node with its byte range, style, and
// for mappings the key of each entry, so that an edit can touch exactly the bytes it changes
// (yaml_patch.h). The values themselves are csp::manifest's business; this only locates.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "csp/common/result.h"

namespace csp::fix {

struct SourceNode {
  enum class Type { kScalar, kMapping, kSequence, kAlias };
  enum class Style { kPlain, kSingleQuoted, kDoubleQuoted, kBlockScalar, kBlock, kFlow };
  Type type = Type::kScalar;
  Style style = Style::kPlain;
  std::size_t start = 0;  // byte offset of the node's first byte (a block sequence: its `-`)
  std::size_t end = 0;    // one past its last byte (block collections: where the next token is)
  std::size_t line = 0;   // 0-based line of `start`
  std::size_t column = 0;
  bool anchored = false;                  // the node has an anchor (&a)
  std::string value = {};                 // a scalar's value
  std::vector<SourceNode> keys = {};      // a mapping's keys (scalars), in source order
  std::vector<SourceNode> children = {};  // a mapping's values (parallel to keys), or items

  // The value of key `key` of a mapping, or null.
  const SourceNode* Find(std::string_view key) const;
  // The last byte offset any scalar or flow collection of this subtree reaches.
  std::size_t ContentEnd() const;
  // True when the subtree holds an anchor or an alias (an edit could change other places).
  bool SharesNodes() const;
};

// The root node of each document of `text`, in order (an empty document's root is an empty
// plain scalar). A syntax error is an InvalidArgument naming its line.
Result<std::vector<SourceNode>> ParseSource(std::string_view text);

}  // namespace csp::fix
