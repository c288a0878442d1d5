// Every MySQL/MariaDB column type through the live MySqlSource, with exact
// hand-written expectations (the Value contract of row_value_decoder.h) for
// inserts, updates and deletes, plus each column's schema type and the key.
// Also: a 300,000-row transaction streamed in bounded memory, compressed
// binlog events (log_bin_compress), and the start-up checks with the
// information_schema fallback when binlog_row_metadata is MINIMAL.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <iostream>
#include <limits>
#include <mutex>
#include <thread>

#include "sources/mysql/mysql_source.h"
#include "tests/sources/mysql/mysql_test_env.h"
#include "tests/support/source_runner.h"

namespace cdc::mysql {
namespace {

using namespace std::chrono_literals;
using ::cdc::testing::RunningSource;
using ::cdc::testing::WatchedEmitter;
using testing::SourceOptions;
using testing::TestSchema;

#define SHARED_SERVER_OR_SKIP(var)                                         \
  CDCD_SERVICE_ENV_OR_SKIP(var##_host, "mariadb", "CDCD_TEST_MYSQL_HOST"); \
  MySqlConnectOptions var = *testing::SharedServer()

// The marker table: its insert, written last, tells that everything before
// it was delivered, so the counts below are exact.
constexpr const char* kMarker = "zz_end";

// One connection for several statements, so that session settings
// (time_zone, sql_mode) hold for all of them.
class Session {
 public:
  Session(const MySqlConnectOptions& server, const std::string& db) : c_(server, "test session") {
    c_.query("USE " + db, "USE");
    c_.query("SET time_zone = '+00:00'", "time_zone");
  }
  void sql(const std::string& statement) { c_.query(statement, statement); }

 private:
  MySqlConnection c_;
};

void CreateMarker(const TestSchema& db) {
  db.sql(std::string("CREATE TABLE ") + kMarker + " (id INT AUTO_INCREMENT PRIMARY KEY)");
}

// Runs a source from `from` until a marker row arrives; returns the data
// events before it (a second Capture from the same offset stops at the
// first marker: the rows under test are all before it).
std::vector<ChangeEvent> Capture(const TestSchema& db, const MySqlSourceOptions& opts,
                                 const Offset& from) {
  db.sql(std::string("INSERT INTO ") + kMarker + " VALUES ()");
  MySqlSource source(opts);
  WatchedEmitter out;
  RunningSource run(source, from, out);
  auto marker_seen = [](const std::vector<ChangeEvent>& evs) {
    for (const ChangeEvent& e : evs) {
      if (e.schema && e.schema->id().table == kMarker) return true;
    }
    return false;
  };
  bool done = false;
  // Up to 60 s, but no longer than the source runs: a failed run ends it.
  for (int i = 0; i < 60 && !done && run.error().empty(); ++i) done = out.wait(marker_seen, 1s);
  EXPECT_TRUE(done) << "the marker row never arrived: " << run.error();
  EXPECT_EQ(run.error(), "");
  run.stop();
  std::vector<ChangeEvent> data;
  for (ChangeEvent& e : out.data()) {
    if (e.schema->id().table != kMarker) data.push_back(std::move(e));
  }
  return data;
}

std::vector<Op> Ops(const std::vector<ChangeEvent>& evs) {
  std::vector<Op> ops;
  for (const ChangeEvent& e : evs) ops.push_back(e.op);
  return ops;
}

// Compares a row image value by value, printing Values readably.
void ExpectRow(const std::optional<cdc::Row>& row, const std::vector<Value>& want,
               const std::string& label) {
  ASSERT_TRUE(row.has_value()) << label;
  ASSERT_EQ(row->values.size(), want.size()) << label;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_TRUE(row->values[i] == want[i])
        << label << " column " << i << ": got " << row->values[i].debug_string() << ", want "
        << want[i].debug_string();
  }
}

using enum ColumnType;  // short column tables below

struct ColumnWant {
  std::string name;
  ColumnType type;
  std::string source_type;
};

void ExpectColumns(const TableSchemaPtr& schema, const std::vector<ColumnWant>& want,
                   const std::vector<size_t>& key) {
  ASSERT_NE(schema, nullptr);
  ASSERT_EQ(schema->columns().size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const Column& c = schema->columns()[i];
    EXPECT_EQ(c.name, want[i].name) << i;
    EXPECT_EQ(ColumnTypeName(c.type), std::string(ColumnTypeName(want[i].type))) << c.name;
    EXPECT_EQ(c.source_type, want[i].source_type) << c.name;
  }
  EXPECT_EQ(schema->key_columns(), key);
}

// clang-format off
Value I(int64_t v) { return Value(v); }
Value Str(const std::string& s) { return Value(s); }
Value Raw(const std::string& s) { return Value(Bytes{s}); }
Value Dec(const std::string& s) { return Value(Decimal{s}); }
// clang-format on
const Value kNull = Value::Null();

TEST(MySqlTypesLiveTest, IntegersMinMaxSignedAndUnsigned) {
  SHARED_SERVER_OR_SKIP(server);
  TestSchema db(server, "ints");
  CreateMarker(db);
  db.sql(
      "CREATE TABLE t (id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, "
      "su SMALLINT UNSIGNED, mi MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, "
      "bi BIGINT, bu BIGINT UNSIGNED)");
  Offset from = db.here();
  db.sql(
      "INSERT INTO t VALUES (1,-128,0,-32768,0,-8388608,0,-2147483648,0,-9223372036854775808,0),"
      "(2,127,255,32767,65535,8388607,16777215,2147483647,4294967295,9223372036854775807,"
      "18446744073709551615), (3,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL)");
  db.sql("UPDATE t SET tu = 254, bu = 18446744073709551614, bi = -1 WHERE id = 2");
  db.sql("DELETE FROM t WHERE id = 1");
  std::vector<ChangeEvent> ev = Capture(db, SourceOptions(server, db.name()), from);
  ASSERT_EQ(Ops(ev),
            (std::vector<Op>{Op::kCreate, Op::kCreate, Op::kCreate, Op::kUpdate, Op::kDelete}));
  const int64_t kMin64 = std::numeric_limits<int64_t>::min();
  // clang-format off
  const std::vector<Value> min_row = {I(1), I(-128), I(0), I(-32768), I(0), I(-8388608), I(0),
      I(-2147483648LL), I(0), I(kMin64), Value(uint64_t{0})};
  const std::vector<Value> max_row = {I(2), I(127), I(255), I(32767), I(65535), I(8388607),
      I(16777215), I(2147483647), I(4294967295LL), I(9223372036854775807LL),
      Value(uint64_t{18446744073709551615ULL})};
  // clang-format on
  std::vector<Value> updated = max_row;
  updated[2] = I(254);
  updated[9] = I(-1);
  updated[10] = Value(uint64_t{18446744073709551614ULL});
  ExpectRow(ev[0].after, min_row, "insert min");
  ExpectRow(ev[1].after, max_row, "insert max");
  ExpectRow(ev[2].after,
            {I(3), kNull, kNull, kNull, kNull, kNull, kNull, kNull, kNull, kNull, kNull},
            "insert nulls");
  ExpectRow(ev[3].before, max_row, "update before");
  ExpectRow(ev[3].after, updated, "update after");
  ExpectRow(ev[4].before, min_row, "delete before");
  EXPECT_FALSE(ev[4].after.has_value());
  EXPECT_EQ(ev[4].key(), std::vector<Value>{I(1)});
  ExpectColumns(ev[0].schema,
                {{"id", kInt32, "int"},
                 {"ti", kInt8, "tinyint"},
                 {"tu", kInt16, "tinyint unsigned"},
                 {"si", kInt16, "smallint"},
                 {"su", kInt32, "smallint unsigned"},
                 {"mi", kInt32, "mediumint"},
                 {"mu", kInt32, "mediumint unsigned"},
                 {"i", kInt32, "int"},
                 {"iu", kInt64, "int unsigned"},
                 {"bi", kInt64, "bigint"},
                 {"bu", kUInt64, "bigint unsigned"}},
                {0});
}

TEST(MySqlTypesLiveTest, FloatDoubleAndDecimals) {
  SHARED_SERVER_OR_SKIP(server);
  TestSchema db(server, "nums");
  CreateMarker(db);
  db.sql(
      "CREATE TABLE t (id INT PRIMARY KEY, f FLOAT, d DOUBLE, big DECIMAL(65,30), "
      "small DECIMAL(5,2), whole DECIMAL(10,0))");
  Offset from = db.here();
  db.sql(
      "INSERT INTO t VALUES (1, 1.5, 0.1, "
      "12345678901234567890123456789012345.123456789012345678901234567890, -1.05, -9999999999),"
      "(2, 0.1, -1.7976931348623157e308, "
      "-99999999999999999999999999999999999.999999999999999999999999999999, 0, 0),"
      "(3, -3.25, 2.2250738585072014e-308, 0.000000000000000000000000000001, 999.99, 1)");
  db.sql("UPDATE t SET small = -0.01, f = -0.5 WHERE id = 3");
  db.sql("DELETE FROM t WHERE id = 2");
  std::vector<ChangeEvent> ev = Capture(db, SourceOptions(server, db.name()), from);
  ASSERT_EQ(Ops(ev),
            (std::vector<Op>{Op::kCreate, Op::kCreate, Op::kCreate, Op::kUpdate, Op::kDelete}));
  ExpectRow(ev[0].after,
            {I(1), Value(1.5), Value(0.1),
             Dec("12345678901234567890123456789012345.123456789012345678901234567890"),
             Dec("-1.05"), Dec("-9999999999")},
            "row 1");
  // FLOAT 0.1 is the float nearest 0.1, widened exactly to double.
  const std::vector<Value> row2 = {
      I(2),
      Value(static_cast<double>(0.1f)),
      Value(-1.7976931348623157e308),
      Dec("-99999999999999999999999999999999999.999999999999999999999999999999"),
      Dec("0.00"),
      Dec("0")};
  ExpectRow(ev[1].after, row2, "row 2");
  ExpectRow(ev[2].after,
            {I(3), Value(-3.25), Value(2.2250738585072014e-308),
             Dec("0.000000000000000000000000000001"), Dec("999.99"), Dec("1")},
            "row 3");
  ExpectRow(ev[3].after,
            {I(3), Value(-0.5), Value(2.2250738585072014e-308),
             Dec("0.000000000000000000000000000001"), Dec("-0.01"), Dec("1")},
            "update");
  ExpectRow(ev[4].before, row2, "delete");
  ExpectColumns(ev[0].schema,
                {{"id", kInt32, "int"},
                 {"f", kFloat32, "float"},
                 {"d", kFloat64, "double"},
                 {"big", kDecimal, "decimal(65,30)"},
                 {"small", kDecimal, "decimal(5,2)"},
                 {"whole", kDecimal, "decimal(10,0)"}},
                {0});
  EXPECT_EQ(ev[0].schema->columns()[3].precision, 65);
  EXPECT_EQ(ev[0].schema->columns()[3].scale, 30);
}

TEST(MySqlTypesLiveTest, DatesTimesDatetimesTimestampsAndYears) {
  SHARED_SERVER_OR_SKIP(server);
  TestSchema db(server, "temporal");
  CreateMarker(db);
  db.sql(
      "CREATE TABLE t (id INT PRIMARY KEY, d DATE, t0 TIME, t6 TIME(6), dt0 DATETIME, "
      "dt6 DATETIME(6), dt3 DATETIME(3), ts0 TIMESTAMP NULL, ts6 TIMESTAMP(6) NULL, y YEAR)");
  Offset from = db.here();
  Session s(server, db.name());  // time_zone +00:00: TIMESTAMP literals are UTC
  s.sql(
      "INSERT INTO t VALUES (1, '2024-02-29', '12:34:56', '-838:59:59.000000', "
      "'1000-01-01 00:00:00', '9999-12-31 23:59:59.999999', '2024-02-29 23:59:59.123', "
      "'1970-01-01 00:00:01', '2038-01-19 03:14:07.999999', 1901), (2, '1000-01-01', "
      "'-00:00:01', '838:59:59', '2024-02-29 23:59:59', '1000-01-01 00:00:00.000001', "
      "'0001-01-01 00:00:00', '2024-02-29 23:59:59', '1970-01-01 00:00:01.000001', 2155)");
  s.sql("UPDATE t SET t6 = '25:00:00.5', t0 = '-12:00:00', y = 2000 WHERE id = 1");
  s.sql("DELETE FROM t WHERE id = 2");
  std::vector<ChangeEvent> ev = Capture(db, SourceOptions(server, db.name()), from);
  ASSERT_EQ(Ops(ev), (std::vector<Op>{Op::kCreate, Op::kCreate, Op::kUpdate, Op::kDelete}));
  // Days / microseconds since 1970-01-01 (computed independently).
  // clang-format off
  const std::vector<Value> row1 = {I(1), Value(Date{19782}), Value(Time{45296000000}),
      Value(Time{-3020399000000}), Value(Timestamp{-30610224000000000}),
      Value(Timestamp{253402300799999999}), Value(Timestamp{1709251199123000}),
      Value(TimestampTz{1000000}), Value(TimestampTz{2147483647999999}), I(1901)};
  const std::vector<Value> row2 = {I(2), Value(Date{-354285}), Value(Time{-1000000}),
      Value(Time{3020399000000}), Value(Timestamp{1709251199000000}),
      Value(Timestamp{-30610223999999999}), Value(Timestamp{-62135596800000000}),
      Value(TimestampTz{1709251199000000}), Value(TimestampTz{1000001}), I(2155)};
  // clang-format on
  std::vector<Value> updated = row1;
  updated[2] = Value(Time{-43200000000});
  updated[3] = Value(Time{90000500000});  // TIME beyond 24h
  updated[9] = I(2000);
  ExpectRow(ev[0].after, row1, "row 1");
  ExpectRow(ev[1].after, row2, "row 2");
  ExpectRow(ev[2].before, row1, "update before");
  ExpectRow(ev[2].after, updated, "update after");
  ExpectRow(ev[3].before, row2, "delete");
  ExpectColumns(ev[0].schema,
                {{"id", kInt32, "int"},
                 {"d", kDate, "date"},
                 {"t0", kTime, "time(0)"},
                 {"t6", kTime, "time(6)"},
                 {"dt0", kTimestamp, "datetime(0)"},
                 {"dt6", kTimestamp, "datetime(6)"},
                 {"dt3", kTimestamp, "datetime(3)"},
                 {"ts0", kTimestampTz, "timestamp(0)"},
                 {"ts6", kTimestampTz, "timestamp(6)"},
                 {"y", kYear, "year"}},
                {0});
  EXPECT_EQ(ev[0].schema->columns()[3].precision, 6);
}

TEST(MySqlTypesLiveTest, ZeroDatesUnderBothPolicies) {
  SHARED_SERVER_OR_SKIP(server);
  TestSchema db(server, "zero");
  CreateMarker(db);
  db.sql("CREATE TABLE t (id INT PRIMARY KEY, d DATE, dt DATETIME(3), ts TIMESTAMP NULL)");
  Offset from = db.here();
  Session s(server, db.name());
  s.sql("SET sql_mode = ''");  // the default strict mode refuses zero dates
  s.sql(
      "INSERT INTO t VALUES (1, '0000-00-00', '0000-00-00 00:00:00.000', '0000-00-00 00:00:00'),"
      "(2, '2024-00-10', '2024-01-00 10:00:00.5', NULL)");
  MySqlSourceOptions opts = SourceOptions(server, db.name());
  std::vector<ChangeEvent> as_null = Capture(db, opts, from);
  ASSERT_EQ(as_null.size(), 2u);
  ExpectRow(as_null[0].after, {I(1), kNull, kNull, kNull}, "null policy, zero");
  ExpectRow(as_null[1].after, {I(2), kNull, kNull, kNull}, "null policy, partly zero");
  opts.zero_dates = ZeroDatePolicy::kString;
  std::vector<ChangeEvent> as_text = Capture(db, opts, from);
  ASSERT_EQ(as_text.size(), 2u);
  ExpectRow(as_text[0].after,
            {I(1), Str("0000-00-00"), Str("0000-00-00 00:00:00.000"), Str("0000-00-00 00:00:00")},
            "string policy, zero");
  ExpectRow(as_text[1].after, {I(2), Str("2024-00-10"), Str("2024-01-00 10:00:00.500"), kNull},
            "string policy, partly zero");
}

TEST(MySqlTypesLiveTest, TextInUtf8mb4Latin1Cp1251AndSjis) {
  SHARED_SERVER_OR_SKIP(server);
  TestSchema db(server, "text");
  CreateMarker(db);
  db.sql(
      "CREATE TABLE t (id INT PRIMARY KEY, u VARCHAR(20) CHARACTER SET utf8mb4, "
      "c CHAR(4) CHARACTER SET utf8mb4, tx TEXT CHARACTER SET utf8mb4, "
      "l1 VARCHAR(10) CHARACTER SET latin1, l1t TINYTEXT CHARACTER SET latin1, "
      "cy VARCHAR(10) CHARACTER SET cp1251, sj VARCHAR(10) CHARACTER SET sjis)");
  Offset from = db.here();
  db.sql(
      "INSERT INTO t VALUES (1, 'héllo 😀', 'ab', 'a 😀 b\nline', 'café €', 'Ünïcödé', "
      "'Привет', '日本語'), (2, '', '', '', '', '', '', '')");
  db.sql("UPDATE t SET u = '🙂🙃', l1 = 'ÿ' WHERE id = 1");
  db.sql("DELETE FROM t WHERE id = 2");
  std::vector<ChangeEvent> ev = Capture(db, SourceOptions(server, db.name()), from);
  ASSERT_EQ(Ops(ev), (std::vector<Op>{Op::kCreate, Op::kCreate, Op::kUpdate, Op::kDelete}));
  const std::vector<Value> row1 = {I(1),          Str("héllo 😀"), Str("ab"),     Str("a 😀 b\nline"),
                                   Str("café €"), Str("Ünïcödé"), Str("Привет"), Str("日本語")};
  const std::vector<Value> row2 = {I(2),    Str(""), Str(""), Str(""),
                                   Str(""), Str(""), Str(""), Str("")};
  std::vector<Value> updated = row1;
  updated[1] = Str("🙂🙃");
  updated[4] = Str("ÿ");
  ExpectRow(ev[0].after, row1, "row 1");
  ExpectRow(ev[1].after, row2, "row 2");
  ExpectRow(ev[2].before, row1, "update before");
  ExpectRow(ev[2].after, updated, "update after");
  ExpectRow(ev[3].before, row2, "delete");
  // Lengths as declared, in characters (the binlog gives bytes: characters x
  // the charset's maximum width).
  ExpectColumns(ev[0].schema,
                {{"id", kInt32, "int"},
                 {"u", kString, "varchar(20)"},
                 {"c", kString, "char(4)"},
                 {"tx", kString, "text"},
                 {"l1", kString, "varchar(10)"},
                 {"l1t", kString, "tinytext"},
                 {"cy", kString, "varchar(10)"},
                 {"sj", kString, "varchar(10)"}},
                {0});
}

TEST(MySqlTypesLiveTest, BinaryTypesAreBytes) {
  SHARED_SERVER_OR_SKIP(server);
  TestSchema db(server, "bin");
  CreateMarker(db);
  db.sql(
      "CREATE TABLE t (id INT PRIMARY KEY, b BINARY(4), vb VARBINARY(8), bl BLOB, tb TINYBLOB, "
      "lb LONGBLOB)");
  Offset from = db.here();
  db.sql(
      "INSERT INTO t VALUES (1, x'00010200', x'00ff', x'deadbeef00', x'', REPEAT(x'ab', 70000))");
  db.sql("UPDATE t SET vb = x'', b = x'ff' WHERE id = 1");
  db.sql("DELETE FROM t WHERE id = 1");
  std::vector<ChangeEvent> ev = Capture(db, SourceOptions(server, db.name()), from);
  ASSERT_EQ(Ops(ev), (std::vector<Op>{Op::kCreate, Op::kUpdate, Op::kDelete}));
  // clang-format off
  const std::vector<Value> row = {I(1), Raw(std::string("\x00\x01\x02\x00", 4)),
      Raw(std::string("\x00\xff", 2)), Raw(std::string("\xde\xad\xbe\xef\x00", 5)), Raw(""),
      Raw(std::string(70000, '\xab'))};
  // clang-format on
  // BINARY(n) values are n bytes (the server pads with 0x00 and SELECT, thus
  // a snapshot, returns all n); the binlog drops trailing 0x00 bytes, which
  // the source must restore for the stream to agree with the table.
  std::vector<Value> updated = row;
  updated[1] = Raw(std::string("\xff\x00\x00\x00", 4));
  updated[2] = Raw("");
  ExpectRow(ev[0].after, row, "insert");
  ExpectRow(ev[1].before, row, "update before");
  ExpectRow(ev[1].after, updated, "update after");
  ExpectRow(ev[2].before, updated, "delete");
  ExpectColumns(ev[0].schema,
                {{"id", kInt32, "int"},
                 {"b", kBytes, "binary(4)"},
                 {"vb", kBytes, "varbinary(8)"},
                 {"bl", kBytes, "blob"},
                 {"tb", kBytes, "tinyblob"},
                 {"lb", kBytes, "longblob"}},
                {0});
}

TEST(MySqlTypesLiveTest, EnumSetAndBitWithCompositeKey) {
  SHARED_SERVER_OR_SKIP(server);
  TestSchema db(server, "enums");
  CreateMarker(db);
  db.sql(
      "CREATE TABLE t (id INT, e ENUM('small','medium','large') NOT NULL, "
      "s SET('a','b','c','d'), b1 BIT(1), b64 BIT(64), b10 BIT(10), PRIMARY KEY (e, id))");
  Offset from = db.here();
  db.sql(
      "INSERT INTO t VALUES (1, 'medium', 'a,c', b'1', "
      "b'1000000000000000000000000000000000000000000000000000000000000001', b'1010100101'), "
      "(2, 'large', '', b'0', 18446744073709551615, 0)");
  db.sql("UPDATE t SET s = 'd,b', e = 'small' WHERE id = 1");
  db.sql("DELETE FROM t WHERE id = 2");
  std::vector<ChangeEvent> ev = Capture(db, SourceOptions(server, db.name()), from);
  ASSERT_EQ(Ops(ev), (std::vector<Op>{Op::kCreate, Op::kCreate, Op::kUpdate, Op::kDelete}));
  // BIT values are little-endian bytes: b10 = 0x2A5.
  // clang-format off
  const std::vector<Value> row1 = {I(1), Str("medium"), Str("a,c"), Raw(std::string("\x01", 1)),
      Raw(std::string("\x01\0\0\0\0\0\0\x80", 8)), Raw(std::string("\xa5\x02", 2))};
  const std::vector<Value> row2 = {I(2), Str("large"), Str(""), Raw(std::string("\0", 1)),
      Raw(std::string(8, '\xff')), Raw(std::string("\0\0", 2))};
  // clang-format on
  std::vector<Value> updated = row1;
  updated[1] = Str("small");
  updated[2] = Str("b,d");  // SET members in definition order
  ExpectRow(ev[0].after, row1, "row 1");
  ExpectRow(ev[1].after, row2, "row 2");
  ExpectRow(ev[2].after, updated, "update");
  ExpectRow(ev[3].before, row2, "delete");
  EXPECT_EQ(ev[2].key(), (std::vector<Value>{Str("small"), I(1)}));
  ExpectColumns(ev[0].schema,
                {{"id", kInt32, "int"},
                 {"e", kEnum, "enum"},
                 {"s", kSet, "set"},
                 {"b1", kBits, "bit(1)"},
                 {"b64", kBits, "bit(64)"},
                 {"b10", kBits, "bit(10)"}},
                {1, 0});
  EXPECT_EQ(ev[0].schema->columns()[1].enum_values,
            (std::vector<std::string>{"small", "medium", "large"}));
  EXPECT_EQ(ev[0].schema->columns()[2].enum_values, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(ev[0].schema->columns()[4].length, 64);
}

// MariaDB's JSON is an alias of LONGTEXT (with a json_valid CHECK): the
// binlog carries text, so the value is the text as written and the schema
// says longtext. GEOMETRY is WKB with MariaDB's SRID prefix stripped.
TEST(MySqlTypesLiveTest, JsonIsLongtextOnMariaDbAndGeometryIsWkb) {
  SHARED_SERVER_OR_SKIP(server);
  TestSchema db(server, "jsongeo");
  CreateMarker(db);
  db.sql("CREATE TABLE t (id INT PRIMARY KEY, j JSON, g GEOMETRY, p POINT)");
  Offset from = db.here();
  db.sql(
      "INSERT INTO t VALUES (1, '{\"a\": [1, 2.5, \"x\"], \"b\": null}', "
      "ST_GeomFromText('POINT(1 2)'), ST_GeomFromText('POINT(1 2)', 4326)), (2, NULL, NULL, NULL)");
  db.sql("UPDATE t SET j = '[]' WHERE id = 1");
  db.sql("DELETE FROM t WHERE id = 2");
  std::vector<ChangeEvent> ev = Capture(db, SourceOptions(server, db.name()), from);
  ASSERT_EQ(Ops(ev), (std::vector<Op>{Op::kCreate, Op::kCreate, Op::kUpdate, Op::kDelete}));
  // WKB of POINT(1 2): byte order 1 (little-endian), type 1, x = 1.0, y = 2.0.
  const std::string wkb(
      "\x01\x01\x00\x00\x00"
      "\x00\x00\x00\x00\x00\x00\xf0\x3f"
      "\x00\x00\x00\x00\x00\x00\x00\x40",
      21);
  const std::vector<Value> row1 = {I(1), Str("{\"a\": [1, 2.5, \"x\"], \"b\": null}"), Raw(wkb),
                                   Raw(wkb)};
  std::vector<Value> updated = row1;
  updated[1] = Str("[]");
  ExpectRow(ev[0].after, row1, "insert");
  ExpectRow(ev[1].after, {I(2), kNull, kNull, kNull}, "nulls");
  ExpectRow(ev[2].after, updated, "update");
  ExpectRow(ev[3].before, {I(2), kNull, kNull, kNull}, "delete");
  ExpectColumns(ev[0].schema,
                {{"id", kInt32, "int"},
                 {"j", kString, "longtext"},
                 {"g", kGeometry, "geometry"},
                 {"p", kGeometry, "geometry"}},
                {0});
}

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
TEST(MySqlTypesLiveTest, LargeTransactionStreamsInBoundedMemory) {
  SHARED_SERVER_OR_SKIP(server);
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
TEST(MySqlTypesLiveTest, CompressedBinlogEventsDecodeExactly) {
  SHARED_SERVER_OR_SKIP(shared);
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
TEST(MySqlTypesLiveTest, StartupChecksAndMinimalMetadataFallback) {
  SHARED_SERVER_OR_SKIP(shared);
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
