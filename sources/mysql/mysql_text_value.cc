#include "sources/mysql/mysql_text_value.h"

#include <cerrno>
#include <charconv>
#include <cstdlib>

#include "cdc/error.h"
#include "sources/mysql/column_types.h"
#include "sources/mysql/mysql_temporal.h"

namespace cdc::mysql {
namespace {

constexpr uint32_t kBinaryCollation = 63;
constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

[[noreturn]] void Bad(std::string_view what, std::string_view text) {
  throw Error("bad " + std::string(what) + " text '" + std::string(text) + "'");
}

// The integer as the decoder sees it: the low `bytes` bytes, sign-extended
// unless the column is known to be unsigned (without signedness metadata
// the binlog is read as signed).
Value Integer(std::string_view text, const TableMapColumn& col, size_t bytes) {
  uint64_t bits = 0;
  const char* end = text.data() + text.size();
  auto ok = [end](std::from_chars_result r) { return r.ec == std::errc() && r.ptr == end; };
  if (!text.empty() && text[0] == '-') {
    int64_t v = 0;
    if (!ok(std::from_chars(text.data(), end, v))) Bad("integer", text);
    bits = static_cast<uint64_t>(v);
  } else if (!ok(std::from_chars(text.data(), end, bits))) {
    Bad("integer", text);
  }
  if (bytes < 8) bits &= (uint64_t{1} << (bytes * 8)) - 1;
  if (col.is_unsigned.value_or(false)) {
    return bytes == 8 ? Value(bits) : Value(static_cast<int64_t>(bits));
  }
  if (bytes < 8) {
    const uint64_t sign = uint64_t{1} << (bytes * 8 - 1);
    bits = (bits ^ sign) - sign;
  }
  return Value(static_cast<int64_t>(bits));
}

double Floating(std::string_view text, bool single) {
  std::string s(text);  // strtod needs a terminator
  char* end = nullptr;
  errno = 0;
  double d =
      single ? static_cast<double>(std::strtof(s.c_str(), &end)) : std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) Bad("floating point", text);
  return d;
}

// Digits at text[pos, pos+n) as a number; -1 when they are not all digits.
int Digits(std::string_view text, size_t pos, size_t n) {
  if (pos + n > text.size()) return -1;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

// ".ffffff" at text[pos...] as microseconds; the whole rest must be it.
int Fraction(std::string_view text, size_t pos, std::string_view what) {
  if (pos == text.size()) return 0;
  if (text[pos] != '.' || text.size() - pos > 7 || text.size() - pos < 2) Bad(what, text);
  int v = Digits(text, pos + 1, text.size() - pos - 1);
  if (v < 0) Bad(what, text);
  for (size_t n = text.size() - pos - 1; n < 6; ++n) v *= 10;
  return v;
}

DateTimeParts ParseDate(std::string_view text, std::string_view what) {
  DateTimeParts p;
  p.year = Digits(text, 0, 4);
  p.month = Digits(text, 5, 2);
  p.day = Digits(text, 8, 2);
  if (p.year < 0 || p.month < 0 || p.day < 0 || text[4] != '-' || text[7] != '-') Bad(what, text);
  return p;
}

DateTimeParts ParseDateTime(std::string_view text) {
  if (text.size() < 19 || text[10] != ' ' || text[13] != ':' || text[16] != ':') {
    Bad("DATETIME", text);
  }
  DateTimeParts p = ParseDate(text.substr(0, 10), "DATETIME");
  p.hour = Digits(text, 11, 2);
  p.minute = Digits(text, 14, 2);
  p.second = Digits(text, 17, 2);
  if (p.hour < 0 || p.minute < 0 || p.second < 0) Bad("DATETIME", text);
  p.micros = Fraction(text, 19, "DATETIME");
  return p;
}

Value ZeroDate(const RowDecodeOptions& opts, std::string text) {
  if (opts.zero_date == ZeroDatePolicy::kNull) return Value::Null();
  return Value(std::move(text));
}

int64_t WallMicros(const DateTimeParts& p) {
  const int64_t days = DaysFromCivil(p.year, p.month, p.day);
  const int64_t secs = (p.hour * 60 + p.minute) * 60 + p.second;
  return days * kMicrosPerDay + secs * kMicrosPerSecond + p.micros;
}

Value DateValue(std::string_view text, const RowDecodeOptions& opts) {
  if (text.size() != 10) Bad("DATE", text);
  DateTimeParts p = ParseDate(text, "DATE");
  if (p.is_zero_date() || p.month > 12) return ZeroDate(opts, FormatDate(p));
  return Value(Date{DaysFromCivil(p.year, p.month, p.day)});
}

Value DateTimeValue(std::string_view text, int fsp, bool timestamp, const RowDecodeOptions& opts) {
  DateTimeParts p = ParseDateTime(text);
  if (timestamp) {
    // The binlog stores seconds since the epoch; only 0 is the zero value.
    if (p.is_zero_date()) return ZeroDate(opts, FormatDateTime(DateTimeParts{}, fsp));
    return Value(TimestampTz{WallMicros(p)});
  }
  if (p.is_zero_date() || p.month > 12 || p.day > 31) return ZeroDate(opts, FormatDateTime(p, fsp));
  return Value(Timestamp{WallMicros(p)});
}

Value TimeValue(std::string_view text) {
  const bool negative = !text.empty() && text[0] == '-';
  std::string_view t = negative ? text.substr(1) : text;
  const size_t colon = t.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 4) Bad("TIME", text);
  const int hours = Digits(t, 0, colon);
  const int minutes = Digits(t, colon + 1, 2);
  const int seconds = Digits(t, colon + 4, 2);
  if (hours < 0 || minutes < 0 || seconds < 0 || t.size() < colon + 6 || t[colon + 3] != ':') {
    Bad("TIME", text);
  }
  const int64_t micros = ((int64_t{hours} * 60 + minutes) * 60 + seconds) * kMicrosPerSecond +
                         Fraction(t, colon + 6, "TIME");
  return Value(Time{negative ? -micros : micros});
}

// ENUM/SET without known member names: the decoder gives the index/bitmap,
// which the names alone cannot give back.
Value EnumOrSet(std::string_view text, const TableMapColumn& col) {
  if (col.enum_values.empty()) {
    throw Error("ENUM/SET value '" + std::string(text) + "' without the column's member list");
  }
  return Value(std::string(text));
}

Value Character(std::string_view text, const TableMapColumn& col) {
  if (col.mariadb_type != MariaDbType::kNone) return Value(std::string(text));  // its text form
  const bool binary = col.collation && *col.collation == kBinaryCollation;
  if (col.real_type == kTypeString && !binary) {
    // CHAR(n) values have no trailing spaces (the binlog drops them; SELECT
    // does too unless PAD_CHAR_TO_FULL_LENGTH). BINARY(n) keeps its 0x00
    // padding on both sides: the decoder pads the binlog's shortened value.
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  }
  if (binary) return Value(Bytes{std::string(text)});
  return Value(std::string(text));
}

Value Blob(std::string_view text, const TableMapColumn& col) {
  if (col.real_type == kTypeJson) return Value(Json{std::string(text)});
  if (col.real_type == kTypeGeometry && text.size() < 4) {
    throw Error("GEOMETRY shorter than its SRID");
  }
  if (col.real_type != kTypeVector && col.collation && *col.collation != kBinaryCollation) {
    return Value(std::string(text));
  }
  return Value(Bytes{std::string(text)});
}

Value Bits(std::string_view text, const TableMapColumn& col) {
  const size_t n = (col.length + 7) / 8;
  if (text.size() > n) Bad("BIT", text);
  // Big-endian, possibly shorter than the column: pad, then little-endian.
  std::string be = std::string(n - text.size(), '\0') + std::string(text);
  return Value(Bytes{std::string(be.rbegin(), be.rend())});
}

}  // namespace

Value TextToValue(std::string_view text, const TableMapColumn& col, const RowDecodeOptions& opts) {
  switch (col.real_type) {
    case kTypeTiny:
      return Integer(text, col, 1);
    case kTypeShort:
      return Integer(text, col, 2);
    case kTypeInt24:
      return Integer(text, col, 3);
    case kTypeLong:
      return Integer(text, col, 4);
    case kTypeLongLong:
      return Integer(text, col, 8);
    case kTypeFloat:
      if (col.float_scale) {
        return Value(FloatAtScale(static_cast<float>(Floating(text, true)), *col.float_scale));
      }
      return Value(Floating(text, true));
    case kTypeDouble:
      return Value(Floating(text, false));
    case kTypeNewDecimal:
    case kTypeDecimal:
      return Value(Decimal{std::string(text)});
    case kTypeYear: {
      int y = Digits(text, 0, text.size());
      if (text.empty() || y < 0) Bad("YEAR", text);
      return Value(int64_t{y});
    }
    case kTypeDate:
    case kTypeNewDate:
      return DateValue(text, opts);
    case kTypeTime:
    case kTypeTime2:
      return TimeValue(text);
    case kTypeDateTime:
    case kTypeDateTime2:
      return DateTimeValue(text, col.real_type == kTypeDateTime2 ? col.length : 0, false, opts);
    case kTypeTimestamp:
    case kTypeTimestamp2:
      return DateTimeValue(text, col.real_type == kTypeTimestamp2 ? col.length : 0, true, opts);
    case kTypeBit:
      return Bits(text, col);
    case kTypeEnum:
    case kTypeSet:
      return EnumOrSet(text, col);
    case kTypeString:
    case kTypeVarchar:
    case kTypeVarString:
      return Character(text, col);
    case kTypeBlob:
    case kTypeTinyBlob:
    case kTypeMediumBlob:
    case kTypeLongBlob:
    case kTypeJson:
    case kTypeGeometry:
    case kTypeVector:
      return Blob(text, col);
    case kTypeNull:
      return Value::Null();
    default:
      throw Error("unsupported column type " + std::to_string(col.real_type));
  }
}

std::string SnapshotSelectExpr(const TableMapColumn& col, const std::string& quoted_name) {
  if (col.real_type == kTypeFloat) return quoted_name + " + 0E0";
  return quoted_name;
}

}  // namespace cdc::mysql
