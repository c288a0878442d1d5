// Incremental snapshots on MariaDB through the real binary, asked for by
// inserting an execute-snapshot row into the signal table: a 200,000-row
// table is snapshotted while a writer updates, deletes, inserts and re-keys
// its rows, and cdcd is SIGKILLed twice in the middle of it. The state
// derived from the captured events equals the table once the writer stops,
// and the snapshot reads come in strictly increasing key order (no chunk row
// emitted again after its commit).
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "tests/sources/mysql/mysql_test_env.h"
#include "tests/support/capture_util.h"
#include "tests/support/paced_writer.h"

namespace cdc::testing {
namespace {

using namespace std::chrono_literals;
using mysql::MySqlConnection;
using mysql::MySqlConnectOptions;
using mysql::testing::TestSchema;
using nlohmann::json;

constexpr int kRows = 200000;

std::string Config(const MySqlConnectOptions& s, const std::string& db, const std::string& out,
                   int port) {
  return "pipelines:\n  - name: " + db + "\n    source:\n      type: mysql\n      host: " + s.host +
         "\n      port: " + std::to_string(s.port) + "\n      user: " + s.user +
         "\n      password: \"" + s.password + "\"\n      ssl_mode: disabled\n      server_id: " +
         std::to_string(300000 + getpid() % 100000) + "\n      tables: [\"" + db +
         ".*\"]\n      snapshot: {mode: never, chunk_size: 4000}\n      heartbeat_interval: 1s\n"
         "    sink: {type: file, path: \"" +
         out +
         "\", rotate_bytes: 64MiB}\n"
         "    format: {envelope: debezium, schemas: false, tombstones: false}\n"
         "    batch: {max_events: 2000, linger: 5ms}\n"
         "http: {enabled: true, listen: \"127.0.0.1:" +
         std::to_string(port) + "\"}\n";
}

// Up to 5 minutes (a sanitizer build is several times slower).
template <typename Pred>
bool WaitStatus(int port, const std::string& pipeline, Pred pred) {
  for (int i = 0; i < 6000; ++i) {
    json s = SnapshotStatusOf(port, pipeline);
    if (s.is_object() && pred(s)) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

TEST(MySqlIncrementalSnapshotTest, SignalledSnapshotWhileWritingSurvivesSigkills) {
  CDCD_SERVICE_ENV_OR_SKIP(host, "mariadb", "CDCD_TEST_MYSQL_HOST");
  const MySqlConnectOptions server = *mysql::testing::SharedServer();
  TestSchema db(server, "incr");
  db.sql("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL, note VARCHAR(40) NOT NULL)");
  db.sql("INSERT INTO t SELECT seq, seq, CONCAT('seed ', seq) FROM seq_1_to_" +
         std::to_string(kRows));
  db.sql("CREATE TABLE marker (id INT PRIMARY KEY)");
  const std::string pipeline = db.name();
  const int port = FreeTcpPort();
  CdcdRunDir dir;
  dir.write_config(Config(server, db.name(), dir.out(), port));
  auto cdcd = std::make_unique<ChildProcess>(dir.argv(), dir.log());
  // Streaming once the signal table exists and something was committed.
  ASSERT_TRUE(WaitStatus(port, pipeline, [](const json&) { return true; })) << dir.log_text();
  for (int i = 0; i < 300 && !std::filesystem::exists(dir.out() + "/offsets.json"); ++i) {
    std::this_thread::sleep_for(100ms);
  }

  // Unpaced, the writer outruns a sanitizer build's stream: the snapshot,
  // whose windows close only when the stream reaches them, then slows down
  // without bound.
  MySqlConnection c(server, "writer");
  c.query("USE " + db.name(), "writer");
  std::mt19937 rng(E2eSeed());
  int next_id = kRows + 1;
  testing::PacedWriter writer(testing::kSanitizerBuild ? 100 : 0, [&](int tx) {
    const int id = 1 + static_cast<int>(rng() % kRows);
    c.query("BEGIN", "writer");
    c.query("UPDATE t SET v = v + 1, note = 'tx " + std::to_string(tx) + "' WHERE id BETWEEN " +
                std::to_string(id) + " AND " + std::to_string(id + 3),
            "writer");
    if (tx % 3 == 0) c.query("DELETE FROM t WHERE id = " + std::to_string(id + 9), "writer");
    if (tx % 2 == 0) {
      c.query("INSERT INTO t VALUES (" + std::to_string(next_id++) + ", 0, 'new')", "writer");
    }
    if (tx % 50 == 7) {
      c.query("UPDATE t SET id = -id WHERE id = " + std::to_string(id + 20), "writer");
    }
    c.query("COMMIT", "writer");
  });

  db.sql(
      "INSERT INTO cdcd_signal (id, type, data) VALUES ('sig-1', 'execute-snapshot', "
      "'{\"data-collections\": [\"" +
      db.name() + ".t\"], \"type\": \"incremental\"}')");
  for (uint64_t rows : {40000u, 30000u}) {
    ASSERT_TRUE(WaitStatus(port, pipeline, [&](const json& s) {
      return s.value("rows", uint64_t{0}) >= rows;
    })) << dir.log_text();
    cdcd->signal(SIGKILL);
    EXPECT_EQ(cdcd->wait(), 128 + SIGKILL);
    cdcd = std::make_unique<ChildProcess>(dir.argv(), dir.log());
  }
  ASSERT_TRUE(WaitStatus(port, pipeline, [](const json& s) {
    return !s["running"].get<bool>() && s["completed"].get<uint64_t>() > 0;
  })) << dir.log_text();
  EXPECT_NE(dir.log_text().find("resuming incremental snapshot sig-1"), std::string::npos);
  writer.stop();
  db.sql("INSERT INTO marker VALUES (1)");
  const std::string marker_topic = pipeline + "." + db.name() + ".marker";
  ASSERT_TRUE(WaitForTopic(dir.out(), marker_topic)) << dir.log_text();
  cdcd->signal(SIGTERM);
  EXPECT_EQ(cdcd->wait(), 0) << dir.log_text();

  const std::vector<Record> captured = CaptureRecords(dir.out());
  for (const Record& r : captured) {
    EXPECT_EQ(r.topic.find("cdcd_signal"), std::string::npos) << "a signal leaked: " << r.topic;
  }
  ASSERT_NO_FATAL_FAILURE(
      ExpectSnapshotReadsIncrease(captured, pipeline + "." + db.name() + ".t", kRows / 2));

  const IdVNoteRows state = StateOfIdVNote(dir.out(), db.name() + ".t");
  IdVNoteRows table;
  for (const auto& row : db.sql("SELECT id, v, note FROM t").rows) {
    table[std::stoll(*row[0])] = {std::stoll(*row[1]), *row[2]};
  }
  EXPECT_EQ(state.size(), table.size());
  EXPECT_TRUE(state == table) << "the state derived from the events differs from the table";
}

}  // namespace
}  // namespace cdc::testing
