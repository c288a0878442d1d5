// Values that upstream (rust_mysql_common) asserts for its binlog fixtures,
// transcribed in tests/fixtures/rust_mysql_common/expected-from-tests.json.

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sources/mysql/column_types.h"
#include "tests/sources/mysql/binlog_fixtures.h"

namespace cdc::mysql::testing {
namespace {

DecodedFile Decode(const std::string& name) {
  auto path = FindFixture("rust_mysql_common", name);
  if (!path) throw std::runtime_error("missing fixture " + name);
  DecodedFile d = DecodeBinlogFile(*path);
  if (d.error) throw std::runtime_error(*d.error);
  return d;
}

std::vector<const RowsEvent*> Rows(const DecodedFile& d) {
  std::vector<const RowsEvent*> out;
  for (const auto& ev : d.events) {
    if (auto* r = std::get_if<RowsEvent>(&ev.body)) out.push_back(r);
  }
  return out;
}

template <typename T>
std::vector<const T*> All(const DecodedFile& d) {
  std::vector<const T*> out;
  for (const auto& ev : d.events) {
    if (auto* e = std::get_if<T>(&ev.body)) out.push_back(e);
  }
  return out;
}

std::string Bytes(const Value& v) {
  return v.as<cdc::Bytes>().data;
}

TEST(ExpectedValues, JsonOpaque) {
  DecodedFile d = Decode("json-opaque.binlog");
  // event_index is 1-based over the outer events.
  const std::map<int, std::string> expected = {
      {10, R"({"a": "base64:type15:VQ=="})"},
      {12, R"({"b": "2012-03-18"})"},
      {14, R"({"c": "2012-03-18 11:30:45.000000"})"},
      {16, R"({"c": "87:31:46.654321"})"},
      // Upstream writes DECIMAL opaques as strings; MySQL prints them as
      // numbers (JSON_EXTRACT gives 123.456), which is what we emit.
      {18, R"({"d": 123.456})"},
      {20, R"({"e": 9.00})"},
      {22, R"({"e": [0, 1, true, false]})"},
      {24, R"({"e": null})"},
  };
  for (const auto& [index, json] : expected) {
    const auto* rows = std::get_if<RowsEvent>(&d.events.at(index - 1).body);
    ASSERT_NE(rows, nullptr) << index;
    ASSERT_EQ(rows->rows.size(), 1u);
    EXPECT_EQ(rows->rows[0].after->values.back(), Value(Json{json})) << index;
  }
}

TEST(ExpectedValues, Vector) {
  DecodedFile d = Decode("vector.binlog");
  auto maps = All<std::shared_ptr<const TableMapEvent>>(d);
  ASSERT_GE(maps.size(), 2u);
  EXPECT_EQ((*maps[0])->table, "foo");
  EXPECT_EQ((*maps[0])->columns[1].vector_dimensions, 3u);
  EXPECT_EQ((*maps[1])->table, "bar");
  EXPECT_EQ((*maps[1])->columns[1].vector_dimensions, 2u);
  EXPECT_EQ((*maps[1])->columns[3].vector_dimensions, 4u);
  const auto* rows = std::get_if<RowsEvent>(&d.events.at(11).body);
  ASSERT_NE(rows, nullptr);
  ASSERT_EQ(rows->rows.size(), 2u);
  EXPECT_EQ(rows->rows[0].after->values[0], Value(uint64_t{1}));
  std::string v = Bytes(rows->rows[0].after->values[1]);
  ASSERT_EQ(v.size(), 12u);
  float f[3];
  std::memcpy(f, v.data(), 12);
  EXPECT_FLOAT_EQ(f[0], 1.1f);
  EXPECT_FLOAT_EQ(f[1], 2.2f);
  EXPECT_FLOAT_EQ(f[2], 3.3f);
  EXPECT_EQ(Bytes(rows->rows[1].after->values[1]),
            std::string("\x00\x00\x80\x3f\x00\x00\x80\xbf\x00\x00\x00\x00", 12));
}

TEST(ExpectedValues, EnumStringSet) {
  DecodedFile d = Decode("mysql-enum-string-set.000001");
  auto rows = Rows(d);
  ASSERT_EQ(rows.size(), 3u);
  const TableMapEvent& t = *rows[0]->table;
  EXPECT_EQ(t.columns[0].real_type, kTypeString);
  EXPECT_EQ(t.columns[0].length, 512u);  // CHAR(128) utf8mb4: length bits in the type byte
  EXPECT_EQ(t.columns[2].real_type, kTypeEnum);
  EXPECT_EQ(t.columns[3].real_type, kTypeSet);
  const RowImage& w = *rows[0]->rows[0].after;
  std::string digits;
  for (int i = 0; i < 10; ++i) digits += "0123456789";
  EXPECT_EQ(w.values[0], Value(digits));
  // ENUM index 1 and SET bitmap 0b0101, as names.
  ASSERT_EQ(t.columns[2].enum_values.size(), 3u);
  EXPECT_EQ(w.values[2], Value(t.columns[2].enum_values[0]));
  const auto& set = t.columns[3].enum_values;
  ASSERT_EQ(set.size(), 4u);
  EXPECT_EQ(w.values[3], Value(set[0] + "," + set[2]));
  const RowImage& u = *rows[1]->rows[0].after;
  EXPECT_EQ(u.values[0], Value("field1"));
  EXPECT_EQ(u.values[1], Value("field_2"));
  EXPECT_EQ(u.values[2], Value(t.columns[2].enum_values[1]));
  EXPECT_EQ(u.values[3], Value(set[1] + "," + set[3]));
  EXPECT_EQ(rows[2]->rows[0].before->values, u.values);
}

TEST(ExpectedValues, Bit) {
  DecodedFile d = Decode("mysql_type_bit.000001");
  auto rows = Rows(d);
  ASSERT_EQ(rows.size(), 1u);
  const RowImage& a = *rows[0]->rows[0].after;
  EXPECT_EQ(a.values[0], Value(cdc::Bytes{"\x04"}));
  EXPECT_EQ(a.values[1], Value("foo"));  // TEXT with utf8mb4 collation
  EXPECT_EQ(a.values[2], Value(cdc::Bytes{"\x20"}));
}

TEST(ExpectedValues, MinimalRowMetadataUnsigned) {
  DecodedFile d = Decode("minimal_row_metadata.000001");
  auto rows = Rows(d);
  ASSERT_EQ(rows.size(), 1u);
  const RowImage& a = *rows[0]->rows[0].after;
  EXPECT_EQ(a.present, (std::vector<bool>{true, false, true, false, true}));
  EXPECT_EQ(a.values[0], Value(int64_t{1}));
  EXPECT_EQ(a.values[2], Value("a"));
  EXPECT_EQ(a.values[4], Value(int64_t{3230202323}));
  EXPECT_EQ(rows[0]->table->columns[2].collation, 255u);
}

TEST(ExpectedValues, NegativeTime) {
  DecodedFile d = Decode("time_issue.000001");
  auto rows = Rows(d);
  ASSERT_EQ(rows.size(), 1u);
  int64_t micros = -((507LL * 3600 + 48 * 60 + 27) * 1000000);
  EXPECT_EQ(rows[0]->rows[0].after->values[0], Value(Time{micros}));
}

TEST(ExpectedValues, TransactionCompression) {
  DecodedFile d = Decode("transaction_compression.000001");
  auto payloads = All<TransactionPayloadEvent>(d);
  ASSERT_EQ(payloads.size(), 1u);
  EXPECT_EQ(payloads[0]->compression_type, 0u);
  EXPECT_EQ(payloads[0]->payload_size, 124u);
  EXPECT_EQ(payloads[0]->uncompressed_size, 179u);
  std::vector<std::string> inner;
  for (const auto& e : payloads[0]->events) inner.push_back(EventTypeName(e.header.type));
  EXPECT_EQ(inner, (std::vector<std::string>{"QUERY", "TABLE_MAP", "WRITE_ROWS_V2", "XID"}));
  auto rows = Rows(d);  // decoded from the inner events
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]->table->table, "tb1");
}

TEST(ExpectedValues, MariadbFullMetadata) {
  DecodedFile d = Decode("mariadb-bin.000001");
  auto rows = Rows(d);
  ASSERT_EQ(rows.size(), 2u);
  const TableMapEvent& t = *rows[0]->table;
  EXPECT_EQ(t.database, "toddy_test");
  EXPECT_EQ(t.table, "outbox");
  std::vector<std::string> names;
  for (const auto& c : t.columns) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"id", "topic", "event_type", "event", "created"}));
  EXPECT_EQ(t.primary_key, (std::vector<size_t>{0}));
  EXPECT_FALSE(t.columns[0].collation.has_value());
  EXPECT_EQ(t.columns[1].collation, 45u);  // utf8mb4_general_ci
  EXPECT_EQ(t.columns[3].collation, 63u);  // binary
  EXPECT_FALSE(t.columns[4].collation.has_value());
  EXPECT_EQ(All<MariaGtidEvent>(d).size(), 2u);
  EXPECT_EQ(All<MariaGtidListEvent>(d).size(), 1u);
  auto checkpoints = All<BinlogCheckpointEvent>(d);
  ASSERT_EQ(checkpoints.size(), 1u);
  EXPECT_EQ(checkpoints[0]->file, "mariadb-bin.000001");
  EXPECT_EQ(All<AnnotateRowsEvent>(d).size(), 2u);
}

TEST(ExpectedValues, TaggedGtids) {
  DecodedFile d = Decode("binlog_transaction_with_GTID_TAG.000001");
  auto prev = All<PreviousGtidsEvent>(d);
  ASSERT_EQ(prev.size(), 1u);
  ASSERT_EQ(prev[0]->sets.size(), 2u);
  EXPECT_EQ(prev[0]->sets[0].uuid, "55778904-0299-11f1-b1b8-4ef0c4956feb");
  EXPECT_EQ(prev[0]->sets[0].tag, "");
  ASSERT_EQ(prev[0]->sets[0].intervals.size(), 1u);
  EXPECT_EQ(prev[0]->sets[0].intervals[0].start, 1);
  EXPECT_EQ(prev[0]->sets[0].intervals[0].end, 14);
  EXPECT_EQ(prev[0]->sets[1].tag, "mytag");
  EXPECT_EQ(prev[0]->sets[1].intervals[0].end, 3);
  auto gtids = All<GtidEvent>(d);
  ASSERT_EQ(gtids.size(), 1u);
  EXPECT_EQ(gtids[0]->uuid, "55778904-0299-11f1-b1b8-4ef0c4956feb");
  EXPECT_EQ(gtids[0]->tag, "mytag");
  EXPECT_EQ(gtids[0]->gno, 3);
}

TEST(ExpectedValues, PreviousGtidsNoTag) {
  DecodedFile d = Decode("binlog_transaction_previous_GTID_no_tag.000001");
  auto prev = All<PreviousGtidsEvent>(d);
  ASSERT_EQ(prev.size(), 1u);
  ASSERT_EQ(prev[0]->sets.size(), 1u);
  EXPECT_EQ(prev[0]->sets[0].uuid, "b9b88c66-0755-11f1-9899-4a9da94c4d71");
  EXPECT_EQ(prev[0]->sets[0].intervals[0].start, 1);
  EXPECT_EQ(prev[0]->sets[0].intervals[0].end, 3);
}

TEST(ExpectedValues, PartialJsonUpdate) {
  DecodedFile d = Decode("json.binlog.000001");
  auto rows = Rows(d);
  ASSERT_FALSE(rows.empty());
  const RowsEvent& p = *rows.back();
  ASSERT_EQ(p.event_type, kPartialUpdateRowsEvent);
  // binlog_row_image=MINIMAL: the before-image holds only the key, so the
  // JSON diff cannot be applied and is handed on as diff text.
  const RowImage& a = *p.rows[0].after;
  EXPECT_FALSE(a.present[1]);
  ASSERT_EQ(a.unapplied_json_diffs.size(), 1u);
  EXPECT_EQ(a.unapplied_json_diffs[0].first, 1u);
  EXPECT_EQ(a.unapplied_json_diffs[0].second,
            R"([{"op": "replace", "path": "$.age", "value": 26}])");
  EXPECT_EQ(a.values[2], Value("Joe"));
  EXPECT_EQ(a.values[3], Value(int64_t{26}));
}

}  // namespace
}  // namespace cdc::mysql::testing
