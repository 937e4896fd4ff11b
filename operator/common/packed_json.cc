#include "csp/common/packed_json.h"

namespace csp {

PackedJson::PackedJson(const nlohmann::json& value) {
  if (value.is_null()) return;
  nlohmann::json::to_cbor(value, bytes_);
  bytes_.shrink_to_fit();
}

nlohmann::json PackedJson::Unpack() const {
  if (bytes_.empty()) return nullptr;
  // The bytes are our own encoding of a valid value: decoding cannot fail but by allocation.
  return nlohmann::json::from_cbor(bytes_, /*strict=*/true, /*allow_exceptions=*/true,
                                   nlohmann::json::cbor_tag_handler_t::ignore);
}

}  // namespace csp
