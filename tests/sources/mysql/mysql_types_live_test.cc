// Every MySQL/MariaDB column type through the live MySqlSource, with exact
// hand-written expectations (the Value contract of row_value_decoder.h) for
// inserts, updates and deletes, plus each column's schema type and the key.
#include <gtest/gtest.h>

#include <limits>

#include "sources/mysql/mysql_source.h"
#include "tests/sources/mysql/mysql_live_util.h"
#include "tests/sources/mysql/mysql_test_env.h"
#include "tests/support/source_runner.h"

namespace cdc::mysql {
namespace {

using namespace std::chrono_literals;
using namespace testing;  // NOLINT: the live test helpers
using enum ColumnType;    // short column tables below

TEST(MySqlTypesLiveTest, IntegersMinMaxSignedAndUnsigned) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
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
                 {"ti", kInt16, "tinyint"},  // int16, as Debezium
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
  CDCD_MYSQL_SERVER_OR_SKIP(server);
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
  CDCD_MYSQL_SERVER_OR_SKIP(server);
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
  CDCD_MYSQL_SERVER_OR_SKIP(server);
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
  CDCD_MYSQL_SERVER_OR_SKIP(server);
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
  CDCD_MYSQL_SERVER_OR_SKIP(server);
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
  CDCD_MYSQL_SERVER_OR_SKIP(server);
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

// ENUM/SET member names travel in the column's charset: they arrive as
// UTF-8 in values and in the schema.
TEST(MySqlTypesLiveTest, EnumAndSetNamesInTheColumnCharset) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  TestSchema db(server, "enumcs");
  CreateMarker(db);
  db.sql(
      "CREATE TABLE t (id INT PRIMARY KEY, e ENUM('café','naïve') CHARACTER SET latin1, "
      "s SET('ж','я') CHARACTER SET cp1251)");
  Offset from = db.here();
  db.sql("INSERT INTO t VALUES (1, 'naïve', 'ж,я')");
  std::vector<ChangeEvent> ev = Capture(db, SourceOptions(server, db.name()), from);
  ASSERT_EQ(Ops(ev), (std::vector<Op>{Op::kCreate}));
  ExpectRow(ev[0].after, {I(1), Str("naïve"), Str("ж,я")}, "insert");
  EXPECT_EQ(ev[0].schema->columns()[1].enum_values, (std::vector<std::string>{"café", "naïve"}));
  EXPECT_EQ(ev[0].schema->columns()[2].enum_values, (std::vector<std::string>{"ж", "я"}));
}

// MariaDB's JSON is an alias of LONGTEXT (with a json_valid CHECK): the
// binlog carries text, so the value is the text as written and the schema
// says longtext. GEOMETRY is the SRID, then WKB; a POINT column says so.
TEST(MySqlTypesLiveTest, JsonIsLongtextOnMariaDbAndGeometryIsSridAndWkb) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
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
  const std::string srid_4326("\xe6\x10\x00\x00", 4);
  const std::vector<Value> row1 = {I(1), Str("{\"a\": [1, 2.5, \"x\"], \"b\": null}"),
                                   Raw(std::string(4, '\0') + wkb), Raw(srid_4326 + wkb)};
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
                 {"p", kGeometry, "point"}},
                {0});
}

// MariaDB's UUID / INET4 / INET6 (BINARY in the binlog), FLOAT(M,D) and
// spatial types with an SRID: the stream (binlog bytes, read with what
// information_schema says) gives exactly the snapshot's values (the server's
// text), which are the expected ones; INET6 in every form MariaDB prints.
TEST(MySqlTypesLiveTest, MariaDbTypesScaledFloatsAndSridsStreamAsTheySnapshot) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  TestSchema db(server, "mdbtypes");
  CreateMarker(db);
  db.sql(
      "CREATE TABLE t (id INT PRIMARY KEY, u UUID, i4 INET4, i6 INET6, f FLOAT(7,3), f2 FLOAT, "
      "p POINT, g GEOMETRY)");
  const std::vector<std::string> inet6 = {"::",
                                          "::1",
                                          "1::",
                                          "::2",
                                          "::1.2.3.4",
                                          "::ffff:1.2.3.4",
                                          "::ffff:0.0.0.0",
                                          "1:0:0:1::1",
                                          "1::1:0:1:0:1:0",
                                          "1::2:0:0:3:4",
                                          "fe80::1:2",
                                          "1:2:3:4:5:6:7:8",
                                          "abcd::ef",
                                          "0:0:1::",
                                          "2001:db8::ff00:42:8329"};
  Offset from = db.here();
  db.sql(
      "INSERT INTO t VALUES (1, '6ccd780c-baba-1026-9564-5b8c656024db', '192.168.1.10', NULL, "
      "1.1, 1.1, ST_GeomFromText('POINT(1 2)', 4326), ST_GeomFromText('LINESTRING(0 0,1 1)')), "
      "(2, '3f0e2b5e-4c1a-4b8e-9d6f-1a2b3c4d5e00', '0.0.0.0', NULL, -0.001, NULL, NULL, "
      "ST_GeomFromText('POINT(3 4)', 3857)), (3, '00000000-0000-0000-0000-000000000000', "
      "'255.255.255.255', NULL, 9999.999, NULL, NULL, NULL)");
  for (size_t i = 0; i < inet6.size(); ++i) {
    db.sql("INSERT INTO t (id, i6) VALUES (" + std::to_string(10 + i) + ", '" + inet6[i] + "')");
  }
  std::vector<ChangeEvent> streamed = Capture(db, SourceOptions(server, db.name()), from);
  MySqlSourceOptions snap = SourceOptions(server, db.name());
  snap.snapshot.mode = SnapshotMode::kInitial;
  snap.snapshot.workers = 1;  // tables in order: all of t before the marker
  std::vector<ChangeEvent> snapshot = Capture(db, snap, std::nullopt);
  ASSERT_EQ(streamed.size(), 3 + inet6.size());
  ASSERT_EQ(snapshot.size(), streamed.size());

  const std::string pt12 = std::string("\xe6\x10\x00\x00\x01\x01\x00\x00\x00", 9) +
                           std::string("\x00\x00\x00\x00\x00\x00\xf0\x3f", 8) +
                           std::string("\x00\x00\x00\x00\x00\x00\x00\x40", 8);
  const std::string line =
      std::string(4, '\0') + std::string("\x01\x02\x00\x00\x00\x02\x00\x00\x00", 9) +
      std::string(16, '\0') + std::string("\x00\x00\x00\x00\x00\x00\xf0\x3f", 8) +
      std::string("\x00\x00\x00\x00\x00\x00\xf0\x3f", 8);
  const std::string pt34 = std::string("\x11\x0f\x00\x00\x01\x01\x00\x00\x00", 9) +
                           std::string("\x00\x00\x00\x00\x00\x00\x08\x40", 8) +
                           std::string("\x00\x00\x00\x00\x00\x00\x10\x40", 8);
  // clang-format off
  std::vector<std::vector<Value>> want = {
      {I(1), Str("6ccd780c-baba-1026-9564-5b8c656024db"), Str("192.168.1.10"), kNull,
       Value(1.1), Value(static_cast<double>(1.1f)), Raw(pt12), Raw(line)},
      {I(2), Str("3f0e2b5e-4c1a-4b8e-9d6f-1a2b3c4d5e00"), Str("0.0.0.0"), kNull, Value(-0.001),
       kNull, kNull, Raw(pt34)},
      {I(3), Str("00000000-0000-0000-0000-000000000000"), Str("255.255.255.255"), kNull,
       Value(9999.999), kNull, kNull, kNull}};
  // clang-format on
  for (size_t i = 0; i < inet6.size(); ++i) {
    want.push_back(
        {I(static_cast<int64_t>(10 + i)), kNull, kNull, Str(inet6[i]), kNull, kNull, kNull, kNull});
  }
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(streamed[i].op, Op::kCreate);
    EXPECT_EQ(snapshot[i].op, Op::kRead);
    ExpectRow(streamed[i].after, want[i], "streamed row " + std::to_string(i));
    ExpectRow(snapshot[i].after, want[i], "snapshot row " + std::to_string(i));
  }
  const std::vector<ColumnWant> columns = {
      {"id", kInt32, "int"},     {"u", kUuid, "uuid"},          {"i4", kString, "inet4"},
      {"i6", kString, "inet6"},  {"f", kFloat64, "float(7,3)"}, {"f2", kFloat32, "float"},
      {"p", kGeometry, "point"}, {"g", kGeometry, "geometry"}};
  ExpectColumns(streamed[0].schema, columns, {0});
  ExpectColumns(snapshot[0].schema, columns, {0});
}

// Constant DEFAULTs, as MariaDB's information_schema quotes them, become the
// columns' default values in the stream and the snapshot alike; NOW() is the
// epoch where Debezium writes it, expressions and NULL give no default.
TEST(MySqlTypesLiveTest, ColumnDefaultsInStreamAndSnapshot) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  TestSchema db(server, "defaults");
  CreateMarker(db);
  db.sql(
      "CREATE TABLE t (id INT PRIMARY KEY, a INT DEFAULT 0, b VARCHAR(10) NOT NULL DEFAULT "
      "'n/a', c VARCHAR(10) DEFAULT 'it''s', d DATE DEFAULT '2020-01-01', e DECIMAL(5,2) "
      "DEFAULT 1.5, f TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, g DATETIME(3) DEFAULT "
      "CURRENT_TIMESTAMP(3), h BIT(4) DEFAULT b'101', i ENUM('x','y') DEFAULT 'y', "
      "j FLOAT DEFAULT 1.5, k VARCHAR(5) DEFAULT NULL, l INT NOT NULL, m INT DEFAULT (1 + 1), "
      "n VARCHAR(5) DEFAULT 'NULL', o TIME DEFAULT '-01:02:03', p TIMESTAMP NULL DEFAULT "
      "CURRENT_TIMESTAMP, q BIGINT UNSIGNED DEFAULT 18446744073709551615, r VARCHAR(5) "
      "DEFAULT 'a\\\\b', s UUID DEFAULT 'a0000000-0000-0000-0000-000000000001')");
  Offset from = db.here();
  db.sql("INSERT INTO t (id, l) VALUES (1, 7)");
  std::vector<ChangeEvent> streamed = Capture(db, SourceOptions(server, db.name()), from);
  MySqlSourceOptions snap = SourceOptions(server, db.name());
  snap.snapshot.mode = SnapshotMode::kInitial;
  snap.snapshot.workers = 1;
  std::vector<ChangeEvent> snapshot = Capture(db, snap, std::nullopt);
  ASSERT_EQ(streamed.size(), 1u);
  ASSERT_EQ(snapshot.size(), 1u);
  const std::optional<Value> none;
  const std::vector<std::optional<Value>> want = {
      none,  // id: NOT NULL, no default
      I(0),
      Str("n/a"),
      Str("it's"),
      Value(Date{18262}),  // 2020-01-01
      Dec("1.50"),
      Value(TimestampTz{0}),        // NOT NULL TIMESTAMP, NOW()
      Value(Timestamp{0}),          // DATETIME, NOW()
      Raw(std::string("\x05", 1)),  // b'101', little-endian
      Str("y"),
      Value(1.5),
      none,         // DEFAULT NULL
      none,         // NOT NULL without default
      none,         // an expression
      Str("NULL"),  // the string, not NULL
      Value(Time{-3723000000}),
      none,  // nullable TIMESTAMP, NOW()
      Value(uint64_t{18446744073709551615ULL}),
      Str("a\\b"),
      Str("a0000000-0000-0000-0000-000000000001")};
  for (const auto* ev : {&streamed[0], &snapshot[0]}) {
    const auto& cols = ev->schema->columns();
    ASSERT_EQ(cols.size(), want.size());
    for (size_t i = 0; i < cols.size(); ++i) {
      EXPECT_EQ(cols[i].default_value.has_value(), want[i].has_value()) << cols[i].name;
      if (cols[i].default_value && want[i]) {
        EXPECT_EQ(*cols[i].default_value, *want[i])
            << cols[i].name << ": " << cols[i].default_value->debug_string();
      }
    }
  }
  // The row that took them: the stored values match the defaults.
  ExpectRow(streamed[0].after,
            {I(1),
             I(0),
             Str("n/a"),
             Str("it's"),
             Value(Date{18262}),
             Dec("1.50"),
             streamed[0].after->values[6],
             streamed[0].after->values[7],
             Raw(std::string("\x05", 1)),
             Str("y"),
             Value(1.5),
             kNull,
             I(7),
             I(2),
             Str("NULL"),
             Value(Time{-3723000000}),
             streamed[0].after->values[16],
             Value(uint64_t{18446744073709551615ULL}),
             Str("a\\b"),
             Str("a0000000-0000-0000-0000-000000000001")},
            "insert");
}

}  // namespace
}  // namespace cdc::mysql
