// BinlogLag: bytes of binlog past the committed position, across files, and
// read from a live server's SHOW BINARY LOGS.
#include "sources/mysql/binlog_lag.h"

#include <gtest/gtest.h>

#include "sources/mysql/mysql_connection.h"
#include "sources/mysql/mysql_snapshot.h"
#include "tests/sources/mysql/mysql_test_env.h"

namespace cdc::mysql {
namespace {

using testing::TestSchema;

const std::vector<std::pair<std::string, uint64_t>> kLogs = {
    {"binlog.000007", 5000}, {"binlog.000008", 1000}, {"binlog.000009", 300}};

TEST(BinlogLagTest, CountsTheRestOfTheFileAndEveryLaterFile) {
  EXPECT_EQ(BinlogBytesAfter({"binlog.000009", 300}, kLogs), 0u);
  EXPECT_EQ(BinlogBytesAfter({"binlog.000009", 100}, kLogs), 200u);
  EXPECT_EQ(BinlogBytesAfter({"binlog.000007", 4000}, kLogs), 1000u + 1000u + 300u);
  // A position past the listed size (the list was read earlier): nothing behind.
  EXPECT_EQ(BinlogBytesAfter({"binlog.000009", 400}, kLogs), 0u);
  // The committed file was purged: unknown, not a made-up number.
  EXPECT_EQ(BinlogBytesAfter({"binlog.000006", 10}, kLogs), std::nullopt);
  EXPECT_EQ(BinlogBytesAfter({"binlog.000009", 10}, {}), std::nullopt);
}

TEST(BinlogLagTest, UnknownUntilBothEndsAreKnown) {
  BinlogLag lag(std::chrono::seconds(0));
  EXPECT_EQ(lag.bytes(), std::nullopt);
  lag.committed({"binlog.000001", 4});
  EXPECT_EQ(lag.bytes(), std::nullopt);  // the server's end never read
}

TEST(BinlogLagTest, MeasuresWhatTheServerWroteSinceTheCommittedPosition) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  TestSchema db(server, "lag");
  db.sql("CREATE TABLE t (id INT PRIMARY KEY, v TEXT)");
  MySqlConnection conn(server, "lag test");
  // Other tests write to the shared server meanwhile: every bound below holds anyway.
  BinlogLag lag(std::chrono::seconds(0));
  lag.maybe_sample(conn);
  const BinlogPoint before = ReadBinlogPoint(conn);  // at or past the sampled end
  lag.committed({before.file, before.position});
  EXPECT_EQ(lag.bytes(), 0u);
  db.sql("INSERT INTO t VALUES (1, REPEAT('x', 5000))");
  lag.maybe_sample(conn);
  const BinlogPoint after = ReadBinlogPoint(conn);
  ASSERT_EQ(after.file, before.file) << "the binlog rotated during the test";
  ASSERT_TRUE(lag.bytes());
  EXPECT_GT(*lag.bytes(), 5000u);
  EXPECT_LE(*lag.bytes(), after.position - before.position);
  lag.committed({after.file, after.position});
  EXPECT_EQ(lag.bytes(), 0u);
}

}  // namespace
}  // namespace cdc::mysql
