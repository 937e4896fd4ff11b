// The files of tests/signature/testdata (see its README for where each comes from).
#pragma once

#include <string>

namespace csp::signature::testing {

// The bytes of testdata/<relative>; fails the test (and returns "") when it cannot be read.
std::string ReadTestdata(const std::string& relative);

}  // namespace csp::signature::testing
