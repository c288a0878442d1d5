// The `sink: {type: file, ...}` block: keys, defaults, errors with FILE:LINE.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "cdc/error.h"
#include "sinks/file/file_sink.h"
#include "sinks/file/file_sink_reader.h"
#include "tests/sinks/file/file_sink_test_util.h"
#include "tests/support/test_support.h"

namespace cdc::testing {
namespace {

namespace fs = std::filesystem;

// The ConfigError MakeFileSink throws for `yaml`.
std::string ConfigErrorFor(const std::string& yaml) {
  try {
    MakeFileSink(SinkConfig(yaml), TestContext());
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ConfigError for:\n" << yaml;
  return "";
}

TEST(FileSinkConfigTest, OptionsAndDefaults) {
  FileSinkOptions d = FileSinkOptions::FromConfig(SinkConfig("path: /x\n"));
  EXPECT_EQ(d.path, "/x");
  EXPECT_EQ(d.rotate_bytes, 128u << 20);
  EXPECT_TRUE(d.fsync);
  FileSinkOptions o =
      FileSinkOptions::FromConfig(SinkConfig("path: /y\nrotate_bytes: 64KiB\nfsync: false\n"));
  EXPECT_EQ(o.rotate_bytes, 64u << 10);
  EXPECT_FALSE(o.fsync);
}

TEST(FileSinkConfigTest, MissingPath) {
  std::string msg = ConfigErrorFor("type: file\nrotate_bytes: 1MiB\n");
  EXPECT_TRUE(std::regex_search(msg, std::regex(R"(^test\.yaml:\d+: )"))) << msg;
  EXPECT_NE(msg.find("path"), std::string::npos) << msg;
}

TEST(FileSinkConfigTest, UnknownKeyNamesItsLine) {
  std::string msg = ConfigErrorFor("type: file\npath: /tmp/x\nrotat_bytes: 1MiB\n");
  EXPECT_EQ(msg.rfind("test.yaml:3: ", 0), 0u) << msg;
  EXPECT_NE(msg.find("rotat_bytes"), std::string::npos) << msg;
}

TEST(FileSinkConfigTest, BadValuesNameTheirLine) {
  EXPECT_EQ(
      ConfigErrorFor("type: file\npath: /tmp/x\nrotate_bytes: lots\n").rfind("test.yaml:3: ", 0),
      0u);
  std::string zero = ConfigErrorFor("type: file\npath: /tmp/x\nrotate_bytes: 0\n");
  EXPECT_EQ(zero.rfind("test.yaml:3: ", 0), 0u) << zero;
  EXPECT_NE(zero.find("at least 1 byte"), std::string::npos) << zero;
  EXPECT_EQ(ConfigErrorFor("type: file\nfsync: maybe\npath: /tmp/x\n").rfind("test.yaml:2: ", 0),
            0u);
}

TEST(FileSinkConfigTest, ConstructionDoesNoIo) {
  TempDir tmp;
  fs::path dir = tmp.path() / "later";
  auto sink = MakeTestSink(dir.string());
  EXPECT_FALSE(fs::exists(dir));
  sink->recover();
  EXPECT_TRUE(fs::is_directory(dir));
}

TEST(FileSinkConfigTest, RoutingKeysAreTheSinks) {
  TempDir tmp;
  auto sink = MakeTestSink(tmp.str(), "topic: \"cdc.{table}\"\nfsync: false\n");
  sink->recover();
  sink->commit(Creates(1, 1, 1), At("tx-1", 1));
  std::vector<FileRecordLine> records = ReadCommittedRecords(tmp.str());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].topic, "cdc.customers");
}

TEST(FileSinkConfigTest, RegisteredAsTypeFile) {
  TempDir tmp;
  Registry registry;
  RegisterFileSink(registry);
  std::unique_ptr<Sink> sink =
      registry.make_sink(SinkConfig("type: file\npath: " + tmp.str() + "\n"), TestContext());
  ASSERT_NE(sink, nullptr);
  EXPECT_EQ(sink->recover(), std::nullopt);
}

}  // namespace
}  // namespace cdc::testing
