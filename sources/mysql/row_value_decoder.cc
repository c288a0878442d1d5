#include "sources/mysql/row_value_decoder.h"

#include <charconv>
#include <cstring>

#include "cdc/error.h"
#include "sources/mysql/charset.h"
#include "sources/mysql/column_types.h"
#include "sources/mysql/json_binary.h"
#include "sources/mysql/mariadb_types.h"
#include "sources/mysql/mysql_decimal.h"
#include "sources/mysql/mysql_temporal.h"

namespace cdc::mysql {

namespace {

constexpr uint32_t kBinaryCollation = 63;
constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

int64_t ReadSigned(ByteCursor& c, size_t n) {
  uint64_t v = c.uint_le(n);
  if (n == 8) return static_cast<int64_t>(v);
  uint64_t sign = uint64_t{1} << (n * 8 - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

Value Integer(ByteCursor& c, const TableMapColumn& col, size_t n) {
  if (col.is_unsigned.value_or(false)) {
    uint64_t v = c.uint_le(n);
    if (n == 8) return Value(v);
    return Value(static_cast<int64_t>(v));
  }
  return Value(ReadSigned(c, n));
}

Value ZeroDate(const RowDecodeOptions& opts, std::string text) {
  if (opts.zero_date == ZeroDatePolicy::kNull) return Value::Null();
  return Value(std::move(text));
}

Value DateTimeValue(const DateTimeParts& p, int fsp, const RowDecodeOptions& opts) {
  if (p.is_zero_date() || p.month > 12 || p.day > 31) {
    return ZeroDate(opts, FormatDateTime(p, fsp));
  }
  // MySQL stores years up to 9999 and a time of day: anything beyond is a
  // corrupt value, and would overflow the microsecond count below.
  if (p.year > 9999 || p.hour > 23 || p.minute > 59 || p.second > 59) {
    throw Error("DATETIME value out of range: " + FormatDateTime(p, fsp));
  }
  int64_t days = DaysFromCivil(p.year, p.month, p.day);
  int64_t secs = (p.hour * 60 + p.minute) * 60 + p.second;
  return Value(Timestamp{days * kMicrosPerDay + secs * kMicrosPerSecond + p.micros});
}

Value TimestampValue(int64_t seconds, int64_t micros, int fsp, const RowDecodeOptions& opts) {
  if (seconds == 0 && micros == 0) {
    return ZeroDate(opts, FormatDateTime(DateTimeParts{}, fsp));
  }
  return Value(TimestampTz{seconds * kMicrosPerSecond + micros});
}

Value Text(std::string_view raw, const TableMapColumn& col) {
  if (!col.collation) return Value(std::string(raw));
  if (*col.collation == kBinaryCollation) return Value(Bytes{std::string(raw)});
  return Value(ToUtf8(raw, *col.collation));
}

Value EnumValue(uint64_t index, const TableMapColumn& col) {
  if (col.enum_values.empty()) return Value(static_cast<int64_t>(index));
  if (index == 0) return Value(std::string());  // MySQL's "invalid value" ''
  if (index > col.enum_values.size()) throw Error("ENUM index out of range");
  return Value(col.enum_values[index - 1]);
}

Value SetValue(uint64_t bits, const TableMapColumn& col) {
  if (col.enum_values.empty()) return Value(static_cast<int64_t>(bits));
  std::string out;
  for (size_t i = 0; i < col.enum_values.size() && i < 64; ++i) {
    if (bits >> i & 1) {
      if (!out.empty()) out += ',';
      out += col.enum_values[i];
    }
  }
  return Value(std::move(out));
}

}  // namespace

double FloatAtScale(float f, int scale) {
  char buf[64];
  auto [end, ec] =
      std::to_chars(buf, buf + sizeof buf, static_cast<double>(f), std::chars_format::fixed, scale);
  if (ec != std::errc()) return static_cast<double>(f);  // beyond 64 digits: keep it whole
  double d = 0;
  std::from_chars(buf, end, d);
  return d;
}

std::string ToUtf8(std::string_view text, uint32_t collation) {
  return CollationToUtf8(text, collation);
}

Value DecodeColumnValue(ByteCursor& c, const TableMapColumn& col, const RowDecodeOptions& opts) {
  switch (col.real_type) {
    case kTypeTiny:
      return Integer(c, col, 1);
    case kTypeShort:
      return Integer(c, col, 2);
    case kTypeInt24:
      return Integer(c, col, 3);
    case kTypeLong:
      return Integer(c, col, 4);
    case kTypeLongLong:
      return Integer(c, col, 8);
    case kTypeFloat: {
      uint32_t bits = c.u32();
      float f;
      std::memcpy(&f, &bits, sizeof f);
      if (col.float_scale) return Value(FloatAtScale(f, *col.float_scale));
      return Value(static_cast<double>(f));
    }
    case kTypeDouble: {
      uint64_t bits = c.u64();
      double d;
      std::memcpy(&d, &bits, sizeof d);
      return Value(d);
    }
    case kTypeNewDecimal: {
      size_t n = DecimalBinarySize(col.precision, col.scale);
      return Value(Decimal{DecodeBinaryDecimal(c.bytes(n, "DECIMAL"), col.precision, col.scale)});
    }
    case kTypeYear: {
      uint8_t y = c.u8();
      return Value(int64_t{y == 0 ? 0 : 1900 + y});
    }
    case kTypeDate:
    case kTypeNewDate: {
      uint32_t v = c.u24();
      DateTimeParts p;
      p.day = static_cast<int>(v & 31);
      p.month = static_cast<int>((v >> 5) & 15);
      p.year = static_cast<int>(v >> 9);
      if (p.is_zero_date() || p.month > 12) return ZeroDate(opts, FormatDate(p));
      return Value(Date{DaysFromCivil(p.year, p.month, p.day)});
    }
    case kTypeTime: {
      // Old TIME: signed [-]HHMMSS as a 3-byte integer.
      int64_t v = ReadSigned(c, 3);
      bool negative = v < 0;
      if (negative) v = -v;
      int64_t micros = ((v / 10000) * 3600 + (v / 100 % 100) * 60 + v % 100) * kMicrosPerSecond;
      return Value(Time{negative ? -micros : micros});
    }
    case kTypeTime2: {
      int fsp = col.length;
      std::string_view b = c.bytes(3 + FractionBytes(fsp), "TIME2");
      return Value(Time{PackedTimeToMicros(Time2ToPacked(b, fsp))});
    }
    case kTypeDateTime: {
      // Old DATETIME: YYYYMMDDhhmmss as a little-endian 8-byte integer.
      uint64_t v = c.u64();
      uint64_t d = v / 1000000, t = v % 1000000;
      DateTimeParts p;
      p.year = static_cast<int>(d / 10000);
      p.month = static_cast<int>(d / 100 % 100);
      p.day = static_cast<int>(d % 100);
      p.hour = static_cast<int>(t / 10000);
      p.minute = static_cast<int>(t / 100 % 100);
      p.second = static_cast<int>(t % 100);
      return DateTimeValue(p, 0, opts);
    }
    case kTypeDateTime2: {
      int fsp = col.length;
      std::string_view b = c.bytes(5 + FractionBytes(fsp), "DATETIME2");
      return DateTimeValue(UnpackDateTime(DateTime2ToPacked(b, fsp)), fsp, opts);
    }
    case kTypeTimestamp:
      return TimestampValue(c.u32(), 0, 0, opts);
    case kTypeTimestamp2: {
      int fsp = col.length;
      int64_t seconds = static_cast<int64_t>(c.uint_be(4));
      int64_t micros = 0;
      if (int n = FractionBytes(fsp)) {
        micros = static_cast<int64_t>(c.uint_be(n));
        micros *= n == 1 ? 10000 : n == 2 ? 100 : 1;
      }
      return TimestampValue(seconds, micros, fsp, opts);
    }
    case kTypeBit: {
      size_t n = (col.length + 7) / 8;
      std::string_view be = c.bytes(n, "BIT");
      return Value(Bytes{std::string(be.rbegin(), be.rend())});
    }
    case kTypeEnum:
      return EnumValue(c.uint_le(col.length == 2 ? 2 : 1), col);
    case kTypeSet: {
      if (col.length < 1 || col.length > 8) throw Error("bad SET pack length");
      return SetValue(c.uint_le(col.length), col);
    }
    case kTypeString: {
      size_t len = col.length > 255 ? c.u16() : c.u8();
      std::string_view raw = c.bytes(len, "CHAR");
      if (col.mariadb_type != MariaDbType::kNone) {
        std::string full(raw);
        full.resize(col.length, '\0');  // the binlog drops trailing 0x00 bytes
        return Value(MariaDbTypeText(col.mariadb_type, full));
      }
      if (col.collation == kBinaryCollation && raw.size() < col.length) {
        // The binlog drops BINARY(n)'s trailing 0x00 padding; the value is
        // all n bytes (as SELECT returns it).
        std::string padded(raw);
        padded.resize(col.length, '\0');
        return Value(Bytes{std::move(padded)});
      }
      return Text(raw, col);
    }
    case kTypeVarchar:
    case kTypeVarString: {
      size_t len = col.length > 255 ? c.u16() : c.u8();
      return Text(c.bytes(len, "VARCHAR"), col);
    }
    case kTypeBlob:
    case kTypeTinyBlob:
    case kTypeMediumBlob:
    case kTypeLongBlob:
    case kTypeJson:
    case kTypeGeometry:
    case kTypeVector: {
      if (col.length < 1 || col.length > 4) throw Error("bad BLOB length-prefix size");
      size_t len = c.uint_le(col.length);
      std::string_view data = c.bytes(len, "BLOB");
      if (col.real_type == kTypeJson) return Value(Json{JsonBinaryToText(data)});
      if (col.real_type == kTypeGeometry && data.size() < 4) {
        throw Error("GEOMETRY shorter than its SRID");
      }
      if (col.real_type != kTypeVector && col.collation && *col.collation != kBinaryCollation) {
        return Value(ToUtf8(data, *col.collation));
      }
      return Value(Bytes{std::string(data)});
    }
    case kTypeNull:
      return Value::Null();
    default:
      throw Error("unsupported column type " + std::to_string(col.real_type));
  }
}

}  // namespace cdc::mysql
