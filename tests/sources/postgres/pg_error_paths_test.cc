// The postgres source's failure paths against real PostgreSQL 15 servers: the
// exact message a user gets (what happened and what to do) when wal_level is
// not logical, when another process holds the slot (for slot_busy_timeout),
// and when the slot was invalidated; and, through a whole Pipeline, that a
// server restart in the middle of a stream is a TransientError after which
// every row arrives exactly once and in order, while a slot invalidated
// during the stream stops the pipeline instead of retrying forever. Settings and faults the shared
// server must not see run on a PrivatePostgres of the test's own. (A dropped publication is covered
// by PostgresSourceTest.DroppedPublicationStopsWithAdvice.)
#include <gtest/gtest.h>

#include <future>

#include "cdc/config_node.h"
#include "cdc/error.h"
#include "cdc/pipeline.h"
#include "sources/postgres/postgres_source.h"
#include "sources/postgres/replication_stream.h"
#include "tests/sources/postgres/pg_test_env.h"
#include "tests/support/test_support.h"

namespace cdc::pg {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using ::cdc::testing::RunningPipeline;
using testing::PrivatePostgres;
using testing::RunningSource;
using testing::Sql;
using testing::TestDatabase;
using testing::WatchedEmitter;

constexpr char kContext[] = "postgres source (pipeline t): catalog connection: ";

PostgresSourceOptions Options(const std::string& dsn, const std::string& slot) {
  PostgresSourceOptions o;
  o.pipeline = "t";
  o.dsn = dsn;
  o.tables = {"public.t"};
  o.slot = slot;
  o.publication = "p_" + slot;
  o.snapshot.mode = SnapshotMode::kNever;
  o.heartbeat_interval = 0ms;
  o.status_interval = 200ms;
  return o;
}

// How a run of the source ended.
struct Outcome {
  std::string kind;  // "Error", "TransientError", or "none" (still running at the timeout)
  std::string message;
  Clock::duration took{};
};

// Runs the source until it throws, or `timeout` (then stops it: "none").
Outcome RunToError(PostgresSource& source, const std::optional<Offset>& from,
                   std::chrono::seconds timeout = 20s) {
  WatchedEmitter out;
  std::stop_source stop;
  const auto t0 = Clock::now();
  auto done = std::async(std::launch::async, [&]() -> Outcome {
    try {
      source.run(from, out, stop.get_token());
      return {"none", "", Clock::now() - t0};
    } catch (const TransientError& e) {
      return {"TransientError", e.what(), Clock::now() - t0};
    } catch (const Error& e) {
      return {"Error", e.what(), Clock::now() - t0};
    }
  });
  if (done.wait_for(timeout) != std::future_status::ready) stop.request_stop();
  return done.get();
}

// Private servers need what the shared one needs (PostgreSQL 15 and svc):
// skipped, or failed in CI, the same way when it is not there.
#define CDCD_PRIVATE_POSTGRES_OR_SKIP()                                  \
  CDCD_SERVICE_ENV_OR_SKIP(shared_dsn_, "postgres", "CDCD_TEST_PG_DSN"); \
  (void)shared_dsn_

std::string Scalar(const std::string& dsn, const std::string& sql) {
  PgResult r = Sql(dsn, sql);
  return r.rows() == 1 && !r.is_null(0, 0) ? r.get(0, 0) : "";
}

TEST(PgErrorPathsTest, SlotBusyTimeoutOptionParsesLikeOtherDurations) {
  auto parse = [](const std::string& yaml) {
    return ParsePostgresSourceOptions(ConfigNode(YAML::Load(yaml), "t.yaml", "source"), "p");
  };
  EXPECT_EQ(parse("dsn: x").slot_busy_timeout, 15s);
  EXPECT_EQ(parse("{dsn: x, slot_busy_timeout: 1500ms}").slot_busy_timeout, 1500ms);
  EXPECT_EQ(parse("{dsn: x, slot_busy_timeout: 0}").slot_busy_timeout, 0ms);
  try {
    parse("{dsn: x, slot_busy_timeout: soon}");
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("slot_busy_timeout"), std::string::npos) << e.what();
  }
}

TEST(PgErrorPathsTest, ToastPlaceholderOnTheSourceSaysWhereItMoved) {
  try {
    ParsePostgresSourceOptions(
        ConfigNode(YAML::Load("{dsn: x, toast_placeholder: u}"), "t.yaml", "source"), "p");
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("moved to the pipeline's format"), std::string::npos)
        << e.what();
  }
}

TEST(PgErrorPathsTest, WalLevelReplicaSaysToSetLogicalAndRestart) {
  CDCD_PRIVATE_POSTGRES_OR_SKIP();
  PrivatePostgres pg("wal_level = replica");
  Sql(pg.dsn(), "CREATE TABLE t (id int PRIMARY KEY)");
  PostgresSource source(Options(pg.dsn(), "s_wal"));
  Outcome r = RunToError(source, std::nullopt);
  EXPECT_EQ(r.kind, "Error");
  EXPECT_EQ(r.message, std::string(kContext) +
                           "wal_level is 'replica' but logical decoding needs 'logical': set "
                           "wal_level = logical in postgresql.conf (or ALTER SYSTEM SET wal_level "
                           "= logical) and restart the server");
}

// Another replication client streaming from the slot.
class SlotHolder {
 public:
  SlotHolder(const TestDatabase& db, const std::string& slot, const std::string& publication)
      : conn_(db.dsn(), PgConnection::Mode::kReplication, "holder"), stream_(conn_, 10s) {
    conn_.exec("CREATE_REPLICATION_SLOT " + slot + " LOGICAL pgoutput NOEXPORT_SNAPSHOT",
               "creating the slot");
    stream_.start(slot, 0, publication);
  }
  void close() { conn_.close(); }

 private:
  PgConnection conn_;
  ReplicationStream stream_;
};

TEST(PgErrorPathsTest, SlotInUseByAnotherProcessFailsAfterSlotBusyTimeout) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "busy");
  db.sql("CREATE TABLE t (id int PRIMARY KEY)");
  PostgresSourceOptions o = Options(db.dsn(), "s_" + db.name().substr(7));
  o.slot_busy_timeout = 1s;
  db.sql("CREATE PUBLICATION " + o.publication + " FOR TABLE t");
  SlotHolder holder(db, o.slot, o.publication);
  ASSERT_TRUE(testing::WaitSlotStreaming(db, o.slot));
  const std::string pid = Scalar(
      db.dsn(), "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '" + o.slot + "'");
  ASSERT_FALSE(pid.empty());

  PostgresSource source(o);
  Outcome r = RunToError(source, std::nullopt);
  EXPECT_EQ(r.kind, "Error");
  EXPECT_EQ(r.message, std::string(kContext) + "replication slot " + o.slot +
                           " is in use by another process (PID " + pid +
                           "): another cdcd or logical replication client is reading it. Stop "
                           "that client, or give this pipeline its own `slot`");
  // It waited slot_busy_timeout for the holder to go away, and not much more.
  EXPECT_GE(r.took, 1s);
  EXPECT_LT(r.took, 5s);
}

TEST(PgErrorPathsTest, SlotFreedWithinSlotBusyTimeoutIsTaken) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "freed");
  db.sql("CREATE TABLE t (id int PRIMARY KEY)");
  PostgresSourceOptions o = Options(db.dsn(), "s_" + db.name().substr(7));
  o.slot_busy_timeout = 20s;
  db.sql("CREATE PUBLICATION " + o.publication + " FOR TABLE t");
  SlotHolder holder(db, o.slot, o.publication);
  ASSERT_TRUE(testing::WaitSlotStreaming(db, o.slot));
  const std::string holder_pid = Scalar(
      db.dsn(), "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '" + o.slot + "'");

  PostgresSource source(o);
  WatchedEmitter out;
  RunningSource run(source, std::nullopt, out);
  std::this_thread::sleep_for(1s);
  holder.close();
  // The source's own walsender takes over the slot.
  std::string pid;
  for (int i = 0; i < 300 && (pid.empty() || pid == holder_pid); ++i) {
    std::this_thread::sleep_for(50ms);
    if (!testing::SlotStreaming(db, o.slot)) continue;
    pid = Scalar(db.dsn(),
                 "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '" + o.slot + "'");
  }
  ASSERT_NE(pid, holder_pid) << run.error();
  db.sql("INSERT INTO t VALUES (7)");
  ASSERT_TRUE(out.wait_data(1)) << run.error();
  EXPECT_EQ(out.data().at(0).after->values.at(0), Value(7));
  EXPECT_EQ(run.error(), "");
}

TEST(PgErrorPathsTest, InvalidatedSlotSaysToDropItAndStartOverWithASnapshot) {
  CDCD_PRIVATE_POSTGRES_OR_SKIP();
  PrivatePostgres pg("max_slot_wal_keep_size = 1MB\nwal_keep_size = 0");
  Sql(pg.dsn(), "CREATE TABLE t (id int PRIMARY KEY)");
  PostgresSourceOptions o = Options(pg.dsn(), "s_lost");
  Offset committed;
  {
    PostgresSource source(o);
    WatchedEmitter out;
    RunningSource run(source, std::nullopt, out);
    ASSERT_TRUE(testing::WaitSlotStreaming(pg.dsn(), o.slot)) << run.error();
    Sql(pg.dsn(), "INSERT INTO t VALUES (1)");
    ASSERT_TRUE(out.wait_data(1)) << run.error();
    committed = out.data().at(0).next;
  }
  // Nothing acknowledged: the slot keeps its restart_lsn while WAL moves on
  // past max_slot_wal_keep_size, and the next checkpoint invalidates it.
  std::string status;
  for (int i = 0; i < 20 && status != "lost"; ++i) {
    Sql(pg.dsn(),
        "SELECT pg_logical_emit_message(false, 'test', 'x'); SELECT pg_switch_wal(); CHECKPOINT");
    status = Scalar(
        pg.dsn(), "SELECT wal_status FROM pg_replication_slots WHERE slot_name = '" + o.slot + "'");
  }
  ASSERT_EQ(status, "lost");

  PostgresSource source(o);
  Outcome r = RunToError(source, committed);
  EXPECT_EQ(r.kind, "Error");
  EXPECT_EQ(r.message, std::string(kContext) +
                           "replication slot s_lost was invalidated by the "
                           "server (wal_status lost: it fell behind by more "
                           "than max_slot_wal_keep_size) and the WAL it "
                           "needed is gone. Drop it (SELECT "
                           "pg_drop_replication_slot('s_lost')), remove the "
                           "sink's committed offset and start again with a "
                           "snapshot");
}

// Keeps the `id` of every data event it commits, and the offset.
// Inserts ids 1..n, one transaction each, through server restarts: a failed
// insert is retried, ON CONFLICT making a retry of one that did commit a no-op.
void InsertThroughRestarts(const std::string& dsn, int n, std::atomic<int>& inserted) {
  for (int id = 1; id <= n; ++id) {
    for (int attempt = 0;; ++attempt) {
      try {
        Sql(dsn, "INSERT INTO t VALUES (" + std::to_string(id) + ") ON CONFLICT DO NOTHING");
        break;
      } catch (const std::exception&) {
        if (attempt >= 300) throw;
        std::this_thread::sleep_for(50ms);
      }
    }
    inserted = id;
    std::this_thread::sleep_for(5ms);
  }
}

TEST(PgErrorPathsTest, ServerRestartMidStreamResumesEveryRowExactlyOnceInOrder) {
  CDCD_PRIVATE_POSTGRES_OR_SKIP();
  PrivatePostgres pg("");
  Sql(pg.dsn(), "CREATE TABLE t (id int PRIMARY KEY)");
  PostgresSourceOptions o = Options(pg.dsn(), "s_restart");
  o.heartbeat_interval = 300ms;
  RunningPipeline run(std::make_unique<PostgresSource>(o));
  ASSERT_TRUE(testing::WaitSlotStreaming(pg.dsn(), o.slot)) << run.error();

  constexpr int kRows = 300;
  std::atomic<int> inserted{0};
  std::string writer_error;
  std::jthread writer([&] {
    try {
      InsertThroughRestarts(pg.dsn(), kRows, inserted);
    } catch (const std::exception& e) {
      writer_error = e.what();
    }
  });
  // Restart while rows are being written and streamed.
  for (int i = 0; i < 600 && run.sink().ids().size() < 50; ++i) std::this_thread::sleep_for(50ms);
  const int before_restart = inserted;
  pg.restart();
  writer.join();
  ASSERT_EQ(writer_error, "");
  ASSERT_LT(before_restart, kRows) << "the restart came after the last insert";

  for (int i = 0; i < 600 && run.sink().ids().size() < kRows; ++i) {
    std::this_thread::sleep_for(50ms);
  }
  std::this_thread::sleep_for(500ms);  // a duplicate would arrive after the last row
  std::vector<int64_t> expected(kRows);
  for (int i = 0; i < kRows; ++i) expected[i] = i + 1;
  EXPECT_EQ(run.sink().ids(), expected) << run.status().last_error;
  EXPECT_GE(run.status().retries, 1u) << "the restart was not noticed";
  run.stop();
  EXPECT_EQ(run.error(), "");
}

TEST(PgErrorPathsTest, SlotInvalidatedWhileStreamingStopsThePipelineInsteadOfRetrying) {
  CDCD_PRIVATE_POSTGRES_OR_SKIP();
  PrivatePostgres pg("max_slot_wal_keep_size = 1MB\nwal_keep_size = 0");
  Sql(pg.dsn(), "CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE other (id int)");
  PostgresSourceOptions o = Options(pg.dsn(), "s_lost_live");
  RunningPipeline run(std::make_unique<PostgresSource>(o));
  ASSERT_TRUE(testing::WaitSlotStreaming(pg.dsn(), o.slot)) << run.error();
  // Changes outside the publication: nothing is committed, so nothing is
  // acknowledged and the slot falls behind. Invalidating it ends its
  // walsender (a TransientError: the pipeline retries), and the retry then
  // finds the slot invalidated.
  for (int i = 0; i < 100 && !run.done(); ++i) {
    Sql(pg.dsn(), "INSERT INTO other VALUES (1); SELECT pg_switch_wal(); CHECKPOINT");
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(run.done()) << run.status().last_error;
  // Depending on whether the retry came before or after the server marked
  // the slot lost, START_REPLICATION or the slot check says so.
  const std::string error = run.error();
  EXPECT_NE(error.find("replication slot s_lost_live was invalidated"), std::string::npos) << error;
  EXPECT_NE(error.find("remove the sink's committed offset and start again with a snapshot"),
            std::string::npos)
      << error;
  EXPECT_EQ(run.status().state, PipelineState::kFailed);
  EXPECT_GE(run.status().retries, 1u);
  EXPECT_EQ(run.sink().ids(), std::vector<int64_t>{});
}

}  // namespace
}  // namespace cdc::pg
