// `cdcd state --as-of` against PostgreSQL itself: while a writer changes a
// table, a marker transaction locks the table against writers, copies it and
// commits. The state as of the marker's commit time -- and at the marker's
// event -- computed from what cdcd captured (snapshot rows, then the stream)
// must equal that copy; the state at the end must equal the final table.
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "cdc/timestamp.h"
#include "tests/e2e/postgres/pg_e2e_util.h"
#include "tests/support/capture_util.h"

namespace cdc::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using pg::testing::TestDatabase;
using Rows = std::map<int64_t, std::pair<int64_t, std::string>>;

Rows TableRows(pg::PgConnection& c, const std::string& table) {
  Rows rows;
  pg::PgResult r = c.exec("SELECT id, v, note FROM " + table + " ORDER BY id", "copy");
  for (int i = 0; i < r.rows(); ++i) {
    rows[std::stoll(r.get(i, 0))] = {std::stoll(r.get(i, 1)), r.get(i, 2)};
  }
  return rows;
}

Rows StateRows(const std::vector<std::string>& args) {
  std::string out, err;
  EXPECT_EQ(RunCdcd(args, out, err), 0) << err;
  Rows rows;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t end = out.find('\n', pos);
    json row = json::parse(out.substr(pos, end - pos));
    rows[row["id"].get<int64_t>()] = {row["v"].get<int64_t>(), row["note"].get<std::string>()};
    pos = end + 1;
  }
  return rows;
}

// The marker's change in the capture: its commit time and event id; nullopt
// until captured.
std::optional<std::pair<int64_t, std::string>> FindMarker(const std::string& out, int id) {
  if (!std::filesystem::exists(out + "/offsets.json")) return std::nullopt;
  for (const Record& r : CaptureRecords(out)) {
    if (r.topic.find(".public.marker") == std::string::npos || !r.value) continue;
    json v = json::parse(*r.value);
    if (v["after"]["id"] != id) continue;
    for (const Header& h : r.headers) {
      if (h.name == "cdcd.event_id") return std::pair(v["source"]["ts_us"].get<int64_t>(), h.value);
    }
  }
  return std::nullopt;
}

TEST(PgStateAsOfTest, StateAsOfAMarkerEqualsTheTableCopiedInIt) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "asof");
  db.sql("CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, note text NOT NULL)");
  db.sql("CREATE TABLE marker (id int PRIMARY KEY, note text)");
  db.sql("INSERT INTO t SELECT i, i, 'seed ' || i FROM generate_series(1, 3000) i");
  CdcdRunDir dir;
  dir.write_config(PgToFileConfig(db, dir.out(), "[\"public.t\", \"public.marker\"]",
                                  "      snapshot: initial\n", 500));
  ChildProcess cdcd(dir.argv(), dir.log());

  // Writers change t the whole time; the marker cuts through them.
  std::atomic<int> next_id{3001};
  PgWriter writer(db.dsn(), E2eSeed(), [&](pg::PgConnection& c, int tx, std::mt19937& rng) {
    const int id = 1 + static_cast<int>(rng() % 3000);
    c.exec("BEGIN", "writer");
    c.exec("UPDATE t SET v = v + 1, note = 'tx " + std::to_string(tx) + "' WHERE id BETWEEN " +
               std::to_string(id) + " AND " + std::to_string(id + 5),
           "writer");
    if (tx % 3 == 0) c.exec("DELETE FROM t WHERE id = " + std::to_string(id + 7), "writer");
    c.exec("INSERT INTO t VALUES (" + std::to_string(next_id++) + ", 0, 'new')", "writer");
    c.exec("COMMIT", "writer");
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 5));
  });
  std::this_thread::sleep_for(1500ms);
  pg::PgConnection marker(db.dsn(), pg::PgConnection::Mode::kQuery, "marker");
  marker.exec("BEGIN", "marker");
  // SHARE mode waits for running writers and holds new ones until COMMIT:
  // nothing commits between the copy and the marker's commit.
  marker.exec("LOCK TABLE t IN SHARE MODE", "marker");
  const Rows copy = TableRows(marker, "t");
  marker.exec("INSERT INTO marker VALUES (1, 'cut')", "marker");
  marker.exec("COMMIT", "marker");
  std::this_thread::sleep_for(1500ms);
  writer.stop();
  db.sql("INSERT INTO marker VALUES (2, 'end')");
  const Rows final_rows = TableRows(marker, "t");

  std::optional<std::pair<int64_t, std::string>> cut, end;
  for (int i = 0; i < 600 && !end; ++i) {
    std::this_thread::sleep_for(100ms);
    end = FindMarker(dir.out(), 2);
  }
  ASSERT_TRUE(end) << "the end marker never reached the capture\n" << dir.log_text();
  cut = FindMarker(dir.out(), 1);
  ASSERT_TRUE(cut);
  cdcd.signal(SIGTERM);
  EXPECT_EQ(cdcd.wait(), 0) << dir.log_text();
  ASSERT_NE(copy, final_rows) << "the writer changed nothing after the marker";

  const std::vector<std::string> base = {"state", "--from", dir.out(), "--table", "public.t"};
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> args = base;
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };
  const Rows as_of = StateRows(with({"--as-of", FormatTimestampMicros(cut->first)}));
  EXPECT_EQ(as_of.size(), copy.size());
  EXPECT_TRUE(as_of == copy) << "state as of the marker differs from the table copied in it";
  EXPECT_TRUE(StateRows(with({"--at-offset", cut->second})) == copy);
  // One microsecond before the marker: the same, as nothing else committed
  // while the table was locked.
  EXPECT_TRUE(StateRows(with({"--as-of", FormatTimestampMicros(cut->first - 1)})) == copy);
  EXPECT_TRUE(StateRows(base) == final_rows) << "state at the end differs from the table";
}

}  // namespace
}  // namespace cdc::testing
