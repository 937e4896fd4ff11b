#include "csp/controllers/field_owners.h"

namespace csp::controllers {

using json = nlohmann::json;

namespace {

std::string F(std::string_view key) { return "f:" + std::string(key); }

bool Owns(const json& fields, const std::vector<std::string>& path) {
  const json* at = &fields;
  for (const std::string& key : path) {
    if (!at->is_object()) return false;
    auto it = at->find(F(key));
    if (it == at->end()) return false;
    at = &*it;
  }
  return true;
}

}  // namespace

std::optional<std::string> OtherOwnerOf(const json& object, const std::vector<std::string>& path,
                                        std::string_view self) {
  if (!object.is_object()) return std::nullopt;
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return std::nullopt;
  auto entries = meta->find("managedFields");
  if (entries == meta->end() || !entries->is_array()) return std::nullopt;
  std::optional<std::string> owner;
  std::string newest;
  for (const json& entry : *entries) {
    if (!entry.is_object()) continue;
    auto manager = entry.find("manager");
    auto fields = entry.find("fieldsV1");
    if (manager == entry.end() || !manager->is_string() || fields == entry.end()) continue;
    if (*manager == self || !Owns(*fields, path)) continue;
    auto time = entry.find("time");
    const std::string t = time != entry.end() && time->is_string() ? time->get<std::string>() : "";
    if (!owner || t > newest) {
      owner = manager->get<std::string>();
      newest = t;
    }
  }
  return owner;
}

}  // namespace csp::controllers
