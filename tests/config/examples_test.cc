// Every example in config/examples/ must load. Only the loader runs here:
// source and sink keys belong to factories that may not be built yet.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "config/daemon_config.h"
#include "tests/config/scoped_env.h"
#include "tests/support/test_support.h"

namespace cdc {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> ExampleFiles() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(cdc::testing::SourcePath("config/examples"))) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(ConfigExamplesTest, EverySourceSinkPairHasAnExample) {
  std::vector<std::string> names;
  for (const auto& f : ExampleFiles()) names.push_back(f.filename().string());
  for (const char* expected :
       {"generator-to-file.yaml", "mysql-to-file.yaml", "mysql-to-kafka.yaml",
        "postgres-to-file.yaml", "postgres-to-kafka.yaml"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
}

// "<source>-to-<sink>.yaml" must hold pipelines of exactly that source and sink.
TEST(ConfigExamplesTest, EveryExampleLoads) {
  cdc::testing::ScopedEnv no_level("CDCD_LOG_LEVEL", std::nullopt);
  for (const auto& file : ExampleFiles()) {
    SCOPED_TRACE(file.string());
    const std::string stem = file.stem().string();
    const size_t to = stem.find("-to-");
    ASSERT_NE(to, std::string::npos);
    DaemonConfig config;
    ASSERT_NO_THROW(config = LoadConfigFile(file.string()));
    ASSERT_FALSE(config.pipelines.empty());
    for (const PipelineConfig& p : config.pipelines) {
      EXPECT_EQ(p.source.get_string("type"), stem.substr(0, to));
      EXPECT_EQ(p.sink.get_string("type"), stem.substr(to + 4));
    }
  }
}

}  // namespace
}  // namespace cdc
