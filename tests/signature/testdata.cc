#include "testdata.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace csp::signature::testing {

std::string ReadTestdata(const std::string& relative) {
  std::ifstream in(std::string(SIGNATURE_TESTDATA) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in) << relative;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace csp::signature::testing
