// Unsigned or unpinned images can be swapped under a running workload.
// Fields:  image of each container
// Checks:  requireDigest (@sha256:<64 hex>), allowedRegistries (host/path prefixes), and the
//          cosign signature against `keys` (verdicts come from outside the engine: offline
//          scans have none, so that part is `skip`; transparencyLog tells that verifier what to
//          ask of Rekor entries). Parts combine fail > error > skip > pass.
#include <array>
#include <set>

#include "csp/policy/cel.h"
#include "csp/policy/control.h"
#include "csp/policy/signature_keys.h"
#include "csp/policy/text.h"

namespace csp::policy::controls {
namespace {

using json = nlohmann::json;

struct Settings : ControlSettings {
  bool require_digest = false;
  std::vector<std::string> allowed_registries;  // normalized prefixes
  std::vector<std::string> key_names;
  std::vector<SignatureKeySpec> keys;
  TransparencyLogSpec transparency_log;
};

constexpr std::array<ControlField, 4> kFields = {{
    {"requireDigest", "false"},
    {"allowedRegistries", "[]"},
    {"keys", "[]"},
    {"transparencyLog", "{}"},  // the CRD fills required: false, publicKeys: [] inside
}};
constexpr std::array<std::string_view, 3> kKeyFields = {"name", "publicKey", "secretRef"};
constexpr std::array<std::string_view, 2> kTransparencyLogFields = {"required", "publicKeys"};
constexpr std::array<std::string_view, 2> kRekorKeyFields = {"name", "publicKey"};
constexpr std::array<std::string_view, 3> kSecretRefFields = {"namespace", "name", "key"};

// Whether `pem` (at `path`) is a string holding a PEM public key; an error is added if not.
bool IsPemPublicKey(const json& pem, const std::string& path, FieldErrors& errors) {
  if (!ExpectType(pem, json::value_t::string, path, errors)) return false;
  if (pem.get_ref<const std::string&>().find("-----BEGIN PUBLIC KEY-----") == std::string::npos) {
    errors.Add(path, "not a PEM public key (-----BEGIN PUBLIC KEY-----)");
    return false;
  }
  return true;
}

void ParseKey(const json& k, const std::string& path, FieldErrors& errors, Settings& s) {
  if (!ExpectType(k, json::value_t::object, path, errors)) return;
  RejectUnknownFields(k, kKeyFields, path, errors);
  SignatureKeySpec spec;
  const json* name = GetField(k, "name");
  if (name == nullptr) {
    errors.Add(path + ".name", "required");
  } else if (ExpectType(*name, json::value_t::string, path + ".name", errors)) {
    s.key_names.push_back(name->get<std::string>());
    spec.name = name->get<std::string>();
  }
  const json* pem = GetField(k, "publicKey");
  const json* ref = GetField(k, "secretRef");
  if ((pem == nullptr) == (ref == nullptr)) {
    errors.Add(path, "exactly one of publicKey and secretRef is required");
  }
  if (pem != nullptr && IsPemPublicKey(*pem, path + ".publicKey", errors)) {
    spec.public_key_pem = pem->get<std::string>();
  }
  if (ref != nullptr && ExpectType(*ref, json::value_t::object, path + ".secretRef", errors)) {
    RejectUnknownFields(*ref, kSecretRefFields, path + ".secretRef", errors);
    std::array<std::string, 3> values;
    for (std::size_t i = 0; i < kSecretRefFields.size(); ++i) {
      const json* v = GetField(*ref, kSecretRefFields[i]);
      std::string fp = path + ".secretRef." + std::string(kSecretRefFields[i]);
      if (v == nullptr) {
        errors.Add(fp, "required");
      } else if (ExpectType(*v, json::value_t::string, fp, errors)) {
        values[i] = v->get<std::string>();
      }
    }
    spec.secret_ref =
        SignatureKeySpec::SecretRef{.ns = values[0], .name = values[1], .key = values[2]};
  }
  s.keys.push_back(std::move(spec));
}

// transparencyLog: {required, publicKeys: [{name, publicKey}]}. Rekor keys are public and
// rotate rarely, so they are inline only.
void ParseTransparencyLog(const json& t, const std::string& path, FieldErrors& errors,
                          TransparencyLogSpec& out) {
  if (!ExpectType(t, json::value_t::object, path, errors)) return;
  RejectUnknownFields(t, kTransparencyLogFields, path, errors);
  if (const json* v = GetField(t, "required")) {
    if (ExpectType(*v, json::value_t::boolean, path + ".required", errors)) {
      out.required = v->get<bool>();
    }
  }
  const json* keys = GetField(t, "publicKeys");
  if (keys != nullptr && ExpectType(*keys, json::value_t::array, path + ".publicKeys", errors)) {
    std::set<std::string> names;
    for (std::size_t i = 0; i < keys->size(); ++i) {
      const std::string kp = path + ".publicKeys[" + std::to_string(i) + "]";
      const json& k = (*keys)[i];
      if (!ExpectType(k, json::value_t::object, kp, errors)) continue;
      RejectUnknownFields(k, kRekorKeyFields, kp, errors);
      SignatureKeySpec spec;
      const json* name = GetField(k, "name");
      if (name == nullptr) {
        errors.Add(kp + ".name", "required");
      } else if (ExpectType(*name, json::value_t::string, kp + ".name", errors)) {
        spec.name = name->get<std::string>();
        if (!names.insert(spec.name).second) errors.Add(kp + ".name", "duplicate name");
      }
      const json* pem = GetField(k, "publicKey");
      if (pem == nullptr) {
        errors.Add(kp + ".publicKey", "required");
      } else if (IsPemPublicKey(*pem, kp + ".publicKey", errors)) {
        spec.public_key_pem = pem->get<std::string>();
        out.public_keys.push_back(std::move(spec));
      }
    }
  }
  if (out.required && (keys == nullptr || !keys->is_array() || keys->empty())) {
    errors.Add(path + ".publicKeys",
               "required: true needs at least one Rekor public key to verify entries with");
  }
}

std::shared_ptr<const ControlSettings> Parse(const json& obj, const std::string& path,
                                             FieldErrors& errors) {
  auto s = std::make_shared<Settings>();
  if (const json* v = GetField(obj, "requireDigest")) {
    if (ExpectType(*v, json::value_t::boolean, path + ".requireDigest", errors)) {
      s->require_digest = v->get<bool>();
    }
  }
  if (const json* v = GetField(obj, "allowedRegistries")) {
    std::vector<std::string> entries;
    ReadStringList(*v, path + ".allowedRegistries", errors, entries);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].empty()) {
        errors.Add(path + ".allowedRegistries[" + std::to_string(i) + "]", "must not be empty");
      } else {
        s->allowed_registries.push_back(NormalizeRegistryPrefix(entries[i]));
      }
    }
  }
  if (const json* v = GetField(obj, "keys")) {
    if (ExpectType(*v, json::value_t::array, path + ".keys", errors)) {
      for (std::size_t i = 0; i < v->size(); ++i) {
        ParseKey((*v)[i], path + ".keys[" + std::to_string(i) + "]", errors, *s);
      }
    }
  }
  if (const json* v = GetField(obj, "transparencyLog")) {
    ParseTransparencyLog(*v, path + ".transparencyLog", errors, s->transparency_log);
  }
  const json* enabled = GetField(obj, "enabled");
  bool on = enabled != nullptr && enabled->is_boolean() && enabled->get<bool>();
  if (on && !s->require_digest && s->allowed_registries.empty() && s->key_names.empty()) {
    errors.Add(path, "enabled with nothing to check: set requireDigest, allowedRegistries or keys");
  }
  return s;
}

int Rank(Outcome o) {  // fail > error > skip > pass
  switch (o) {
    case Outcome::kFail:
      return 3;
    case Outcome::kError:
      return 2;
    case Outcome::kSkip:
      return 1;
    case Outcome::kPass:
      return 0;
  }
  return 0;
}

Finding Check(const PodSpec& pod, const ControlSettings& settings, const EvalContext& ctx) {
  const auto& s = static_cast<const Settings&>(settings);
  Finding f;
  std::vector<std::string> skipped, errored;
  auto worse = [&](Outcome o) {
    if (Rank(o) > Rank(f.outcome)) f.outcome = o;
  };
  ForEachContainer(pod, [&](const Container& c) {
    ImageRef ref = ParseImageRef(c.image);
    const std::string who = ContainerLabel(c) + ": image " + std::string(c.image);
    bool failed = false;
    if (s.require_digest && !IsValidDigest(ref.digest)) {
      f.violations.push_back(who + " is not pinned by digest (@sha256:<64 hex>)");
      failed = true;
    }
    if (!s.allowed_registries.empty()) {
      bool allowed = false;
      for (const std::string& p : s.allowed_registries) allowed = allowed || RegistryAllows(p, ref);
      if (!allowed) {
        f.violations.push_back(who + " (" + ref.host + "/" + ref.path +
                               ") is not from an allowed registry");
        failed = true;
      }
    }
    if (!s.key_names.empty()) {
      std::string detail;
      std::optional<SignatureVerdict> v =
          ctx.signatures ? ctx.signatures->Lookup(c.image, &detail) : std::nullopt;
      if (!v) {
        skipped.push_back(who + ": signature not checked" + (ctx.signatures ? "" : " (offline)"));
        worse(Outcome::kSkip);
      } else if (*v == SignatureVerdict::kNotSigned) {
        f.violations.push_back(who + " has no signature verified by a configured key" +
                               (detail.empty() ? "" : ": " + detail));
        failed = true;
      } else if (*v == SignatureVerdict::kError) {
        errored.push_back(who + ": signature could not be checked: " + detail);
        worse(Outcome::kError);
      } else if (std::string digest = ctx.signatures->VerifiedDigest(c.image); !digest.empty()) {
        f.properties["verifiedDigest." + std::string(c.name)] = std::move(digest);
      }
    }
    if (failed) {
      f.containers.emplace_back(c.name);
      worse(Outcome::kFail);
    }
  });
  if (f.outcome == Outcome::kError) f.violations = std::move(errored);
  if (f.outcome == Outcome::kSkip) f.violations = std::move(skipped);
  return f;
}

// The digest and registry parts; signatures are verified outside any CEL, so with keys the rule
// is not expressible.
std::optional<cel::CelCheck> Cel(const ControlSettings& settings) {
  using cel::Let;
  const auto& s = static_cast<const Settings&>(settings);
  if (!s.key_names.empty()) return std::nullopt;
  std::vector<std::string> problems;
  if (s.require_digest) {
    problems.push_back(
        "digest.matches('^sha256:[0-9a-f]{64}$') ? '' : "
        "'image ' + img + ' is not pinned by digest (@sha256:<64 hex>)'");
  }
  if (!s.allowed_registries.empty()) {
    problems.push_back(cel::QuoteList(s.allowed_registries) +
                       ".exists(r, full == r || full.startsWith(r + '/')) ? '' : 'image ' + img + "
                       "' (' + full + ') is not from an allowed registry'");
  }
  std::string list = "[";
  for (std::size_t i = 0; i < problems.size(); ++i) list += (i ? ", " : "") + problems[i];
  list += "].filter(x, x != '').join(', ')";
  // ParseImageRef: digest after the first '@'; a tag after a ':' that follows the last '/'; a
  // first component with '.' or ':' or equal to localhost is the host; Docker Hub aliases.
  const std::string full =
      Let("repo", "col >= 0 && col > name.lastIndexOf('/') ? name.substring(0, col) : name",
          Let("slash", "repo.indexOf('/')",
              Let("first", "slash >= 0 ? repo.substring(0, slash) : ''",
                  Let("isHost",
                      "slash >= 0 && (first.contains('.') || first.contains(':') || "
                      "first == 'localhost')",
                      Let("h", "isHost ? first.lowerAscii() : 'docker.io'",
                          Let("host",
                              "h == 'index.docker.io' || h == 'registry-1.docker.io' ? 'docker.io' "
                              ": h",
                              Let("path0", "isHost ? repo.substring(slash + 1) : repo",
                                  "host + '/' + (host == 'docker.io' && path0 != '' && "
                                  "!path0.contains('/') ? 'library/' + path0 : path0)")))))));
  return cel::EachContainerCheck(
      Let("img", "string(c.?image.orValue(''))",
          Let("at", "img.indexOf('@')",
              Let("name", "at >= 0 ? img.substring(0, at) : img",
                  Let("digest", "at >= 0 ? img.substring(at + 1) : ''",
                      Let("col", "name.lastIndexOf(':')", Let("full", full, list)))))));
}

}  // namespace

Control RequireImageSignature() {
  return {.id = "require-image-signature",
          .key = "imageSignature",
          .severity = "high",
          .enabled_by_default = false,
          .summary = "images must be pinned, from allowed registries and signed",
          .fields = kFields,
          .parse = &Parse,
          .check = &Check,
          .cel = &Cel,
          .pss_baseline = "",
          .pss_restricted = "",
          .no_fix =
              "the image must be signed, pinned by digest or moved to an allowed registry where it "
              "is built"};
}

}  // namespace csp::policy::controls

namespace csp::policy {

namespace {

const controls::Settings* ImageSignatureSettings(const Policy& policy) {
  for (const ControlConfig& cfg : policy.controls) {
    if (cfg.control == nullptr || cfg.control->check != &controls::Check || !cfg.settings) continue;
    return &static_cast<const controls::Settings&>(*cfg.settings);
  }
  return nullptr;
}

}  // namespace

std::vector<SignatureKeySpec> SignatureKeys(const Policy& policy) {
  const controls::Settings* s = ImageSignatureSettings(policy);
  return s == nullptr ? std::vector<SignatureKeySpec>() : s->keys;
}

TransparencyLogSpec TransparencyLog(const Policy& policy) {
  const controls::Settings* s = ImageSignatureSettings(policy);
  return s == nullptr ? TransparencyLogSpec() : s->transparency_log;
}

}  // namespace csp::policy
