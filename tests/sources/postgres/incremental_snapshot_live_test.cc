// Incremental snapshot requests on a real PostgreSQL 15, through the source's
// own API and its signal table: a table without a primary key is refused
// unless key_columns names a unique column, which then orders its chunks; a
// stop-snapshot row inserted with SQL ends a running snapshot while the
// stream goes on.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "cdc/error.h"
#include "sources/postgres/postgres_source.h"
#include "tests/sources/postgres/pg_test_env.h"
#include "tests/support/test_support.h"

namespace cdc::pg {
namespace {

using namespace std::chrono_literals;
using testing::RunningSource;
using testing::TestDatabase;
using testing::WatchedEmitter;

size_t Reads(WatchedEmitter& out, const std::string& table) {
  size_t n = 0;
  for (const ChangeEvent& ev : out.data()) {
    n += ev.op == Op::kRead && ev.source.table.table == table;
  }
  return n;
}

TEST(PgIncrementalSnapshotLiveTest, KeylessTablesAreRefusedUnlessKeyColumnsNameOne) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "inckey");
  db.sql(
      "CREATE TABLE n (a int, b text); INSERT INTO n VALUES (1, 'x');"
      "CREATE TABLE k (a int NOT NULL UNIQUE, b text);"
      "INSERT INTO k SELECT i, 'r' || i FROM generate_series(1, 25) i");
  PostgresSourceOptions o = testing::StreamingOptions(db, {"public.n", "public.k"});
  o.snapshot.chunk_size = 10;
  o.snapshot.key_columns = {{"public.k", {"a"}}};
  PostgresSource source(o);
  WatchedEmitter out;
  RunningSource run(source, std::nullopt, out);
  ASSERT_TRUE(testing::WaitSlotStreaming(db, o.slot));

  try {
    source.request_snapshot({"public.n"}, "");
    FAIL() << "a table without a key was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("no primary key"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("key_columns"), std::string::npos) << e.what();
  }
  source.request_snapshot({"public.k"}, "a > 5");
  ASSERT_TRUE(out.wait_data(20)) << run.error();
  std::this_thread::sleep_for(300ms);  // nothing beyond the condition follows
  std::set<int64_t> keys;
  for (const ChangeEvent& ev : out.data()) {
    ASSERT_EQ(ev.op, Op::kRead);
    EXPECT_EQ(ev.source.table.table, "k");
    EXPECT_EQ(ev.source.snapshot, SnapshotMark::kIncremental);
    keys.insert(ev.after->values.at(0).as<int64_t>());
  }
  EXPECT_EQ(keys.size(), 20u);
  EXPECT_EQ(*keys.begin(), 6);
  EXPECT_EQ(*keys.rbegin(), 25);
  EXPECT_EQ(run.error(), "");
}

TEST(PgIncrementalSnapshotLiveTest, StopSignalFromSqlEndsTheSnapshotAndTheStreamGoesOn) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "incstop");
  constexpr size_t kRows = 50000;
  db.sql(
      "CREATE TABLE t (id int PRIMARY KEY, v text);"
      "INSERT INTO t SELECT i, 'v' FROM generate_series(1, " +
      std::to_string(kRows) + ") i; CREATE TABLE after_stop (id int PRIMARY KEY)");
  PostgresSourceOptions o = testing::StreamingOptions(db, {"public.t", "public.after_stop"});
  o.snapshot.chunk_size = 20;  // many watermark windows: time to stop it midway
  PostgresSource source(o);
  WatchedEmitter out;
  RunningSource run(source, std::nullopt, out);
  ASSERT_TRUE(testing::WaitSlotStreaming(db, o.slot));

  const std::string id = source.request_snapshot({"public.t"}, "");
  ASSERT_TRUE(out.wait_data(1)) << run.error();
  db.sql(
      "INSERT INTO public.cdcd_signal (id, type, data) VALUES ('stop-1', 'stop-snapshot', '{}')");
  db.sql("INSERT INTO after_stop VALUES (1)");
  ASSERT_TRUE(out.wait(
      [](const std::vector<ChangeEvent>& evs) {
        for (const ChangeEvent& ev : evs) {
          if (ev.op == Op::kCreate && ev.source.table.table == "after_stop") return true;
        }
        return false;
      },
      60s))
      << run.error();
  const size_t reads = Reads(out, "t");
  EXPECT_GT(reads, 0u);
  EXPECT_LT(reads, kRows) << "the snapshot of " << id << " was not stopped";
  EXPECT_EQ(source.snapshot_status().kind, "");
  EXPECT_EQ(source.snapshot_status().snapshots_completed, 0u);
  // Nothing more is read after the stop; the stream still delivers.
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(Reads(out, "t"), reads);
  db.sql("INSERT INTO after_stop VALUES (2)");
  ASSERT_TRUE(out.wait_data(reads + 2)) << run.error();
  for (const ChangeEvent& ev : out.data()) {
    EXPECT_EQ(ev.source.table.table.find("cdcd_signal"), std::string::npos) << "a signal leaked";
  }
  EXPECT_EQ(run.error(), "");
}

}  // namespace
}  // namespace cdc::pg
