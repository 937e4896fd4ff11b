#include "csp/policy/label_selector.h"

#include <algorithm>
#include <array>

namespace csp::policy {

using json = nlohmann::json;

bool LabelSelector::Matches(const Labels& labels) const {
  for (const LabelRequirement& r : requirements) {
    auto it = labels.find(r.key);
    bool has = it != labels.end();
    bool in = has && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end();
    switch (r.op) {
      case LabelRequirement::Op::kIn:
        if (!in) return false;
        break;
      case LabelRequirement::Op::kNotIn:
        if (in) return false;  // a missing key satisfies NotIn, as in Kubernetes
        break;
      case LabelRequirement::Op::kExists:
        if (!has) return false;
        break;
      case LabelRequirement::Op::kDoesNotExist:
        if (has) return false;
        break;
    }
  }
  return true;
}

LabelSelector ParseLabelSelector(const json& v, const std::string& path, FieldErrors& errors) {
  LabelSelector sel;
  if (!ExpectType(v, json::value_t::object, path, errors)) return sel;
  static constexpr std::array<std::string_view, 2> kFields = {"matchLabels", "matchExpressions"};
  RejectUnknownFields(v, kFields, path, errors);
  if (const json* ml = GetField(v, "matchLabels")) {
    std::string p = path + ".matchLabels";
    if (ExpectType(*ml, json::value_t::object, p, errors)) {
      for (auto it = ml->begin(); it != ml->end(); ++it) {
        if (ExpectType(*it, json::value_t::string, p + "." + it.key(), errors)) {
          sel.requirements.push_back({.key = it.key(),
                                      .op = LabelRequirement::Op::kIn,
                                      .values = {it->get<std::string>()}});
        }
      }
    }
  }
  if (const json* me = GetField(v, "matchExpressions")) {
    std::string p = path + ".matchExpressions";
    if (ExpectType(*me, json::value_t::array, p, errors)) {
      for (std::size_t i = 0; i < me->size(); ++i) {
        std::string ip = p + "[" + std::to_string(i) + "]";
        const json& e = (*me)[i];
        if (!ExpectType(e, json::value_t::object, ip, errors)) continue;
        static constexpr std::array<std::string_view, 3> kExprFields = {"key", "operator",
                                                                        "values"};
        RejectUnknownFields(e, kExprFields, ip, errors);
        LabelRequirement r;
        const json* key = GetField(e, "key");
        if (key == nullptr) {
          errors.Add(ip + ".key", "required");
        } else if (ExpectType(*key, json::value_t::string, ip + ".key", errors)) {
          r.key = key->get<std::string>();
        }
        const json* op = GetField(e, "operator");
        std::string op_name;
        if (op == nullptr) {
          errors.Add(ip + ".operator", "required");
        } else if (ExpectType(*op, json::value_t::string, ip + ".operator", errors)) {
          op_name = op->get<std::string>();
          if (op_name == "In") {
            r.op = LabelRequirement::Op::kIn;
          } else if (op_name == "NotIn") {
            r.op = LabelRequirement::Op::kNotIn;
          } else if (op_name == "Exists") {
            r.op = LabelRequirement::Op::kExists;
          } else if (op_name == "DoesNotExist") {
            r.op = LabelRequirement::Op::kDoesNotExist;
          } else {
            errors.Add(ip + ".operator",
                       "\"" + op_name + "\" is not one of In, NotIn, Exists, DoesNotExist");
            op_name.clear();
          }
        }
        if (const json* vals = GetField(e, "values"))
          ReadStringList(*vals, ip + ".values", errors, r.values);
        bool set_op = r.op == LabelRequirement::Op::kIn || r.op == LabelRequirement::Op::kNotIn;
        if (!op_name.empty() && set_op && r.values.empty()) {
          errors.Add(ip + ".values", "must be non-empty for operator " + op_name);
        } else if (!op_name.empty() && !set_op && !r.values.empty()) {
          errors.Add(ip + ".values", "must be empty for operator " + op_name);
        }
        sel.requirements.push_back(std::move(r));
      }
    }
  }
  return sel;
}

Labels LabelsFromJson(const json* labels) {
  Labels out;
  if (labels == nullptr || !labels->is_object()) return out;
  for (auto it = labels->begin(); it != labels->end(); ++it) {
    if (it->is_string()) out.emplace(it.key(), it->get<std::string>());
  }
  return out;
}

}  // namespace csp::policy
