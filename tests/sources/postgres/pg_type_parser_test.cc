// Text -> Value for every type family, with exact hand-computed values.
#include "sources/postgres/pg_type_parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "cdc/error.h"
#include "sources/postgres/pg_type_map.h"

namespace cdc::pg {
namespace {

Value P(PgKind k, const char* text) {
  return ParsePgText(k, text);
}

TEST(PgTypeParserTest, BoolIntsAndNumeric) {
  EXPECT_EQ(P(PgKind::kBool, "t"), Value(true));
  EXPECT_EQ(P(PgKind::kBool, "f"), Value(false));
  EXPECT_EQ(P(PgKind::kInt, "-32768"), Value(int64_t{-32768}));
  EXPECT_EQ(P(PgKind::kInt, "9223372036854775807"), Value(INT64_MAX));
  EXPECT_EQ(P(PgKind::kInt, "-9223372036854775808"), Value(INT64_MIN));
  EXPECT_EQ(P(PgKind::kInt, "4294967295"), Value(int64_t{4294967295}));  // oid
  EXPECT_EQ(P(PgKind::kNumeric, "-12345678901234567890.000000000000000001"),
            Value(Decimal{"-12345678901234567890.000000000000000001"}));
  EXPECT_EQ(P(PgKind::kNumeric, "NaN"), Value(Decimal{"NaN"}));
  EXPECT_EQ(P(PgKind::kNumeric, "-Infinity"), Value(Decimal{"-Infinity"}));
  EXPECT_EQ(P(PgKind::kMoney, "-$1,234,567.89"), Value(Decimal{"-1234567.89"}));
  EXPECT_EQ(P(PgKind::kMoney, "$0.01"), Value(Decimal{"0.01"}));
  EXPECT_THROW(P(PgKind::kBool, "yes"), Error);
  EXPECT_THROW(P(PgKind::kInt, "1.5"), Error);
  EXPECT_THROW(P(PgKind::kInt, "99999999999999999999"), Error);
}

TEST(PgTypeParserTest, FloatsAreExactAndSpecial) {
  EXPECT_EQ(P(PgKind::kFloat8, "0.1"), Value(0.1));
  EXPECT_EQ(P(PgKind::kFloat8, "1.7976931348623157e+308"), Value(1.7976931348623157e308));
  EXPECT_EQ(P(PgKind::kFloat4, "1.1"), Value(static_cast<double>(1.1f)));
  EXPECT_EQ(P(PgKind::kFloat4, "3.4028235e+38"), Value(static_cast<double>(3.4028235e38f)));
  EXPECT_TRUE(std::isnan(P(PgKind::kFloat8, "NaN").as<double>()));
  EXPECT_EQ(P(PgKind::kFloat4, "Infinity"), Value(std::numeric_limits<double>::infinity()));
  EXPECT_EQ(P(PgKind::kFloat8, "-Infinity"), Value(-std::numeric_limits<double>::infinity()));
  EXPECT_EQ(P(PgKind::kFloat8, "-0"), Value(-0.0));
}

TEST(PgTypeParserTest, BytesUuidJsonText) {
  EXPECT_EQ(P(PgKind::kBytea, "\\x00ff10"), Value(cdc::Bytes{std::string("\x00\xff\x10", 3)}));
  EXPECT_EQ(P(PgKind::kBytea, "\\x"), Value(cdc::Bytes{""}));
  EXPECT_EQ(P(PgKind::kBytea, "a\\\\b\\001"), Value(cdc::Bytes{std::string("a\\b\x01", 4)}));
  EXPECT_THROW(P(PgKind::kBytea, "\\x0"), Error);
  EXPECT_EQ(P(PgKind::kUuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            Value(Uuid{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}));
  EXPECT_EQ(P(PgKind::kJson, "{\"a\": [1, 2]}"), Value(Json{"{\"a\": [1, 2]}"}));
  EXPECT_EQ(P(PgKind::kText, "[1,5)"), Value("[1,5)"));
}

TEST(PgTypeParserTest, Dates) {
  EXPECT_EQ(P(PgKind::kDate, "1970-01-01"), Value(Date{0}));
  EXPECT_EQ(P(PgKind::kDate, "2000-02-29"), Value(Date{11016}));
  EXPECT_EQ(P(PgKind::kDate, "1969-12-31"), Value(Date{-1}));
  // 0001-01-01 BC is astronomical year 0: 366 days (leap) before 0001-01-01.
  EXPECT_EQ(P(PgKind::kDate, "0001-01-01 BC"), Value(Date{-719162 - 366}));
  EXPECT_EQ(P(PgKind::kDate, "0001-01-01"), Value(Date{-719162}));
  EXPECT_EQ(P(PgKind::kDate, "10000-01-01"), Value(Date{2932897}));
  EXPECT_EQ(P(PgKind::kDate, "infinity"), Value(Date{INT32_MAX}));
  EXPECT_EQ(P(PgKind::kDate, "-infinity"), Value(Date{INT32_MIN}));
  EXPECT_THROW(P(PgKind::kDate, "01/02/2000"), Error);
}

TEST(PgTypeParserTest, Times) {
  EXPECT_EQ(P(PgKind::kTime, "00:00:00"), Value(Time{0}));
  EXPECT_EQ(P(PgKind::kTime, "13:45:06.000789"),
            Value(Time{(13 * 3600 + 45 * 60 + 6) * 1000000LL + 789}));
  EXPECT_EQ(P(PgKind::kTime, "24:00:00"), Value(Time{86400LL * 1000000}));
  EXPECT_EQ(P(PgKind::kTime, "01:02:03.5"), Value(Time{3723500000}));
  EXPECT_EQ(P(PgKind::kTimeTz, "01:02:03+05:30"), Value(TimeTz{3723000000, 19800}));
  EXPECT_EQ(P(PgKind::kTimeTz, "23:59:59.999999-09"), Value(TimeTz{86399999999, -32400}));
  EXPECT_EQ(P(PgKind::kTimeTz, "00:00:00+05:53:28"), Value(TimeTz{0, 5 * 3600 + 53 * 60 + 28}));
  EXPECT_THROW(P(PgKind::kTime, "1:02:03"), Error);
  EXPECT_THROW(P(PgKind::kTime, "01:02:03.1234567"), Error);
}

TEST(PgTypeParserTest, Timestamps) {
  EXPECT_EQ(P(PgKind::kTimestamp, "1970-01-01 00:00:00"), Value(Timestamp{0}));
  EXPECT_EQ(P(PgKind::kTimestamp, "2021-03-04 05:06:07.123456"),
            Value(Timestamp{1614834367123456}));
  EXPECT_EQ(P(PgKind::kTimestamp, "1969-12-31 23:59:59.999999"), Value(Timestamp{-1}));
  EXPECT_EQ(P(PgKind::kTimestamp, "infinity"), Value(Timestamp{kInfinityMicros}));
  // Past 294247 AD µs since 1970 overflow int64: clamped, never wrapped.
  EXPECT_EQ(P(PgKind::kTimestamp, "294276-12-31 23:59:59.999999"),
            Value(Timestamp{kInfinityMicros - 1}));
  EXPECT_EQ(P(PgKind::kTimestampTz, "294276-12-31 23:59:59.999999+00"),
            Value(TimestampTz{kInfinityMicros - 1}));
  EXPECT_EQ(P(PgKind::kTimestamp, "294247-01-10 04:00:54.775806"),
            Value(Timestamp{kInfinityMicros - 1}));
  EXPECT_EQ(P(PgKind::kTimestamp, "-infinity"), Value(Timestamp{kMinusInfinityMicros}));
  EXPECT_EQ(P(PgKind::kTimestampTz, "2021-03-04 05:06:07.123456+00"),
            Value(TimestampTz{1614834367123456}));
  EXPECT_EQ(P(PgKind::kTimestampTz, "2021-03-04 10:36:07+05:30"),
            Value(TimestampTz{1614834367000000}));
  EXPECT_EQ(P(PgKind::kTimestampTz, "infinity"), Value(TimestampTz{kInfinityMicros}));
  // 4713-01-01 BC (astronomical -4712), PostgreSQL's earliest timestamp.
  EXPECT_EQ(P(PgKind::kTimestampTz, "4713-01-01 00:00:00+00 BC"),
            Value(TimestampTz{DaysFromCivil(-4712, 1, 1) * 86400LL * 1000000}));
  EXPECT_THROW(P(PgKind::kTimestampTz, "2021-03-04 05:06:07"), Error);
}

TEST(PgTypeParserTest, IntervalsIso8601) {
  EXPECT_EQ(P(PgKind::kInterval, "PT0S"), Value(Interval{0, 0, 0}));
  EXPECT_EQ(P(PgKind::kInterval, "P1Y2M3DT4H5M6.789S"),
            Value(Interval{14, 3, (4 * 3600 + 5 * 60 + 6) * 1000000LL + 789000}));
  EXPECT_EQ(P(PgKind::kInterval, "P-1Y-2M3DT-4H-5M-6.000001S"),
            Value(Interval{-14, 3, -(4 * 3600 + 5 * 60 + 6) * 1000000LL - 1}));
  EXPECT_EQ(P(PgKind::kInterval, "PT-0.5S"), Value(Interval{0, 0, -500000}));
  EXPECT_EQ(P(PgKind::kInterval, "P178000000Y"), Value(Interval{2136000000, 0, 0}));
  EXPECT_THROW(P(PgKind::kInterval, "1 day"), Error);
}

TEST(PgTypeParserTest, BitsLittleEndianFromLastCharacter) {
  EXPECT_EQ(P(PgKind::kBits, "1"), Value(cdc::Bytes{"\x01"}));
  EXPECT_EQ(P(PgKind::kBits, "101"), Value(cdc::Bytes{"\x05"}));
  EXPECT_EQ(P(PgKind::kBits, "1000000001"), Value(cdc::Bytes{std::string("\x01\x02", 2)}));
  EXPECT_EQ(P(PgKind::kBits, ""), Value(cdc::Bytes{""}));
  // Sized by the highest set bit, as Debezium's BitSet: B'0000' is no bytes.
  EXPECT_EQ(P(PgKind::kBits, "0000"), Value(cdc::Bytes{""}));
  EXPECT_EQ(P(PgKind::kBits, "0000000000000101"), Value(cdc::Bytes{"\x05"}));
  EXPECT_THROW(P(PgKind::kBits, "102"), Error);
}

TEST(PgTypeParserTest, Arrays) {
  EXPECT_EQ(ParsePgArray(PgKind::kInt, ',', "{1,NULL,-3}"),
            Value::ArrayOf({Value(int64_t{1}), Value::Null(), Value(int64_t{-3})}));
  EXPECT_EQ(ParsePgArray(PgKind::kInt, ',', "{}"), Value::ArrayOf({}));
  EXPECT_EQ(ParsePgArray(PgKind::kText, ',', R"({"a,b","NULL","q\"uote","back\\slash",plain})"),
            Value::ArrayOf({"a,b", "NULL", "q\"uote", "back\\slash", "plain"}));
  EXPECT_EQ(ParsePgArray(PgKind::kInt, ',', "{{1,2},{3,4}}"),
            Value::ArrayOf({Value::ArrayOf({Value(int64_t{1}), Value(int64_t{2})}),
                            Value::ArrayOf({Value(int64_t{3}), Value(int64_t{4})})}));
  EXPECT_EQ(ParsePgArray(PgKind::kInt, ',', "[0:1]={7,8}"),
            Value::ArrayOf({Value(int64_t{7}), Value(int64_t{8})}));
  EXPECT_EQ(ParsePgArray(PgKind::kText, ';', "{(1,1),(0,0);(2,2),(1,1)}"),
            Value::ArrayOf({"(1,1),(0,0)", "(2,2),(1,1)"}));
  EXPECT_EQ(ParsePgArray(PgKind::kNumeric, ',', "{1.5,NaN}"),
            Value::ArrayOf({Value(Decimal{"1.5"}), Value(Decimal{"NaN"})}));
  EXPECT_THROW(ParsePgArray(PgKind::kInt, ',', "{1,2"), Error);
  EXPECT_THROW(ParsePgArray(PgKind::kInt, ',', "{1,x}"), Error);
}

TEST(PgTypeMapTest, BuiltinTypmods) {
  auto numeric = *BuiltinCodec(1700, (10 << 16 | 2) + 4);
  EXPECT_EQ(numeric.column.type, ColumnType::kDecimal);
  EXPECT_EQ(numeric.column.precision, 10);
  EXPECT_EQ(numeric.column.scale, 2);
  auto negative_scale = *BuiltinCodec(1700, (5 << 16 | (-3 & 0x7ff)) + 4);
  EXPECT_EQ(negative_scale.column.scale, -3);
  auto variable = *BuiltinCodec(1700, -1);
  EXPECT_FALSE(variable.column.scale);
  EXPECT_FALSE(variable.column.precision);
  EXPECT_EQ(BuiltinCodec(1043, 24)->column.length, 20);
  EXPECT_EQ(BuiltinCodec(1114, 3)->column.precision, 3);
  EXPECT_EQ(BuiltinCodec(1184, -1)->column.precision, 6);
  EXPECT_EQ(BuiltinCodec(1560, 1)->column.length, 1);
  EXPECT_EQ(BuiltinCodec(21, -1)->column.type, ColumnType::kInt16);
  EXPECT_EQ(BuiltinCodec(26, -1)->column.type, ColumnType::kInt64);
  EXPECT_FALSE(BuiltinCodec(1007, -1));  // int4[]: resolved through the catalog
}

}  // namespace
}  // namespace cdc::pg
