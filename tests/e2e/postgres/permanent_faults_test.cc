// Permanent faults of a PostgreSQL pipeline are loud: the replication slot
// dropped, the publication dropped, a captured table dropped or renamed, the
// file sink's directory deleted. Each stops the pipeline with a message that
// says what happened and what to do, shown in /pipelines, /readyz and the
// log, while the daemon's other pipeline runs on. A column type change is no
// fault: it is followed, and the events carry the new schema.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/e2e/permanent_fault_util.h"
#include "tests/e2e/postgres/pg_e2e_util.h"
#include "tests/support/capture_util.h"

namespace cdc::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using pg::testing::TestDatabase;

// A running postgres -> file pipeline on table t (id, v) beside the
// companion, with t's one seed row committed.
class PgFault {
 public:
  explicit PgFault(const std::string& admin_dsn, const std::string& tables = "[\"public.t\"]")
      : db_(admin_dsn, "fault") {
    db_.sql("CREATE TABLE t (id int PRIMARY KEY, v int)");
    db_.sql("CREATE TABLE other (id int PRIMARY KEY)");
    db_.sql("INSERT INTO t VALUES (1, 1)");
    run_.start(PgToFileConfig(db_, run_.dir().out(), tables, "      snapshot: initial\n", 100));
  }

  TestDatabase& db() { return db_; }
  const CdcdRunDir& dir() const { return run_.dir(); }
  std::string name() const { return PgTag(db_); }
  httplib::Client& http() { return run_.http(); }

  // Waits until `n` events of the pipeline are committed.
  void wait_committed(uint64_t n) {
    json p;
    for (int i = 0; i < 300; ++i) {
      p = PipelineEntry(http(), name());
      if (!p.is_null() && p["events_committed"].get<uint64_t>() >= n) return;
      std::this_thread::sleep_for(100ms);
    }
    FAIL() << "never committed " << n << " events: " << p.dump() << "\n" << dir().log_text();
  }

  void expect_loud_stop(const std::string& expected) { run_.expect_loud_stop(name(), expected); }

 private:
  TestDatabase db_;
  CompanionRun run_;
};

TEST(PgPermanentFaultsTest, SlotDroppedWhileStreaming) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  PgFault f(dsn);
  f.wait_committed(1);
  const std::string slot = "s_" + f.name();
  // The walsender holds the slot: end it, and drop the slot before cdcd's
  // reconnection (after its backoff) takes it again.
  for (int attempt = 0;; ++attempt) {
    f.db().sql(
        "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE "
        "slot_name = '" +
        slot + "' AND active_pid IS NOT NULL");
    try {
      f.db().sql("SELECT pg_drop_replication_slot('" + slot + "')");
      break;
    } catch (const std::exception& e) {
      ASSERT_LT(attempt, 50) << e.what();
      std::this_thread::sleep_for(50ms);
    }
  }
  f.expect_loud_stop("replication slot " + slot + " does not exist, but the sink has a committed");
}

TEST(PgPermanentFaultsTest, PublicationDroppedWhileStreaming) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  PgFault f(dsn);
  f.wait_committed(1);
  f.db().sql("DROP PUBLICATION p_" + f.name());
  f.db().sql("INSERT INTO t VALUES (2, 2)");
  f.expect_loud_stop("publication p_" + f.name() + " was dropped");
}

TEST(PgPermanentFaultsTest, NamedTableDroppedWhileStreaming) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  PgFault f(dsn, "[\"public.t\", \"public.other\"]");
  f.wait_committed(1);
  f.db().sql("DROP TABLE t");
  f.expect_loud_stop("table public.t (named in `tables`) was dropped while cdcd streamed it");
}

TEST(PgPermanentFaultsTest, NamedTableRenamedWhileStreaming) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  PgFault f(dsn, "[\"public.t\", \"public.other\"]");
  f.wait_committed(1);
  f.db().sql("ALTER TABLE t RENAME TO t_old");
  f.db().sql("INSERT INTO t_old VALUES (2, 2)");
  f.expect_loud_stop("table public.t (named in `tables`) was renamed to public.t_old");
}

// Under a '*' pattern a table is one of "whatever matches": dropping it ends
// nothing, and the pipeline runs on with the others.
TEST(PgPermanentFaultsTest, TableUnderAPatternMayBeDropped) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  PgFault f(dsn, "[\"public.*\"]");
  f.wait_committed(1);
  f.db().sql("DROP TABLE t");
  f.db().sql("INSERT INTO other VALUES (7)");
  f.wait_committed(2);
  std::this_thread::sleep_for(2500ms);  // two heartbeats: two checks
  EXPECT_EQ(PipelineEntry(f.http(), f.name())["state"], "running") << f.dir().log_text();
}

TEST(PgPermanentFaultsTest, SinkDirectoryDeleted) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  PgFault f(dsn);
  f.wait_committed(1);
  std::filesystem::remove_all(f.dir().out());
  f.db().sql("INSERT INTO t VALUES (2, 2)");
  f.expect_loud_stop(f.dir().out() + "/");
  EXPECT_NE(f.dir().log_text().find("No such file or directory"), std::string::npos);
  // It is not recreated empty behind the operator's back.
  EXPECT_FALSE(std::filesystem::exists(f.dir().out() + "/offsets.json"));
}

TEST(PgPermanentFaultsTest, ColumnTypeChangeIsFollowed) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  PgFault f(dsn);
  f.wait_committed(1);
  f.db().sql("ALTER TABLE t ALTER COLUMN v TYPE text USING 'was ' || v");
  f.db().sql("INSERT INTO t VALUES (2, 'two')");
  f.wait_committed(2);
  EXPECT_EQ(PipelineEntry(f.http(), f.name())["state"], "running");
  std::vector<json> values;
  for (const Record& r : CaptureRecords(f.dir().out())) {
    if (r.topic.find(".public.t") != std::string::npos && r.value) {
      values.push_back(json::parse(*r.value));
    }
  }
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0]["after"]["v"], 1);
  EXPECT_EQ(values[1]["after"]["v"], "two");
}

}  // namespace
}  // namespace cdc::testing
