#include "ed25519ph.h"

#include <sodium.h>

#include <cstdlib>

namespace csp::signature::internal {

bool VerifyEd25519ph(std::string_view public_key, std::string_view message,
                     std::string_view signature) {
  // sodium_init is thread-safe and idempotent; it fails only when the library cannot start (no
  // randomness source), and verification is not to run on an uninitialized libsodium.
  static const bool initialized = sodium_init() >= 0;
  if (!initialized) std::abort();
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES) {
    return false;
  }
  crypto_sign_state state;
  crypto_sign_init(&state);
  crypto_sign_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size());
  return crypto_sign_final_verify(&state, reinterpret_cast<const unsigned char*>(signature.data()),
                                  reinterpret_cast<const unsigned char*>(public_key.data())) == 0;
}

}  // namespace csp::signature::internal
