// The postgres source against a real PostgreSQL 15: every core type with
// hand-written expected values, TOAST with and without REPLICA IDENTITY FULL,
// truncate, schema changes, heartbeats and the flush LSN, exact resume in the
// middle of a transaction, and the errors a user must be able to act on.
#include "sources/postgres/postgres_source.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "sources/postgres/pg_type_parser.h"
#include "tests/sources/postgres/pg_test_env.h"
#include "tests/support/test_support.h"

namespace cdc::pg {
namespace {

using namespace std::chrono_literals;
using testing::RunningSource;
using testing::TestDatabase;
using testing::WatchedEmitter;

// Waits until the source's walsender is streaming from the slot (while
// CREATE_REPLICATION_SLOT still waits for its consistent point, the slot is
// active but a commit then would precede the slot's start).
void WaitStreaming(const TestDatabase& db, const std::string& slot) {
  if (!pg::testing::WaitSlotStreaming(db, slot))
    FAIL() << "slot " << slot << " never became active";
}

const Value& Col(const ChangeEvent& ev, const Row& row, const std::string& name) {
  auto i = ev.schema->find(name);
  EXPECT_TRUE(i) << name;
  return row.values.at(*i);
}

const Column& ColumnOf(const ChangeEvent& ev, const std::string& name) {
  return ev.schema->columns().at(*ev.schema->find(name));
}

Value I(int64_t v) {
  return Value(v);
}

class PostgresSourceTest : public ::testing::Test {};

TEST_F(PostgresSourceTest, EveryCoreTypeInsertUpdateDeleteExact) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "types");
  db.sql(R"(
    CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
    CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
    CREATE DOMAIN price AS numeric(8,3);
    CREATE TABLE types (
      id int PRIMARY KEY, b bool NOT NULL, i2 int2, i8 int8, o oid, f4 real, f8 float8,
      n numeric(10,2), nv numeric, m money, c char(3), vc varchar(10), tx text, nm name,
      by bytea, u uuid, j json, jb jsonb, d date, t time(3), ttz timetz, ts timestamp,
      tstz timestamptz(0), iv interval, ip inet, cr cidr, mac macaddr, bt bit(3),
      vb varbit(16), ai int[], at text[], a2 int[], e mood, dom posint, pr price,
      r int4range, tr tstzrange, pt point, ea mood[], na numeric(5,1)[]))");
  PostgresSource source(testing::StreamingOptions(db, {"public.types"}));
  WatchedEmitter out;
  RunningSource run(source, std::nullopt, out);
  WaitStreaming(db, source.options().slot);
  db.sql(R"(INSERT INTO types VALUES (1, true, -32768, 9223372036854775807, 4294967295,
      'NaN', '-Infinity', 12345678.90, 'NaN', '-1234.56', 'ab', 'hello', 'tëxt ✓', 'nm',
      '\x00ff10', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{"a": 1,  "b": null}',
      '{"b": [1, 2], "a": "x"}', '2000-02-29', '13:45:06.789', '01:02:03+05:30',
      '2021-03-04 05:06:07.123456', '2021-03-04 10:36:07.6+05:30',
      '1 year 2 mons 3 days 04:05:06.789', '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03',
      B'101', B'1000000001', '{1,NULL,3}', '{"a,b",NULL,"\""}', '{{1,2},{3,4}}', 'happy', 42,
      1.5, '[1,10)', '[2021-01-01 00:00:00+00,infinity)', '(1,2)', '{ok,sad}', '{1.5,NULL}'))");
  db.sql(R"(UPDATE types SET f4 = 1.1, f8 = 'Infinity', nv = '-0.000000000000000000001',
      ts = 'infinity', tstz = '-infinity', d = '0044-03-15 BC', iv = '-1 day -00:00:00.000001',
      b = false, vc = NULL WHERE id = 1)");
  db.sql("DELETE FROM types WHERE id = 1");
  ASSERT_TRUE(out.wait_data(3)) << run.error();
  auto evs = out.data();
  ASSERT_EQ(evs.size(), 3u);

  const ChangeEvent& ins = evs[0];
  EXPECT_EQ(ins.op, Op::kCreate);
  EXPECT_EQ(ins.source.connector, "postgresql");
  EXPECT_EQ(ins.source.table.database, db.name());
  EXPECT_EQ(ins.source.table.schema, "public");
  EXPECT_EQ(ins.source.table.table, "types");
  EXPECT_FALSE(ins.before);
  ASSERT_TRUE(ins.after);
  const Row& a = *ins.after;
  EXPECT_EQ(Col(ins, a, "id"), I(1));
  EXPECT_EQ(Col(ins, a, "b"), Value(true));
  EXPECT_EQ(Col(ins, a, "i2"), I(-32768));
  EXPECT_EQ(Col(ins, a, "i8"), I(INT64_MAX));
  EXPECT_EQ(Col(ins, a, "o"), I(4294967295));
  EXPECT_TRUE(std::isnan(Col(ins, a, "f4").as<double>()));
  EXPECT_EQ(Col(ins, a, "f8"), Value(-std::numeric_limits<double>::infinity()));
  EXPECT_EQ(Col(ins, a, "n"), Value(Decimal{"12345678.90"}));
  EXPECT_EQ(Col(ins, a, "nv"), Value(Decimal{"NaN"}));
  EXPECT_EQ(Col(ins, a, "m"), Value(Decimal{"-1234.56"}));
  EXPECT_EQ(Col(ins, a, "c"), Value("ab "));
  EXPECT_EQ(Col(ins, a, "vc"), Value("hello"));
  EXPECT_EQ(Col(ins, a, "tx"), Value("tëxt ✓"));
  EXPECT_EQ(Col(ins, a, "nm"), Value("nm"));
  EXPECT_EQ(Col(ins, a, "by"), Value(cdc::Bytes{std::string("\x00\xff\x10", 3)}));
  EXPECT_EQ(Col(ins, a, "u"), Value(Uuid{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}));
  EXPECT_EQ(Col(ins, a, "j"), Value(Json{R"({"a": 1,  "b": null})"}));      // json keeps its text
  EXPECT_EQ(Col(ins, a, "jb"), Value(Json{R"({"a": "x", "b": [1, 2]})"}));  // jsonb normalises
  EXPECT_EQ(Col(ins, a, "d"), Value(Date{11016}));
  EXPECT_EQ(Col(ins, a, "t"), Value(Time{(13 * 3600 + 45 * 60 + 6) * 1000000LL + 789000}));
  EXPECT_EQ(Col(ins, a, "ttz"), Value(TimeTz{3723000000, 19800}));
  EXPECT_EQ(Col(ins, a, "ts"), Value(Timestamp{1614834367123456}));
  EXPECT_EQ(Col(ins, a, "tstz"), Value(TimestampTz{1614834368000000}));  // (0) rounds .6 up
  EXPECT_EQ(Col(ins, a, "iv"),
            Value(Interval{14, 3, (4 * 3600 + 5 * 60 + 6) * 1000000LL + 789000}));
  EXPECT_EQ(Col(ins, a, "ip"), Value("192.168.0.1/24"));
  EXPECT_EQ(Col(ins, a, "cr"), Value("10.0.0.0/8"));
  EXPECT_EQ(Col(ins, a, "mac"), Value("08:00:2b:01:02:03"));
  EXPECT_EQ(Col(ins, a, "bt"), Value(cdc::Bytes{"\x05"}));
  EXPECT_EQ(Col(ins, a, "vb"), Value(cdc::Bytes{std::string("\x01\x02", 2)}));
  EXPECT_EQ(Col(ins, a, "ai"), Value::ArrayOf({I(1), Value::Null(), I(3)}));
  EXPECT_EQ(Col(ins, a, "at"), Value::ArrayOf({"a,b", Value::Null(), "\""}));
  EXPECT_EQ(Col(ins, a, "a2"),
            Value::ArrayOf({Value::ArrayOf({I(1), I(2)}), Value::ArrayOf({I(3), I(4)})}));
  EXPECT_EQ(Col(ins, a, "e"), Value("happy"));
  EXPECT_EQ(Col(ins, a, "dom"), I(42));
  EXPECT_EQ(Col(ins, a, "pr"), Value(Decimal{"1.500"}));
  EXPECT_EQ(Col(ins, a, "r"), Value("[1,10)"));
  EXPECT_EQ(Col(ins, a, "tr"), Value("[\"2021-01-01 00:00:00+00\",infinity)"));
  EXPECT_EQ(Col(ins, a, "pt"), Value("(1,2)"));
  EXPECT_EQ(Col(ins, a, "ea"), Value::ArrayOf({"ok", "sad"}));
  EXPECT_EQ(Col(ins, a, "na"), Value::ArrayOf({Value(Decimal{"1.5"}), Value::Null()}));

  // Schema: logical types, typmods, names, nullability, key.
  EXPECT_EQ(ins.schema->key_columns(), std::vector<size_t>{0});
  EXPECT_FALSE(ColumnOf(ins, "id").nullable);
  EXPECT_FALSE(ColumnOf(ins, "b").nullable);
  EXPECT_TRUE(ColumnOf(ins, "i2").nullable);
  EXPECT_EQ(ColumnOf(ins, "i2").type, ColumnType::kInt16);
  EXPECT_EQ(ColumnOf(ins, "id").type, ColumnType::kInt32);
  EXPECT_EQ(ColumnOf(ins, "i8").type, ColumnType::kInt64);
  EXPECT_EQ(ColumnOf(ins, "f4").type, ColumnType::kFloat32);
  EXPECT_EQ(ColumnOf(ins, "n").source_type, "numeric(10,2)");
  EXPECT_EQ(ColumnOf(ins, "n").precision, 10);
  EXPECT_EQ(ColumnOf(ins, "n").scale, 2);
  EXPECT_FALSE(ColumnOf(ins, "nv").scale);
  EXPECT_EQ(ColumnOf(ins, "vc").source_type, "character varying(10)");
  EXPECT_EQ(ColumnOf(ins, "vc").length, 10);
  EXPECT_EQ(ColumnOf(ins, "t").precision, 3);
  EXPECT_EQ(ColumnOf(ins, "ts").precision, 6);
  EXPECT_EQ(ColumnOf(ins, "tstz").precision, 0);
  EXPECT_EQ(ColumnOf(ins, "tstz").source_type, "timestamp(0) with time zone");
  EXPECT_EQ(ColumnOf(ins, "bt").type, ColumnType::kBits);
  EXPECT_EQ(ColumnOf(ins, "bt").length, 3);
  EXPECT_EQ(ColumnOf(ins, "ai").type, ColumnType::kArray);
  EXPECT_EQ(ColumnOf(ins, "ai").element_type, ColumnType::kInt32);
  EXPECT_EQ(ColumnOf(ins, "e").type, ColumnType::kEnum);
  EXPECT_EQ(ColumnOf(ins, "e").enum_values, (std::vector<std::string>{"sad", "ok", "happy"}));
  EXPECT_EQ(ColumnOf(ins, "ea").element_type, ColumnType::kEnum);
  EXPECT_EQ(ColumnOf(ins, "dom").type, ColumnType::kInt32);
  EXPECT_EQ(ColumnOf(ins, "dom").source_type, "posint");
  EXPECT_EQ(ColumnOf(ins, "pr").scale, 3);
  EXPECT_EQ(ColumnOf(ins, "na").scale, 1);
  EXPECT_EQ(ColumnOf(ins, "pt").type, ColumnType::kUnknown);
  EXPECT_EQ(ColumnOf(ins, "pt").source_type, "point");
  EXPECT_EQ(ColumnOf(ins, "u").type, ColumnType::kUuid);
  EXPECT_EQ(ColumnOf(ins, "jb").type, ColumnType::kJson);
  EXPECT_EQ(ColumnOf(ins, "iv").type, ColumnType::kInterval);

  const ChangeEvent& upd = evs[1];
  EXPECT_EQ(upd.op, Op::kUpdate);
  EXPECT_FALSE(upd.before) << "REPLICA IDENTITY DEFAULT, key unchanged: no old row";
  const Row& u = *upd.after;
  EXPECT_EQ(Col(upd, u, "f4"), Value(static_cast<double>(1.1f)));
  EXPECT_EQ(Col(upd, u, "f8"), Value(std::numeric_limits<double>::infinity()));
  EXPECT_EQ(Col(upd, u, "nv"), Value(Decimal{"-0.000000000000000000001"}));
  EXPECT_EQ(Col(upd, u, "ts"), Value(Timestamp{kInfinityMicros}));
  EXPECT_EQ(Col(upd, u, "tstz"), Value(TimestampTz{kMinusInfinityMicros}));
  EXPECT_EQ(Col(upd, u, "d"), Value(Date{static_cast<int32_t>(DaysFromCivil(-43, 3, 15))}));
  EXPECT_EQ(Col(upd, u, "iv"), Value(Interval{0, -1, -1}));
  EXPECT_EQ(Col(upd, u, "b"), Value(false));
  EXPECT_TRUE(Col(upd, u, "vc").is_null());
  EXPECT_TRUE(u.missing.empty());

  const ChangeEvent& del = evs[2];
  EXPECT_EQ(del.op, Op::kDelete);
  EXPECT_FALSE(del.after);
  ASSERT_TRUE(del.before);
  EXPECT_EQ(Col(del, *del.before, "id"), I(1));
  EXPECT_EQ(del.before->missing.size(), del.schema->columns().size() - 1)
      << "a key-only old row leaves every other column out, never null";
  EXPECT_EQ(del.key(), std::vector<Value>{I(1)});
  EXPECT_EQ(run.error(), "");
}

std::string BigValue(const TestDatabase& db) {
  return db.sql("SELECT string_agg(md5(i::text), '') FROM generate_series(1, 300) i").get(0, 0);
}

TEST_F(PostgresSourceTest, UnchangedToastNeverLooksLikeData) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "toast");
  db.sql(R"(CREATE TABLE plain (id int PRIMARY KEY, n int, big text);
            ALTER TABLE plain ALTER COLUMN big SET STORAGE EXTERNAL;
            CREATE TABLE full_ri (id int PRIMARY KEY, n int, big text);
            ALTER TABLE full_ri ALTER COLUMN big SET STORAGE EXTERNAL;
            ALTER TABLE full_ri REPLICA IDENTITY FULL;)");
  const std::string big = BigValue(db);
  PostgresSource source(testing::StreamingOptions(db, {"public.plain", "public.full_ri"}));
  WatchedEmitter out;
  RunningSource run(source, std::nullopt, out);
  WaitStreaming(db, source.options().slot);
  for (const char* t : {"plain", "full_ri"}) {
    db.sql(std::string("INSERT INTO ") + t + " VALUES (1, 0, '" + big + "')");
    db.sql(std::string("UPDATE ") + t + " SET n = 1 WHERE id = 1");
  }
  ASSERT_TRUE(out.wait_data(4)) << run.error();
  auto evs = out.data();
  // plain: the update's `after` leaves big out and names it.
  const ChangeEvent& p = evs[1];
  EXPECT_EQ(Col(evs[0], *evs[0].after, "big"), Value(big));
  size_t big_index = *p.schema->find("big");
  EXPECT_FALSE(p.after->has(big_index));
  EXPECT_EQ(p.after->missing, std::vector<uint32_t>{static_cast<uint32_t>(big_index)});
  EXPECT_EQ(p.source.fields.at(5).name, "unchanged_toast");
  EXPECT_EQ(p.source.fields.at(5).value, Value("big"));
  EXPECT_EQ(Col(p, *p.after, "n"), I(1));
  // full_ri: the old row holds the value.
  const ChangeEvent& f = evs[3];
  ASSERT_TRUE(f.before);
  EXPECT_EQ(Col(f, *f.before, "n"), I(0));
  EXPECT_EQ(Col(f, *f.after, "big"), Value(big));
  EXPECT_TRUE(f.after->missing.empty());
  EXPECT_TRUE(f.source.fields.at(5).value.is_null());
}

// source.lsn is each change's own WAL position and source.sequence pairs it
// with the end of the previous commit, as Debezium's: both checked against
// the LSNs the server's test_decoding reports for the same changes.
TEST_F(PostgresSourceTest, EachChangeCarriesItsOwnLsnAndSequence) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "lsnseq");
  db.sql("CREATE TABLE t (id int PRIMARY KEY, v text)");
  PostgresSource source(testing::StreamingOptions(db, {"public.t"}));
  WatchedEmitter out;
  RunningSource run(source, std::nullopt, out);
  WaitStreaming(db, source.options().slot);
  const std::string peek = "peek_" + db.name().substr(7);
  db.sql("SELECT pg_create_logical_replication_slot('" + peek + "', 'test_decoding')");
  db.sql(
      "BEGIN; INSERT INTO t VALUES (1, 'a'), (2, 'b'); UPDATE t SET v = 'c' WHERE id = 1; "
      "COMMIT");
  db.sql("DELETE FROM t WHERE id = 2");
  ASSERT_TRUE(out.wait_data(4)) << run.error();
  auto rows = db.sql("SELECT lsn - '0/0', data FROM pg_logical_slot_peek_changes('" + peek +
                     "', NULL, NULL)");
  db.sql("SELECT pg_drop_replication_slot('" + peek + "')");
  std::vector<int64_t> change_lsns, commit_lsns;
  for (int i = 0; i < rows.rows(); ++i) {
    const std::string data = rows.get(i, 1);
    if (data.rfind("table public.t:", 0) == 0) change_lsns.push_back(std::stoll(rows.get(i, 0)));
    if (data.rfind("COMMIT", 0) == 0) commit_lsns.push_back(std::stoll(rows.get(i, 0)));
  }
  ASSERT_EQ(change_lsns.size(), 4u);
  ASSERT_EQ(commit_lsns.size(), 2u);
  auto evs = out.data();
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(evs[i].source.fields.at(1).name, "lsn");
    EXPECT_EQ(evs[i].source.fields.at(1).value, Value(change_lsns[i])) << "event " << i;
    ASSERT_TRUE(evs[i].source.sequence) << "event " << i;
    EXPECT_EQ(evs[i].source.sequence->position, static_cast<uint64_t>(change_lsns[i]));
  }
  // The first transaction's predecessor is whatever committed before it
  // (nothing, or another table's transaction); the second's is the first.
  EXPECT_EQ(evs[0].source.sequence->last_commit, evs[2].source.sequence->last_commit);
  EXPECT_EQ(evs[3].source.sequence->last_commit, static_cast<uint64_t>(commit_lsns[0]));
  EXPECT_EQ(evs[2].next.tx, pg::FormatLsn(static_cast<pg::Lsn>(commit_lsns[0])))
      << "the offset after a transaction is its commit's end";
}

TEST_F(PostgresSourceTest, SaysItIsIdleOnceItEmittedAllTheServerSent) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "idle");
  db.sql("CREATE TABLE t (id int PRIMARY KEY, v text)");
  PostgresSource source(testing::StreamingOptions(db, {"public.t"}));
  WatchedEmitter out;
  RunningSource run(source, std::nullopt, out);
  WaitStreaming(db, source.options().slot);
  db.sql("INSERT INTO t SELECT i, 'v' FROM generate_series(1, 3) AS i");
  ASSERT_TRUE(out.wait_data(3)) << run.error();
  // The pipeline commits at once on this hint instead of lingering.
  EXPECT_TRUE(out.wait_idle_after(out.all().size(), 10s)) << run.error();
}

TEST_F(PostgresSourceTest, TruncateSchemaChangeAndTableAddedLater) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "trunc");
  db.sql("CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (id int PRIMARY KEY)");
  PostgresSourceOptions o = testing::StreamingOptions(db, {"public.a"});
  std::optional<Offset> resume;
  {
    PostgresSource source(o);
    WatchedEmitter out;
    RunningSource run(source, std::nullopt, out);
    WaitStreaming(db, o.slot);
    db.sql("INSERT INTO a VALUES (1); INSERT INTO b VALUES (1)");
    db.sql("TRUNCATE a");
    db.sql("ALTER TABLE a ADD COLUMN note text");
    db.sql("INSERT INTO a VALUES (2, 'x')");
    ASSERT_TRUE(out.wait_data(3)) << run.error();
    auto all = out.all();
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[0].op, Op::kCreate);
    EXPECT_EQ(all[1].op, Op::kTruncate);
    EXPECT_EQ(all[1].source.table.table, "a");
    EXPECT_FALSE(all[1].before);
    EXPECT_FALSE(all[1].after);
    EXPECT_EQ(all[2].op, Op::kSchemaChange);
    EXPECT_EQ(all[2].schema->version(), 2u);
    EXPECT_EQ(all[2].control["columns"].size(), 2u);
    EXPECT_EQ(all[3].schema->version(), 2u);
    EXPECT_EQ(Col(all[3], *all[3].after, "note"), Value("x"));
    resume = all[3].next;
  }
  // Table b joins `tables`: the publication is updated on the next start,
  // b's rows so far come from an incremental snapshot, and its later changes
  // arrive.
  o.tables = {"public.a", "public.b"};
  PostgresSource source(o);
  WatchedEmitter out;
  RunningSource run(source, resume, out);
  WaitStreaming(db, o.slot);
  // The snapshot's read of row 1 first: a row inserted before the snapshot
  // reads b would (rightly) come both as a read and as a create.
  ASSERT_TRUE(out.wait_data(1)) << run.error();
  db.sql("INSERT INTO b VALUES (2)");
  ASSERT_TRUE(out.wait_data(2)) << run.error();
  auto evs = out.data();
  ASSERT_EQ(evs.size(), 2u);
  std::map<Op, const ChangeEvent*> by_op;
  for (const ChangeEvent& ev : evs) {
    EXPECT_EQ(ev.source.table.table, "b");
    by_op[ev.op] = &ev;
  }
  ASSERT_TRUE(by_op.count(Op::kRead) && by_op.count(Op::kCreate));
  EXPECT_EQ(Col(*by_op[Op::kRead], *by_op[Op::kRead]->after, "id"), I(1));
  EXPECT_EQ(by_op[Op::kRead]->source.snapshot, SnapshotMark::kIncremental);
  EXPECT_EQ(Col(*by_op[Op::kCreate], *by_op[Op::kCreate]->after, "id"), I(2));
}

TEST_F(PostgresSourceTest, ResumesExactlyMidTransactionAndAfterIt) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "resume");
  db.sql("CREATE TABLE t (id int PRIMARY KEY, v text)");
  PostgresSourceOptions o = testing::StreamingOptions(db, {"t"});
  std::vector<ChangeEvent> first;
  {
    PostgresSource source(o);
    WatchedEmitter out;
    RunningSource run(source, std::nullopt, out);
    WaitStreaming(db, o.slot);
    db.sql(
        "BEGIN; INSERT INTO t SELECT i, 'a' FROM generate_series(1, 10) i; "
        "UPDATE t SET v = 'b' WHERE id <= 3; DELETE FROM t WHERE id = 10; COMMIT");
    db.sql("INSERT INTO t VALUES (100, 'c')");
    ASSERT_TRUE(out.wait_data(15)) << run.error();
    first = out.data();
  }
  ASSERT_EQ(first.size(), 15u);
  // Ids and offsets follow the documented scheme.
  const std::string L = first[0].id.substr(0, first[0].id.find(':'));
  for (size_t i = 0; i < 14; ++i) EXPECT_EQ(first[i].id, L + ":" + std::to_string(i));
  for (size_t i = 0; i < 13; ++i) EXPECT_EQ(first[i].next, (Offset{L, i + 1, nullptr}));
  EXPECT_EQ(first[13].next.index, 0u);
  EXPECT_GT(*ParseLsn(first[13].next.tx), *ParseLsn(L));
  EXPECT_EQ(first[14].id.substr(first[14].id.find(':')), ":0");
  EXPECT_EQ(first[13].tx->total_order, 14u);

  for (size_t cut : {0u, 4u, 12u, 13u}) {
    PostgresSource source(o);
    WatchedEmitter out;
    RunningSource run(source, first[cut].next, out);
    ASSERT_TRUE(out.wait_data(14 - cut)) << "cut " << cut << ": " << run.error();
    std::this_thread::sleep_for(300ms);  // nothing extra may follow
    auto again = out.data();
    ASSERT_EQ(again.size(), 14 - cut) << "cut " << cut;
    for (size_t i = 0; i < again.size(); ++i) {
      const ChangeEvent& want = first[cut + 1 + i];
      EXPECT_EQ(again[i].id, want.id);
      EXPECT_EQ(again[i].next, want.next);
      EXPECT_EQ(again[i].after.has_value(), want.after.has_value());
      if (want.after) {
        EXPECT_EQ(again[i].after->values, want.after->values);
      }
      EXPECT_EQ(again[i].tx->total_order, want.tx->total_order);
    }
  }
}

// True once `evs` holds a heartbeat whose offset is past `lsn`.
bool HeartbeatPast(const std::vector<ChangeEvent>& evs, Lsn lsn) {
  return std::any_of(evs.begin(), evs.end(), [&](const ChangeEvent& e) {
    return e.op == Op::kHeartbeat && *ParseLsn(e.next.tx) > lsn;
  });
}

// The last event of `op` in `evs` (a default one when there is none).
ChangeEvent LastOf(const std::vector<ChangeEvent>& evs, Op op) {
  ChangeEvent last;
  for (const ChangeEvent& e : evs)
    if (e.op == op) last = e;
  return last;
}

TEST_F(PostgresSourceTest, HeartbeatsAdvanceTheSlotOnlyToAcknowledgedOffsets) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "heartbeat");
  db.sql("CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE other (id int PRIMARY KEY)");
  PostgresSourceOptions o = testing::StreamingOptions(db, {"t"});
  o.heartbeat_interval = 200ms;
  PostgresSource source(o);
  WatchedEmitter out;
  RunningSource run(source, std::nullopt, out);
  WaitStreaming(db, o.slot);
  auto confirmed = [&] {
    return *ParseLsn(db.sql("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE "
                            "slot_name = '" +
                            o.slot + "'")
                         .get(0, 0));
  };
  const Lsn before = confirmed();
  db.sql("INSERT INTO other SELECT generate_series(1, 1000)");  // filtered out: WAL only
  auto after_other = *ParseLsn(db.sql("SELECT pg_current_wal_insert_lsn()").get(0, 0));
  ASSERT_TRUE(out.wait([&](const auto& evs) { return HeartbeatPast(evs, after_other); }))
      << run.error();
  const ChangeEvent hb = LastOf(out.all(), Op::kHeartbeat);
  EXPECT_FALSE(hb.schema);
  EXPECT_GT(hb.source.commit_ts_us, 0);
  // Nothing acknowledged yet: the slot has not moved.
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(confirmed(), before);
  // Acknowledge the heartbeat: the slot moves exactly there.
  source.acknowledge(hb.next);
  const Lsn want = *ParseLsn(hb.next.tx);
  for (int i = 0; i < 100 && confirmed() != want; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_EQ(FormatLsn(confirmed()), hb.next.tx);
}

// Source::lag_bytes(): the server's WAL end (as its messages report it) past
// the acknowledged LSN; unknown until something was acknowledged.
TEST_F(PostgresSourceTest, LagBytesIsTheWalPastTheAcknowledgedOffset) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "lagbytes");
  db.sql("CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE other (id int PRIMARY KEY, v text)");
  PostgresSourceOptions o = testing::StreamingOptions(db, {"t"});
  o.heartbeat_interval = 200ms;
  PostgresSource source(o);
  WatchedEmitter out;
  RunningSource run(source, std::nullopt, out);
  WaitStreaming(db, o.slot);
  db.sql("INSERT INTO t VALUES (1)");
  ASSERT_TRUE(out.wait([](const auto& evs) { return !LastOf(evs, Op::kCreate).next.tx.empty(); }))
      << run.error();
  EXPECT_EQ(source.lag_bytes(), std::nullopt);  // nothing acknowledged yet
  const ChangeEvent created = LastOf(out.all(), Op::kCreate);
  source.acknowledge(created.next);
  const Lsn acked = *ParseLsn(created.next.tx);
  // WAL the pipeline does not capture still counts until a later offset is acknowledged.
  db.sql("INSERT INTO other SELECT g, repeat('x', 100) FROM generate_series(1, 2000) g");
  const Lsn written = *ParseLsn(db.sql("SELECT pg_current_wal_insert_lsn()").get(0, 0));
  bool grew = false;
  for (int i = 0; i < 200 && !grew; ++i) {
    grew = source.lag_bytes() && *source.lag_bytes() >= written - acked;
    if (!grew) std::this_thread::sleep_for(25ms);
  }
  ASSERT_TRUE(grew) << "lag " << source.lag_bytes().value_or(0) << ", WAL written past the "
                    << "acknowledged offset " << (written - acked);
  ASSERT_TRUE(out.wait([&](const auto& evs) { return HeartbeatPast(evs, written); }))
      << run.error();
  const ChangeEvent hb = LastOf(out.all(), Op::kHeartbeat);
  source.acknowledge(hb.next);
  ASSERT_TRUE(source.lag_bytes());
  EXPECT_LT(*source.lag_bytes(), written - acked);
}

TEST_F(PostgresSourceTest, DroppedPublicationStopsWithAdvice) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "droppub");
  db.sql("CREATE TABLE t (id int PRIMARY KEY)");
  PostgresSourceOptions o = testing::StreamingOptions(db, {"t"});
  PostgresSource source(o);
  WatchedEmitter out;
  RunningSource run(source, std::nullopt, out);
  WaitStreaming(db, o.slot);
  db.sql("DROP PUBLICATION " + o.publication);
  db.sql("INSERT INTO t VALUES (1)");
  for (int i = 0; i < 200 && run.error().empty(); ++i) std::this_thread::sleep_for(50ms);
  EXPECT_NE(run.error().find("was dropped"), std::string::npos) << run.error();
  EXPECT_NE(run.error().find("Drop slot"), std::string::npos) << run.error();
}

TEST_F(PostgresSourceTest, StartupChecksSayWhatToDo) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "checks");
  db.sql("CREATE TABLE t (id int PRIMARY KEY)");
  db.sql(
      "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'norepl') THEN "
      "CREATE ROLE norepl LOGIN; END IF; END $$");
  auto fails_with = [&](PostgresSourceOptions o, const std::string& needle) {
    PostgresSource source(o);
    WatchedEmitter out;
    try {
      source.run(std::nullopt, out, std::stop_token());
      ADD_FAILURE() << "no error, expected " << needle;
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  fails_with(testing::StreamingOptions(db, {"public.missing"}),
             "table public.missing (from `tables`) not found");
  PostgresSourceOptions o = testing::StreamingOptions(db, {"t"});
  o.dsn = db.dsn() + " user=norepl";
  fails_with(o, "lacks the REPLICATION attribute");
  // A committed offset whose slot is gone must not silently restart.
  PostgresSource source(testing::StreamingOptions(db, {"t"}));
  WatchedEmitter out;
  try {
    source.run(Offset{"0/16B3748", 0, nullptr}, out, std::stop_token());
    ADD_FAILURE();
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("does not exist, but the sink has a committed offset"),
              std::string::npos)
        << e.what();
  }
}

// Constant DEFAULTs reach Column::default_value as a row holding the literal
// would carry them (Debezium writes them in the field schema); expressions
// and NULL give none. A changed default makes a new schema version.
TEST_F(PostgresSourceTest, ConstantDefaultsBecomeColumnDefaults) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "defaults");
  db.sql(R"(CREATE TABLE dflt (
      id int PRIMARY KEY, i int NOT NULL DEFAULT 0, t text DEFAULT 'n/a',
      d date DEFAULT '2020-01-01', n numeric(5,2) DEFAULT 1.50, vc varchar DEFAULT 'it''s',
      neg int DEFAULT -1, flag bool DEFAULT true, nul text DEFAULT NULL,
      at timestamptz DEFAULT now(), s serial))");
  PostgresSource source(testing::StreamingOptions(db, {"public.dflt"}));
  WatchedEmitter out;
  RunningSource run(source, std::nullopt, out);
  WaitStreaming(db, source.options().slot);
  db.sql("INSERT INTO dflt (id) VALUES (1)");
  // Defaults come from the catalog when the Relation is built: let the first
  // one be built before the default changes.
  ASSERT_TRUE(out.wait_data(1)) << run.error();
  db.sql("ALTER TABLE dflt ALTER COLUMN i SET DEFAULT 7");
  db.sql("INSERT INTO dflt (id) VALUES (2)");
  ASSERT_TRUE(out.wait_data(2)) << run.error();
  auto evs = out.data();
  const ChangeEvent& ev = evs[0];
  EXPECT_EQ(ColumnOf(ev, "i").default_value, I(0));
  EXPECT_EQ(ColumnOf(ev, "t").default_value, Value("n/a"));
  EXPECT_EQ(ColumnOf(ev, "d").default_value, Value(Date{18262}));
  EXPECT_EQ(ColumnOf(ev, "n").default_value, Value(Decimal{"1.50"}));
  EXPECT_EQ(ColumnOf(ev, "vc").default_value, Value("it's"));
  EXPECT_EQ(ColumnOf(ev, "neg").default_value, I(-1));
  EXPECT_EQ(ColumnOf(ev, "flag").default_value, Value(true));
  EXPECT_FALSE(ColumnOf(ev, "nul").default_value);
  EXPECT_FALSE(ColumnOf(ev, "at").default_value) << "now() is not a constant";
  EXPECT_FALSE(ColumnOf(ev, "s").default_value) << "nextval() is not a constant";
  EXPECT_FALSE(ColumnOf(ev, "id").default_value);
  // Each default is what the row written with it holds.
  for (const char* c : {"i", "t", "d", "n", "vc", "neg", "flag"}) {
    EXPECT_EQ(ColumnOf(ev, c).default_value, Col(ev, *ev.after, c)) << c;
  }
  EXPECT_EQ(ColumnOf(evs[1], "i").default_value, I(7));
  EXPECT_GT(evs[1].schema->version(), ev.schema->version());
  EXPECT_EQ(run.error(), "");
}

}  // namespace
}  // namespace cdc::pg
