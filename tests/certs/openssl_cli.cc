#include "openssl_cli.h"

#include "temp_dir.h"

namespace csp::certs::test {
namespace {

using csp::test::CommandResult;
using csp::test::Run;
using csp::test::TempDir;
using csp::test::WriteText;

std::string Written(const TempDir& dir, const char* name, const std::string& text) {
  WriteText(dir.path() / name, text);
  return (dir.path() / name).string();
}

}  // namespace

CommandResult OpenSslText(const std::string& cert_pem) {
  return Run({"openssl", "x509", "-noout", "-text"}, cert_pem);
}

CommandResult OpenSslVerify(const std::string& leaf_pem, const std::string& bundle_pem,
                            std::chrono::sys_seconds at) {
  TempDir dir;
  return Run({"openssl", "verify", "-purpose", "sslserver", "-attime",
              std::to_string(at.time_since_epoch().count()), "-CAfile",
              Written(dir, "bundle.pem", bundle_pem), Written(dir, "leaf.pem", leaf_pem)});
}

std::string PublicKeyOfCert(const std::string& cert_pem) {
  CommandResult r = Run({"openssl", "x509", "-noout", "-pubkey"}, cert_pem);
  return r.exit_code == 0 ? r.out : "";
}

std::string PublicKeyOfKey(const std::string& key_pem) {
  CommandResult r = Run({"openssl", "pkey", "-pubout"}, key_pem);
  return r.exit_code == 0 ? r.out : "";
}

}  // namespace csp::certs::test
