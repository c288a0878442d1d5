// Incremental snapshots on PostgreSQL through the real binary: a 200,000-row
// table is snapshotted while cdcd streams and a writer updates, deletes and
// inserts its rows; cdcd is SIGKILLed twice in the middle of the snapshot and
// restarted. The state derived from the captured events (`cdcd state`) must
// equal the table once the writer stops, and the snapshot's reads must come
// in strictly increasing key order: no chunk row is emitted again after it
// was committed.
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/e2e/postgres/pg_e2e_util.h"
#include "tests/support/capture_util.h"

namespace cdc::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using pg::testing::TestDatabase;

constexpr int kRows = 200000;

std::string Config(const TestDatabase& db, const std::string& out, int port) {
  const std::string tag = PgTag(db);
  return "pipelines:\n  - name: " + tag + "\n    source:\n      type: postgres\n      dsn: \"" +
         db.dsn() + "\"\n      tables: [\"public.t\", \"public.marker\"]\n      slot: s_" + tag +
         "\n      publication: p_" + tag +
         "\n      snapshot: {mode: never, chunk_size: 4000}\n      heartbeat_interval: 1s\n"
         "    sink: {type: file, path: \"" +
         out +
         "\", rotate_bytes: 64MiB}\n"
         "    format: {envelope: debezium, schemas: false, tombstones: false}\n"
         "    batch: {max_events: 2000, linger: 5ms}\n"
         "http: {enabled: true, listen: \"127.0.0.1:" +
         std::to_string(port) + "\"}\n";
}

// Waits until the running snapshot reported `rows` rows (this process).
bool WaitSnapshotRows(int port, const std::string& pipeline, uint64_t rows) {
  for (int i = 0; i < 6000; ++i) {  // 5 minutes: sanitizer builds are slow
    json s = SnapshotStatusOf(port, pipeline);
    if (s.is_object() && s.value("rows", uint64_t{0}) >= rows) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// Up to 5 minutes: under a sanitizer the snapshot, chasing the writer, took
// just over 2.
bool WaitSnapshotDone(int port, const std::string& pipeline) {
  for (int i = 0; i < 6000; ++i) {
    json s = SnapshotStatusOf(port, pipeline);
    if (s.is_object() && !s["running"].get<bool>() && s["completed"].get<uint64_t>() > 0) {
      return true;
    }
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

TEST(PgIncrementalSnapshotTest, SnapshotWhileWritingSurvivesSigkillsAndEqualsTheTable) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "incr");
  db.sql("CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, note text NOT NULL)");
  db.sql("CREATE TABLE marker (id int PRIMARY KEY)");
  db.sql("INSERT INTO t SELECT i, i, 'seed ' || i FROM generate_series(1, " +
         std::to_string(kRows) + ") i");
  db.sql("ANALYZE t");
  const std::string pipeline = PgTag(db);
  const int port = FreeTcpPort();
  CdcdRunDir dir;
  dir.write_config(Config(db, dir.out(), port));
  auto cdcd = std::make_unique<ChildProcess>(dir.argv(), dir.log());
  ASSERT_TRUE(pg::testing::WaitSlotStreaming(db, "s_" + pipeline)) << dir.log_text();

  std::atomic<int> next_id{kRows + 1};
  PgWriter writer(db.dsn(), E2eSeed(), [&](pg::PgConnection& c, int tx, std::mt19937& rng) {
    const int id = 1 + static_cast<int>(rng() % kRows);
    c.exec("BEGIN", "writer");
    c.exec("UPDATE t SET v = v + 1, note = 'tx " + std::to_string(tx) + "' WHERE id BETWEEN " +
               std::to_string(id) + " AND " + std::to_string(id + 3),
           "writer");
    if (tx % 3 == 0) c.exec("DELETE FROM t WHERE id = " + std::to_string(id + 9), "writer");
    if (tx % 2 == 0) {
      c.exec("INSERT INTO t VALUES (" + std::to_string(next_id++) + ", 0, 'new')", "writer");
    }
    if (tx % 50 == 7)
      c.exec("UPDATE t SET id = -id WHERE id = " + std::to_string(id + 20), "writer");
    c.exec("COMMIT", "writer");
  });

  // Asked through the CLI, which talks to the daemon's HTTP endpoint.
  std::string out, err;
  ASSERT_EQ(RunCdcd({"snapshot", "--config", dir.config(), "--pipeline", pipeline, "--table", "t"},
                    out, err),
            0)
      << out << err << dir.log_text();
  ASSERT_NE(out.find("\"id\""), std::string::npos) << out;

  // Killed twice in the middle of the snapshot, restarted each time.
  for (uint64_t rows : {40000u, 30000u}) {
    ASSERT_TRUE(WaitSnapshotRows(port, pipeline, rows)) << dir.log_text();
    cdcd->signal(SIGKILL);
    EXPECT_EQ(cdcd->wait(), 128 + SIGKILL);
    cdcd = std::make_unique<ChildProcess>(dir.argv(), dir.log());
  }
  ASSERT_TRUE(WaitSnapshotDone(port, pipeline)) << dir.log_text();
  EXPECT_NE(dir.log_text().find("resuming incremental snapshot"), std::string::npos);
  std::this_thread::sleep_for(500ms);
  writer.stop();
  db.sql("INSERT INTO marker VALUES (1)");
  const std::string marker_topic = pipeline + ".public.marker";
  ASSERT_TRUE(WaitForTopic(dir.out(), marker_topic)) << dir.log_text();
  cdcd->signal(SIGTERM);
  EXPECT_EQ(cdcd->wait(), 0) << dir.log_text();

  // Snapshot reads in strictly increasing key order: none came twice.
  const std::vector<Record> captured = CaptureRecords(dir.out());
  ASSERT_NO_FATAL_FAILURE(ExpectSnapshotReadsIncrease(captured, pipeline + ".public.t", kRows / 2));

  // The state derived from the events is the table.
  const IdVNoteRows state = StateOfIdVNote(dir.out(), "public.t");
  IdVNoteRows table;
  auto rows = db.sql("SELECT id, v, note FROM t ORDER BY id");
  for (int i = 0; i < rows.rows(); ++i) {
    table[std::stoll(rows.get(i, 0))] = {std::stoll(rows.get(i, 1)), rows.get(i, 2)};
  }
  EXPECT_EQ(state.size(), table.size());
  EXPECT_TRUE(state == table) << "the state derived from the events differs from the table";
}

}  // namespace
}  // namespace cdc::testing
