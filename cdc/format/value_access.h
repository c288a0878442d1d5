// Typed access to a column's Value for the formats.
//
// A source should put in each column the variant its ColumnType implies, but
// the formats accept the obvious neighbours (an int64 for a boolean, a string
// for a uuid, a Timestamp for a timestamptz) so that sources need not be
// pedantic. Anything else is a bug upstream: the accessors throw cdc::Error
// naming the table, the column, its type and the value, because a record that
// silently misrepresents a row is worse than a stopped pipeline.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cdc/format/value_encoding.h"
#include "cdc/table_schema.h"
#include "cdc/value.h"

namespace cdc::format {

// Which column a value belongs to, for error messages.
struct FieldRef {
  const TableId& table;
  const Column& column;
};

[[noreturn]] void ThrowBadValue(const FieldRef& f, const Value& v, std::string_view why);

bool AsBool(const FieldRef& f, const Value& v);
int64_t AsInt64(const FieldRef& f, const Value& v);
uint64_t AsUInt64(const FieldRef& f, const Value& v);
double AsDouble(const FieldRef& f, const Value& v);
// Text of a string, Decimal, Json or Uuid value.
std::string_view AsText(const FieldRef& f, const Value& v);
// Bytes, or a string's bytes.
std::string_view AsBytes(const FieldRef& f, const Value& v);
// A Decimal (or decimal text, or an integer) taken apart; throws on malformed text.
ParsedDecimal AsDecimal(const FieldRef& f, const Value& v);
// Microseconds of a Timestamp or TimestampTz.
int64_t AsEpochMicros(const FieldRef& f, const Value& v);
// A geometry value taken apart (kGeometry's contract in table_schema.h).
struct GeometryParts {
  std::string_view wkb;
  uint32_t srid = 0;  // 0: none given
};
GeometryParts AsGeometry(const FieldRef& f, const Value& v);
// Whether the column is a POINT (source type "point", any case).
bool IsPointColumn(const Column& c);
// x and y of a two-dimensional WKB point; throws on any other WKB.
struct PointXY {
  double x = 0, y = 0;
};
PointXY AsPoint(const FieldRef& f, const Value& v, std::string_view wkb);

// A date or timestamp the database could not give as one (MySQL's
// 0000-00-00 with zero_dates: string), carried as its literal text.
bool IsDateText(const FieldRef& f, const Value& v);

template <typename T>
const T& As(const FieldRef& f, const Value& v) {
  if (!v.is<T>()) ThrowBadValue(f, v, "unexpected value kind");
  return v.as<T>();
}

}  // namespace cdc::format
