// Text-protocol values to the Values the binlog decoder yields
// (row_value_decoder.h), one type at a time, with hand-computed expectations.
#include "sources/mysql/mysql_text_value.h"

#include <gtest/gtest.h>

#include <limits>

#include "cdc/error.h"
#include "sources/mysql/column_types.h"

namespace cdc::mysql {
namespace {

TableMapColumn Col(uint8_t real_type, uint32_t length = 0, std::optional<bool> is_unsigned = false,
                   std::optional<uint32_t> collation = std::nullopt) {
  TableMapColumn c;
  c.type = c.real_type = real_type;
  c.length = length;
  c.is_unsigned = is_unsigned;
  c.collation = collation;
  return c;
}

Value V(std::string_view text, const TableMapColumn& c,
        ZeroDatePolicy zero = ZeroDatePolicy::kNull) {
  RowDecodeOptions o;
  o.zero_date = zero;
  return TextToValue(text, c, o);
}

constexpr int64_t kDay = 86400LL * 1000000;

TEST(MySqlTextValueTest, Integers) {
  EXPECT_EQ(V("-128", Col(kTypeTiny)), Value(int64_t{-128}));
  EXPECT_EQ(V("255", Col(kTypeTiny, 0, true)), Value(int64_t{255}));
  EXPECT_EQ(V("-32768", Col(kTypeShort)), Value(int64_t{-32768}));
  EXPECT_EQ(V("16777215", Col(kTypeInt24, 0, true)), Value(int64_t{16777215}));
  EXPECT_EQ(V("-8388608", Col(kTypeInt24)), Value(int64_t{-8388608}));
  EXPECT_EQ(V("4294967295", Col(kTypeLong, 0, true)), Value(int64_t{4294967295}));
  EXPECT_EQ(V("-2147483648", Col(kTypeLong)), Value(int64_t{-2147483648LL}));
  EXPECT_EQ(V("18446744073709551615", Col(kTypeLongLong, 0, true)),
            Value(std::numeric_limits<uint64_t>::max()));
  EXPECT_EQ(V("-9223372036854775808", Col(kTypeLongLong)),
            Value(std::numeric_limits<int64_t>::min()));
  // Without signedness metadata the decoder reads the bytes as signed.
  EXPECT_EQ(V("200", Col(kTypeTiny, 0, std::nullopt)), Value(int64_t{-56}));
  EXPECT_EQ(V("18446744073709551615", Col(kTypeLongLong, 0, std::nullopt)), Value(int64_t{-1}));
  EXPECT_THROW(V("12a", Col(kTypeLong)), Error);
  EXPECT_THROW(V("", Col(kTypeLong)), Error);
}

TEST(MySqlTextValueTest, FloatingPointAndDecimal) {
  // FLOAT is selected as col + 0E0: the double text of the stored float.
  EXPECT_EQ(V("3.1415927410125732", Col(kTypeFloat, 4)), Value(static_cast<double>(3.14159274f)));
  EXPECT_EQ(V("0.1", Col(kTypeFloat, 4)), Value(static_cast<double>(0.1f)));
  EXPECT_EQ(V("-1e30", Col(kTypeFloat, 4)), Value(static_cast<double>(-1e30f)));
  EXPECT_EQ(V("0.1", Col(kTypeDouble, 8)), Value(0.1));
  EXPECT_EQ(V("1.7976931348623157e308", Col(kTypeDouble, 8)),
            Value(std::numeric_limits<double>::max()));
  EXPECT_THROW(V("1.5x", Col(kTypeDouble, 8)), Error);
  EXPECT_EQ(V("-1.50", Col(kTypeNewDecimal)), Value(Decimal{"-1.50"}));
  EXPECT_EQ(V("12345678901234567890.123456789", Col(kTypeNewDecimal)),
            Value(Decimal{"12345678901234567890.123456789"}));
}

TEST(MySqlTextValueTest, YearAndDate) {
  EXPECT_EQ(V("2024", Col(kTypeYear)), Value(int64_t{2024}));
  EXPECT_EQ(V("0000", Col(kTypeYear)), Value(int64_t{0}));
  EXPECT_EQ(V("1970-01-01", Col(kTypeDate)), Value(Date{0}));
  EXPECT_EQ(V("2024-02-29", Col(kTypeDate)), Value(Date{19782}));
  EXPECT_EQ(V("1000-01-01", Col(kTypeDate)), Value(Date{-354285}));
  EXPECT_EQ(V("0000-00-00", Col(kTypeDate)), Value::Null());
  EXPECT_EQ(V("0000-00-00", Col(kTypeDate), ZeroDatePolicy::kString), Value("0000-00-00"));
  EXPECT_EQ(V("2020-05-00", Col(kTypeDate), ZeroDatePolicy::kString), Value("2020-05-00"));
  EXPECT_THROW(V("2024-1-01", Col(kTypeDate)), Error);
}

TEST(MySqlTextValueTest, DateTimeAndTimestamp) {
  const int64_t leap = 19782 * kDay;
  EXPECT_EQ(V("2024-02-29 12:34:56.123456", Col(kTypeDateTime2, 6)),
            Value(Timestamp{leap + (12 * 3600 + 34 * 60 + 56) * 1000000LL + 123456}));
  EXPECT_EQ(V("2024-02-29 00:00:01.5", Col(kTypeDateTime2, 1)), Value(Timestamp{leap + 1500000}));
  EXPECT_EQ(V("1969-12-31 23:59:59", Col(kTypeDateTime2, 0)), Value(Timestamp{-1000000}));
  EXPECT_EQ(V("0000-00-00 00:00:00", Col(kTypeDateTime2, 0)), Value::Null());
  EXPECT_EQ(V("2020-00-00 00:00:00", Col(kTypeDateTime2, 0), ZeroDatePolicy::kString),
            Value("2020-00-00 00:00:00"));
  EXPECT_EQ(V("0000-00-00 00:00:00.000", Col(kTypeDateTime2, 3), ZeroDatePolicy::kString),
            Value("0000-00-00 00:00:00.000"));
  // TIMESTAMP text is UTC (session time_zone '+00:00').
  EXPECT_EQ(V("1970-01-01 00:00:01.50", Col(kTypeTimestamp2, 2)), Value(TimestampTz{1500000}));
  EXPECT_EQ(V("2038-01-19 03:14:07", Col(kTypeTimestamp2, 0)),
            Value(TimestampTz{2147483647LL * 1000000}));
  EXPECT_EQ(V("0000-00-00 00:00:00.00", Col(kTypeTimestamp2, 2)), Value::Null());
  EXPECT_EQ(V("0000-00-00 00:00:00.00", Col(kTypeTimestamp2, 2), ZeroDatePolicy::kString),
            Value("0000-00-00 00:00:00.00"));
  EXPECT_THROW(V("2024-02-29T00:00:00", Col(kTypeDateTime2, 0)), Error);
  EXPECT_THROW(V("2024-02-29 00:00:00.1234567", Col(kTypeDateTime2, 6)), Error);
}

TEST(MySqlTextValueTest, Time) {
  EXPECT_EQ(V("12:34:56", Col(kTypeTime2, 0)), Value(Time{(12 * 3600 + 34 * 60 + 56) * 1000000LL}));
  EXPECT_EQ(V("-838:59:59.000", Col(kTypeTime2, 3)), Value(Time{-3020399000000LL}));
  EXPECT_EQ(V("838:59:59", Col(kTypeTime2, 0)), Value(Time{3020399000000LL}));
  EXPECT_EQ(V("25:00:00.5", Col(kTypeTime2, 1)), Value(Time{90000500000LL}));
  EXPECT_EQ(V("-00:00:00.000001", Col(kTypeTime2, 6)), Value(Time{-1}));
  EXPECT_THROW(V("12:34", Col(kTypeTime2, 0)), Error);
}

TEST(MySqlTextValueTest, TextAndBinary) {
  EXPECT_EQ(V("h\xc3\xa9", Col(kTypeVarchar, 40, std::nullopt, 45)), Value("h\xc3\xa9"));
  EXPECT_EQ(V(std::string_view("a\0b", 3), Col(kTypeVarchar, 40, std::nullopt, 63)),
            Value(Bytes{std::string("a\0b", 3)}));
  // BINARY(n) keeps its 0x00 padding (the binlog decoder pads it back).
  EXPECT_EQ(V(std::string_view("ab\0", 3), Col(kTypeString, 3, std::nullopt, 63)),
            Value(Bytes{std::string("ab\0", 3)}));
  EXPECT_EQ(V(std::string_view("\0a\0b", 4), Col(kTypeString, 4, std::nullopt, 63)),
            Value(Bytes{std::string("\0a\0b", 4)}));
  EXPECT_EQ(V("x  ", Col(kTypeString, 8, std::nullopt, 8)), Value("x"));
  EXPECT_EQ(V("x  ", Col(kTypeVarchar, 8, std::nullopt, 8)), Value("x  "));
  EXPECT_EQ(V("t", Col(kTypeBlob, 2, std::nullopt, 224)), Value("t"));
  EXPECT_EQ(V("\xff", Col(kTypeBlob, 2, std::nullopt, 63)), Value(Bytes{"\xff"}));
  EXPECT_EQ(V("\xff", Col(kTypeBlob, 2, std::nullopt, std::nullopt)), Value(Bytes{"\xff"}));
}

TEST(MySqlTextValueTest, EnumSetBitJsonGeometry) {
  TableMapColumn e = Col(kTypeEnum, 1);
  e.enum_values = {"a", "b"};
  EXPECT_EQ(V("b", e), Value("b"));
  EXPECT_EQ(V("", e), Value(""));
  TableMapColumn s = Col(kTypeSet, 1);
  s.enum_values = {"a", "b", "c"};
  EXPECT_EQ(V("a,c", s), Value("a,c"));
  EXPECT_THROW(V("a", Col(kTypeEnum, 1)), Error);  // no member list
  // BIT: big-endian text, little-endian Bytes of (bits + 7) / 8 bytes.
  EXPECT_EQ(V(std::string_view("\x01\x02", 2), Col(kTypeBit, 10)),
            Value(Bytes{std::string("\x02\x01", 2)}));
  EXPECT_EQ(V("\x05", Col(kTypeBit, 10)), Value(Bytes{std::string("\x05\x00", 2)}));
  EXPECT_EQ(V("\x80", Col(kTypeBit, 8)), Value(Bytes{"\x80"}));
  EXPECT_THROW(V("abc", Col(kTypeBit, 8)), Error);
  EXPECT_EQ(V(R"({"a": [1, 2]})", Col(kTypeJson, 4)), Value(Json{R"({"a": [1, 2]})"}));
  const std::string wkb("\x01\x01\x00\x00\x00", 5);
  // GEOMETRY keeps the SRID prefix, as the binlog decoder does.
  const std::string srid("\xe6\x10\x00\x00", 4);
  EXPECT_EQ(V(srid + wkb, Col(kTypeGeometry, 4)), Value(Bytes{srid + wkb}));
  EXPECT_THROW(V("ab", Col(kTypeGeometry, 4)), Error);
}

// MariaDB's UUID/INET columns (BINARY in the binlog) arrive as their text
// form, which is the value; FLOAT(M,D) is rounded as the binlog decoder does.
TEST(MySqlTextValueTest, MariaDbTypesAndScaledFloats) {
  TableMapColumn u = Col(kTypeString, 16);
  u.collation = 63;
  u.mariadb_type = MariaDbType::kUuid;
  EXPECT_EQ(V("6ccd780c-baba-1026-9564-5b8c656024db", u),
            Value("6ccd780c-baba-1026-9564-5b8c656024db"));
  u.mariadb_type = MariaDbType::kInet6;
  EXPECT_EQ(V("::ffff:1.2.3.4", u), Value("::ffff:1.2.3.4"));
  TableMapColumn f = Col(kTypeFloat, 4);
  f.float_scale = 3;
  f.precision = 7;
  // The server widens the stored float 1.1f exactly; the column shows 1.100.
  EXPECT_EQ(V("1.100000023841858", f), Value(1.1));
  f.float_scale = 4;
  EXPECT_EQ(V("123.45670318603516", f), Value(123.4567));  // the float nearest 123.4567
  f.float_scale = 0;
  EXPECT_EQ(V("-7", f), Value(-7.0));
}

TEST(MySqlTextValueTest, SelectExpressions) {
  EXPECT_EQ(SnapshotSelectExpr(Col(kTypeFloat, 4), "`f`"), "`f` + 0E0");
  EXPECT_EQ(SnapshotSelectExpr(Col(kTypeDouble, 8), "`d`"), "`d`");
}

}  // namespace
}  // namespace cdc::mysql
