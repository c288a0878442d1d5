// The database side of the MariaDB conformance test (the PostgreSQL one is
// postgres_workload.h): tables, seeded rows (the snapshots) and the
// transactions run while both captures stream. Each table covers one
// situation:
//
//   all_types    every MySQL/MariaDB column type cdcd maps, with edge values
//                (minimums, maximums, zero dates, empty strings) and NULLs,
//                inserted again and changed while streaming
//   inet_types   MariaDB's INET4/INET6 (Debezium cannot parse the table: cdcd only)
//   composite    a two-column primary key, also changed
//   evolving     ALTER TABLE ADD COLUMN between changes
//   nopk         no primary key (null keys)
//   truncated    TRUNCATE
//   sentinel     written last: a capture that has it has everything
//
// Tables are listed by name: Debezium snapshots them in that order, and cdcd
// with one snapshot worker does too, so first/last marks fall on the same rows.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace cdc::testing {

inline const std::vector<std::string>& MariaDbTables() {
  static const std::vector<std::string> tables = {
      "all_types", "composite", "evolving", "inet_types", "nopk", "sentinel", "truncated"};
  return tables;
}

// Tables only cdcd captures (see docs/debezium-compatibility.md).
inline bool CdcdOnlyTable(const std::string& table) {
  return table == "inet_types";
}

inline const char* MariaDbAllTypesColumns() {
  return "id INT PRIMARY KEY, c_tinyint TINYINT, c_utinyint TINYINT UNSIGNED, "
         "c_smallint SMALLINT, c_usmallint SMALLINT UNSIGNED, c_mediumint MEDIUMINT, "
         "c_umediumint MEDIUMINT UNSIGNED, c_int INT, c_uint INT UNSIGNED, c_bigint BIGINT, "
         "c_ubigint BIGINT UNSIGNED, c_float FLOAT, c_float73 FLOAT(7,3), c_double DOUBLE, "
         "c_decimal DECIMAL(12,4), c_bool BOOLEAN, c_bit BIT(8), c_bit1 BIT(1), c_char CHAR(5), "
         "c_varchar VARCHAR(40), c_text TEXT, c_binary BINARY(4), c_varbinary VARBINARY(10), "
         "c_blob BLOB, c_enum ENUM('a','b','c'), c_set SET('x','y','z'), c_date DATE, "
         "c_time TIME, c_time3 TIME(3), c_datetime DATETIME, c_datetime6 DATETIME(6), "
         "c_ts TIMESTAMP NULL, c_ts6 TIMESTAMP(6) NULL, c_year YEAR, c_json JSON, c_uuid UUID, "
         "c_point POINT, c_geom GEOMETRY";
}

// "table.column" of the columns whose Connect type is "float" (FLOAT without (M,D)).
inline std::set<std::string> MariaDbFloat32Columns() {
  return {"all_types.c_float"};
}

// The values after `id`, one row each: typical, minimums, maximums, NULLs,
// zero dates (inserted with SET STATEMENT sql_mode='' FOR ...). The last row
// is streamed only: Debezium's snapshot stops on a zero YEAR (its JDBC
// driver's YearColumn throws), so the seeded rows leave it out.
inline const std::vector<std::string>& MariaDbAllTypesRows() {
  static const std::vector<std::string> rows = {
      "-5, 200, -1000, 60000, -8000000, 16000000, -2000000000, 4000000000, "
      "-9000000000000000000, 9000000000000000000, 1.5, 1234.567, 2.25, 12345678.1234, TRUE, "
      "b'10100000', b'1', 'abc', 'hello', 'some text', 0x01020304, 0x0a0b, 0xdeadbeef, 'b', "
      "'x,z', '2024-02-29', '12:34:56', '-01:02:03.456', '2024-02-29 12:34:56', "
      "'2024-02-29 12:34:56.789012', '2024-02-29 12:34:56', '2024-02-29 12:34:56.123456', "
      "2024, '{\"a\": 1, \"b\": [1, 2]}', '123e4567-e89b-12d3-a456-426614174000', "
      "ST_PointFromText('POINT(1.5 2.5)'), ST_GeomFromText('LINESTRING(0 0, 1 1)')",
      "-128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, -1e-30, "
      "-9999.999, -1.7976931348623157e308, -99999999.9999, FALSE, b'00000000', b'0', '', '', "
      "'', 0x00000000, '', '', 'a', '', '1000-01-01', '-838:59:59', '-838:59:59.000', "
      "'1000-01-01 00:00:00', '1000-01-01 00:00:00.000000', '1970-01-01 00:00:01', "
      "'1970-01-01 00:00:01.000000', 1901, '[]', '00000000-0000-0000-0000-000000000000', "
      "ST_PointFromText('POINT(0 0)'), ST_GeomFromText('POINT(-1 -1)')",
      "127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, "
      "9223372036854775807, 18446744073709551615, 3.4e38, 9999.999, 1.7976931348623157e308, "
      "99999999.9999, 1, b'11111111', b'1', 'zzzzz', 'quote \" backslash \\\\ é ☃', "
      "'unicode \\t tab \\n newline 𝄞', 0xffffffff, 0xffffffffffffffffffff, "
      "REPEAT(0x00ff, 100), 'c', 'x,y,z', '9999-12-31', '838:59:59', '838:59:59.000', "
      "'9999-12-31 23:59:59', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07', "
      "'2038-01-19 03:14:07.999999', 2155, '{\"nested\": {\"deep\": [null, true, 1.5e300]}}', "
      "'ffffffff-ffff-ffff-ffff-ffffffffffff', ST_PointFromText('POINT(-180 90)'), "
      "ST_GeomFromText('POLYGON((0 0, 4 0, 4 4, 0 0))')",
      "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
      "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
      "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL",
      "0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, b'0', b'0', 'z', 'z', 'z', 0x00, 0x00, "
      "0x00, 'a', 'x', '0000-00-00', '00:00:00', '00:00:00', '0000-00-00 00:00:00', "
      "'0000-00-00 00:00:00.000000', '0000-00-00 00:00:00', '0000-00-00 00:00:00.000000', 0, "
      "'\"str\"', '01234567-89ab-cdef-0123-456789abcdef', ST_PointFromText('POINT(3 4)'), "
      "ST_GeomFromText('MULTIPOINT(1 1, 2 2)')",
  };
  return rows;
}

// INSERT of the first `rows` of MariaDbAllTypesRows() (all: 0), ids
// first_id, first_id + 1, ...; zero dates need a lenient sql_mode.
inline std::string MariaDbInsertAllTypes(int first_id, size_t rows = 0) {
  if (rows == 0) rows = MariaDbAllTypesRows().size();
  std::string sql = "SET STATEMENT sql_mode = '' FOR INSERT INTO all_types VALUES ";
  for (size_t i = 0; i < rows; ++i) {
    sql += (i ? ", (" : "(") + std::to_string(first_id + static_cast<int>(i)) + ", " +
           MariaDbAllTypesRows()[i] + ")";
  }
  return sql;
}

// Tables and the rows every snapshot must read, one statement each.
inline std::vector<std::string> MariaDbSchemaAndSeedSql() {
  return {
      std::string("CREATE TABLE all_types (") + MariaDbAllTypesColumns() + ")",
      MariaDbInsertAllTypes(1, MariaDbAllTypesRows().size() - 1),
      "CREATE TABLE inet_types (id INT PRIMARY KEY, c_inet4 INET4, c_inet6 INET6)",
      "INSERT INTO inet_types VALUES (1, '192.0.2.1', '2001:db8::1'), (2, NULL, "
      "'::ffff:192.0.2.1')",
      "CREATE TABLE composite (tenant INT, id INT, v VARCHAR(10), PRIMARY KEY (tenant, id))",
      "INSERT INTO composite VALUES (1, 1, 'a'), (1, 2, 'b'), (2, 1, 'c')",
      "CREATE TABLE evolving (id INT PRIMARY KEY, v INT)",
      "INSERT INTO evolving VALUES (1, 10)",
      "CREATE TABLE nopk (a INT, b VARCHAR(10))",
      "INSERT INTO nopk VALUES (1, 'one'), (2, 'two'), (NULL, NULL)",
      "CREATE TABLE truncated (id INT PRIMARY KEY, v VARCHAR(10))",
      "INSERT INTO truncated VALUES (1, 'a'), (2, 'b')",
      "CREATE TABLE sentinel (id INT PRIMARY KEY)",
  };
}

// The changes made while both captures stream: one element per transaction.
inline std::vector<std::vector<std::string>> MariaDbTransactions() {
  return {
      {MariaDbInsertAllTypes(101)},
      {"UPDATE all_types SET c_text = 'updated', c_int = 42 WHERE id = 101"},
      {"UPDATE all_types SET c_json = '{\"x\": 1}', c_double = -0.5, c_set = 'y', "
       "c_bit = b'1' WHERE id = 103"},
      {"UPDATE all_types SET id = 202 WHERE id = 102"},  // a primary-key change
      {"DELETE FROM all_types WHERE id = 104"},
      {"INSERT INTO inet_types VALUES (3, '0.0.0.0', '::')"},
      {"UPDATE composite SET v = 'aa' WHERE tenant = 1 AND id = 1"},
      {"UPDATE composite SET id = 5 WHERE tenant = 1 AND id = 2"},
      {"DELETE FROM composite WHERE tenant = 2 AND id = 1"},
      {"INSERT INTO nopk VALUES (3, 'three')"},
      {"UPDATE nopk SET b = 'uno' WHERE a = 1"},
      {"DELETE FROM nopk WHERE a = 2"},
      {"INSERT INTO evolving VALUES (2, 20)"},
      {"ALTER TABLE evolving ADD COLUMN extra VARCHAR(10) DEFAULT 'dflt', "
       "ADD COLUMN amount DECIMAL(8,2) NOT NULL DEFAULT 1.5"},
      {"INSERT INTO evolving VALUES (3, 30, 'x', 2.25)"},
      {"UPDATE evolving SET v = 11 WHERE id = 1"},
      {"DELETE FROM evolving WHERE id = 3"},
      {"TRUNCATE TABLE truncated"},
      {"INSERT INTO truncated VALUES (3, 'c')"},
      // one transaction over several tables
      {"INSERT INTO composite VALUES (3, 1, 'tx')", "DELETE FROM all_types WHERE id = 101",
       "INSERT INTO nopk VALUES (4, 'tx')", "UPDATE evolving SET amount = 99.99 WHERE id = 1",
       "INSERT INTO truncated VALUES (4, 'd')"},
      // the same row changed several times in one transaction
      {"UPDATE composite SET v = 'x1' WHERE tenant = 3 AND id = 1",
       "UPDATE composite SET v = 'x2' WHERE tenant = 3 AND id = 1",
       "DELETE FROM composite WHERE tenant = 3 AND id = 1"},
  };
}

}  // namespace cdc::testing
