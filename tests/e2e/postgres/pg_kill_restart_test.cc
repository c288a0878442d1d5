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
#include <optional>
#include <random>
#include <thread>

#include "tests/e2e/postgres/pg_e2e_util.h"
#include "tests/support/kill_restart.h"
#include "tests/support/paced_writer.h"
#include "tests/support/process.h"

namespace cdc {
namespace {

using testing::kSanitizerBuild;

using namespace std::chrono_literals;
using pg::testing::TestDatabase;

// A database with table t (id, v, note) that cdcd streams into files from
// the start of the test (snapshot: never), and the directory cdcd runs in.
class PgToFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
    db_.emplace(dsn, "kill");
    db_->sql("CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, note text)");
    dir_.write_config(testing::PgToFileConfig(*db_, dir_.out(), "[\"public.t\"]",
                                              "      snapshot: never\n", 2000));
  }
  TestDatabase& db() { return *db_; }

  std::optional<TestDatabase> db_;
  testing::CdcdRunDir dir_;
};
using PgKillRestartTest = PgToFileTest;
using PgBigTransactionTest = PgToFileTest;

TEST_F(PgKillRestartTest, PostgresToFileIsExactlyOnceAcrossSigkills) {
  const std::string slot = "s_" + testing::PgTag(db());

  // The first start creates the slot; changes count from then on.
  testing::KillRounds(dir_, 1, [&](int) {
    ASSERT_TRUE(pg::testing::WaitSlotStreaming(db(), slot)) << "slot " << slot << " never streamed";
  });
  ASSERT_FALSE(HasFatalFailure());

  // Writer: transactions of 1..3000 changes (inserts, updates, deletes).
  std::atomic<uint64_t> changes{0};
  int next_id = 1;
  testing::PgWriter writer(db().dsn(), 42, [&](pg::PgConnection& c, int tx, std::mt19937& rng) {
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
  });

  std::mt19937 rng(testing::E2eSeed());
  const int kills = testing::KillAfterRandomDelays(dir_, 12, 300ms, 1000ms, rng);
  writer.stop();
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_GE(kills, 10);

  std::vector<FileRecordLine> rows;
  ASSERT_NO_FATAL_FAILURE(testing::DrainChanges(dir_, changes, rows));
  ASSERT_NO_FATAL_FAILURE(testing::ExpectTableEquals(db(), "t", testing::ReplayIdToV(rows)));
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

TEST_F(PgBigTransactionTest, MillionRowTransactionStreamsWithBoundedMemory) {
  const std::string& out = dir_.out();
  const std::string& config = dir_.config();
  testing::ChildProcess cdcd(dir_.argv(), dir_.log());
  ASSERT_TRUE(pg::testing::WaitSlotStreaming(db(), "s_" + testing::PgTag(db())));
  constexpr size_t kRows = 1000000;
  db().sql("INSERT INTO t SELECT i, i, 'row ' || i FROM generate_series(1, " +
           std::to_string(kRows) + ") i");
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
  EXPECT_EQ(status, 0) << dir_.log_text();
  EXPECT_EQ(testing::CommittedChanges(out).size(), kRows);
  std::cout << "1,000,000-row transaction: " << secs << " s, " << kRows / secs
            << " rows/s, cdcd peak RSS (VmHWM) " << peak / 1024 << " MiB\n";
  EXPECT_GT(peak, 0);
  // A sanitizer build's cdcd (this binary's build) holds shadow memory and
  // a quarantine of freed blocks: its RSS says nothing about the bound.
  if (!kSanitizerBuild) {
    EXPECT_LT(peak, 256 * 1024) << "peak RSS in KiB";
  }
}

}  // namespace
}  // namespace cdc
