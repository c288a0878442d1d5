// The database side of the Debezium conformance test: the tables both
// captures read, the rows seeded before they start (their snapshots), and the
// transactions run while they stream. Each table covers one situation:
//
//   all_types    every PostgreSQL type cdcd maps (sources/postgres/pg_type_map.cc),
//                with edge values (NaN, infinities, BC dates, 24:00, extreme
//                ranges) and NULLs, inserted again and changed while streaming
//   full_ident   REPLICA IDENTITY FULL (before images), column defaults
//   toasty       values stored out of line (random, STORAGE EXTERNAL), updated
//                on another column: unchanged TOAST
//   nopk         no primary key (null keys), REPLICA IDENTITY FULL
//   composite    a two-column primary key, also changed
//   evolving     ALTER TABLE ADD COLUMN between changes
//   truncated    TRUNCATE
//   sentinel     written last: a capture that has it has everything
#pragma once

#include <string>
#include <vector>

namespace cdc::testing {

// The captured tables, schema-qualified, in a stable order.
inline const std::vector<std::string>& ConformanceTables() {
  static const std::vector<std::string> tables = {
      "public.all_types", "public.full_ident", "public.toasty",    "public.nopk",
      "public.composite", "public.evolving",   "public.truncated", "public.sentinel"};
  return tables;
}

inline const char* SentinelTable() {
  return "public.sentinel";
}

// The columns of all_types after `id`, one row of values each (edge rows first).
inline const std::vector<std::string>& AllTypesRows() {
  static const std::vector<std::string> rows = {
      // typical values
      "1, 2, 3, 4, 1.5, 12.345, 12345, 1.25, 2.5, true, 'hello', 'varchar', 'ab', 'x', 'name1', "
      "'\\x0102ff', '2024-02-29', '12:34:56.789012', '01:02:03.456', '12:34:56.789+05:30', "
      "'2024-02-29 12:34:56.789012', '2024-02-29 12:34:56', '2024-02-29 12:34:56.789012+00', "
      "'1 year 2 mons 3 days 04:05:06.789', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', "
      "'{\"a\": 1, \"b\": [1, 2]}', '{\"b\": [1, 2], \"a\": 1}', '<a>b</a>', '192.168.0.1/24', "
      "'10.0.0.0/8', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05', B'10100000', B'1', B'101', "
      "12.34, '{1,2,NULL,4}', '{\"a\",\"b c\",NULL,\"\"}', '{1.50,-2.25}', '{true,false}', "
      "'happy', 7, '[1,10)', '[2024-01-01 00:00:00+00,2024-02-01 00:00:00+00)'",
      // minimums, NaN, infinities, BC, 24:00, empty strings and arrays, B'0000...'
      "-32768, -2147483648, 9223372036854775807, 4294967295, 'NaN', -99999999.999, -99999, "
      "'NaN', 'Infinity', false, "
      "E'quote \" backslash \\\\ tab \\t newline \\n unicode \\u00e9 \\u2603 \\U0001D11E', '', "
      "'a    ', '', '', '\\x', '0044-03-15 BC', '24:00:00', '00:00:00', '24:00:00+00', "
      "'infinity', '-infinity', '4713-01-01 00:00:00+00 BC', '-178000000 years', "
      "'00000000-0000-0000-0000-000000000000', 'null', '[]', '<?xml version=\"1.0\"?><r/>', "
      "'::1', '2001:db8::/32', '00:00:00:00:00:00', '00:00:00:00:00:00:00:00', B'00000000', "
      "B'0', B'', -92233720368547758.08, '{}', '{}', '{}', '{}', 'sad', 1, 'empty', '(,)'",
      // maximums, tiny and huge floats, microseconds, far dates
      "32767, 2147483647, -9223372036854775808, 0, '1e-300', 0.001, 0, 1e-45, 1e-300, NULL, "
      "NULL, NULL, NULL, NULL, NULL, NULL, '5874897-12-31', '23:59:59.999999', "
      "'23:59:59.999', '00:00:00-15:59', '294276-12-31 23:59:59.999999', "
      "'1970-01-01 00:00:00', '-infinity', '-1 days -00:00:00.000001', NULL, NULL, NULL, "
      "NULL, NULL, NULL, NULL, NULL, B'11111111', NULL, B'1111111111111111', "
      "92233720368547758.07, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL",
      // NULL everywhere but the floats
      "NULL, NULL, NULL, NULL, '-Infinity', NULL, NULL, '-Infinity', 1.7976931348623157e308, "
      "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
      "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
      "NULL, NULL, NULL, NULL, NULL, NULL, NULL",
      // zeros, long numeric, largest real, negative zero, nested JSON, 2-D array
      "0, 0, 0, 0, '12345678901234567890.123456789012345', 0, 0, 3.4028235e38, -0.0, true, "
      "repeat('x', 100), 'z', 'zzzzz', 'z', repeat('n', 63), '\\x00', '1970-01-01', "
      "'00:00:00', '00:00:00', '00:00:00+00', '1970-01-01 00:00:00', '1970-01-01 00:00:00', "
      "'1970-01-01 00:00:00+00', '0', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '\"str\"', "
      "'{\"nested\": {\"deep\": [null, true, 1.5e300]}}', '<a/>', '0.0.0.0', '0.0.0.0/0', "
      "'ff:ff:ff:ff:ff:ff', 'ff:ff:ff:ff:ff:ff:ff:ff', B'00000001', B'1', B'0000', 0, "
      "'{{1,2},{3,4}}', '{\"\\\"q\\\"\",\"\\\\\"}', '{NULL}', '{NULL}', 'ok', "
      "2147483647, '(,5]', 'empty'"};
  return rows;
}

// INSERT INTO all_types of AllTypesRows(), ids first_id, first_id + 1, ...
inline std::string InsertAllTypes(int first_id) {
  std::string sql = "INSERT INTO all_types VALUES ";
  for (size_t i = 0; i < AllTypesRows().size(); ++i) {
    sql += (i ? ", (" : "(") + std::to_string(first_id + static_cast<int>(i)) + ", " +
           AllTypesRows()[i] + ")";
  }
  return sql;
}

// `n` random hexadecimal digits (incompressible enough to be stored out of line).
inline std::string RandomHexSql(int n) {
  return "(SELECT left(string_agg(md5(random()::text), ''), " + std::to_string(n) +
         ") FROM generate_series(1, " + std::to_string(n / 32 + 1) + "))";
}

inline std::string ToastyRow(int id) {
  return "(" + std::to_string(id) + ", 0, " + RandomHexSql(12000) + ", decode(" +
         RandomHexSql(12000) + ", 'hex'), jsonb_build_object('k', " + RandomHexSql(12000) + "))";
}

// Tables and the rows every snapshot must read, one statement each.
inline std::vector<std::string> SchemaAndSeedSql() {
  return {
      "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
      "CREATE DOMAIN posint AS integer CHECK (VALUE > 0)",
      "CREATE TABLE all_types (id int PRIMARY KEY, c_int2 smallint, c_int4 integer, "
      "c_int8 bigint, c_oid oid, c_num numeric, c_num_s numeric(12,3), c_num_p numeric(5), "
      "c_real real, c_double double precision, c_bool boolean, c_text text, "
      "c_varchar varchar(20), c_char char(5), c_qchar \"char\", c_name name, c_bytea bytea, "
      "c_date date, c_time time, c_time3 time(3), c_timetz timetz, c_ts timestamp, "
      "c_ts0 timestamp(0), c_tstz timestamptz, c_interval interval, c_uuid uuid, c_json json, "
      "c_jsonb jsonb, c_xml xml, c_inet inet, c_cidr cidr, c_macaddr macaddr, "
      "c_macaddr8 macaddr8, c_bit bit(8), c_bit1 bit(1), c_varbit varbit(16), c_money money, "
      "c_int_arr int[], c_text_arr text[], c_num_arr numeric(10,2)[], c_bool_arr boolean[], "
      "c_enum mood, c_domain posint, c_range int4range, c_tsrange tstzrange)",
      InsertAllTypes(1),
      "CREATE TABLE full_ident (id int PRIMARY KEY, v int NOT NULL DEFAULT 0, "
      "note text DEFAULT 'n/a', born date DEFAULT '2020-01-01')",
      "ALTER TABLE full_ident REPLICA IDENTITY FULL",
      "INSERT INTO full_ident (id, v, note) VALUES (1, 10, 'one'), (2, 20, NULL), (3, 30, 'three')",
      "CREATE TABLE toasty (id int PRIMARY KEY, counter int NOT NULL, big text, blob bytea, "
      "doc jsonb)",
      "ALTER TABLE toasty ALTER COLUMN big SET STORAGE EXTERNAL, "
      "ALTER COLUMN blob SET STORAGE EXTERNAL, ALTER COLUMN doc SET STORAGE EXTERNAL",
      "INSERT INTO toasty VALUES " + ToastyRow(1) + ", " + ToastyRow(2) + ", " + ToastyRow(3),
      "CREATE TABLE nopk (a int, b text)",
      "ALTER TABLE nopk REPLICA IDENTITY FULL",
      "INSERT INTO nopk VALUES (1, 'one'), (2, 'two'), (2, 'two'), (NULL, NULL)",
      "CREATE TABLE composite (tenant int, id int, v text, PRIMARY KEY (tenant, id))",
      "INSERT INTO composite VALUES (1, 1, 'a'), (1, 2, 'b'), (2, 1, 'c')",
      "CREATE TABLE evolving (id int PRIMARY KEY, v int)",
      "INSERT INTO evolving VALUES (1, 10)",
      "CREATE TABLE truncated (id int PRIMARY KEY, v text)",
      "INSERT INTO truncated VALUES (1, 'a'), (2, 'b')",
      "CREATE TABLE sentinel (id int PRIMARY KEY)",
  };
}

// The changes made while every capture streams: one element per transaction
// (statements joined with ';' in one element run in one transaction).
inline std::vector<std::string> StreamingTransactions() {
  return {
      // every type again, through the stream's text forms
      InsertAllTypes(101),
      "UPDATE all_types SET c_text = 'updated', c_int4 = 42 WHERE id = 101",
      "UPDATE all_types SET c_jsonb = '{\"x\": 1}', c_num = 'NaN', c_real = 'NaN', "
      "c_double = '-Infinity', c_ts = 'infinity' WHERE id = 105",
      "UPDATE all_types SET c_bool = NOT c_bool WHERE id IN (101, 102, 105)",
      "UPDATE all_types SET id = 203 WHERE id = 103",  // a primary-key change
      "DELETE FROM all_types WHERE id = 104",
      // REPLICA IDENTITY FULL: before images, a key change, defaults
      "UPDATE full_ident SET v = v + 1 WHERE id = 1",
      "UPDATE full_ident SET id = 12, note = 'moved' WHERE id = 2",
      "DELETE FROM full_ident WHERE id = 3",
      "INSERT INTO full_ident (id) VALUES (4)",
      // unchanged TOAST, changed TOAST, a delete of a TOASTed row, a new one
      "UPDATE toasty SET counter = counter + 1 WHERE id = 1",
      "UPDATE toasty SET big = " + RandomHexSql(9000) + ", counter = 5 WHERE id = 2",
      "DELETE FROM toasty WHERE id = 3",
      "INSERT INTO toasty VALUES " + ToastyRow(4),
      "UPDATE toasty SET counter = counter + 1 WHERE id = 4",
      // no primary key
      "INSERT INTO nopk VALUES (3, 'three')",
      "UPDATE nopk SET b = 'uno' WHERE a = 1",
      "DELETE FROM nopk WHERE a = 2",
      // composite key: value change, key change, delete
      "UPDATE composite SET v = 'aa' WHERE tenant = 1 AND id = 1",
      "UPDATE composite SET id = 5 WHERE tenant = 1 AND id = 2",
      "DELETE FROM composite WHERE tenant = 2 AND id = 1",
      // a schema change between changes of the same table
      "INSERT INTO evolving VALUES (2, 20)",
      "ALTER TABLE evolving ADD COLUMN extra text DEFAULT 'dflt', "
      "ADD COLUMN amount numeric(8,2) NOT NULL DEFAULT 1.5",
      "INSERT INTO evolving VALUES (3, 30, 'x', 2.25)",
      "UPDATE evolving SET v = 11 WHERE id = 1",
      "UPDATE evolving SET extra = NULL WHERE id = 2",
      "DELETE FROM evolving WHERE id = 3",
      // truncate, then life goes on
      "TRUNCATE truncated",
      "INSERT INTO truncated VALUES (3, 'c')",
      // one transaction over several tables
      "INSERT INTO composite VALUES (3, 1, 'tx'); UPDATE full_ident SET note = 'tx' WHERE id = 1; "
      "DELETE FROM all_types WHERE id = 101; INSERT INTO nopk VALUES (4, 'tx'); "
      "UPDATE evolving SET amount = 99.99 WHERE id = 1; INSERT INTO truncated VALUES (4, 'd')",
      // the same row changed several times in one transaction
      "UPDATE composite SET v = 'x1' WHERE tenant = 3 AND id = 1; "
      "UPDATE composite SET v = 'x2' WHERE tenant = 3 AND id = 1; "
      "DELETE FROM composite WHERE tenant = 3 AND id = 1",
  };
}

}  // namespace cdc::testing
