// The cdcd command line: exit statuses, messages, and the shipped configs.
#include <gtest/gtest.h>

#include <sstream>

#include "tests/support/process.h"
#include "tests/support/test_support.h"

namespace cdc {
namespace {

struct Outcome {
  int status;
  std::string output;
};

Outcome Cdcd(const std::vector<std::string>& args) {
  testing::TempDir dir;
  std::string log = (dir.path() / "out.log").string();
  std::vector<std::string> argv = {CDCD_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  testing::ChildProcess p(argv, log);
  int status = p.wait();
  return {status, testing::ReadFile(log)};
}

TEST(CliTest, ValidateBrokenConfigPrintsFileLineAndExits2) {
  testing::TempDir dir;
  auto path = dir.path() / "broken.yaml";
  testing::WriteFile(path, R"(pipelines:
  - name: p
    source: {type: generator}
    sink:
      type: file
      path: /tmp/x
      rotate_byte: 1MiB
)");
  Outcome o = Cdcd({"validate", "--config", path.string()});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.output.find(path.string() + ":7:"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("rotate_byte"), std::string::npos) << o.output;
}

TEST(CliTest, ValidateUnknownSourceTypeListsKnownOnes) {
  testing::TempDir dir;
  auto path = dir.path() / "p.yaml";
  testing::WriteFile(path,
                     "pipelines:\n  - name: p\n    source: {type: oracle}\n"
                     "    sink: {type: file, path: /tmp/x}\n");
  Outcome o = Cdcd({"validate", "--config", path.string()});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.output.find(path.string() + ":3:"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("generator"), std::string::npos) << o.output;
}

TEST(CliTest, ShippedConfigsForBuiltSourcesAndSinksValidate) {
  // Values for the examples' ${VAR}s; validate connects to nothing.
  setenv("PG_PASSWORD", "secret", 1);
  setenv("KAFKA_BROKERS", "127.0.0.1:9092", 1);
  setenv("KAFKA_PASSWORD", "secret", 1);
  setenv("MYSQL_PASSWORD", "secret", 1);
  setenv("MARIADB_PASSWORD", "secret", 1);
  for (const char* f :
       {"config/examples/generator-to-file.yaml", "config/examples/generator-to-kafka.yaml",
        "config/examples/postgres-to-kafka.yaml", "config/examples/mysql-to-file.yaml",
        "docker/pipelines.yaml", "docker/pipelines-mariadb.yaml"}) {
    Outcome o = Cdcd({"validate", "--config", testing::SourcePath(f).string()});
    EXPECT_EQ(o.status, 0) << f << ": " << o.output;
  }
}

TEST(CliTest, BadUsageExits2) {
  EXPECT_EQ(Cdcd({"run"}).status, 2);  // --config is required
  EXPECT_EQ(Cdcd({"frobnicate"}).status, 2);
  EXPECT_EQ(Cdcd({}).status, 2);
}

TEST(CliTest, MissingConfigFileExits2) {
  Outcome o = Cdcd({"validate", "--config", "/nonexistent/cdcd.yaml"});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.output.find("/nonexistent/cdcd.yaml"), std::string::npos) << o.output;
}

TEST(CliTest, HelpAndVersionExit0) {
  for (auto args : std::vector<std::vector<std::string>>{
           {"--help"}, {"run", "--help"}, {"offsets", "show", "--help"}, {"version"}}) {
    EXPECT_EQ(Cdcd(args).status, 0) << args[0];
  }
  EXPECT_NE(Cdcd({"version"}).output.find("cdcd 0."), std::string::npos);
}

// The binary's malloc is jemalloc with cdcd's settings (daemon/allocator.h),
// which MALLOC_CONF overrides; sanitizer builds keep their own allocator.
TEST(CliTest, VersionNamesTheAllocatorAndItsSettings) {
  Outcome o = Cdcd({"version"});
  ASSERT_EQ(o.status, 0) << o.output;
#ifdef CDCD_JEMALLOC
  EXPECT_NE(o.output.find("allocator: jemalloc 5."), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("(arenas: 1, dirty_decay_ms: 1000)"), std::string::npos) << o.output;
  setenv("MALLOC_CONF", "narenas:3,dirty_decay_ms:500", 1);
  Outcome tuned = Cdcd({"version"});
  unsetenv("MALLOC_CONF");
  EXPECT_NE(tuned.output.find("(arenas: 3, dirty_decay_ms: 500)"), std::string::npos)
      << tuned.output;
#else
  EXPECT_NE(o.output.find("allocator: system malloc"), std::string::npos) << o.output;
#endif
}

TEST(CliTest, JsonLogsAreOneObjectPerLineAndTheLevelCanComeFromTheEnvironment) {
  testing::TempDir dir;
  auto config = dir.path() / "c.yaml";
  testing::WriteFile(config,
                     "pipelines:\n  - name: j\n    source: {type: generator, limit: 50}\n"
                     "    sink: {type: file, path: " +
                         (dir.path() / "out").string() +
                         "}\nhttp: {enabled: false}\nlog: {format: json, level: info}\n");
  Outcome o = Cdcd({"run", "--config", config.string()});
  ASSERT_EQ(o.status, 0) << o.output;
  size_t lines = 0;
  std::istringstream in(o.output);
  for (std::string line; std::getline(in, line); ++lines) {
    auto j = nlohmann::json::parse(line);  // throws, failing the test, on a non-JSON line
    EXPECT_TRUE(j.contains("ts_us") && j.contains("level") && j.contains("msg")) << line;
  }
  EXPECT_GE(lines, 2u);  // at least "resuming from" and "source finished"

  setenv("CDCD_LOG_LEVEL", "error", 1);
  Outcome quiet = Cdcd({"run", "--config", config.string()});
  unsetenv("CDCD_LOG_LEVEL");
  ASSERT_EQ(quiet.status, 0) << quiet.output;
  EXPECT_EQ(quiet.output, "");
}

TEST(CliTest, UnknownLogLevelInTheEnvironmentExits2NamingTheVariable) {
  setenv("CDCD_LOG_LEVEL", "loud", 1);
  Outcome o = Cdcd({"version"});
  unsetenv("CDCD_LOG_LEVEL");
  EXPECT_EQ(o.status, 2) << o.output;
  EXPECT_NE(o.output.find("environment variable CDCD_LOG_LEVEL: 'loud' is not one of "
                          "trace|debug|info|warn|error|off"),
            std::string::npos)
      << o.output;
}

TEST(CliTest, DemoCapturesEventsAndOffsetsShowReadsTheCommittedOffset) {
  testing::TempDir dir;
  Outcome demo = Cdcd({"demo", "--events", "300", "--dir", (dir.path() / "out").string()});
  ASSERT_EQ(demo.status, 0) << demo.output;
  EXPECT_NE(demo.output.find("300 change events captured"), std::string::npos) << demo.output;
  EXPECT_NE(demo.output.find("{\"topic\":\"demo.public."), std::string::npos) << demo.output;

  auto config = dir.path() / "c.yaml";
  testing::WriteFile(config,
                     "pipelines:\n  - name: demo\n    source: {type: generator}\n"
                     "    sink: {type: file, path: " +
                         (dir.path() / "out").string() + "}\n");
  Outcome show = Cdcd({"offsets", "show", "--config", config.string()});
  ASSERT_EQ(show.status, 0) << show.output;
  auto j = nlohmann::json::parse(show.output.substr(show.output.find('[')));
  EXPECT_EQ(j[0]["pipeline"], "demo");
  EXPECT_EQ(j[0]["offset"]["state"], 300);
}

}  // namespace
}  // namespace cdc
