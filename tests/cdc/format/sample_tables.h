// Sample tables and rows shared by the format tests: one table per concern
// (every column type, decimals, temporal types, a MySQL table), each with one
// row whose values were chosen so that the expected encodings can be worked
// out by hand (see the comments beside each value).
#pragma once

#include "tests/cdc/format/format_test_support.h"

namespace cdc::testing::fmt {

// WKB of POINT(1 2): little-endian, type 1, x = 1.0, y = 2.0.
inline std::string PointWkb() {
  return std::string(
      "\x01\x01\x00\x00\x00"
      "\x00\x00\x00\x00\x00\x00\xf0\x3f"
      "\x00\x00\x00\x00\x00\x00\x00\x40",
      21);
}

// A geometry value as sources give it: the SRID (uint32 little-endian), then
// the WKB. SRID 4326 is "\xe6\x10\0\0".
inline Value GeometryValue(uint32_t srid, const std::string& wkb) {
  std::string b;
  for (int i = 0; i < 4; ++i) b += static_cast<char>(srid >> (8 * i) & 0xff);
  return Value(Bytes{b + wkb});
}

inline Column EnumCol(std::string name, ColumnType type, std::vector<std::string> values) {
  Column c = Col(std::move(name), type);
  c.enum_values = std::move(values);
  return c;
}

inline Column BitsCol(std::string name, int32_t length) {
  Column c = Col(std::move(name), ColumnType::kBits);
  c.length = length;
  return c;
}

// postgres.public.all_types: one column of every ColumnType.
inline TableSchemaPtr AllTypesTable() {
  Column prices = ArrayOf("prices", ColumnType::kDecimal);
  prices.precision = 10;
  prices.scale = 2;
  std::vector<Column> cols = {
      Col("id", ColumnType::kInt32, false),
      Col("flag", ColumnType::kBoolean),
      Col("tiny", ColumnType::kInt8),
      Col("small", ColumnType::kInt16),
      Col("big", ColumnType::kInt64),
      Col("ubig", ColumnType::kUInt64),
      Col("real", ColumnType::kFloat32),
      Col("dbl", ColumnType::kFloat64),
      Numeric("price", 10, 2),
      Numeric("amount", std::nullopt, std::nullopt),
      Col("name", ColumnType::kString),
      Col("data", ColumnType::kBytes),
      Col("doc", ColumnType::kJson),
      Col("uid", ColumnType::kUuid),
      Col("d", ColumnType::kDate),
      Col("t", ColumnType::kTime),
      Col("ttz", ColumnType::kTimeTz),
      Col("ts", ColumnType::kTimestamp),
      Col("tstz", ColumnType::kTimestampTz),
      Col("dur", ColumnType::kInterval),
      EnumCol("mood", ColumnType::kEnum, {"happy", "sad", "ok"}),
      EnumCol("tags", ColumnType::kSet, {"a", "b", "c"}),
      BitsCol("flags", 10),
      BitsCol("bit1", 1),
      Col("yr", ColumnType::kYear),
      Col("geom", ColumnType::kGeometry),
      ArrayOf("ints", ColumnType::kInt32),
      ArrayOf("texts", ColumnType::kString),
      prices,
      Col("misc", ColumnType::kUnknown),
  };
  return MakeTable(TableId{"postgres", "public", "all_types"}, std::move(cols), {0});
}

inline Row AllTypesRow() {
  return RowOf({
      Value(int64_t{1}),
      Value(true),
      Value(int64_t{-5}),
      Value(int64_t{300}),
      Value(int64_t{-9007199254740993}),       // not representable as a double
      Value(uint64_t{18446744073709551615u}),  // Decimal bytes 00 FF*8 = "AP//////////"
      Value(3.14),                             // float32: 3.14
      Value(0.1),
      Value(Decimal{"12.50"}),   // 1250 = 0x04E2 = "BOI="
      Value(Decimal{"-129.5"}),  // scale 1, -1295 = 0xFAF1 = "+vE="
      Value("Anne \"A\" K\xc3\xa9\n"),
      Value(Bytes{std::string("\x00\x01\xff", 3)}),  // "AAH/"
      Value(Json{"{\"a\": [1, 2],\n \"b\": \"x y\"}"}),
      Value(Uuid{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}),
      Value(Date{19000}),                       // 2022-01-08
      Value(Time{45'296'789'012}),              // 12:34:56.789012
      Value(TimeTz{45'296'500'000, 7200}),      // 12:34:56.5+02:00 = 10:34:56.5Z
      Value(Timestamp{1'529'507'596'945'104}),  // 2018-06-20T15:13:16.945104
      Value(TimestampTz{1'529'507'596'945'104}),
      Value(Interval{14, 3, 14'706'500'000}),  // P1Y2M3DT4H5M6.5S = 37091106500000 µs
      Value("sad"),
      Value("a,c"),
      Value(Bytes{std::string("\x05\x02", 2)}),  // bits 0, 2, 9 set: "1000000101", "BQI="
      Value(Bytes{std::string("\x01", 1)}),      // bit(1) = true
      Value(int64_t{2024}),
      GeometryValue(0, PointWkb()),  // no SRID: "srid": null
      Value::ArrayOf({Value(int64_t{1}), Value(), Value(int64_t{3})}),
      Value::ArrayOf({Value("x"), Value("y")}),
      Value::ArrayOf({Value(Decimal{"1.10"}), Value(Decimal{"-0.50"})}),  // "bg==", "zg=="
      Value("[2020-01-01,2021-01-01)"),
  });
}

// postgres.public.decimals: fixed and variable scale, signs, sizes, specials.
inline TableSchemaPtr DecimalsTable() {
  std::vector<Column> cols = {
      Col("id", ColumnType::kInt32, false),
      Numeric("price", 10, 2, false),
      Numeric("neg", 10, 2),
      Numeric("whole", 5, 0),
      Numeric("big", 38, 4),
      Numeric("var", std::nullopt, std::nullopt),
      Numeric("var_int", std::nullopt, std::nullopt),
      Numeric("nan", 10, 2),
      Numeric("var_inf", std::nullopt, std::nullopt),
      Numeric("short", 10, 2),
  };
  return MakeTable(TableId{"postgres", "public", "decimals"}, std::move(cols), {0});
}

inline Row DecimalsRow() {
  return RowOf({
      Value(int64_t{1}), Value(Decimal{"12.50"}),                 // 1250 = "BOI="
      Value(Decimal{"-129.50"}),                                  // -12950 = 0xCD6A = "zWo="
      Value(Decimal{"128"}),                                      // 0x0080 = "AIA="
      Value(Decimal{"1234567890123456789012345678901234.5678"}),  // "CUmw9vACMxPESZBQ3jjzTg=="
      Value(Decimal{"-0.001"}),                                   // scale 3, -1 = "/w=="
      Value(Decimal{"42"}),                                       // scale 0, 42 = 0x2A = "Kg=="
      Value(Decimal{"NaN"}), Value(Decimal{"Infinity"}),
      Value(Decimal{"7.5"}),  // rescaled to 750 = 0x02EE = "Au4="
  });
}

// postgres.public.temporal: every temporal type at several precisions.
inline TableSchemaPtr TemporalTable() {
  std::vector<Column> cols = {
      Col("id", ColumnType::kInt32, false),
      Col("d", ColumnType::kDate),
      WithPrecision(Col("t0", ColumnType::kTime), 0),
      WithPrecision(Col("t3", ColumnType::kTime), 3),
      WithPrecision(Col("t6", ColumnType::kTime), 6),
      Col("tn", ColumnType::kTime),
      WithPrecision(Col("ts3", ColumnType::kTimestamp), 3),
      WithPrecision(Col("ts6", ColumnType::kTimestamp), 6),
      Col("tsn", ColumnType::kTimestamp),
      Col("ttz", ColumnType::kTimeTz),
      WithPrecision(Col("tstz3", ColumnType::kTimestampTz), 3),
      Col("tstz", ColumnType::kTimestampTz),
      Col("ts_inf", ColumnType::kTimestamp),
      Col("tstz_ninf", ColumnType::kTimestampTz),
      Col("dneg", ColumnType::kDate),
      WithPrecision(Col("tsneg", ColumnType::kTimestamp), 3),
      Col("dur", ColumnType::kInterval),
  };
  return MakeTable(TableId{"postgres", "public", "temporal"}, std::move(cols), {0});
}

inline Row TemporalRow() {
  return RowOf({
      Value(int64_t{1}), Value(Date{19000}),  // 2022-01-08
      Value(Time{45'296'000'000}),            // 12:34:56
      Value(Time{45'296'789'000}),            // 12:34:56.789
      Value(Time{45'296'789'012}),            // 12:34:56.789012
      Value(Time{45'296'789'012}),
      Value(Timestamp{1'529'507'596'945'000}),  // 2018-06-20T15:13:16.945
      Value(Timestamp{1'529'507'596'945'104}),  // 2018-06-20T15:13:16.945104
      Value(Timestamp{1'529'507'596'945'104}), Value(TimeTz{45'296'500'000, 7200}),  // 10:34:56.5Z
      Value(TimestampTz{1'529'507'596'945'104}), Value(TimestampTz{1'529'507'596'000'000}),
      Value(Timestamp{kInfinityMicros}), Value(TimestampTz{kMinusInfinityMicros}),
      Value(Date{-1}),                  // 1969-12-31
      Value(Timestamp{-1'500}),         // 1969-12-31T23:59:59.9985: -2 ms (floor)
      Value(Interval{0, 0, -500'000}),  // -0.5 s
  });
}

// inventory.products as the MySQL connector sees it (no schema level).
inline TableSchemaPtr MySqlProductsTable() {
  std::vector<Column> cols = {
      Col("id", ColumnType::kInt64, false),
      Col("tiny", ColumnType::kInt8),
      Col("flag", ColumnType::kBoolean),
      Col("qty", ColumnType::kUInt64),
      Col("weight", ColumnType::kFloat32),
      EnumCol("size", ColumnType::kEnum, {"S", "M", "L"}),
      EnumCol("colors", ColumnType::kSet, {"red", "green", "blue"}),
      BitsCol("bits", 12),
      BitsCol("active", 1),
      Col("yr", ColumnType::kYear),
      Col("shape", ColumnType::kGeometry),
      Col("dur", ColumnType::kTime),
      WithPrecision(Col("created", ColumnType::kTimestamp), 3),
      WithPrecision(Col("updated", ColumnType::kTimestampTz), 0),
      Numeric("price", 8, 3),
      Col("notes", ColumnType::kString),
  };
  const char* source_types[] = {"BIGINT",
                                "TINYINT",
                                "TINYINT(1)",
                                "BIGINT UNSIGNED",
                                "FLOAT",
                                "ENUM('S','M','L')",
                                "SET('red','green','blue')",
                                "BIT(12)",
                                "BIT(1)",
                                "YEAR",
                                "POINT",
                                "TIME",
                                "DATETIME(3)",
                                "TIMESTAMP",
                                "DECIMAL(8,3)",
                                "VARCHAR(255)"};
  for (size_t i = 0; i < cols.size(); ++i) cols[i].source_type = source_types[i];
  cols.back().length = 255;
  return MakeTable(TableId{"inventory", "", "products"}, std::move(cols), {0});
}

inline Row MySqlProductsRow() {
  return RowOf({
      Value(int64_t{101}),
      Value(int64_t{7}),
      Value(true),
      Value(uint64_t{18446744073709551615u}),  // "AP//////////"
      Value(1.5),
      Value("M"),
      Value("red,blue"),
      Value(Bytes{std::string("\xff\x0a", 2)}),  // "/wo="; bits "101011111111"
      Value(Bytes{std::string("\x00", 1)}),      // bit(1) = false
      Value(int64_t{1999}),
      GeometryValue(4326, PointWkb()),            // a POINT: x 1.0, y 2.0, srid 4326
      Value(Time{-3'020'399'000'000}),            // -838:59:59
      Value(Timestamp{1'529'507'596'945'000}),    // 1529507596945 ms
      Value(TimestampTz{1'529'507'596'000'000}),  // 2018-06-20T15:13:16Z
      Value(Decimal{"-0.125"}),                   // -125 = 0x83 = "gw=="
      Value(),
  });
}

}  // namespace cdc::testing::fmt
