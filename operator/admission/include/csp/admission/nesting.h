// How deep JSON text nests, found without parsing it, so that a hostile document is refused
// before anything recursive touches it.
#pragma once

#include <cstddef>
#include <string_view>

namespace csp::admission {

// True when no array or object in `text` lies deeper than `limit` (the outermost one is depth
// 1). Brackets inside strings do not count. `text` need not be valid JSON: this only bounds it.
bool NestingWithin(std::string_view text, std::size_t limit);

}  // namespace csp::admission
