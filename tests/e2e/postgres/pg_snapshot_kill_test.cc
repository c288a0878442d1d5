// A snapshot interrupted by SIGKILL, postgres -> file through the cdcd
// binary: cdcd is killed several times while it reads a 200,000-row table
// that a writer keeps changing, restarted each time, and finally drained.
// The committed output must hold no event twice (unique ids), read each key
// at most once, and replaying it must give the table's final state: the
// resumed snapshot lost no change and let no older value win.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "tests/e2e/postgres/pg_e2e_util.h"
#include "tests/support/kill_restart.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;
using pg::testing::TestDatabase;

std::string Config(const TestDatabase& db, const std::string& out) {
  return testing::PgToFileConfig(db, out, "[\"public.t\", \"public.u\"]",
                                 "      snapshot: initial\n"
                                 "      snapshot_workers: 2\n"
                                 "      snapshot_chunk_size: 500\n",
                                 1000);
}

// The marker is inserted once the snapshot is complete, so it arrives as a
// streamed insert: every change before it has been committed too.
bool HasMarker(const std::string& out) {
  for (const FileRecordLine& r : testing::CommittedChanges(out)) {
    if (r.value["op"] == "c" && r.value["after"]["id"] == -1) return true;
  }
  return false;
}

TEST(PgSnapshotKillTest, SigkillMidSnapshotResumesWithEveryChangeOnce) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "snapkill");
  db.sql(
      "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, note text);"
      "CREATE TABLE u (id int PRIMARY KEY, v int NOT NULL, note text);"
      "INSERT INTO t SELECT i, 0, repeat('x', 100) FROM generate_series(1, 200000) i;"
      "INSERT INTO u SELECT i, 0, repeat('y', 100) FROM generate_series(1, 50000) i;"
      "ANALYZE");
  testing::CdcdRunDir dir;
  dir.write_config(Config(db, dir.out()));

  // Writer: updates anywhere in the tables (read and unread key ranges),
  // deletes, inserts past the end and key changes.
  testing::PgWriter writer(db.dsn(), 7, [&](pg::PgConnection& c, int tx, std::mt19937& rng) {
    const std::string table = tx % 4 == 3 ? "u" : "t";
    const int n = table == "t" ? 200000 : 50000;
    const int a = 1 + static_cast<int>(rng() % n);
    const int b = 1 + static_cast<int>(rng() % n);
    c.exec("BEGIN", "writer");
    c.exec("UPDATE " + table + " SET v = v + 1 WHERE id BETWEEN " + std::to_string(a) + " AND " +
               std::to_string(a + 20),
           "writer");
    c.exec("DELETE FROM " + table + " WHERE id = " + std::to_string(b), "writer");
    c.exec("INSERT INTO " + table + " VALUES (" + std::to_string(1000000 + tx) + ", " +
               std::to_string(tx) + ", 'new')",
           "writer");
    if (tx % 5 == 0) {
      c.exec("UPDATE " + table + " SET id = id + 2000000 WHERE id = " + std::to_string(b + 1),
             "writer");
    }
    c.exec("COMMIT", "writer");
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 5));
  });

  std::mt19937 rng(testing::E2eSeed());
  std::uniform_int_distribution<int> delay_ms(700, 1300);
  // The first kill waits for a committed snapshot offset, so that it lands
  // mid-snapshot however fast the machine is (a fixed delay fell before the
  // first commit or after the snapshot's end under a loaded ctest -j).
  const int kills = testing::KillRounds(dir, 5, [&](int round) {
    if (round == 0) {
      const std::string offsets = dir.out() + "/offsets.json";
      auto committed = [&] {
        return std::filesystem::exists(offsets) &&
               testing::ReadFile(offsets).find("snapshot:") != std::string::npos;
      };
      for (int i = 0; i < 600 && !committed(); ++i) std::this_thread::sleep_for(20ms);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
  });
  writer.stop();
  ASSERT_FALSE(HasFatalFailure());
  // Waiting for the marker alone is not enough: a resumed snapshot that has
  // not yet read the first key range would read the marker as a row while
  // other ranges are still unread.
  ASSERT_NO_FATAL_FAILURE(testing::RunUntilThenStop(dir, [&] {
    for (int i = 0; i < 360 && dir.log_text().find(" complete: ") == std::string::npos; ++i) {
      std::this_thread::sleep_for(500ms);
    }
    db.sql("INSERT INTO t VALUES (-1, -1, 'marker')");
    for (int i = 0; i < 360 && !HasMarker(dir.out()); ++i) std::this_thread::sleep_for(500ms);
  }));
  const std::string text = dir.log_text();
  EXPECT_NE(text.find("resuming an interrupted snapshot"), std::string::npos)
      << "no kill landed in the snapshot";

  size_t resumes = 0;
  for (size_t at = text.find("resuming an interrupted snapshot"); at != std::string::npos;
       at = text.find("resuming an interrupted snapshot", at + 1)) {
    ++resumes;
  }
  // The writer only ever increments v, and never reuses a deleted id: per
  // key, the values seen must not go back in time, nor a deleted row return.
  std::map<std::string, int64_t> last_v;
  std::set<std::string> deleted;
  auto seen = [&](const std::string& key, int64_t v) {
    EXPECT_FALSE(deleted.count(key)) << "deleted row came back: " << key;
    auto it = last_v.find(key);
    EXPECT_TRUE(it == last_v.end() || it->second <= v)
        << "older value after newer: " << key << " " << it->second << " -> " << v;
    last_v[key] = v;
  };
  std::set<std::string> read_keys;
  std::map<std::string, std::map<int64_t, int64_t>> state;  // table -> id -> v
  size_t reads = 0;
  const std::vector<FileRecordLine> changes = testing::CommittedChanges(dir.out());
  ASSERT_NO_FATAL_FAILURE(testing::ExpectUniqueEventIds(changes));
  for (const FileRecordLine& r : changes) {
    const std::string op = r.value["op"];
    const std::string table = r.value["source"]["table"];
    if (op == "d" || (op == "u" && r.value["before"].is_object())) {
      const int64_t old = r.value["before"]["id"].get<int64_t>();
      state[table].erase(old);
      deleted.insert(table + ":" + std::to_string(old));
      if (op == "d") continue;
    }
    const int64_t id = r.value["after"]["id"].get<int64_t>();
    if (op == "r") {
      ++reads;
      ASSERT_TRUE(read_keys.insert(table + ":" + std::to_string(id)).second)
          << "key read twice: " << table << " " << id;
    }
    state[table][id] = r.value["after"]["v"].get<int64_t>();
    seen(table + ":" + std::to_string(id), state[table][id]);
  }
  for (const std::string table : {"t", "u"}) {
    ASSERT_NO_FATAL_FAILURE(testing::ExpectTableEquals(db, table, state[table]));
  }
  std::cout << "kills: " << kills << ", resumed snapshots: " << resumes
            << ", events: " << changes.size() << ", reads: " << reads << "\n";
}

}  // namespace
}  // namespace cdc
