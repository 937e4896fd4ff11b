// metav1.LabelSelector: matchLabels AND matchExpressions (In, NotIn, Exists, DoesNotExist).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "csp/policy/field_errors.h"

namespace csp::policy {

using Labels = std::map<std::string, std::string, std::less<>>;

struct LabelRequirement {
  enum class Op { kIn, kNotIn, kExists, kDoesNotExist };
  std::string key = {};
  Op op = Op::kExists;
  std::vector<std::string> values = {};
};

struct LabelSelector {
  std::vector<LabelRequirement> requirements = {};  // matchLabels become kIn with one value
  // An empty selector ({}) selects everything, as in Kubernetes.
  bool Matches(const Labels& labels) const;
};

LabelSelector ParseLabelSelector(const nlohmann::json& v, const std::string& path,
                                 FieldErrors& errors);

// metadata.labels (an object of strings, or null) as Labels.
Labels LabelsFromJson(const nlohmann::json* labels);

}  // namespace csp::policy
