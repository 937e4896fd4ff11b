#include "csp/docker/volume_spec.h"

#include <filesystem>
#include <vector>

namespace csp::docker {
namespace {

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t at = text.find(sep, start);
    parts.push_back(text.substr(start, at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

bool IsHostPath(std::string_view source) {
  return source.starts_with('/') || source.starts_with('.') || source.starts_with('~');
}

}  // namespace

std::string ResolveHostPath(std::string_view source, const PathContext& paths) {
  std::string path(source);
  if ((path == "~" || path.starts_with("~/")) && !paths.home.empty()) {
    path = paths.home + path.substr(1);
  }
  if (!path.starts_with('/') && !paths.base_dir.empty() && !path.starts_with('~')) {
    path = paths.base_dir + "/" + path;
  }
  if (!path.starts_with('/')) return path;
  std::string normal = std::filesystem::path(path).lexically_normal().string();
  if (normal.size() > 1 && normal.ends_with('/')) normal.pop_back();
  return normal;
}

Result<Mount> ParseShortVolume(std::string_view spec, const PathContext& paths) {
  const std::vector<std::string_view> parts = Split(spec, ':');
  if (parts.size() > 3 || parts[0].empty() || (parts.size() > 1 && parts[1].empty())) {
    return InvalidArgument("volume \"" + std::string(spec) + "\": expected [SOURCE:]TARGET[:MODE]");
  }
  Mount m;
  if (parts.size() == 1) {
    m.target = parts[0];
    return m;
  }
  m.target = parts[1];
  if (IsHostPath(parts[0])) {
    m.type = MountType::kBind;
    m.source = ResolveHostPath(parts[0], paths);
  } else {
    m.source = parts[0];
  }
  if (parts.size() == 3) {
    for (std::string_view mode : Split(parts[2], ',')) m.read_only |= mode == "ro";
  }
  return m;
}

Result<Mount> ParseMountFlag(std::string_view spec, const PathContext& paths) {
  Mount m;
  std::string source;
  auto bad = [&](std::string_view why) {
    return InvalidArgument("mount \"" + std::string(spec) + "\": " + std::string(why));
  };
  for (std::string_view field : Split(spec, ',')) {
    const std::size_t eq = field.find('=');
    const std::string_view key = field.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : field.substr(eq + 1);
    if (key == "type") {
      if (value == "bind") {
        m.type = MountType::kBind;
      } else if (value == "volume") {
        m.type = MountType::kVolume;
      } else if (value == "tmpfs") {
        m.type = MountType::kTmpfs;
      } else {
        return bad("type \"" + std::string(value) + "\" is not bind, volume or tmpfs");
      }
    } else if (key == "source" || key == "src") {
      source = value;
    } else if (key == "target" || key == "dst" || key == "destination") {
      m.target = value;
    } else if (key == "readonly" || key == "ro") {
      if (eq != std::string_view::npos && value != "true" && value != "1" && value != "false" &&
          value != "0") {
        return bad(std::string(key) + " takes true or false");
      }
      m.read_only = eq == std::string_view::npos || value == "true" || value == "1";
    }
  }
  if (m.target.empty()) return bad("no target");
  if (m.type == MountType::kBind) {
    if (source.empty()) return bad("a bind mount needs a source");
    m.source = ResolveHostPath(source, paths);
  } else {
    m.source = std::move(source);
  }
  return m;
}

}  // namespace csp::docker
