#include "csp/imageverify/image_report.h"

#include <algorithm>

namespace csp::imageverify {
namespace {

using policy::SignatureVerdict;

std::vector<std::string> Layouts(const VerifyResult& r) {
  std::vector<std::string> out;
  if (r.bundle_found) out.emplace_back("bundle");
  if (r.legacy_found) out.emplace_back("legacy");
  return out;
}

std::string ResultName(SignatureVerdict v) {
  switch (v) {
    case SignatureVerdict::kVerified:
      return "verified";
    case SignatureVerdict::kNotSigned:
      return "not-signed";
    case SignatureVerdict::kError:
      return "error";
  }
  return "error";
}

struct Cells {
  std::string image = {}, digest = {}, signatures = {}, verified = {}, detail = {};
};

Cells ToCells(const ImageRow& row, bool have_keys) {
  const VerifyResult& r = row.result;
  Cells c{.image = row.image, .digest = r.digest.empty() ? "-" : r.digest};
  std::vector<std::string> layouts = Layouts(r);
  if (r.verdict == SignatureVerdict::kError && r.digest.empty()) {
    c.signatures = "-";
  } else if (layouts.empty()) {
    c.signatures = "none";
  } else {
    for (const std::string& l : layouts) c.signatures += (c.signatures.empty() ? "" : ",") + l;
  }
  if (r.verdict == SignatureVerdict::kError) {
    c.verified = "error";
    c.detail = r.detail;
  } else if (!have_keys) {
    c.verified = "-";
    c.detail = layouts.empty() ? "no signature" : "no key given";
  } else if (r.verdict == SignatureVerdict::kVerified) {
    c.verified = r.key_name + " (" + std::string(LayoutName(r.verified_layout)) + ")";
  } else {
    c.verified = "no";
    c.detail = r.detail;
  }
  return c;
}

}  // namespace

void WriteImageTable(const std::vector<ImageRow>& rows, bool have_keys, std::ostream& out) {
  std::vector<Cells> cells = {{"IMAGE", "DIGEST", "SIGNATURES", "VERIFIED", "DETAIL"}};
  for (const ImageRow& row : rows) cells.push_back(ToCells(row, have_keys));
  std::size_t w[4] = {};
  for (const Cells& c : cells) {
    w[0] = std::max(w[0], c.image.size());
    w[1] = std::max(w[1], c.digest.size());
    w[2] = std::max(w[2], c.signatures.size());
    w[3] = std::max(w[3], c.verified.size());
  }
  auto pad = [](const std::string& s, std::size_t width) {
    return s + std::string(width - s.size() + 2, ' ');
  };
  for (const Cells& c : cells) {
    out << pad(c.image, w[0]) << pad(c.digest, w[1]) << pad(c.signatures, w[2])
        << (c.detail.empty() ? c.verified : pad(c.verified, w[3]) + c.detail) << '\n';
  }
}

nlohmann::json ImageReportJson(const std::vector<ImageRow>& rows, bool have_keys) {
  nlohmann::json images = nlohmann::json::array();
  for (const ImageRow& row : rows) {
    const VerifyResult& r = row.result;
    nlohmann::json j = {{"image", row.image},
                        {"signatures", Layouts(r)},
                        {"result", ResultName(r.verdict)},
                        {"usedBy", row.users}};
    if (!r.digest.empty()) j["digest"] = r.digest;
    if (have_keys || r.verdict == SignatureVerdict::kError) {
      j["verified"] = r.verdict == SignatureVerdict::kVerified;
      if (!r.detail.empty()) j["detail"] = r.detail;
    } else {
      j["result"] = "unchecked";  // no key: only whether signatures exist
    }
    if (r.verdict == SignatureVerdict::kVerified && have_keys) {
      j["key"] = r.key_name;
      j["layout"] = LayoutName(r.verified_layout);
    }
    images.push_back(std::move(j));
  }
  return {{"images", std::move(images)}};
}

}  // namespace csp::imageverify
