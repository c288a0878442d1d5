// Debezium conformance on PostgreSQL (issue 12): the real Debezium 3.6.1.Final
// and the cdcd binary capture the same PostgreSQL database at the same time, each with and
// without schemas: a snapshot of seeded rows, then a stream of inserts,
// updates, key changes, deletes, a truncate, unchanged TOAST values, a schema
// change and multi-table transactions (postgres_workload.h).
//
// It proves that cdcd's Debezium envelope is Debezium's: every record is on
// both sides (topic, key, op), each key's records come in the same order,
// keys and values are equal field by field (their Connect schemas too), and
// Kafka Connect's JsonConverter reads each cdcd record into what it reads
// from the matching Debezium record. The only differences accepted are those
// listed in docs/debezium-compatibility.md (allowed_differences.h).
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "tests/conformance/conformance_driver.h"
#include "tests/conformance/postgres_captures.h"
#include "tests/conformance/postgres_workload.h"
#include "tests/e2e/postgres/pg_e2e_util.h"

namespace cdc::testing {
namespace {

using pg::testing::TestDatabase;

// Fails unless both Debezium runs have started their task and all four
// slots stream (Debezium streams once its snapshot is done; cdcd likewise).
void WaitUntilStreaming(const TestDatabase& db, const std::string& tag,
                        const std::vector<CaptureSide>& sides,
                        std::vector<DebeziumCapture>& debezium, CdcdCapture& cdcd) {
  WaitUntilAllCaptures(
      debezium, cdcd,
      [&] {
        for (size_t i = 0; i < sides.size(); ++i) {
          if (!debezium[i].ready() ||
              !pg::testing::SlotStreaming(db, PgSlot("dbz", sides[i], tag)) ||
              !pg::testing::SlotStreaming(db, PgSlot("cdcd", sides[i], tag))) {
            return false;
          }
        }
        return true;
      },
      "every capture streams");
}

// "table.column" of the captured columns of type real or real[].
std::set<std::string> Float32Columns(const TestDatabase& db) {
  auto rows = db.sql(
      "SELECT c.relname || '.' || a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = "
      "a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND "
      "a.attnum > 0 AND NOT a.attisdropped AND a.atttypid IN ('real'::regtype, 'real[]'::regtype)");
  std::set<std::string> out;
  for (int i = 0; i < rows.rows(); ++i) out.insert(rows.get(i, 0));
  return out;
}

void RunWorkload(const TestDatabase& db) {
  for (const std::string& tx : StreamingTransactions()) {
    try {
      db.sql(tx);
    } catch (const std::exception& e) {
      FAIL() << "workload transaction failed: " << e.what() << "\n" << tx.substr(0, 300);
    }
  }
  db.sql(std::string("INSERT INTO ") + SentinelTable() + " VALUES (1)");
}

}  // namespace

TEST(PostgresConformanceTest, CdcdRecordsAreDebeziumRecords) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  CDCD_SERVICE_ENV_OR_SKIP(host, "postgres", "CDCD_TEST_PG_HOST");
  CDCD_SERVICE_ENV_OR_SKIP(port, "postgres", "CDCD_TEST_PG_PORT");
  CDCD_SERVICE_ENV_OR_SKIP(user, "postgres", "CDCD_TEST_PG_USER");
  if (!JavaToolsAvailable()) {
    if (ServicesRequired()) FAIL() << "java, javac or mvn not found (scripts/install-deps.sh)";
    GTEST_SKIP() << "java, javac or mvn not found (scripts/install-deps.sh)";
  }
  PhaseClock clock;
  TestDatabase db(dsn, "dbzconf");
  for (const std::string& sql : SchemaAndSeedSql()) db.sql(sql);
  const PgServer pg{host, port, user, db.name(), db.dsn()};
  const std::string tag = PgTag(db);
  const std::vector<CaptureSide> sides = ConformanceSides();
  TempDir scratch;
  const std::string work = WorkDir(scratch, "postgres");

  std::vector<DebeziumCapture> debezium;
  debezium.reserve(sides.size());
  std::string pipelines;
  for (const CaptureSide& side : sides) {
    const std::string dir = work + "/dbz-" + side.prefix;
    debezium.emplace_back(PostgresDebeziumProperties(pg, side, ConformanceTables(), tag, dir),
                          side.schemas, dir, kDebeziumIdle);
    pipelines +=
        PostgresCdcdPipeline(pg, side, ConformanceTables(), tag, work + "/cdcd/" + side.prefix);
  }
  CdcdCapture cdcd(pipelines, work + "/cdcd");
  ASSERT_NO_FATAL_FAILURE(WaitUntilStreaming(db, tag, sides, debezium, cdcd));
  clock.phase("all captures stream");
  ASSERT_NO_FATAL_FAILURE(RunWorkload(db));
  clock.phase("workload done");
  ASSERT_NO_FATAL_FAILURE(WaitForSentinelAndStop(sides, debezium, cdcd, SentinelTable()));
  clock.phase("captures stopped");

  // Read both settings; the four Connect round trips run at once.
  std::vector<SideCaptures> captures;
  for (size_t i = 0; i < sides.size(); ++i) {
    captures.push_back(ReadSide(sides[i], cdcd, debezium[i], work));
  }
  const std::set<std::string> float32_columns = Float32Columns(db);
  size_t total = 0;
  for (size_t i = 0; i < sides.size(); ++i) {
    total += CompareSide(sides[i], captures[i], float32_columns);
  }
  clock.phase("compared");
  EXPECT_EQ(total, 0u) << "cdcd's records differ from Debezium's (the reports are above)";
}

}  // namespace cdc::testing
