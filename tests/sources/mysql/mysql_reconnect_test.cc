// Connection loss: the binlog dump connection killed on the server while a
// writer commits rows. The pipeline backs off, recovers the committed offset
// and the source resumes there: every row arrives exactly once, in order.
#include <gtest/gtest.h>

#include <thread>

#include "sources/mysql/mysql_source.h"
#include "tests/sources/mysql/mysql_test_env.h"
#include "tests/support/source_runner.h"

namespace cdc::mysql {
namespace {

using namespace std::chrono_literals;
using ::cdc::testing::RunningPipeline;
using testing::RootSql;
using testing::TestSchema;

// Kills every connection of `user` (the dump and the query connections).
int KillConnectionsOf(const std::string& socket, const std::string& user) {
  std::string ids =
      RootSql(socket, "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = '" + user + "'");
  int killed = 0;
  for (size_t pos = 0; pos < ids.size();) {
    size_t end = ids.find('\n', pos);
    std::string id = ids.substr(pos, end - pos);
    pos = end == std::string::npos ? ids.size() : end + 1;
    if (id.empty()) continue;
    try {
      RootSql(socket, "KILL CONNECTION " + id);
      ++killed;
    } catch (const std::exception&) {
      // Gone already.
    }
  }
  return killed;
}

TEST(MySqlReconnectTest, KilledDumpConnectionResumesEveryRowExactlyOnceInOrder) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  const std::string socket = testing::SharedSocket();
  TestSchema db(server, "reconnect");
  db.sql("CREATE TABLE t (id INT PRIMARY KEY)");
  // A user of this test's own, so that only its connections are killed.
  const std::string user = "cdcd_rc_" + std::to_string(getpid());
  RootSql(socket, "CREATE USER '" + user +
                      "'@'127.0.0.1' IDENTIFIED BY 'pw'; GRANT REPLICATION "
                      "SLAVE, BINLOG MONITOR, SELECT, RELOAD ON *.* TO '" +
                      user + "'@'127.0.0.1'");
  struct DropUser {
    std::string socket, user;
    ~DropUser() { RootSql(socket, "DROP USER IF EXISTS '" + user + "'@'127.0.0.1'"); }
  } drop{socket, user};

  MySqlConnectOptions as_user = server;
  as_user.user = user;
  as_user.password = "pw";
  MySqlSourceOptions o = testing::SourceOptions(as_user, db.name());
  o.snapshot.mode = SnapshotMode::kInitial;  // an empty table: the stream starts at its point
  RunningPipeline run(std::make_unique<MySqlSource>(o));

  constexpr int kRows = 300;
  std::jthread writer([&] {
    for (int id = 1; id <= kRows; ++id) {
      db.sql("INSERT INTO t VALUES (" + std::to_string(id) + ")");
      std::this_thread::sleep_for(2ms);
    }
  });
  int kills = 0;
  for (int round = 0; round < 3; ++round) {
    const size_t seen = run.sink().ids().size();
    for (int i = 0; i < 400 && run.sink().ids().size() < seen + 40; ++i) {
      std::this_thread::sleep_for(25ms);
    }
    kills += KillConnectionsOf(socket, user);
  }
  writer.join();
  for (int i = 0; i < 600 && run.sink().ids().size() < kRows; ++i)
    std::this_thread::sleep_for(50ms);
  std::this_thread::sleep_for(500ms);  // a duplicate would arrive after the last row
  std::vector<int64_t> expected(kRows);
  for (int i = 0; i < kRows; ++i) expected[i] = i + 1;
  EXPECT_EQ(run.sink().ids(), expected) << run.status().last_error;
  EXPECT_GE(kills, 3);
  EXPECT_GE(run.status().retries, 1u) << "the lost connection was not noticed";
  run.stop();
  EXPECT_EQ(run.error(), "");
}

}  // namespace
}  // namespace cdc::mysql
