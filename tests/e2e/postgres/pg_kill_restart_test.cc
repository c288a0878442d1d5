// Exactly-once for postgres -> file under SIGKILL: cdcd is killed at random
// moments while a writer commits transactions of varying size (some large
// enough to be cut by batches mid-transaction), restarted each time, and
// finally drained. The committed output must hold every row change exactly
// once, in commit order, and replaying it must give the table's final state.
// A second test streams one 1,000,000-row transaction and logs cdcd's peak RSS.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "sinks/file/file_sink_reader.h"
#include "tests/sources/postgres/pg_test_env.h"
#include "tests/support/process.h"
#include "tests/support/test_support.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;
using pg::testing::TestDatabase;

std::string Config(const TestDatabase& db, const std::string& out, const std::string& tag) {
  return R"(pipelines:
  - name: )" +
         tag + R"(
    source:
      type: postgres
      dsn: ")" +
         db.dsn() + R"("
      tables: ["public.t"]
      slot: s_)" +
         tag + R"(
      publication: p_)" +
         tag + R"(
      snapshot: never
      heartbeat_interval: 1s
      status_interval: 300ms
    sink:
      type: file
      path: )" +
         out + R"(
      rotate_bytes: 64MiB
    format: {envelope: debezium, schemas: false, tombstones: false}
    batch: {max_events: 2000, linger: 5ms}
http: {enabled: false}
log: {level: info}
)";
}

void WaitSlotActive(const TestDatabase& db, const std::string& slot) {
  ASSERT_TRUE(pg::testing::WaitSlotStreaming(db, slot)) << "slot " << slot << " never streamed";
}

std::vector<FileRecordLine> DataRecords(const std::string& out) {
  std::vector<FileRecordLine> rows;
  for (FileRecordLine& r : ReadCommittedRecords(out)) {
    if (r.value.is_object() && r.value.contains("op")) rows.push_back(std::move(r));
  }
  return rows;
}

TEST(PgKillRestartTest, PostgresToFileIsExactlyOnceAcrossSigkills) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "kill");
  db.sql("CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, note text)");
  testing::TempDir dir;
  const std::string out = (dir.path() / "out").string();
  const std::string config = (dir.path() / "pipelines.yaml").string();
  const std::string log = (dir.path() / "cdcd.log").string();
  const std::string tag = db.name().substr(7);
  testing::WriteFile(config, Config(db, out, tag));
  const std::vector<std::string> argv = {CDCD_BINARY, "run", "--config", config};

  // The first start creates the slot; changes count from then on.
  {
    testing::ChildProcess cdcd(argv, log);
    WaitSlotActive(db, "s_" + tag);
    cdcd.signal(SIGKILL);
    cdcd.wait();
  }

  // Writer: transactions of 1..3000 changes (inserts, updates, deletes).
  std::atomic<bool> writing{true};
  std::atomic<uint64_t> changes{0};
  std::thread writer([&] {
    pg::PgConnection c(db.dsn(), pg::PgConnection::Mode::kQuery, "writer");
    std::mt19937 rng(42);
    int next_id = 1;
    for (int tx = 0; writing; ++tx) {
      int n = tx % 10 == 9 ? 3000 : 1 + static_cast<int>(rng() % 20);
      int lo = next_id;
      next_id += n;
      c.exec("BEGIN", "writer");
      c.exec("INSERT INTO t SELECT i, 0, 'n' FROM generate_series(" + std::to_string(lo) + ", " +
                 std::to_string(next_id - 1) + ") i",
             "writer");
      auto upd = c.exec("UPDATE t SET v = v + 1 WHERE id % 7 = " + std::to_string(tx % 7) +
                            " AND id > " + std::to_string(std::max(0, lo - 50)),
                        "writer");
      auto del =
          c.exec("DELETE FROM t WHERE id = " + std::to_string(lo) + " AND id % 5 = 0", "writer");
      c.exec("COMMIT", "writer");
      changes += n + std::stoull(PQcmdTuples(upd.raw())) + std::stoull(PQcmdTuples(del.raw()));
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 20));
    }
  });

  std::mt19937 rng(std::random_device{}());
  int kills = 0;
  for (int round = 0; round < 12; ++round) {
    testing::ChildProcess cdcd(argv, log);
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 700));
    cdcd.signal(SIGKILL);
    int status = cdcd.wait();
    kills += status == 128 + SIGKILL;
    ASSERT_TRUE(status == 128 + SIGKILL) << "round " << round << ": " << status << "\n"
                                         << testing::ReadFile(log);
  }
  writing = false;
  writer.join();
  EXPECT_GE(kills, 10);

  // Drain: run until everything is committed, then stop cleanly.
  {
    testing::ChildProcess cdcd(argv, log);
    for (int i = 0; i < 1200 && DataRecords(out).size() < changes; ++i) {
      std::this_thread::sleep_for(100ms);
    }
    std::this_thread::sleep_for(500ms);
    cdcd.signal(SIGTERM);
    int status = -1;
    ASSERT_TRUE(cdcd.wait_for(30s, status));
    EXPECT_EQ(status, 0) << testing::ReadFile(log);
  }

  std::vector<FileRecordLine> rows = DataRecords(out);
  ASSERT_EQ(rows.size(), changes.load()) << "changes lost or duplicated";
  std::set<std::string> ids;
  std::map<int64_t, int64_t> state;  // id -> v, replayed from the events
  for (const FileRecordLine& r : rows) {
    ASSERT_TRUE(ids.insert(r.headers.at("cdcd.event_id")).second)
        << "duplicate " << r.headers.at("cdcd.event_id");
    const std::string op = r.value["op"];
    if (op == "d") {
      state.erase(r.value["before"]["id"].get<int64_t>());
    } else {
      state[r.value["after"]["id"].get<int64_t>()] = r.value["after"]["v"].get<int64_t>();
    }
  }
  auto table = db.sql("SELECT id, v FROM t ORDER BY id");
  ASSERT_EQ(static_cast<size_t>(table.rows()), state.size());
  for (int i = 0; i < table.rows(); ++i) {
    auto it = state.find(std::stoll(table.get(i, 0)));
    ASSERT_NE(it, state.end());
    ASSERT_EQ(it->second, std::stoll(table.get(i, 1))) << "row " << it->first;
  }
  std::cout << "kills: " << kills << ", changes: " << changes << "\n";
}

// Peak resident memory of the process whose command line mentions `needle`.
int64_t PeakRssKiB(const std::string& needle) {
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::ifstream cmd(e.path() / "cmdline");
    std::string line((std::istreambuf_iterator<char>(cmd)), {});
    if (line.find(needle) == std::string::npos || line.find("cdcd") == std::string::npos) continue;
    std::ifstream status(e.path() / "status");
    std::string l;
    while (std::getline(status, l))
      if (l.rfind("VmHWM:", 0) == 0) return std::stoll(l.substr(6));
  }
  return -1;
}

TEST(PgBigTransactionTest, MillionRowTransactionStreamsWithBoundedMemory) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "big");
  db.sql("CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, note text)");
  testing::TempDir dir;
  const std::string out = (dir.path() / "out").string();
  const std::string config = (dir.path() / "pipelines.yaml").string();
  const std::string log = (dir.path() / "cdcd.log").string();
  const std::string tag = db.name().substr(7);
  testing::WriteFile(config, Config(db, out, tag));
  testing::ChildProcess cdcd({CDCD_BINARY, "run", "--config", config}, log);
  WaitSlotActive(db, "s_" + tag);
  constexpr size_t kRows = 1000000;
  db.sql("INSERT INTO t SELECT i, i, 'row ' || i FROM generate_series(1, " + std::to_string(kRows) +
         ") i");
  auto start = std::chrono::steady_clock::now();
  int64_t peak = 0;
  size_t seen = 0;
  for (int i = 0; i < 1800 && seen < kRows; ++i) {
    std::this_thread::sleep_for(200ms);
    peak = std::max(peak, PeakRssKiB(config));
    if (auto o = ReadOffsetsFile(out)) {
      // Inside the transaction the offset counts its delivered events; after
      // its last event it moves to the commit's end LSN with index 0.
      size_t index = (*o)["offset"]["index"].get<size_t>();
      seen = index > 0 ? index : (seen > 0 ? kRows : 0);
    }
  }
  peak = std::max(peak, PeakRssKiB(config));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  cdcd.signal(SIGTERM);
  int status = -1;
  ASSERT_TRUE(cdcd.wait_for(30s, status));
  EXPECT_EQ(status, 0) << testing::ReadFile(log);
  EXPECT_EQ(DataRecords(out).size(), kRows);
  std::cout << "1,000,000-row transaction: " << secs << " s, " << kRows / secs
            << " rows/s, cdcd peak RSS (VmHWM) " << peak / 1024 << " MiB\n";
  EXPECT_GT(peak, 0);
  EXPECT_LT(peak, 256 * 1024) << "peak RSS in KiB";
}

}  // namespace
}  // namespace cdc
