// Shared by the PostgreSQL end-to-end tests: the postgres -> file pipeline
// they run through the cdcd binary, and the check that replaying its changes
// gives the table's final state.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <string>

#include "tests/sources/postgres/pg_test_env.h"
#include "tests/support/paced_writer.h"

namespace cdc::testing {

// A name unique to `db`, for the pipeline, its slot (s_TAG) and publication (p_TAG).
inline std::string PgTag(const pg::testing::TestDatabase& db) {
  return db.name().substr(7);  // without "cdcd_t_"
}

// One pipeline PgTag(db) from `tables` (a YAML list) into a file sink on
// `out`; `snapshot` holds the source's snapshot keys, one YAML line each.
inline std::string PgToFileConfig(const pg::testing::TestDatabase& db, const std::string& out,
                                  const std::string& tables, const std::string& snapshot,
                                  int max_events) {
  const std::string tag = PgTag(db);
  return "pipelines:\n  - name: " + tag +
         "\n"
         "    source:\n"
         "      type: postgres\n"
         "      dsn: \"" +
         db.dsn() + "\"\n      tables: " + tables + "\n      slot: s_" + tag +
         "\n      publication: p_" + tag + "\n" + snapshot +
         "      heartbeat_interval: 1s\n"
         "      status_interval: 300ms\n"
         "    sink:\n"
         "      type: file\n"
         "      path: " +
         out +
         "\n"
         "      rotate_bytes: 64MiB\n"
         "    format: {envelope: debezium, schemas: false, tombstones: false}\n"
         "    batch: {max_events: " +
         std::to_string(max_events) +
         ", linger: 5ms}\n"
         "http: {enabled: false}\n"
         "log: {level: info}\n";
}

// Fails unless `table` (columns id, v) holds exactly the rows of `state`
// (id -> v, replayed from the committed changes).
inline void ExpectTableEquals(const pg::testing::TestDatabase& db, const std::string& table,
                              const std::map<int64_t, int64_t>& state) {
  auto rows = db.sql("SELECT id, v FROM " + table + " ORDER BY id");
  ASSERT_EQ(static_cast<size_t>(rows.rows()), state.size()) << table;
  for (int i = 0; i < rows.rows(); ++i) {
    auto it = state.find(std::stoll(rows.get(i, 0)));
    ASSERT_NE(it, state.end()) << table << " " << rows.get(i, 0);
    ASSERT_EQ(it->second, std::stoll(rows.get(i, 1))) << table << " row " << it->first;
  }
}

// The concurrent writer of the kill tests: calls `write_tx(connection, tx,
// rng)` for tx = 0, 1, ... on its own connection, with `rng` seeded by
// `seed`, until stop() (or destruction).
class PgWriter {
 public:
  using WriteTx = std::function<void(pg::PgConnection&, int, std::mt19937&)>;
  PgWriter(const std::string& dsn, uint32_t seed, WriteTx write_tx)
      : conn_(dsn, pg::PgConnection::Mode::kQuery, "writer"),
        rng_(seed),
        writer_(0, [this, write_tx = std::move(write_tx)](int tx) { write_tx(conn_, tx, rng_); }) {}
  void stop() { writer_.stop(); }

 private:
  // Used by the writer's thread only; declared before writer_, which joins it.
  pg::PgConnection conn_;
  std::mt19937 rng_;
  PacedWriter writer_;
};

}  // namespace cdc::testing
