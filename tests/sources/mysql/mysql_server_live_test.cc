// The MySQL source against server settings of its own (private MariaDB
// servers) and at scale: a 300,000-row transaction streamed in bounded
// memory, compressed binlog events (log_bin_compress), and the start-up
// checks with the information_schema fallback when binlog_row_metadata is
// MINIMAL.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>

#include "sources/mysql/mysql_source.h"
#include "tests/sources/mysql/mysql_live_util.h"
#include "tests/sources/mysql/mysql_test_env.h"
#include "tests/support/source_runner.h"

namespace cdc::mysql {
namespace {

using namespace std::chrono_literals;
using namespace testing;  // NOLINT: the live test helpers
using enum ColumnType;    // short column tables below

// Counts data events and drops them: nothing is held, so the process's
// memory is the source's own.
class CountingEmitter : public Emitter {
 public:
  bool emit(ChangeEvent&& ev) override {
    if (ev.op != Op::kCreate) return true;
    std::lock_guard lock(mu_);
    ++count_;
    id_sum_ += ev.after->values.at(0).as<int64_t>();
    cv_.notify_all();
    return true;
  }
  Result try_emit_for(ChangeEvent& ev, std::chrono::milliseconds) override {
    emit(std::move(ev));
    return Result::kEmitted;
  }
  // Waits for `n` inserts; returns {count, sum of ids} then or at timeout.
  std::pair<uint64_t, int64_t> wait(uint64_t n, std::chrono::seconds timeout) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return count_ >= n; });
    return {count_, id_sum_};
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t count_ = 0;
  int64_t id_sum_ = 0;
};

// A /proc/self/status field in KiB ("VmHWM", "VmRSS").
int64_t StatusKiB(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
  }
  ADD_FAILURE() << "no " << field << " in /proc/self/status";
  return -1;
}

// One INSERT ... SELECT of 300,000 rows is one transaction of ~75 MB of row
// images; MariaDB writes it as ~8 KB rows events. Streamed event by event,
// the source's memory stays flat: if it held the transaction (or its
// ChangeEvents, several hundred bytes each plus the 200-byte text), the
// peak would exceed 300,000 x 200 B = 60 MB above the baseline.
TEST(MySqlServerLiveTest, LargeTransactionStreamsInBoundedMemory) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  TestSchema db(server, "large");
  db.sql("CREATE TABLE t (id INT PRIMARY KEY, pad VARCHAR(200) NOT NULL)");
  Offset from = db.here();
  db.sql("INSERT INTO t SELECT seq, REPEAT('x', 200) FROM seq_1_to_300000");
  // Resets VmHWM to the current RSS (Linux >= 4.0), so the peak below is
  // the streaming's own.
  std::ofstream("/proc/self/clear_refs") << "5";
  const int64_t baseline = StatusKiB("VmRSS");
  MySqlSource source(SourceOptions(server, db.name()));
  CountingEmitter out;
  RunningSource run(source, from, out);
  const uint64_t n = 300000;
  // VmHWM is only brought up to date at some kernel events: sample VmRSS
  // too while streaming.
  std::atomic<bool> sampling{true};
  std::atomic<int64_t> sampled_max{baseline};
  std::thread sampler([&] {
    while (sampling) {
      sampled_max = std::max<int64_t>(sampled_max, StatusKiB("VmRSS"));
      std::this_thread::sleep_for(10ms);
    }
  });
  auto [count, sum] = out.wait(n, 180s);
  sampling = false;
  sampler.join();
  run.stop();
  EXPECT_EQ(run.error(), "");
  EXPECT_EQ(count, n);
  EXPECT_EQ(sum, static_cast<int64_t>(n * (n + 1) / 2));
  const int64_t peak = std::max<int64_t>(StatusKiB("VmHWM"), sampled_max);
  std::cout << "300000-row transaction: RSS before " << baseline << " KiB, VmHWM "
            << StatusKiB("VmHWM") << " KiB, sampled VmRSS max " << sampled_max << " KiB (+"
            << (peak - baseline) << " KiB)\n";
  EXPECT_LT(peak - baseline, 48 * 1024) << "peak RSS grew by " << (peak - baseline) << " KiB";
}

// log_bin_compress: rows events longer than the minimum are written as
// *_COMPRESSED_ROWS events, decoded by the same decoder after inflating.
TEST(MySqlServerLiveTest, CompressedBinlogEventsDecodeExactly) {
  CDCD_MYSQL_SERVER_OR_SKIP(shared);
  testing::PrivateMariaDb server("--log-bin-compress=ON --log-bin-compress-min-len=10");
  TestSchema db(server.options(), "compressed");
  CreateMarker(db);
  db.sql("CREATE TABLE t (id INT PRIMARY KEY, txt TEXT, n BIGINT UNSIGNED, d DECIMAL(20,5))");
  Offset from = db.here();
  const std::string long_text(300, 'q');
  db.sql(
      "INSERT INTO t VALUES (1, REPEAT('q', 300), 18446744073709551615, -12345.6789),"
      "(2, 'short but over ten bytes', 7, 0)");
  db.sql("UPDATE t SET txt = REPEAT('é', 100) WHERE id = 1");
  db.sql("DELETE FROM t WHERE id = 2");
  const std::string events = testing::RootSql(
      server.socket(), "SHOW BINLOG EVENTS IN '" + ParseStreamOffset(from).position.file + "'");
  EXPECT_NE(events.find("Write_rows_compressed_v1"), std::string::npos) << events;
  EXPECT_NE(events.find("Update_rows_compressed_v1"), std::string::npos) << events;
  std::vector<ChangeEvent> ev = Capture(db, SourceOptions(server.options(), db.name()), from);
  ASSERT_EQ(Ops(ev), (std::vector<Op>{Op::kCreate, Op::kCreate, Op::kUpdate, Op::kDelete}));
  const std::vector<Value> row1 = {I(1), Str(long_text), Value(uint64_t{18446744073709551615ULL}),
                                   Dec("-12345.67890")};
  const std::vector<Value> row2 = {I(2), Str("short but over ten bytes"), Value(uint64_t{7}),
                                   Dec("0.00000")};
  std::vector<Value> updated = row1;
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "é";
  updated[1] = Str(accents);
  ExpectRow(ev[0].after, row1, "row 1");
  ExpectRow(ev[1].after, row2, "row 2");
  ExpectRow(ev[2].before, row1, "update before");
  ExpectRow(ev[2].after, updated, "update after");
  ExpectRow(ev[3].before, row2, "delete");
}

std::string StartupError(const MySqlConnectOptions& server) {
  MySqlSource source(SourceOptions(server, "cdcd_test"));
  WatchedEmitter out;
  try {
    source.run(std::nullopt, out, std::stop_token{});
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// The start-up checks name the setting to change, and with
// binlog_row_metadata=MINIMAL the source runs, taking column names,
// signedness and the key from information_schema (TableMapEnricher).
TEST(MySqlServerLiveTest, StartupChecksAndMinimalMetadataFallback) {
  CDCD_MYSQL_SERVER_OR_SKIP(shared);
  testing::PrivateMariaDb server("--binlog-format=STATEMENT");
  std::string m = StartupError(server.options());
  EXPECT_NE(m.find("binlog_format is STATEMENT, cdcd needs ROW"), std::string::npos) << m;

  testing::RootSql(server.socket(),
                   "SET GLOBAL binlog_format = ROW; SET GLOBAL binlog_row_image = MINIMAL");
  m = StartupError(server.options());
  EXPECT_NE(m.find("binlog_row_image is MINIMAL, cdcd needs FULL"), std::string::npos) << m;

  testing::RootSql(server.socket(),
                   "SET GLOBAL binlog_row_image = FULL; SET GLOBAL binlog_row_metadata = MINIMAL");
  TestSchema db(server.options(), "minimal");
  CreateMarker(db);
  db.sql(
      "CREATE TABLE t (name VARCHAR(10), id INT UNSIGNED, big BIGINT UNSIGNED, "
      "PRIMARY KEY (id))");
  Offset from = db.here();
  db.sql("INSERT INTO t VALUES ('ü', 4294967295, 18446744073709551615)");
  db.sql("UPDATE t SET name = 'v' WHERE id = 4294967295");
  std::vector<ChangeEvent> ev = Capture(db, SourceOptions(server.options(), db.name()), from);
  ASSERT_EQ(Ops(ev), (std::vector<Op>{Op::kCreate, Op::kUpdate}));
  const std::vector<Value> row = {Str("ü"), I(4294967295LL),
                                  Value(uint64_t{18446744073709551615ULL})};
  ExpectRow(ev[0].after, row, "insert");
  ExpectRow(ev[1].before, row, "update before");
  EXPECT_EQ(ev[1].key(), std::vector<Value>{I(4294967295LL)});
  // Declared lengths in characters, as with FULL metadata.
  ExpectColumns(ev[0].schema,
                {{"name", kString, "varchar(10)"},
                 {"id", kInt64, "int unsigned"},
                 {"big", kUInt64, "bigint unsigned"}},
                {1});
}

}  // namespace
}  // namespace cdc::mysql
