#include "cdc/format/value_access.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "cdc/error.h"

namespace cdc::format {

void ThrowBadValue(const FieldRef& f, const Value& v, std::string_view why) {
  throw Error("table " + f.table.qualified() + ", column " + f.column.name + " (" +
              ColumnTypeName(f.column.type) + "): " + std::string(why) + ": " + v.debug_string());
}

bool AsBool(const FieldRef& f, const Value& v) {
  if (v.is<bool>()) return v.as<bool>();
  if (v.is<int64_t>()) return v.as<int64_t>() != 0;
  if (v.is<Bytes>()) {  // bit(1) read as one byte
    const std::string& d = v.as<Bytes>().data;
    return !d.empty() && (d[0] & 1);
  }
  ThrowBadValue(f, v, "expected a boolean");
}

int64_t AsInt64(const FieldRef& f, const Value& v) {
  if (v.is<int64_t>()) return v.as<int64_t>();
  if (v.is<uint64_t>() && v.as<uint64_t>() <= INT64_MAX)
    return static_cast<int64_t>(v.as<uint64_t>());
  if (v.is<bool>()) return v.as<bool>() ? 1 : 0;
  ThrowBadValue(f, v, "expected an integer");
}

uint64_t AsUInt64(const FieldRef& f, const Value& v) {
  if (v.is<uint64_t>()) return v.as<uint64_t>();
  if (v.is<int64_t>() && v.as<int64_t>() >= 0) return static_cast<uint64_t>(v.as<int64_t>());
  ThrowBadValue(f, v, "expected an unsigned integer");
}

double AsDouble(const FieldRef& f, const Value& v) {
  if (v.is<double>()) return v.as<double>();
  if (v.is<int64_t>()) return static_cast<double>(v.as<int64_t>());
  if (v.is<uint64_t>()) return static_cast<double>(v.as<uint64_t>());
  ThrowBadValue(f, v, "expected a floating-point number");
}

std::string_view AsText(const FieldRef& f, const Value& v) {
  if (v.is<std::string>()) return v.as<std::string>();
  if (v.is<Uuid>()) return v.as<Uuid>().text;
  if (v.is<Json>()) return v.as<Json>().text;
  if (v.is<Decimal>()) return v.as<Decimal>().text;
  ThrowBadValue(f, v, "expected text");
}

std::string_view AsBytes(const FieldRef& f, const Value& v) {
  if (v.is<Bytes>()) return v.as<Bytes>().data;
  if (v.is<std::string>()) return v.as<std::string>();
  ThrowBadValue(f, v, "expected bytes");
}

GeometryParts AsGeometry(const FieldRef& f, const Value& v) {
  std::string_view b = AsBytes(f, v);
  if (b.size() < 4) ThrowBadValue(f, v, "a geometry shorter than its SRID");
  uint32_t srid = 0;
  for (int i = 3; i >= 0; --i) srid = srid << 8 | static_cast<uint8_t>(b[i]);
  return GeometryParts{b.substr(4), srid};
}

bool IsPointColumn(const Column& c) {
  const std::string& t = c.source_type;
  return t.size() == 5 && std::equal(t.begin(), t.end(), "point", [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

PointXY AsPoint(const FieldRef& f, const Value& v, std::string_view wkb) {
  // byte order (1 = little-endian), type (uint32 1 = Point), x, y (doubles)
  if (wkb.size() != 21 || static_cast<uint8_t>(wkb[0]) > 1) {
    ThrowBadValue(f, v, "not the WKB of a two-dimensional point");
  }
  const bool little = wkb[0] == 1;
  auto read = [&](size_t at, size_t n) {
    uint64_t x = 0;
    for (size_t i = 0; i < n; ++i) {
      const auto byte = static_cast<uint8_t>(wkb[at + (little ? n - 1 - i : i)]);
      x = x << 8 | byte;
    }
    return x;
  };
  if (read(1, 4) != 1) ThrowBadValue(f, v, "not the WKB of a two-dimensional point");
  PointXY p;
  const uint64_t x = read(5, 8), y = read(13, 8);
  std::memcpy(&p.x, &x, sizeof x);
  std::memcpy(&p.y, &y, sizeof y);
  return p;
}

ParsedDecimal AsDecimal(const FieldRef& f, const Value& v) {
  std::string owned;
  std::string_view text;
  if (v.is<Decimal>()) {
    text = v.as<Decimal>().text;
  } else if (v.is<std::string>()) {
    text = v.as<std::string>();
  } else if (v.is<int64_t>() || v.is<uint64_t>()) {
    owned = v.is<int64_t>() ? std::to_string(v.as<int64_t>()) : std::to_string(v.as<uint64_t>());
    text = owned;
  } else {
    ThrowBadValue(f, v, "expected a decimal");
  }
  auto parsed = ParseDecimal(text);
  if (!parsed) ThrowBadValue(f, v, "malformed decimal text '" + std::string(text) + "'");
  return *std::move(parsed);
}

int64_t AsEpochMicros(const FieldRef& f, const Value& v) {
  if (v.is<Timestamp>()) return v.as<Timestamp>().micros;
  if (v.is<TimestampTz>()) return v.as<TimestampTz>().micros;
  ThrowBadValue(f, v, "expected a timestamp");
}

bool IsDateText(const FieldRef& f, const Value& v) {
  const ColumnType t = f.column.type;
  return v.is<std::string>() &&
         (t == ColumnType::kDate || t == ColumnType::kTimestamp || t == ColumnType::kTimestampTz);
}

}  // namespace cdc::format
