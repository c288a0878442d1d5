// Debezium conformance on MariaDB (issue 12): Debezium's MariaDB connector
// (3.5.0.Final, its last release) and the cdcd binary capture the same MariaDB
// database at the same time, each with and without schemas: a snapshot of
// seeded rows, then a stream of inserts, updates, key changes, deletes, a
// truncate, a schema change and multi-table transactions
// (mariadb_workload.h). What is proven and how is the PostgreSQL test's
// (postgres_conformance_test.cc); the accepted differences are in
// docs/debezium-compatibility.md (allowed_differences.h).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "tests/conformance/conformance_driver.h"
#include "tests/conformance/mariadb_captures.h"
#include "tests/conformance/mariadb_workload.h"
#include "tests/sources/mysql/mysql_test_env.h"
#include "tests/support/capture_util.h"

namespace cdc::testing {
namespace {

using mysql::MySqlConnection;
using mysql::MySqlConnectOptions;
using mysql::testing::TestSchema;

constexpr const char* kSnapshotEnd = "\"snapshot\":\"last\"";

bool HasSnapshotEnd(const std::vector<CapturedRecord>& records) {
  for (const CapturedRecord& r : records) {
    if (r.value_text.find(kSnapshotEnd) != std::string::npos) return true;
  }
  return false;
}

// Debezium's output is read while it is written: as text, not records.
bool HasSnapshotEnd(const DebeziumCapture& debezium) {
  return std::filesystem::exists(debezium.out()) &&
         ReadFile(debezium.out()).find(kSnapshotEnd) != std::string::npos;
}

// Fails unless every capture has read its whole snapshot (its last record
// is there); each then streams from the binlog position its snapshot is
// consistent with, so the workload may start.
void WaitUntilSnapshotsDone(const std::vector<CaptureSide>& sides,
                            std::vector<DebeziumCapture>& debezium, CdcdCapture& cdcd) {
  WaitUntilAllCaptures(
      debezium, cdcd,
      [&] {
        for (size_t i = 0; i < sides.size(); ++i) {
          if (!HasSnapshotEnd(debezium[i]) ||
              !std::filesystem::exists(cdcd.out(sides[i]) + "/offsets.json") ||
              !HasSnapshotEnd(ReadCdcdCapture(cdcd.out(sides[i])))) {
            return false;
          }
        }
        return true;
      },
      "every snapshot is done");
}

void RunWorkload(const MySqlConnectOptions& server, const TestSchema& db) {
  MySqlConnection c(server, "conformance workload");
  c.query("USE " + db.name(), "workload USE");
  for (const std::vector<std::string>& tx : MariaDbTransactions()) {
    try {
      if (tx.size() > 1) c.query("BEGIN", "workload BEGIN");
      for (const std::string& statement : tx) c.query(statement, "workload");
      if (tx.size() > 1) c.query("COMMIT", "workload COMMIT");
    } catch (const std::exception& e) {
      FAIL() << "workload transaction failed: " << e.what() << "\n" << tx[0].substr(0, 300);
    }
  }
  c.query("INSERT INTO sentinel VALUES (1)", "workload sentinel");
}

}  // namespace

TEST(MariaDbConformanceTest, CdcdRecordsAreDebeziumRecords) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  if (!JavaToolsAvailable()) {
    if (ServicesRequired()) FAIL() << "java, javac or mvn not found (scripts/install-deps.sh)";
    GTEST_SKIP() << "java, javac or mvn not found (scripts/install-deps.sh)";
  }
  PhaseClock clock;
  TestSchema db(server, "dbzconf");
  for (const std::string& sql : MariaDbSchemaAndSeedSql()) db.sql(sql);
  const std::vector<CaptureSide> sides = ConformanceSides();
  TempDir scratch;
  const std::string work = WorkDir(scratch, "mariadb");

  std::vector<std::string> debezium_tables;
  for (const std::string& t : MariaDbTables()) {
    if (!CdcdOnlyTable(t)) debezium_tables.push_back(t);
  }
  std::vector<DebeziumCapture> debezium;
  debezium.reserve(sides.size());
  std::string pipelines;
  for (const CaptureSide& side : sides) {
    const std::string dir = work + "/dbz-" + side.prefix;
    debezium.emplace_back(MariaDbDebeziumProperties(server, db.name(), side, debezium_tables, dir),
                          side.schemas, dir, kDebeziumIdle, kMariaDbPom);
    pipelines += MariaDbCdcdPipeline(server, db.name(), side, MariaDbTables(),
                                     work + "/cdcd/" + side.prefix);
  }
  CdcdCapture cdcd(pipelines, work + "/cdcd");
  ASSERT_NO_FATAL_FAILURE(WaitUntilSnapshotsDone(sides, debezium, cdcd));
  clock.phase("all snapshots done");
  ASSERT_NO_FATAL_FAILURE(RunWorkload(server, db));
  clock.phase("workload done");
  ASSERT_NO_FATAL_FAILURE(WaitForSentinelAndStop(sides, debezium, cdcd, db.name() + ".sentinel"));
  clock.phase("captures stopped");

  std::vector<SideCaptures> captures;
  for (size_t i = 0; i < sides.size(); ++i) {
    captures.push_back(ReadSide(sides[i], cdcd, debezium[i], work));
  }
  size_t total = 0;
  for (size_t i = 0; i < sides.size(); ++i) {
    total += CompareSide(sides[i], captures[i], MariaDbFloat32Columns());
  }
  clock.phase("compared");
  EXPECT_EQ(total, 0u) << "cdcd's records differ from Debezium's (the reports are above)";
}

}  // namespace cdc::testing
