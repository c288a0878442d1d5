// A snapshot interrupted by SIGKILL, postgres -> file through the cdcd
// binary: cdcd is killed several times while it reads a 200,000-row table
// that a writer keeps changing, restarted each time, and finally drained.
// The committed output must hold no event twice (unique ids), read each key
// at most once, and replaying it must give the table's final state: the
// resumed snapshot lost no change and let no older value win.
#include <gtest/gtest.h>
#include <signal.h>

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
      tables: ["public.t", "public.u"]
      slot: s_)" +
         tag + R"(
      publication: p_)" +
         tag + R"(
      snapshot: initial
      snapshot_workers: 2
      snapshot_chunk_size: 500
      heartbeat_interval: 1s
      status_interval: 300ms
    sink:
      type: file
      path: )" +
         out + R"(
      rotate_bytes: 64MiB
    format: {envelope: debezium, schemas: false, tombstones: false}
    batch: {max_events: 1000, linger: 5ms}
http: {enabled: false}
log: {level: info}
)";
}

std::vector<FileRecordLine> DataRecords(const std::string& out) {
  std::vector<FileRecordLine> rows;
  for (FileRecordLine& r : ReadCommittedRecords(out)) {
    if (r.value.is_object() && r.value.contains("op")) rows.push_back(std::move(r));
  }
  return rows;
}

bool HasMarker(const std::string& out) {
  for (const FileRecordLine& r : DataRecords(out)) {
    if (r.value["op"] != "d" && r.value["after"]["id"] == -1) return true;
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
  testing::TempDir dir;
  const std::string out = (dir.path() / "out").string();
  const std::string config = (dir.path() / "pipelines.yaml").string();
  const std::string log = (dir.path() / "cdcd.log").string();
  const std::string tag = db.name().substr(7);
  testing::WriteFile(config, Config(db, out, tag));
  const std::vector<std::string> argv = {CDCD_BINARY, "run", "--config", config};

  // Writer: updates anywhere in the tables (read and unread key ranges),
  // deletes, inserts past the end and key changes.
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    pg::PgConnection c(db.dsn(), pg::PgConnection::Mode::kQuery, "writer");
    std::mt19937 rng(7);
    for (int tx = 0; writing; ++tx) {
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
    }
  });

  std::mt19937 rng(std::random_device{}());
  int kills = 0;
  for (int round = 0; round < 5; ++round) {
    testing::ChildProcess cdcd(argv, log);
    std::this_thread::sleep_for(std::chrono::milliseconds(700 + rng() % 600));
    cdcd.signal(SIGKILL);
    int status = cdcd.wait();
    kills += status == 128 + SIGKILL;
    ASSERT_EQ(status, 128 + SIGKILL) << "round " << round << "\n" << testing::ReadFile(log);
  }
  writing = false;
  writer.join();
  db.sql("INSERT INTO t VALUES (-1, -1, 'marker')");
  {
    testing::ChildProcess cdcd(argv, log);
    for (int i = 0; i < 360 && !HasMarker(out); ++i) std::this_thread::sleep_for(500ms);
    cdcd.signal(SIGTERM);
    int status = -1;
    ASSERT_TRUE(cdcd.wait_for(30s, status));
    EXPECT_EQ(status, 0) << testing::ReadFile(log);
  }
  const std::string text = testing::ReadFile(log);
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
  std::set<std::string> ids, read_keys;
  std::map<std::string, std::map<int64_t, int64_t>> state;  // table -> id -> v
  size_t reads = 0;
  for (const FileRecordLine& r : DataRecords(out)) {
    ASSERT_TRUE(ids.insert(r.headers.at("cdcd.event_id")).second)
        << "duplicate " << r.headers.at("cdcd.event_id");
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
    auto rows = db.sql("SELECT id, v FROM " + table + " ORDER BY id");
    ASSERT_EQ(static_cast<size_t>(rows.rows()), state[table].size()) << table;
    for (int i = 0; i < rows.rows(); ++i) {
      auto it = state[table].find(std::stoll(rows.get(i, 0)));
      ASSERT_NE(it, state[table].end()) << table << " " << rows.get(i, 0);
      ASSERT_EQ(it->second, std::stoll(rows.get(i, 1))) << table << " row " << it->first;
    }
  }
  std::cout << "kills: " << kills << ", resumed snapshots: " << resumes
            << ", events: " << ids.size() << ", reads: " << reads << "\n";
}

}  // namespace
}  // namespace cdc
