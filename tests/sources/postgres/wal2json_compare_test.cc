// The same workload decoded by cdcd (pgoutput) and by wal2json, an
// independent decoder: every column value of every change must agree. The
// wal2json text of each value is parsed with cdcd's codec for the column's
// type OID, so any difference in decoding, column order, old/new images or
// change order shows up as a mismatch.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>

#include "sources/postgres/pg_catalog.h"
#include "sources/postgres/pg_type_map.h"
#include "sources/postgres/postgres_source.h"
#include "tests/sources/postgres/pg_test_env.h"
#include "tests/support/test_support.h"

namespace cdc::pg {
namespace {

using namespace std::chrono_literals;

TEST(Wal2JsonCompareTest, PgoutputAndWal2jsonAgreeOnEveryValue) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  testing::TestDatabase db(dsn, "w2j");
  db.sql(R"(
    CREATE TYPE color AS ENUM ('red', 'green');
    CREATE TABLE t (id int PRIMARY KEY, b bool, i2 int2, i8 int8, f4 real, f8 float8,
      n numeric(12,4), nv numeric, m money, c char(4), tx text, by bytea, u uuid, j json,
      jb jsonb, d date, tm time, ttz timetz, ts timestamp, tstz timestamptz, iv interval,
      ip inet, bt bit(5), vb varbit, ai int[], at text[], e color, r numrange);
    ALTER TABLE t REPLICA IDENTITY FULL;)");
  PostgresSourceOptions o;
  o.pipeline = "w";
  o.dsn = db.dsn();
  o.tables = {"public.t"};
  o.slot = "s_" + db.name().substr(7);
  o.publication = "p_" + db.name().substr(7);
  o.snapshot.mode = SnapshotMode::kNever;
  o.heartbeat_interval = 0ms;
  PostgresSource source(o);
  testing::WatchedEmitter out;
  testing::RunningSource run(source, std::nullopt, out);
  for (int i = 0; i < 200 && db.sql("SELECT 1 FROM pg_replication_slots WHERE slot_name = '" +
                                    o.slot + "' AND active_pid IS NOT NULL")
                                     .rows() == 0;
       ++i) {
    std::this_thread::sleep_for(50ms);
  }
  db.sql("SELECT pg_create_logical_replication_slot('w_" + db.name().substr(7) + "', 'wal2json')");
  db.sql(R"(INSERT INTO t VALUES
    (1, true, 1, -1, 'NaN', 'Infinity', -12345678.1234, '1e-20', '12.34', 'ab', 'x"y\z',
     '\xdeadbeef', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '[1, {"a": null}]', '{"k": "v"}',
     '1999-12-31', '23:59:59.999999', '00:00:01-08', '0001-01-01 00:00:00 BC',
     '2038-01-19 03:14:08+00', '-3 years 2 days 00:00:00.5', '::1', B'10101', B'', '{{1},{2}}',
     '{"",NULL,"a b"}', 'green', '[1.5,2.5)'),
    (2, NULL, NULL, NULL, -0.0, 1e-300, NULL, '-Infinity', NULL, NULL, '', '\x', NULL, 'null',
     '[]', 'infinity', '00:00', '12:00+14', '-infinity', 'infinity', '0', NULL, NULL, '1', '{}',
     '{}', NULL, 'empty'))");
  db.sql("UPDATE t SET f4 = 3.14159, tx = tx || '!', ai = '{7,8,9}', iv = '1 mon' WHERE id = 1");
  db.sql("DELETE FROM t WHERE id = 2");
  db.sql("TRUNCATE t");
  ASSERT_TRUE(out.wait_data(5)) << run.error();

  // wal2json through the SQL interface, on a connection with cdcd's session
  // settings (the same text forms), for table t only: cdcd writes to its
  // signal table as it starts, which a slot for every table would also see.
  PgConnection conn(db.dsn(), PgConnection::Mode::kQuery, "wal2json");
  PgResult w = conn.exec("SELECT data FROM pg_logical_slot_get_changes('w_" + db.name().substr(7) +
                             "', NULL, NULL, 'format-version', '2', 'include-type-oids', '1', "
                             "'include-transaction', '0', 'add-tables', 'public.t')",
                         "reading wal2json");
  PgCatalog catalog(conn);
  PgTypeMap types(catalog, nullptr);
  std::vector<ChangeEvent> ours = out.data();
  std::vector<nlohmann::json> theirs;
  // wal2json writes numbers unquoted in their exact PostgreSQL text; quote
  // them before parsing so that no double rounds them on our side.
  const std::regex number(R"re("value":(-?[0-9][0-9.eE+-]*))re");
  for (int i = 0; i < w.rows(); ++i) {
    theirs.push_back(
        nlohmann::json::parse(std::regex_replace(w.get(i, 0), number, "\"value\":\"$1\"")));
  }
  ASSERT_EQ(theirs.size(), ours.size()) << w.rows();

  auto compare = [&](const ChangeEvent& ev, const Row& row, const nlohmann::json& cols,
                     const std::string& what) {
    ASSERT_EQ(cols.size(), ev.schema->columns().size()) << what;
    for (size_t i = 0; i < cols.size(); ++i) {
      const nlohmann::json& c = cols[i];
      ASSERT_EQ(c["name"], ev.schema->columns()[i].name);
      Value expected;
      if (c["value"].is_boolean()) {
        expected = Value(c["value"].get<bool>());
      } else if (!c["value"].is_null()) {
        std::string text =
            c["value"].is_string() ? c["value"].get<std::string>() : c["value"].dump();
        if (c["typeoid"] == 17) text = "\\x" + text;  // wal2json prints bytea hex bare
        expected = types.resolve(c["typeoid"].get<uint32_t>(), -1).parse(text);
      }
      const Value& got = row.values[i];
      // wal2json writes NaN and ±Infinity of float and numeric columns as
      // null (JSON has no such numbers); cdcd keeps them.
      bool special =
          (got.is<double>() && !std::isfinite(got.as<double>())) ||
          (got.is<Decimal>() && (got.as<Decimal>().text == "NaN" ||
                                 got.as<Decimal>().text.find("Infinity") != std::string::npos));
      if (c["value"].is_null() && special) {
        continue;
      } else {
        EXPECT_EQ(got, expected) << what << " column " << c << ": cdcd has " << got.debug_string();
      }
    }
  };
  for (size_t k = 0; k < ours.size(); ++k) {
    const ChangeEvent& ev = ours[k];
    const nlohmann::json& j = theirs[k];
    const std::string what = "change " + std::to_string(k) + " " + j.dump().substr(0, 300);
    ASSERT_EQ(j["action"], std::string(1, "IUDT"[ev.op == Op::kCreate   ? 0
                                                 : ev.op == Op::kUpdate ? 1
                                                 : ev.op == Op::kDelete ? 2
                                                                        : 3]))
        << what;
    if (j.contains("columns")) compare(ev, *ev.after, j["columns"], what);
    if (j.contains("identity")) compare(ev, *ev.before, j["identity"], what);
  }
}

}  // namespace
}  // namespace cdc::pg
