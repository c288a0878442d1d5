// Exactly-once for mysql -> file under SIGKILL, through the cdcd binary and a
// real MariaDB: cdcd is killed at random moments while a writer commits
// transactions of varying size (some cut by batches mid-transaction), and
// while a snapshot is being read in chunks; restarted each time, then
// drained. The committed output must hold every change exactly once, and
// replaying it must give the table's final state.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <thread>

#include "sinks/file/file_sink_reader.h"
#include "tests/sources/mysql/mysql_test_env.h"
#include "tests/support/kill_restart.h"
#include "tests/support/process.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;
using mysql::MySqlConnection;
using mysql::MySqlConnectOptions;
using mysql::testing::TestSchema;

std::string MySqlToFileConfig(const MySqlConnectOptions& s, const std::string& db,
                              const std::string& out, const std::string& snapshot_keys,
                              int max_events) {
  return "pipelines:\n  - name: " + db +
         "\n"
         "    source:\n"
         "      type: mysql\n"
         "      host: " +
         s.host + "\n      port: " + std::to_string(s.port) + "\n      user: " + s.user +
         "\n      password: \"" + s.password +
         "\"\n"
         "      ssl_mode: disabled\n"
         "      server_id: " +
         std::to_string(200000 + getpid() % 100000) + "\n      tables: [\"" + db + ".*\"]\n" +
         snapshot_keys +
         "      heartbeat_interval: 1s\n"
         "    sink:\n"
         "      type: file\n"
         "      path: " +
         out +
         "\n"
         "      rotate_bytes: 64MiB\n"
         "    format: {envelope: debezium, schemas: false, tombstones: false}\n"
         "    batch: {max_events: " +
         std::to_string(max_events) +
         ", linger: 5ms}\n"
         "http: {enabled: false}\n"
         "log: {level: info}\n";
}

std::map<int64_t, int64_t> TableState(const TestSchema& db) {
  std::map<int64_t, int64_t> out;
  for (const auto& row : db.sql("SELECT id, v FROM t").rows) {
    out[std::stoll(*row[0])] = std::stoll(*row[1]);
  }
  return out;
}

// Waits until cdcd committed something (a heartbeat at least): from then on
// every change is captured.
bool WaitCommitted(const std::string& out) {
  for (int i = 0; i < 300; ++i) {
    if (ReadOffsetsFile(out)) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

class MySqlToFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CDCD_SERVICE_ENV_OR_SKIP(host, "mariadb", "CDCD_TEST_MYSQL_HOST");
    server_ = *mysql::testing::SharedServer();
    db_.emplace(server_, "e2e");
    db_->sql("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL, note VARCHAR(20))");
  }
  MySqlConnectOptions server_;
  std::optional<TestSchema> db_;
  testing::CdcdRunDir dir_;
};

TEST_F(MySqlToFileTest, StreamIsExactlyOnceAcrossSigkills) {
  dir_.write_config(
      MySqlToFileConfig(server_, db_->name(), dir_.out(), "      snapshot: never\n", 500));
  testing::KillRounds(dir_, 1, [&](int) { ASSERT_TRUE(WaitCommitted(dir_.out())); });
  ASSERT_FALSE(HasFatalFailure());

  std::atomic<bool> writing{true};
  std::atomic<uint64_t> changes{0};
  std::thread writer([&] {
    MySqlConnection c(server_, "writer");
    c.query("USE " + db_->name(), "writer");
    std::mt19937 rng(testing::E2eSeed());
    int next_id = 1;
    for (int tx = 0; writing; ++tx) {
      const int n = tx % 10 == 9 ? 2000 : 1 + static_cast<int>(rng() % 20);
      const int lo = next_id;
      next_id += n;
      c.query("BEGIN", "writer");
      c.query("INSERT INTO t SELECT seq, 0, 'n' FROM seq_" + std::to_string(lo) + "_to_" +
                  std::to_string(next_id - 1),
              "writer");
      c.query("UPDATE t SET v = v + 1 WHERE id % 7 = " + std::to_string(tx % 7) + " AND id > " +
                  std::to_string(std::max(0, lo - 50)),
              "writer");
      const uint64_t updated = mysql_affected_rows(c.handle());
      c.query("DELETE FROM t WHERE id = " + std::to_string(lo) + " AND id % 5 = 0", "writer");
      const uint64_t deleted = mysql_affected_rows(c.handle());
      c.query("COMMIT", "writer");
      changes += n + updated + deleted;
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 20));
    }
  });
  std::mt19937 rng(testing::E2eSeed());
  const int kills = testing::KillAfterRandomDelays(dir_, 12, 300ms, 1000ms, rng);
  writing = false;
  writer.join();
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_GE(kills, 10);

  std::vector<FileRecordLine> rows;
  ASSERT_NO_FATAL_FAILURE(testing::DrainChanges(dir_, changes, rows));
  EXPECT_EQ(testing::ReplayIdToV(rows), TableState(*db_));
  std::cout << "kills: " << kills << ", changes: " << changes << "\n";
}

// Without a snapshot nothing on the server remembers where a first start
// began: a change streamed but not yet committed when cdcd is killed must be
// read again by the next start, not skipped by a start at the binlog's new
// end.
TEST_F(MySqlToFileTest, FirstChangeSurvivesAKillBeforeItsCommit) {
  std::string config =
      MySqlToFileConfig(server_, db_->name(), dir_.out(), "      snapshot: never\n", 500);
  const std::string fast = config;
  // Held uncommitted: the source being idle must not cut the batch either.
  config.replace(config.find("linger: 5ms"), 11, "linger: 5s, commit_when_idle: false");
  dir_.write_config(config);
  {
    testing::ChildProcess cdcd(dir_.argv(), dir_.log());
    auto streaming = [&] {
      return std::filesystem::exists(dir_.log()) &&
             dir_.log_text().find("streaming the binlog from") != std::string::npos;
    };
    for (int i = 0; i < 300 && !streaming(); ++i) std::this_thread::sleep_for(100ms);
    ASSERT_TRUE(streaming()) << dir_.log_text();
    db_->sql("INSERT INTO t VALUES (1, 1, 'first')");
    std::this_thread::sleep_for(500ms);  // read, in the lingering batch
    cdcd.signal(SIGKILL);
    EXPECT_EQ(cdcd.wait(), 128 + SIGKILL);
  }
  db_->sql("INSERT INTO t VALUES (2, 2, 'second')");
  dir_.write_config(fast);
  ASSERT_NO_FATAL_FAILURE(testing::RunUntilThenStop(dir_, [&] {
    for (int i = 0; i < 300 && testing::CommittedChanges(dir_.out()).size() < 2; ++i) {
      std::this_thread::sleep_for(100ms);
    }
  }));
  std::vector<int64_t> created;
  for (const FileRecordLine& r : testing::CommittedChanges(dir_.out())) {
    if (r.value["op"] == "c") created.push_back(r.value["after"]["id"].get<int64_t>());
  }
  EXPECT_EQ(created, (std::vector<int64_t>{1, 2})) << dir_.log_text();
}

TEST_F(MySqlToFileTest, SnapshotResumesAcrossSigkillsUnderAWriter) {
  db_->sql("INSERT INTO t SELECT seq, 0, 'seed' FROM seq_1_to_20000");
  dir_.write_config(MySqlToFileConfig(
      server_, db_->name(), dir_.out(),
      "      snapshot: initial\n      snapshot_chunk_size: 500\n      snapshot_workers: 1\n", 400));
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    MySqlConnection c(server_, "writer");
    c.query("USE " + db_->name(), "writer");
    for (int i = 0; writing; ++i) {
      c.query("UPDATE t SET v = v + 1 WHERE id = " + std::to_string(1 + (i * 7919) % 20000),
              "writer");
      c.query("INSERT INTO t VALUES (" + std::to_string(20001 + i) + ", 1, 'w')", "writer");
      std::this_thread::sleep_for(5ms);
    }
  });
  std::mt19937 rng(testing::E2eSeed());
  const int kills = testing::KillAfterRandomDelays(dir_, 8, 200ms, 700ms, rng);
  writing = false;
  writer.join();
  ASSERT_FALSE(HasFatalFailure());
  db_->sql("INSERT INTO t VALUES (999999, 0, 'end')");
  ASSERT_NO_FATAL_FAILURE(testing::RunUntilThenStop(dir_, [&] {
    for (int i = 0; i < 1200; ++i) {
      std::vector<FileRecordLine> rows = testing::CommittedChanges(dir_.out());
      if (!rows.empty() && rows.back().value["after"].is_object() &&
          rows.back().value["after"]["id"] == 999999) {
        break;
      }
      std::this_thread::sleep_for(100ms);
    }
  }));
  std::vector<FileRecordLine> rows = testing::CommittedChanges(dir_.out());
  ASSERT_NO_FATAL_FAILURE(testing::ExpectUniqueEventIds(rows));
  size_t reads = 0;
  std::map<int64_t, int> read_count;
  for (const FileRecordLine& r : rows) {
    if (r.value["op"] == "r") ++read_count[r.value["after"]["id"].get<int64_t>()];
  }
  for (const auto& [id, n] : read_count) {
    EXPECT_EQ(n, 1) << "row " << id << " read " << n << " times";
    reads += n;
  }
  EXPECT_GE(reads, 20000u);
  EXPECT_EQ(testing::ReplayIdToV(rows), TableState(*db_));
  std::cout << "kills: " << kills << ", rows read: " << reads << ", events: " << rows.size()
            << "\n";
}

}  // namespace
}  // namespace cdc
