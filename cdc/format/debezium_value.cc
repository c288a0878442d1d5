#include "cdc/format/debezium_value.h"

#include <charconv>
#include <cmath>

#include "cdc/format/debezium_schema.h"

namespace cdc::format {
namespace {

// PGStatement.DATE_POSITIVE_INFINITY / DATE_NEGATIVE_INFINITY read as
// microseconds: what Debezium puts in integer timestamps for ±infinity.
constexpr int64_t kPgInfinityMicros = 9'223'372'036'825'200'000;
constexpr int64_t kPgMinusInfinityMicros = -9'223'372'036'832'400'000;

bool IsInfinite(int64_t micros) {
  return micros == kInfinityMicros || micros == kMinusInfinityMicros;
}

int64_t SentinelMicros(int64_t micros) {
  return micros == kInfinityMicros ? kPgInfinityMicros : kPgMinusInfinityMicros;
}

void WriteText(JsonWriter& w, TextBuf t, bool zulu) {
  if (zulu) t.append('Z');
  w.string(t.view());
}

bool IsSpecial(const ParsedDecimal& d) {
  return d.kind != ParsedDecimal::Kind::kFinite;
}

// Precise decimals cannot carry NaN or infinities.
void WriteUnrepresentable(JsonWriter& w, const FieldRef& f, const Value& v) {
  if (!f.column.nullable) {
    ThrowBadValue(f, v,
                  "NaN/Infinity has no precise decimal form (decimal handling string or double can "
                  "carry it)");
  }
  w.null();
}

void WriteDecimalBytes(JsonWriter& w, const FieldRef& f, const Value& v) {
  ParsedDecimal d = AsDecimal(f, v);
  if (IsSpecial(d)) return WriteUnrepresentable(w, f, v);
  auto bytes = UnscaledBytes(d, *f.column.scale);
  if (!bytes) ThrowBadValue(f, v, "more fraction digits than the column's scale");
  w.base64(*bytes);
}

void WriteVariableScaleDecimal(JsonWriter& w, const FieldRef& f, const Value& v) {
  ParsedDecimal d = AsDecimal(f, v);
  if (IsSpecial(d)) return WriteUnrepresentable(w, f, v);
  w.begin_object();
  w.key("scale");
  w.int64(d.scale);
  w.key("value");
  w.base64(TwosComplement(d.negative, d.digits));
  w.end_object();
}

void WriteDecimalString(JsonWriter& w, const FieldRef& f, const Value& v) {
  ParsedDecimal d = AsDecimal(f, v);
  switch (d.kind) {
    case ParsedDecimal::Kind::kNaN:
      return w.string("NAN");
    case ParsedDecimal::Kind::kPositiveInfinity:
      return w.string("POSITIVE_INFINITY");
    case ParsedDecimal::Kind::kNegativeInfinity:
      return w.string("NEGATIVE_INFINITY");
    case ParsedDecimal::Kind::kFinite:
      break;
  }
  w.string(PlainString(d));
}

void WriteDecimalDouble(JsonWriter& w, const FieldRef& f, const Value& v) {
  std::string text = PlainString(AsDecimal(f, v));
  if (text == "NaN") return w.float64(NAN);
  if (text == "Infinity") return w.float64(INFINITY);
  if (text == "-Infinity") return w.float64(-INFINITY);
  double d = 0;
  std::from_chars(text.data(), text.data() + text.size(), d);  // nearest double
  w.float64(d);
}

void WriteTimeMillis(JsonWriter& w, const FieldRef& f, const Value& v) {
  int64_t ms = FloorDiv(As<Time>(f, v).micros, 1000);
  if (ms < INT32_MIN || ms > INT32_MAX) ThrowBadValue(f, v, "time out of int32 milliseconds");
  w.int64(ms);
}

void WriteZonedTime(JsonWriter& w, const FieldRef& f, const Value& v) {
  const TimeTz& t = As<TimeTz>(f, v);
  int64_t utc = FloorMod(t.micros - int64_t{t.offset_seconds} * kMicrosPerSecond, kMicrosPerDay);
  WriteText(w, ClockTime(utc, kStripZeros), true);
}

void WriteTimestampInt(JsonWriter& w, const FieldRef& f, const Value& v, bool millis) {
  int64_t micros = AsEpochMicros(f, v);
  if (IsInfinite(micros)) micros = SentinelMicros(micros);
  w.int64(millis ? FloorDiv(micros, 1000) : micros);
}

// ZonedTimestamp pads the fraction to the column's precision (6 when unset,
// PostgreSQL's default), as Debezium's formatter does; precision 0 prints none.
void WriteTimestampText(JsonWriter& w, const FieldRef& f, const Value& v, bool zoned) {
  int64_t micros = AsEpochMicros(f, v);
  if (IsInfinite(micros)) return w.string(micros > 0 ? "infinity" : "-infinity");
  int digits = zoned ? f.column.precision.value_or(6) : kStripZeros;
  WriteText(w, IsoTimestamp(micros, digits == 0 ? kStripZeros : digits), true);
}

void WriteSrid(JsonWriter& w, uint32_t srid) {
  w.key("srid");  // Debezium: null for an unset (0) SRID
  if (srid == 0) return w.null();
  w.int64(static_cast<int32_t>(srid));
}

void WriteGeometry(JsonWriter& w, const FieldRef& f, const Value& v) {
  const GeometryParts g = AsGeometry(f, v);
  w.begin_object();
  w.key("wkb");
  w.base64(g.wkb);
  WriteSrid(w, g.srid);
  w.end_object();
}

void WritePoint(JsonWriter& w, const FieldRef& f, const Value& v) {
  const GeometryParts g = AsGeometry(f, v);
  const PointXY p = AsPoint(f, v, g.wkb);
  w.begin_object();
  w.key("x");
  w.float64(p.x);
  w.key("y");
  w.float64(p.y);
  w.key("wkb");
  w.base64(g.wkb);
  WriteSrid(w, g.srid);
  w.end_object();
}

void WriteArray(JsonWriter& w, const FieldRef& f, const Value& v, const FormatOptions& o) {
  const Array& a = As<Array>(f, v);
  Column element = ElementColumn(f.column);
  FieldRef ef{f.table, element};
  w.begin_array();
  // A PostgreSQL array column has no fixed number of dimensions: an item that
  // is itself an array is a further dimension of the same element type.
  if (a.items) {
    for (const Value& item : *a.items) {
      if (item.is<Array>()) {
        WriteArray(w, f, item, o);
      } else {
        WriteDebeziumValue(w, ef, item, o);
      }
    }
  }
  w.end_array();
}

void WriteTemporal(JsonWriter& w, Encoding e, const FieldRef& f, const Value& v) {
  switch (e) {
    case Encoding::kDateDays:
      return w.int64(As<Date>(f, v).days);
    case Encoding::kDateIso:
      return WriteText(w, IsoDate(As<Date>(f, v).days), true);
    case Encoding::kTimeMillis:
      return WriteTimeMillis(w, f, v);
    case Encoding::kTimeMicros:
      return w.int64(As<Time>(f, v).micros);
    case Encoding::kTimeIso:
      return WriteText(w, ClockTime(FloorMod(As<Time>(f, v).micros, kMicrosPerDay), kStripZeros),
                       true);
    case Encoding::kZonedTime:
      return WriteZonedTime(w, f, v);
    case Encoding::kTimestampMillis:
      return WriteTimestampInt(w, f, v, true);
    case Encoding::kTimestampMicros:
      return WriteTimestampInt(w, f, v, false);
    case Encoding::kTimestampIso:
      return WriteTimestampText(w, f, v, false);
    case Encoding::kZonedTimestamp:
      return WriteTimestampText(w, f, v, true);
    case Encoding::kMicroDuration:
      return w.int64(IntervalMicros(As<Interval>(f, v)));
    default:
      ThrowBadValue(f, v, "not a temporal encoding");
  }
}

// The envelope's schema types a date column as a date, so a date carried as
// text (IsDateText) is written as Debezium writes it: null, or the epoch for
// a NOT NULL column.
Value EpochOf(ColumnType t) {
  if (t == ColumnType::kDate) return Value(Date{0});
  if (t == ColumnType::kTimestamp) return Value(Timestamp{0});
  return Value(TimestampTz{0});
}

}  // namespace

void WriteDebeziumValue(JsonWriter& w, const FieldRef& f, const Value& v,
                        const FormatOptions& options) {
  if (v.is_null()) return w.null();
  if (IsDateText(f, v)) {
    if (f.column.nullable) return w.null();
    return WriteDebeziumValue(w, f, EpochOf(f.column.type), options);
  }
  Encoding e = DebeziumEncoding(f.column, options);
  switch (e) {
    case Encoding::kBoolean:
    case Encoding::kBitAsBoolean:
      return w.boolean(AsBool(f, v));
    case Encoding::kInt8:
    case Encoding::kInt16:
    case Encoding::kInt32:
    case Encoding::kInt64:
    case Encoding::kYear:
      return w.int64(AsInt64(f, v));
    case Encoding::kFloat32:
      return w.float32(static_cast<float>(AsDouble(f, v)));
    case Encoding::kFloat64:
      return w.float64(AsDouble(f, v));
    case Encoding::kString:
      return w.string(AsText(f, v));
    case Encoding::kBytes:
    case Encoding::kBits:
      return w.base64(AsBytes(f, v));
    case Encoding::kDecimalBytes:
      return WriteDecimalBytes(w, f, v);
    case Encoding::kVariableScaleDecimal:
      return WriteVariableScaleDecimal(w, f, v);
    case Encoding::kDecimalString:
      return WriteDecimalString(w, f, v);
    case Encoding::kDecimalDouble:
      return WriteDecimalDouble(w, f, v);
    case Encoding::kUnsignedLong:
      return w.int64(static_cast<int64_t>(AsUInt64(f, v)));
    case Encoding::kUnsignedDecimal:
      return w.base64(TwosComplement(false, std::to_string(AsUInt64(f, v))));
    case Encoding::kGeometry:
      return WriteGeometry(w, f, v);
    case Encoding::kPoint:
      return WritePoint(w, f, v);
    case Encoding::kArray:
      return WriteArray(w, f, v, options);
    default:
      return WriteTemporal(w, e, f, v);
  }
}

}  // namespace cdc::format
