// `cspctl images` lists the images of Docker inputs too, named by their service or container.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "csp/scan/scan.h"

namespace csp::scan {
namespace {

using ::testing::ElementsAre;

TEST(ListImagesTest, ListsComposeAndInspectImages) {
  const std::string dir = CLI_TESTDATA;
  ScanOptions options{.paths = {dir + "/docker/inspect.json", dir + "/docker-dotenv"},
                      .default_namespace = "ops"};
  std::istringstream in;
  std::ostringstream err;
  int input_errors = -1;
  std::vector<InputImage> images = ListImages(options, in, err, input_errors);
  EXPECT_EQ(input_errors, 0) << err.str();
  ASSERT_EQ(images.size(), 3u);
  EXPECT_EQ(images[0].image, "redis:7");
  EXPECT_THAT(images[0].users, ElementsAre("Container ops/cache: container \"cache\""));
  EXPECT_EQ(images[1].image, "ghcr.io/acme/api:2");
  EXPECT_EQ(images[2].image, "busybox");  // ${CSP_TEST_IMAGE} from the .env beside it
  EXPECT_THAT(images[2].users, ElementsAre("ComposeService ops/app: container \"app\""));
}

TEST(ListImagesTest, ComposeProblemsAreInputErrors) {
  ScanOptions options{.paths = {std::string(CLI_TESTDATA) + "/docker/compose.yaml"}};
  std::istringstream in;
  std::ostringstream err;
  int input_errors = 0;
  std::vector<InputImage> images = ListImages(options, in, err, input_errors);
  EXPECT_EQ(input_errors, 1);
  EXPECT_NE(err.str().find("variable \"CSP_TEST_TAG\" is not set"), std::string::npos) << err.str();
  EXPECT_EQ(images.size(), 2u);  // agent and worker
}

}  // namespace
}  // namespace csp::scan
