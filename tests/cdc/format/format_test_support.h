// Helpers for the format tests: compact builders for tables and events, and
// golden-file comparison.
//
// Golden files live in tests/cdc/format/golden/<name>.json and hold
// {"key": <key JSON or null>, "value": <value JSON>}. They are compared as
// parsed JSON (whitespace does not matter) and, separately, for the order of
// every object's keys, since Debezium consumers may depend on it.
//
// To rewrite the goldens after an intentional change, run the tests with
// CDCD_UPDATE_GOLDEN=1 and review the diff by hand before committing: the
// checked-in files are the reference, verified against Debezium's documented
// output, not whatever the code happens to print.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cdc/change_event.h"
#include "cdc/format.h"
#include "tests/support/test_support.h"

namespace cdc::testing::fmt {

using OJson = nlohmann::ordered_json;

// ---- Builders ----

inline Column Col(std::string name, ColumnType type, bool nullable = true) {
  Column c;
  c.name = std::move(name);
  c.type = type;
  c.nullable = nullable;
  c.source_type = ColumnTypeName(type);
  return c;
}

inline Column WithPrecision(Column c, int32_t precision) {
  c.precision = precision;
  return c;
}

inline Column Numeric(std::string name, std::optional<int32_t> precision,
                      std::optional<int32_t> scale, bool nullable = true) {
  Column c = Col(std::move(name), ColumnType::kDecimal, nullable);
  c.precision = precision;
  c.scale = scale;
  c.source_type = precision ? "numeric(" + std::to_string(*precision) + "," +
                                  std::to_string(scale.value_or(0)) + ")"
                            : "numeric";
  return c;
}

inline Column ArrayOf(std::string name, ColumnType element) {
  Column c = Col(std::move(name), ColumnType::kArray);
  c.element_type = element;
  return c;
}

inline TableSchemaPtr MakeTable(TableId id, std::vector<Column> cols, std::vector<size_t> keys) {
  return std::make_shared<const TableSchema>(std::move(id), 1, std::move(cols), std::move(keys));
}

inline Row RowOf(std::vector<Value> values, std::vector<uint32_t> missing = {}) {
  return Row{std::move(values), std::move(missing)};
}

// Times of Debezium's PostgreSQL "customers" example: committed at
// 1559033904863.123 ms, captured at 1559033904863.841 ms.
inline constexpr int64_t kCommitUs = 1'559'033'904'863'123;
inline constexpr int64_t kCaptureUs = 1'559'033'904'863'841;

// A PostgreSQL source block like the connector's (txId, lsn, xmin).
inline SourceInfo PgSource(const TableId& table) {
  SourceInfo s;
  s.connector = "postgresql";
  s.server_name = "PostgreSQL_server";
  s.table = table;
  s.commit_ts_us = kCommitUs;
  s.tx_id = "555";
  s.fields = {{"txId", ColumnType::kInt64, Value(int64_t{555})},
              {"lsn", ColumnType::kInt64, Value(int64_t{24023128})},
              {"xmin", ColumnType::kInt64, Value()},
              {"origin", ColumnType::kString, Value()},
              {"origin_lsn", ColumnType::kInt64, Value()}};
  s.sequence = SourceSequence{24023119, 24023128};
  return s;
}

// A MySQL source block like the connector's (server_id, gtid, file, pos, row,
// thread, query).
inline SourceInfo MySqlSource(const TableId& table) {
  SourceInfo s;
  s.connector = "mysql";
  s.server_name = "mysql_server";
  s.table = table;
  s.commit_ts_us = kCommitUs;
  s.tx_id = "file=mysql-bin.000003,pos=154";
  s.fields = {{"server_id", ColumnType::kInt64, Value(int64_t{223344})},
              {"gtid", ColumnType::kString, Value()},
              {"file", ColumnType::kString, Value("mysql-bin.000003")},
              {"pos", ColumnType::kInt64, Value(int64_t{154})},
              {"row", ColumnType::kInt32, Value(int64_t{0})},
              {"thread", ColumnType::kInt64, Value(int64_t{7})},
              {"query", ColumnType::kString, Value()}};
  return s;
}

inline ChangeEvent MakeEvent(Op op, TableSchemaPtr schema, SourceInfo source,
                             std::optional<Row> before, std::optional<Row> after) {
  ChangeEvent ev;
  ev.id = "evt-1";
  ev.op = op;
  ev.source = std::move(source);
  ev.schema = std::move(schema);
  ev.before = std::move(before);
  ev.after = std::move(after);
  ev.capture_ts_us = kCaptureUs;
  ev.next = Offset{"tx-555", 1, nullptr};
  return ev;
}

// Debezium's PostgreSQL documentation table: customers(id serial primary
// key, first_name, last_name, email varchar(255) not null).
inline TableSchemaPtr DocCustomers() {
  std::vector<Column> cols = {
      Col("id", ColumnType::kInt32, false), Col("first_name", ColumnType::kString, false),
      Col("last_name", ColumnType::kString, false), Col("email", ColumnType::kString, false)};
  return MakeTable(TableId{"postgres", "public", "customers"}, std::move(cols), {0});
}

inline Row DocCustomerRow() {
  return RowOf({Value(int64_t{1}), Value("Anne"), Value("Kretchmar"), Value("annek@noanswer.org")});
}

inline FormatOptions Options(FormatOptions::Envelope envelope = FormatOptions::Envelope::kDebezium,
                             bool schemas = true) {
  FormatOptions o;
  o.envelope = envelope;
  o.schemas = schemas;
  return o;
}

// ---- JSON checks ----

// Parses one record's bytes; fails the test when they are not one line of
// valid JSON.
inline OJson ParseRecord(const std::string& text) {
  EXPECT_EQ(text.find('\n'), std::string::npos) << "record spans lines: " << text;
  try {
    return OJson::parse(text);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "invalid JSON (" << e.what() << "): " << text;
    return OJson();
  }
}

// Keys of an object, in order.
inline std::vector<std::string> Keys(const OJson& object) {
  std::vector<std::string> keys;
  for (auto it = object.begin(); it != object.end(); ++it) keys.push_back(it.key());
  return keys;
}

// The first place where the key order of `a` and `b` differs ("" if none).
inline std::string KeyOrderDifference(const OJson& a, const OJson& b, const std::string& path) {
  if (a.is_object() && b.is_object()) {
    if (Keys(a) != Keys(b)) return path.empty() ? "/" : path;
    for (auto it = a.begin(); it != a.end(); ++it) {
      std::string d = KeyOrderDifference(it.value(), b[it.key()], path + "/" + it.key());
      if (!d.empty()) return d;
    }
  } else if (a.is_array() && b.is_array() && a.size() == b.size()) {
    for (size_t i = 0; i < a.size(); ++i) {
      std::string d = KeyOrderDifference(a[i], b[i], path + "/" + std::to_string(i));
      if (!d.empty()) return d;
    }
  }
  return "";
}

inline OJson RecordDocument(const std::optional<std::string>& key, const std::string& value) {
  OJson doc;
  doc["key"] = key ? ParseRecord(*key) : OJson();
  doc["value"] = ParseRecord(value);
  return doc;
}

// Compares key and value with golden/<name>.json (see the file comment).
inline void ExpectGolden(const std::string& name, const std::optional<std::string>& key,
                         const std::string& value) {
  OJson actual = RecordDocument(key, value);
  std::filesystem::path path = SourcePath("tests/cdc/format/golden/" + name + ".json");
  const char* update = std::getenv("CDCD_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    WriteFile(path, actual.dump(2) + "\n");
    return;
  }
  OJson expected;
  try {
    expected = OJson::parse(ReadFile(path));
  } catch (const std::exception& e) {
    FAIL() << "cannot read golden " << path << ": " << e.what();
  }
  // Compare as unordered JSON first for a readable diff of values...
  EXPECT_EQ(nlohmann::json::parse(expected.dump()), nlohmann::json::parse(actual.dump()))
      << "golden " << name << " differs; actual:\n"
      << actual.dump(2);
  // ...then the order of keys everywhere.
  EXPECT_EQ(KeyOrderDifference(expected, actual, ""), "")
      << "golden " << name << ": key order differs at that path; actual:\n"
      << actual.dump(2);
}

inline void ExpectGolden(const std::string& name, const Format& format, const ChangeEvent& ev) {
  ExpectGolden(name, format.key(ev), format.value(ev));
}

}  // namespace cdc::testing::fmt
