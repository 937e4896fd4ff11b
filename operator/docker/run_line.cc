#include "csp/docker/run_line.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "csp/docker/shell_words.h"

namespace csp::docker {
namespace {

// `docker run`'s and `podman run`'s long flags that take no value (the others all take one).
constexpr std::array<std::string_view, 25> kBoolLong = {"rmi",
                                                        "detach",
                                                        "interactive",
                                                        "tty",
                                                        "privileged",
                                                        "rm",
                                                        "init",
                                                        "read-only",
                                                        "publish-all",
                                                        "no-healthcheck",
                                                        "oom-kill-disable",
                                                        "sig-proxy",
                                                        "disable-content-trust",
                                                        "quiet",
                                                        "help",
                                                        "replace",
                                                        "rootfs",
                                                        "http-proxy",
                                                        "env-host",
                                                        "read-only-tmpfs",
                                                        "no-hosts",
                                                        "use-allocated-cgroups",
                                                        "passwd",
                                                        "tls-verify",
                                                        "debug"};
constexpr std::string_view kBoolShort = "dPitq";
constexpr std::string_view kValueShort = "acehlmpuvw";

// Long names of the value short flags that matter here.
std::string_view LongName(char c) {
  switch (c) {
    case 'u':
      return "user";
    case 'v':
      return "volume";
    default:
      return "";
  }
}

// Global flags of `docker`/`podman` (before `run`) that take a value as the next word.
constexpr std::array<std::string_view, 16> kGlobalValueFlags = {
    "-H",          "--host",      "-c",         "--context",       "--config", "-l",
    "--log-level", "--tlscacert", "--tlscert",  "--tlskey",        "--url",    "--connection",
    "--root",      "--runroot",   "--identity", "--storage-driver"};

bool IsEnvAssignment(std::string_view word) {
  const std::size_t eq = word.find('=');
  if (eq == 0 || eq == std::string_view::npos) return false;
  return std::all_of(word.begin(), word.begin() + static_cast<std::ptrdiff_t>(eq), [](char ch) {
    return ch == '_' || std::isalnum(static_cast<unsigned char>(ch));
  });
}

bool IsBoolLong(std::string_view name) {
  return std::find(kBoolLong.begin(), kBoolLong.end(), name) != kBoolLong.end();
}

class RunParser {
 public:
  RunParser(DockerContainer& c, const PathContext& paths) : c_(c), paths_(paths) {}

  Status Value(std::string_view name, const std::string& value) {
    if (name == "security-opt") {
      c_.security_opt.push_back(value);
    } else if (name == "cap-add") {
      c_.cap_add.push_back(value);
    } else if (name == "cap-drop") {
      c_.cap_drop.push_back(value);
    } else if (name == "user") {
      c_.user = value;
    } else if (name == "name") {
      c_.name = value;
    } else if (name == "volume") {
      CSP_TRY(Mount m, ParseShortVolume(value, paths_));
      c_.mounts.push_back(std::move(m));
    } else if (name == "mount") {
      CSP_TRY(Mount m, ParseMountFlag(value, paths_));
      c_.mounts.push_back(std::move(m));
    } else if (name == "network" || name == "net") {
      c_.host_network = value == "host";
    } else if (name == "pid") {
      c_.host_pid = value == "host";
    } else if (name == "ipc") {
      c_.host_ipc = value == "host";
    } else if (name == "sysctl") {
      const std::size_t eq = value.find('=');
      if (eq == std::string::npos)
        return InvalidArgument("--sysctl " + value + ": expected NAME=VALUE");
      c_.sysctls.emplace_back(value.substr(0, eq), value.substr(eq + 1));
    } else if (name == "privileged") {
      if (value != "true" && value != "false") {
        return InvalidArgument("--privileged=" + value + ": expected true or false");
      }
      c_.privileged = value == "true";
    }
    return {};
  }

 private:
  DockerContainer& c_;
  const PathContext& paths_;
};

}  // namespace

Result<DockerContainer> ParseRunLine(std::string_view line, const std::string& default_name,
                                     const PathContext& paths) {
  CSP_TRY(std::vector<std::string> words, SplitShellWords(line));
  std::size_t i = 0;
  while (i < words.size() && (words[i] == "sudo" || IsEnvAssignment(words[i]))) ++i;
  if (i >= words.size() || (words[i] != "docker" && words[i] != "podman" &&
                            !words[i].ends_with("/docker") && !words[i].ends_with("/podman"))) {
    return InvalidArgument("expected a docker or podman command");
  }
  const std::string& program = words[i++];
  while (i < words.size() && words[i].starts_with('-')) {  // global flags: -H x, --context=y
    const bool takes_value = std::find(kGlobalValueFlags.begin(), kGlobalValueFlags.end(),
                                       words[i]) != kGlobalValueFlags.end();
    i += takes_value ? 2 : 1;
  }
  if (i < words.size() && words[i] == "container") ++i;
  if (i >= words.size() || (words[i] != "run" && words[i] != "create")) {
    return InvalidArgument("expected `run` or `create` after " + program);
  }
  ++i;
  DockerContainer c{.name = default_name};
  RunParser parser(c, paths);
  for (; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "--") {
      ++i;
      break;
    }
    if (w.size() < 2 || w[0] != '-') break;  // the image
    if (w.starts_with("--")) {
      const std::size_t eq = w.find('=');
      const std::string name = w.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      if (eq != std::string::npos) {
        if (Status s = parser.Value(name, w.substr(eq + 1)); !s) return s.error();
      } else if (name == "privileged") {
        c.privileged = true;
      } else if (!IsBoolLong(name)) {
        if (i + 1 >= words.size()) return InvalidArgument("--" + name + " needs a value");
        if (Status s = parser.Value(name, words[++i]); !s) return s.error();
      }
      continue;
    }
    // A group of short flags: booleans, then at most one value flag taking the rest or the
    // next word.
    for (std::size_t k = 1; k < w.size(); ++k) {
      const char f = w[k];
      if (kBoolShort.find(f) != std::string_view::npos) continue;
      if (kValueShort.find(f) == std::string_view::npos) {
        return InvalidArgument("unknown flag -" + std::string(1, f) + " in " + w);
      }
      std::string value;
      if (k + 1 < w.size()) {
        value = w.substr(k + 1);
      } else if (i + 1 < words.size()) {
        value = words[++i];
      } else {
        return InvalidArgument("-" + std::string(1, f) + " needs a value");
      }
      if (Status s = parser.Value(LongName(f), value); !s) return s.error();
      break;
    }
  }
  if (i >= words.size()) return InvalidArgument("no image");
  c.image = words[i];
  return c;
}

std::vector<RunLine> SplitRunLines(std::string_view text) {
  std::vector<RunLine> out;
  RunLine current;
  bool continuing = false;
  int line_number = 0;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (!continuing) {
      const std::size_t first = line.find_first_not_of(" \t");
      if (first == std::string_view::npos || line[first] == '#') continue;
      current = RunLine{.line = line_number};
    }
    continuing = line.ends_with('\\');
    if (continuing) line.remove_suffix(1);
    current.text += line;
    current.text += ' ';
    if (!continuing) out.push_back(std::move(current));
  }
  if (continuing) out.push_back(std::move(current));
  return out;
}

}  // namespace csp::docker
