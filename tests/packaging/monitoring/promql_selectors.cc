#include "promql_selectors.h"

#include <cctype>

namespace csp::monitoring {
namespace {

bool IsNameStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}
bool IsNameChar(char c) { return IsNameStart(c) || std::isdigit(static_cast<unsigned char>(c)); }

// Words that are never metric names where they stand: binary and set operators, modifiers and
// the literals Inf and NaN.
bool IsKeyword(std::string_view word) {
  for (std::string_view k : {"and", "or", "unless", "offset", "bool", "atan2", "inf", "nan", "Inf",
                             "NaN", "start", "end"}) {
    if (word == k) return true;
  }
  return false;
}

bool TakesLabelList(std::string_view word) {
  for (std::string_view k : {"by", "without", "on", "ignoring", "group_left", "group_right"}) {
    if (word == k) return true;
  }
  return false;
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  QueryNames Run() {
    QueryNames out;
    while (SkipSpace(), pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '"' || c == '\'' || c == '`') {
        ReadString();
      } else if (c == '[') {
        SkipPast(']');  // a range or subquery: durations and Grafana's $__rate_interval
      } else if (c == '{') {
        out.selectors.push_back(Selector{.metric = "", .matchers = ReadMatchers()});
      } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
        while (pos_ < text_.size() && (IsNameChar(text_[pos_]) || text_[pos_] == '.')) ++pos_;
      } else if (IsNameStart(c)) {
        ReadWord(out);
      } else {
        ++pos_;
      }
    }
    return out;
  }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  char Peek() {
    SkipSpace();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }
  bool NextWordIs(std::string_view word) {
    SkipSpace();
    const size_t end = pos_ + word.size();
    return text_.substr(pos_, word.size()) == word &&
           (end >= text_.size() || !IsNameChar(text_[end]));
  }
  void SkipPast(char close) {
    while (pos_ < text_.size() && text_[pos_] != close) ++pos_;
    if (pos_ < text_.size()) ++pos_;
  }
  std::string ReadName() {
    const size_t start = pos_;
    while (pos_ < text_.size() && IsNameChar(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }
  std::string ReadString() {
    const char quote = text_[pos_++];
    std::string value;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      if (text_[pos_] == '\\' && quote != '`' && pos_ + 1 < text_.size()) value += text_[pos_++];
      value += text_[pos_++];
    }
    if (pos_ < text_.size()) ++pos_;
    return value;
  }

  void ReadWord(QueryNames& out) {
    const std::string word = ReadName();
    if (TakesLabelList(word)) {
      if (Peek() == '(') ReadLabelList(out.grouping_labels);
      return;
    }
    // An operator, a function's name, or an aggregation with its labels first (sum by (x) (...)).
    if (IsKeyword(word) || Peek() == '(' || NextWordIs("by") || NextWordIs("without")) return;
    Selector selector{.metric = word};
    if (Peek() == '{') selector.matchers = ReadMatchers();
    out.selectors.push_back(std::move(selector));
  }

  void ReadLabelList(std::set<std::string>& labels) {
    ++pos_;  // (
    while (Peek() != ')' && pos_ < text_.size()) {
      if (IsNameStart(text_[pos_])) {
        labels.insert(ReadName());
      } else {
        ++pos_;
      }
    }
    if (pos_ < text_.size()) ++pos_;
  }

  std::vector<LabelMatcher> ReadMatchers() {
    std::vector<LabelMatcher> matchers;
    ++pos_;  // {
    while (Peek() != '}' && pos_ < text_.size()) {
      if (text_[pos_] == '"' || text_[pos_] == '\'' || text_[pos_] == '`') {
        // A quoted metric name (Prometheus 3: {"name"}); kept as a __name__ matcher.
        matchers.push_back({.label = "__name__", .op = "=", .value = ReadString()});
        continue;
      }
      if (!IsNameStart(text_[pos_])) {
        ++pos_;
        continue;
      }
      LabelMatcher matcher{.label = ReadName()};
      SkipSpace();
      while (pos_ < text_.size() &&
             (text_[pos_] == '=' || text_[pos_] == '!' || text_[pos_] == '~')) {
        matcher.op += text_[pos_++];
      }
      const char quote = Peek();
      if (quote == '"' || quote == '\'' || quote == '`') matcher.value = ReadString();
      matchers.push_back(std::move(matcher));
    }
    if (pos_ < text_.size()) ++pos_;
    return matchers;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

QueryNames ExtractNames(std::string_view promql) { return Scanner(promql).Run(); }

QueryNames ExtractGrafanaVariableNames(std::string_view query) {
  constexpr std::string_view kLabelValues = "label_values(";
  const size_t start = query.find(kLabelValues);
  const size_t close = query.rfind(')');
  if (start == std::string_view::npos || close == std::string_view::npos || close < start) {
    return ExtractNames(query);
  }
  const std::string_view args =
      query.substr(start + kLabelValues.size(), close - start - kLabelValues.size());
  const size_t comma = args.rfind(',');
  QueryNames out =
      comma == std::string_view::npos ? QueryNames{} : ExtractNames(args.substr(0, comma));
  std::string_view label = comma == std::string_view::npos ? args : args.substr(comma + 1);
  while (!label.empty() && std::isspace(static_cast<unsigned char>(label.front()))) {
    label.remove_prefix(1);
  }
  while (!label.empty() && std::isspace(static_cast<unsigned char>(label.back()))) {
    label.remove_suffix(1);
  }
  if (!label.empty()) out.grouping_labels.insert(std::string(label));
  return out;
}

}  // namespace csp::monitoring
