#include "ed25519ph.h"

#include <sodium.h>

#include <cstdlib>

namespace csp::signature::internal {

namespace {

// sodium_init is thread-safe and idempotent; it fails only when the library cannot start (no
// randomness source), and verification is not to run on an uninitialized libsodium.
void InitSodium() {
  static const bool initialized = sodium_init() >= 0;
  if (!initialized) std::abort();
}

}  // namespace

bool IsValidEd25519Key(std::string_view public_key) {
  InitSodium();
  return public_key.size() == crypto_core_ed25519_BYTES &&
         crypto_core_ed25519_is_valid_point(
             reinterpret_cast<const unsigned char*>(public_key.data())) == 1;
}

bool VerifyEd25519ph(std::string_view public_key, std::string_view message,
                     std::string_view signature) {
  InitSodium();
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
