// Debezium conformance (issue 12): the real Debezium 3.6.1.Final and the cdcd
// binary capture the same PostgreSQL database at the same time, each with and
// without schemas: a snapshot of seeded rows, then a stream of inserts,
// updates, key changes, deletes, a truncate, unchanged TOAST values, a schema
// change and multi-table transactions (conformance_workload.h).
//
// It proves that cdcd's Debezium envelope is Debezium's: every record is on
// both sides (topic, key, op), each key's records come in the same order,
// keys and values are equal field by field (their Connect schemas too), and
// Kafka Connect's JsonConverter reads each cdcd record into what it reads
// from the matching Debezium record. The only differences accepted are those
// listed in docs/debezium-compatibility.md (allowed_differences.h).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>
#include <thread>

#include "tests/conformance/capture_processes.h"
#include "tests/conformance/captured_record.h"
#include "tests/conformance/conformance_workload.h"
#include "tests/conformance/connect_roundtrip.h"
#include "tests/conformance/record_comparison.h"
#include "tests/e2e/postgres/pg_e2e_util.h"
#include "tests/support/capture_util.h"

namespace cdc::testing {
namespace {

using namespace std::chrono_literals;
using pg::testing::TestDatabase;

// Debezium stops this long after its last record: longer than any quiet
// stretch between its first record (its snapshot) and the sentinel.
constexpr auto kDebeziumIdle = 20s;
// The first run fetches Debezium's jars from Maven Central.
constexpr auto kStartTimeout = 600s;

// Prints how long each phase took (run time matters in CI).
class PhaseClock {
 public:
  void phase(const std::string& name) {
    const auto now = std::chrono::steady_clock::now();
    std::cout << "[conformance] " << name << " at "
              << std::chrono::duration_cast<std::chrono::milliseconds>(now - start_).count()
              << " ms" << std::endl;
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// $CDCD_CONFORMANCE_DIR if set (kept, to look at the captures), else `scratch`.
std::string WorkDir(const TempDir& scratch) {
  const char* dir = std::getenv("CDCD_CONFORMANCE_DIR");
  if (!dir || !*dir) return scratch.str();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::vector<CaptureSide> Sides(const std::string& tag) {
  return {{true, "conf_s", "dbz_s_" + tag, "cdcd_s_" + tag},
          {false, "conf_n", "dbz_n_" + tag, "cdcd_n_" + tag}};
}

std::string Topic(const CaptureSide& side, const std::string& table) {
  return side.prefix + "." + table;
}

// Fails unless both Debezium runs have started their task and all four
// slots stream (Debezium streams once its snapshot is done; cdcd likewise).
void WaitUntilStreaming(const TestDatabase& db, const std::vector<CaptureSide>& sides,
                        std::vector<DebeziumCapture>& debezium, CdcdCapture& cdcd) {
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (true) {
    int status = 0;
    for (DebeziumCapture& d : debezium) {
      ASSERT_FALSE(d.exited(status)) << "Debezium exited " << status << "\n" << d.log_tail();
    }
    ASSERT_FALSE(cdcd.exited(status)) << "cdcd exited " << status << "\n" << cdcd.log_tail();
    bool all = true;
    for (size_t i = 0; i < sides.size(); ++i) {
      all = all && debezium[i].ready() && pg::testing::SlotStreaming(db, sides[i].debezium_slot) &&
            pg::testing::SlotStreaming(db, sides[i].cdcd_slot);
    }
    if (all) return;
    if (std::chrono::steady_clock::now() > deadline) {
      std::string logs = cdcd.log_tail();
      for (const DebeziumCapture& d : debezium) logs += "\n" + d.log_tail();
      FAIL() << "not every capture streams after " << kStartTimeout.count() << " s\n" << logs;
    }
    std::this_thread::sleep_for(200ms);
  }
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

// Waits until Debezium's run ends by itself (idle after its last record); it
// must exit 0 and have captured the sentinel.
void WaitForDebeziumEnd(const CaptureSide& side, DebeziumCapture& debezium) {
  const std::string sentinel = Topic(side, SentinelTable());
  const auto deadline = std::chrono::steady_clock::now() + kDebeziumIdle + 120s;
  int status = -1;
  bool saw_sentinel = false;
  while (!debezium.exited(status)) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline)
        << "Debezium (" << side.prefix << ") did not stop\n"
        << debezium.log_tail();
    saw_sentinel = saw_sentinel || debezium.has_topic(sentinel);
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(status, 0) << debezium.log_tail();
  ASSERT_TRUE(saw_sentinel || debezium.has_topic(sentinel))
      << "Debezium (" << side.prefix << ") stopped before the sentinel: raise kDebeziumIdle\n"
      << debezium.log_tail();
}

// Waits for the sentinel in every capture, stops cdcd (SIGTERM: it must exit
// 0) and lets the Debezium runs end.
void WaitForSentinelAndStop(const std::vector<CaptureSide>& sides,
                            std::vector<DebeziumCapture>& debezium, CdcdCapture& cdcd) {
  for (const CaptureSide& side : sides) {
    ASSERT_TRUE(WaitForTopic(cdcd.out(side), Topic(side, SentinelTable())))
        << "cdcd never committed the sentinel of " << side.prefix << "\n"
        << cdcd.log_tail();
  }
  EXPECT_EQ(cdcd.stop(60s), 0) << cdcd.log_tail();
  for (size_t i = 0; i < sides.size(); ++i) {
    ASSERT_NO_FATAL_FAILURE(WaitForDebeziumEnd(sides[i], debezium[i]));
  }
}

// Both captures of one schemas setting, matched, with their Connect round trips.
struct SideCaptures {
  std::vector<CapturedRecord> cdcd, debezium;
  RecordMatching matching;
  std::unique_ptr<ConnectRoundTrip> cdcd_trip, debezium_trip;
};

// Reads and matches the captures of `side` and starts their round trips.
SideCaptures ReadSide(const CaptureSide& side, const CdcdCapture& cdcd,
                      const DebeziumCapture& debezium, const std::string& work) {
  SideCaptures s;
  s.cdcd = ReadCdcdCapture(cdcd.out(side));
  s.debezium = ReadDebeziumCapture(debezium.out());
  s.matching = MatchRecords(s.cdcd, s.debezium, side.schemas);
  const std::string lines = work + "/cdcd-" + side.prefix + ".jsonl";
  WriteRunnerLines(s.cdcd, lines);
  s.cdcd_trip = std::make_unique<ConnectRoundTrip>(lines, side.schemas);
  s.debezium_trip = std::make_unique<ConnectRoundTrip>(debezium.out(), side.schemas);
  return s;
}

// Compares the records and their Connect renderings of one side, prints the
// reports; returns the number of differences.
size_t CompareSide(const CaptureSide& side, SideCaptures& s,
                   const std::set<std::string>& float32_columns) {
  const std::string setting = std::string("schemas: ") + (side.schemas ? "true" : "false");
  DifferenceReport records("cdcd vs Debezium records, " + setting);
  CompareCaptures(s.cdcd, s.debezium, side.schemas, float32_columns, s.matching, records);
  s.cdcd_trip->finish(180s);
  s.debezium_trip->finish(180s);
  DifferenceReport connect("Kafka Connect renderings, " + setting);
  CompareRoundTrips(*s.cdcd_trip, *s.debezium_trip, s.cdcd, side.schemas, float32_columns,
                    s.matching, connect);
  std::cout << "[conformance] " << setting << ": " << s.cdcd.size() << " cdcd records, "
            << s.debezium.size() << " Debezium records, " << s.matching.pairs.size() << " matched\n"
            << records.text() << connect.text() << std::flush;
  // The comparison saw the whole workload: most records have a partner.
  EXPECT_GT(s.matching.pairs.size(), s.debezium.size() * 9 / 10) << setting;
  return records.count() + connect.count();
}

}  // namespace

TEST(DebeziumConformanceTest, CdcdRecordsAreDebeziumRecords) {
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
  const std::vector<CaptureSide> sides = Sides(PgTag(db));
  TempDir scratch;
  const std::string work = WorkDir(scratch);

  std::vector<DebeziumCapture> debezium;
  debezium.reserve(sides.size());
  for (const CaptureSide& side : sides) {
    debezium.emplace_back(pg, side, ConformanceTables(), work + "/dbz-" + side.prefix,
                          kDebeziumIdle);
  }
  CdcdCapture cdcd(pg, sides, ConformanceTables(), work + "/cdcd");
  ASSERT_NO_FATAL_FAILURE(WaitUntilStreaming(db, sides, debezium, cdcd));
  clock.phase("all captures stream");
  ASSERT_NO_FATAL_FAILURE(RunWorkload(db));
  clock.phase("workload done");
  ASSERT_NO_FATAL_FAILURE(WaitForSentinelAndStop(sides, debezium, cdcd));
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
