// Walks cspctl's arguments: PATHs, `--` (only PATHs after it), `-` (stdin), and flags as
// `--flag value`, `--flag=value` or `-f value`.
#pragma once

#include <iostream>
#include <string>

namespace cspctl {

class FlagReader {
 public:
  FlagReader(int argc, char** argv) : argc_(argc), argv_(argv) {}

  // Advances to the next argument; false at the end.
  bool Next() {
    if (++i_ >= argc_) return false;
    arg_ = argv_[i_];
    positional_ = only_paths_ || arg_ == "-" || arg_.empty() || arg_[0] != '-';
    if (!positional_ && arg_ == "--") {
      only_paths_ = true;
      return Next();
    }
    name_ = arg_;
    value_.clear();
    has_value_ = false;
    if (auto eq = arg_.find('=');
        !positional_ && eq != std::string::npos && arg_.rfind("--", 0) == 0) {
      name_ = arg_.substr(0, eq);
      value_ = arg_.substr(eq + 1);
      has_value_ = true;
    }
    return true;
  }
  bool positional() const { return positional_; }
  const std::string& arg() const { return arg_; }    // as given
  const std::string& name() const { return name_; }  // the flag without "=value"
  // The flag's value: after '=', else the next argument (consumed). False when there is none.
  bool Take() {
    if (has_value_) return true;
    if (i_ + 1 >= argc_) return false;
    value_ = argv_[++i_];
    has_value_ = true;
    return true;
  }
  const std::string& value() const { return value_; }

 private:
  int argc_;
  char** argv_;
  int i_ = -1;
  bool only_paths_ = false;
  bool positional_ = false;
  bool has_value_ = false;
  std::string arg_, name_, value_;
};

// Prints a usage error for `command` and returns exit status 2.
inline int Usage(const std::string& command, const std::string& message) {
  std::cerr << "cspctl: " << message << "\nRun 'cspctl " << command << " --help' for usage.\n";
  return 2;
}

}  // namespace cspctl
