// A binlog purged past the committed position is a permanent fault, loud
// through the daemon: on a private MariaDB (purging the shared server's
// binlogs would break the other tests), a pipeline commits, stops, and while
// it is down the server purges the binlog it would resume from. At its next
// start it stops with a message that says the binlog is gone and to take a
// new snapshot, in /pipelines, /readyz and the log; nothing is skipped.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "tests/e2e/permanent_fault_util.h"
#include "tests/sources/mysql/mysql_test_env.h"

namespace cdc::testing {
namespace {

using namespace std::chrono_literals;
using mysql::MySqlConnectOptions;
using mysql::testing::PrivateMariaDb;
using mysql::testing::RootSql;

constexpr char kDb[] = "cdcd_test_purge";

std::string Config(const MySqlConnectOptions& s, const std::string& out) {
  return std::string("pipelines:\n  - name: purge\n    source:\n      type: mysql\n      host: ") +
         s.host + "\n      port: " + std::to_string(s.port) + "\n      user: " + s.user +
         "\n      password: \"" + s.password +
         "\"\n      ssl_mode: disabled\n      server_id: 4343\n      tables: [\"" + kDb +
         ".t\"]\n      snapshot: initial\n      heartbeat_interval: 1s\n"
         "    sink: {type: file, path: \"" +
         out +
         "\", fsync: false}\n"
         "    batch: {linger: 5ms}\n"
         "http: {enabled: false}\n";
}

TEST(MySqlBinlogPurgedTest, PurgedPastTheCommittedPositionStopsThePipeline) {
  // The shared server's presence says the machine can run MariaDB.
  CDCD_SERVICE_ENV_OR_SKIP(shared, "mariadb", "CDCD_TEST_MYSQL_HOST");
  PrivateMariaDb server("");
  const std::string socket = server.socket();
  RootSql(socket, std::string("CREATE DATABASE ") + kDb + "; CREATE TABLE " + kDb +
                      ".t (id INT PRIMARY KEY); INSERT INTO " + kDb + ".t VALUES (1)");

  // First run: the snapshot and a streamed row are committed.
  CompanionRun first;
  first.start(Config(server.options(), first.dir().out()));
  auto committed = [&] {
    const nlohmann::json p = PipelineEntry(first.http(), "purge");
    return p.is_null() ? uint64_t{0} : p["events_committed"].get<uint64_t>();
  };
  for (int i = 0; i < 300 && committed() < 1; ++i) std::this_thread::sleep_for(100ms);
  RootSql(socket, std::string("INSERT INTO ") + kDb + ".t VALUES (2)");
  for (int i = 0; i < 300 && committed() < 2; ++i) std::this_thread::sleep_for(100ms);
  ASSERT_EQ(committed(), 2u) << first.dir().log_text();
  first.stop();

  // While it is down: more changes, and the binlogs holding them and the
  // committed position are purged.
  RootSql(socket, std::string("INSERT INTO ") + kDb + ".t VALUES (3)");
  RootSql(socket, "FLUSH BINARY LOGS");
  RootSql(socket, std::string("INSERT INTO ") + kDb + ".t VALUES (4)");
  RootSql(socket, "FLUSH BINARY LOGS");
  const std::string current = RootSql(socket, "SHOW MASTER STATUS");
  const std::string file = current.substr(0, current.find('\t'));
  // The server keeps a binlog until InnoDB has checkpointed its
  // transactions and no dump thread reads it: try until it is gone.
  bool purged = false;
  for (int i = 0; i < 100 && !purged; ++i) {
    RootSql(socket, "PURGE BINARY LOGS TO '" + file + "'");
    purged = RootSql(socket, "SHOW BINARY LOGS").rfind(file, 0) == 0;
    if (!purged) std::this_thread::sleep_for(300ms);
  }
  ASSERT_TRUE(purged) << RootSql(socket, "SHOW BINARY LOGS");

  CompanionRun second;
  std::filesystem::create_directories(second.dir().out());
  std::filesystem::copy(
      first.dir().out(), second.dir().out(),
      std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
  second.start(Config(server.options(), second.dir().out()));
  second.expect_loud_stop("purge", "is no longer on the server");
  const nlohmann::json p = PipelineEntry(second.http(), "purge");
  EXPECT_EQ(p["events_committed"].get<uint64_t>(), 0u) << "nothing after a gap";
  EXPECT_NE(p["last_error"].get<std::string>().find("snapshot"), std::string::npos)
      << p["last_error"];
}

}  // namespace
}  // namespace cdc::testing
