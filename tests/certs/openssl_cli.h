// The openssl command line on PEM strings (through temp files), so that tests judge what
// csp::certs writes with another reader than the one that wrote it.
#pragma once

#include <chrono>
#include <string>

#include "subprocess.h"

namespace csp::certs::test {

// `openssl x509 -noout -text` of the (first) certificate; the result holds the exit code.
csp::test::CommandResult OpenSslText(const std::string& cert_pem);
// `openssl verify -purpose sslserver -attime <at> -CAfile <bundle> <leaf>`.
csp::test::CommandResult OpenSslVerify(const std::string& leaf_pem, const std::string& bundle_pem,
                                       std::chrono::sys_seconds at);
// The public key, as PEM, of a certificate (`openssl x509 -pubkey`) or of a private key
// (`openssl pkey -pubout`); empty when openssl fails.
std::string PublicKeyOfCert(const std::string& cert_pem);
std::string PublicKeyOfKey(const std::string& key_pem);

}  // namespace csp::certs::test
