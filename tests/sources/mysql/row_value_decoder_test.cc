// Column decoding from hand-computed bytes: DECIMAL, temporal types, zero
// dates, integers and their signedness, ENUM/SET, BIT, GEOMETRY.

#include "sources/mysql/row_value_decoder.h"

#include <gtest/gtest.h>

#include "cdc/error.h"
#include "sources/mysql/column_types.h"
#include "sources/mysql/mysql_decimal.h"

namespace cdc::mysql {
namespace {

std::string Hex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

Value Decode(const TableMapColumn& col, const std::string& bytes, RowDecodeOptions opts = {}) {
  ByteCursor c(bytes);
  Value v = DecodeColumnValue(c, col, opts);
  EXPECT_TRUE(c.empty()) << "bytes left over";
  return v;
}

TableMapColumn Col(uint8_t type, uint32_t length = 0) {
  TableMapColumn c;
  c.type = c.real_type = type;
  c.length = length;
  return c;
}

TEST(MysqlDecimal, HandComputed) {
  EXPECT_EQ(DecodeBinaryDecimal(Hex("8c22"), 4, 2), "12.34");
  EXPECT_EQ(DecodeBinaryDecimal(Hex("73dd"), 4, 2), "-12.34");
  EXPECT_EQ(DecodeBinaryDecimal(Hex("81e24022c5"), 10, 4), "123456.8901");
  EXPECT_EQ(DecodeBinaryDecimal(Hex("810dfb38d2075bcd15"), 19, 0), "1234567890123456789");
  EXPECT_EQ(DecodeBinaryDecimal(Hex("800000"), 5, 2), "0.00");
  EXPECT_EQ(DecimalBinarySize(65, 30), 30u);
  EXPECT_THROW(DecimalBinarySize(10, 11), Error);
  EXPECT_THROW(DecodeBinaryDecimal(Hex("8c"), 4, 2), Error);
  // A digit group above 999999999 is corrupt, not silently wrong.
  EXPECT_THROW(DecodeBinaryDecimal(Hex("ffffffff"), 9, 0), Error);
}

TEST(RowValueDecoder, Integers) {
  TableMapColumn tiny = Col(kTypeTiny);
  EXPECT_EQ(Decode(tiny, Hex("ff")), Value(int64_t{-1}));
  tiny.is_unsigned = true;
  EXPECT_EQ(Decode(tiny, Hex("ff")), Value(int64_t{255}));
  TableMapColumn big = Col(kTypeLongLong);
  big.is_unsigned = true;
  EXPECT_EQ(Decode(big, Hex("ffffffffffffffff")), Value(uint64_t{18446744073709551615ULL}));
  big.is_unsigned = false;
  EXPECT_EQ(Decode(big, Hex("0000000000000080")), Value(INT64_MIN));
  EXPECT_EQ(Decode(Col(kTypeInt24), Hex("ffff7f")), Value(int64_t{8388607}));
  EXPECT_EQ(Decode(Col(kTypeInt24), Hex("000080")), Value(int64_t{-8388608}));
  EXPECT_EQ(Decode(Col(kTypeYear), Hex("6a")), Value(int64_t{2006}));
  EXPECT_EQ(Decode(Col(kTypeFloat), Hex("0000c03f")), Value(1.5));
}

TEST(RowValueDecoder, Temporal) {
  EXPECT_EQ(Decode(Col(kTypeDate), Hex("72b80f")), Value(Date{15417}));
  int64_t dt = 1332070245LL * 1000000;
  EXPECT_EQ(Decode(Col(kTypeDateTime2, 0), Hex("998be4b7ad")), Value(Timestamp{dt}));
  EXPECT_EQ(Decode(Col(kTypeDateTime2, 6), Hex("998be4b7ad01e240")), Value(Timestamp{dt + 123456}));
  // Old DATETIME: 20120318113045 little-endian.
  std::string old(8, '\0');
  uint64_t n = 20120318113045ULL;
  for (int i = 0; i < 8; ++i) old[i] = static_cast<char>(n >> (8 * i));
  EXPECT_EQ(Decode(Col(kTypeDateTime), old), Value(Timestamp{dt}));
  EXPECT_EQ(Decode(Col(kTypeTimestamp2, 3), Hex("0000000104ce")), Value(TimestampTz{1123000}));
  EXPECT_EQ(Decode(Col(kTypeTimestamp), Hex("65c7654f")), Value(TimestampTz{dt}));
  // TIME2 -01:00:00, -00:00:00.5 (fsp 6), old TIME -838:59:59.
  EXPECT_EQ(Decode(Col(kTypeTime2, 0), Hex("7ff000")), Value(Time{-3600LL * 1000000}));
  EXPECT_EQ(Decode(Col(kTypeTime2, 6), Hex("7ffffff85ee0")), Value(Time{-500000}));
  int32_t t = -8385959;
  std::string old_time{static_cast<char>(t), static_cast<char>(t >> 8), static_cast<char>(t >> 16)};
  EXPECT_EQ(Decode(Col(kTypeTime), old_time),
            Value(Time{-(838LL * 3600 + 59 * 60 + 59) * 1000000}));
}

TEST(RowValueDecoder, ZeroDatesFollowThePolicy) {
  RowDecodeOptions as_string{ZeroDatePolicy::kString};
  EXPECT_TRUE(Decode(Col(kTypeDate), Hex("000000")).is_null());
  EXPECT_EQ(Decode(Col(kTypeDate), Hex("000000"), as_string), Value("0000-00-00"));
  EXPECT_TRUE(Decode(Col(kTypeDateTime2, 0), Hex("8000000000")).is_null());
  EXPECT_EQ(Decode(Col(kTypeDateTime2, 2), Hex("800000000000"), as_string),
            Value("0000-00-00 00:00:00.00"));
  EXPECT_EQ(Decode(Col(kTypeTimestamp2, 0), Hex("00000000"), as_string),
            Value("0000-00-00 00:00:00"));
  EXPECT_EQ(Decode(Col(kTypeDateTime), std::string(8, '\0'), as_string),
            Value("0000-00-00 00:00:00"));
}

// Found by the binlog fuzzer: an old DATETIME holds any 8-byte number, and a
// year past 9999 overflowed the microsecond count (UB). It is a named error.
TEST(RowValueDecoder, CorruptDateTimeIsAnErrorNotAnOverflow) {
  auto old_datetime = [](uint64_t n) {
    std::string raw(8, '\0');
    for (int i = 0; i < 8; ++i) raw[i] = static_cast<char>(n >> (8 * i));
    return raw;
  };
  try {
    Decode(Col(kTypeDateTime), old_datetime(18446700010101000000ULL));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("DATETIME value out of range: 1844670001-01-01"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(Decode(Col(kTypeDateTime), old_datetime(20120318993045ULL)), Error);  // hour 99
  EXPECT_EQ(Decode(Col(kTypeDateTime), old_datetime(99991231235959ULL)),
            Value(Timestamp{(2932896LL * 86400 + 86399) * 1000000}));
}

TEST(RowValueDecoder, StringsEnumSetBitGeometry) {
  TableMapColumn latin1 = Col(kTypeVarchar, 20);
  latin1.collation = 8;
  EXPECT_EQ(Decode(latin1, Hex("02e980")), Value("\xc3\xa9\xe2\x82\xac"));  // é€
  TableMapColumn bin = Col(kTypeString, 4);
  bin.collation = 63;
  // BINARY(4): the binlog drops the trailing 0x00 padding; the value has all 4 bytes.
  EXPECT_EQ(Decode(bin, Hex("020001")), Value(Bytes{std::string("\x00\x01\x00\x00", 4)}));
  TableMapColumn long_varchar = Col(kTypeVarchar, 1000);
  EXPECT_EQ(Decode(long_varchar, Hex("0200") + "ab"), Value("ab"));
  TableMapColumn e = Col(kTypeEnum, 1);
  e.enum_values = {"a", "b"};
  EXPECT_EQ(Decode(e, Hex("02")), Value("b"));
  EXPECT_EQ(Decode(e, Hex("00")), Value(""));
  EXPECT_THROW(Decode(e, Hex("03")), Error);
  TableMapColumn s = Col(kTypeSet, 1);
  s.enum_values = {"x", "y", "z"};
  EXPECT_EQ(Decode(s, Hex("05")), Value("x,z"));
  s.enum_values.clear();
  EXPECT_EQ(Decode(s, Hex("05")), Value(int64_t{5}));
  EXPECT_EQ(Decode(Col(kTypeBit, 10), Hex("0201")), Value(Bytes{"\x01\x02"}));  // little-endian
  // GEOMETRY: SRID 4326 then WKB POINT(1 2), kept as the server stores it.
  std::string wkb = Hex("0101000000000000000000f03f0000000000000040");
  TableMapColumn g = Col(kTypeGeometry, 4);
  std::string len{static_cast<char>(wkb.size() + 4), 0, 0, 0};
  EXPECT_EQ(Decode(g, len + Hex("e6100000") + wkb), Value(Bytes{Hex("e6100000") + wkb}));
  EXPECT_THROW(Decode(g, Hex("03") + Hex("e61000")), Error);  // shorter than its SRID
  TableMapColumn blob = Col(kTypeBlob, 2);
  EXPECT_THROW(Decode(blob, Hex("0500ab")), Error);  // length past the end
}

}  // namespace
// MariaDB's UUID/INET6/INET4 are BINARY in the binlog; marked by the
// enricher they decode to the server's text, trailing 0x00 bytes restored.
TEST(RowValueDecoder, MariaDbTypesAsText) {
  TableMapColumn u = Col(kTypeString, 16);
  u.collation = 63;
  u.mariadb_type = MariaDbType::kUuid;
  EXPECT_EQ(Decode(u, Hex("10") + Hex("6ccd780cbaba102695645b8c656024db")),
            Value("6ccd780c-baba-1026-9564-5b8c656024db"));
  EXPECT_EQ(Decode(u, Hex("0f") + Hex("3f0e2b5e4c1a4b8e9d6f1a2b3c4d5e")),
            Value("3f0e2b5e-4c1a-4b8e-9d6f-1a2b3c4d5e00"));
  u.mariadb_type = MariaDbType::kInet6;
  EXPECT_EQ(Decode(u, Hex("02") + Hex("0001")), Value("1::"));
  TableMapColumn v4 = Col(kTypeString, 4);
  v4.collation = 63;
  v4.mariadb_type = MariaDbType::kInet4;
  EXPECT_EQ(Decode(v4, Hex("04c0a8010a")), Value("192.168.1.10"));
  EXPECT_EQ(Decode(v4, Hex("00")), Value("0.0.0.0"));
}

// FLOAT(M,D) shows D digits: the stored float rounded there.
TEST(RowValueDecoder, ScaledFloatRoundsToItsDigits) {
  TableMapColumn f = Col(kTypeFloat, 4);
  EXPECT_EQ(Decode(f, Hex("cdcc8c3f")), Value(static_cast<double>(1.1f)));  // plain FLOAT
  f.float_scale = 3;
  f.precision = 7;
  EXPECT_EQ(Decode(f, Hex("cdcc8c3f")), Value(1.1));
  EXPECT_EQ(FloatAtScale(-0.0005f, 3), -0.001);  // nearest float is just below -0.0005
}

}  // namespace cdc::mysql
