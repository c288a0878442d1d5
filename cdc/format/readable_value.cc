#include "cdc/format/readable_value.h"

#include <nlohmann/json.hpp>

#include "cdc/format/debezium_schema.h"

namespace cdc::format {
namespace {

int FractionDigits(const Column& c) {
  return c.precision && *c.precision > 0 ? *c.precision : kStripZeros;
}

// The JSON text without the whitespace between tokens, so that a
// pretty-printed document keeps the record on one line (the file sink's
// JSON Lines need that). Only called on text that parsed.
std::string Compact(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < json.size()) {
        out += json[++i];
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      out += c;
      in_string = c == '"';
    }
  }
  return out;
}

void WriteEmbeddedJson(JsonWriter& w, const FieldRef& f, const Value& v) {
  std::string_view text = AsText(f, v);
  // Parsing costs about what writing does, but a malformed document would make
  // the whole record unreadable, so it is checked rather than trusted.
  if (!nlohmann::json::accept(text)) ThrowBadValue(f, v, "not a valid JSON document");
  w.raw_value(Compact(text));
}

// Bits are little-endian bytes (bit 0 = lowest bit of byte 0); printed most
// significant first, as SQL writes bit strings.
void WriteBitString(JsonWriter& w, const FieldRef& f, const Value& v) {
  std::string_view bytes = AsBytes(f, v);
  size_t n = f.column.length ? static_cast<size_t>(*f.column.length) : bytes.size() * 8;
  std::string bits(n, '0');
  for (size_t i = 0; i < n && i / 8 < bytes.size(); ++i) {
    if ((static_cast<unsigned char>(bytes[i / 8]) >> (i % 8)) & 1) bits[n - 1 - i] = '1';
  }
  w.string(bits);
}

void WriteDecimal(JsonWriter& w, const FieldRef& f, const Value& v) {
  w.string(PlainString(AsDecimal(f, v)));
}

void WriteTimestamp(JsonWriter& w, const FieldRef& f, const Value& v, bool zulu) {
  int64_t micros = AsEpochMicros(f, v);
  if (micros == kInfinityMicros) return w.string("infinity");
  if (micros == kMinusInfinityMicros) return w.string("-infinity");
  TextBuf t = IsoTimestamp(micros, FractionDigits(f.column));
  if (zulu) t.append('Z');
  w.string(t.view());
}

void WriteTimeTz(JsonWriter& w, const FieldRef& f, const Value& v) {
  const TimeTz& t = As<TimeTz>(f, v);
  int64_t utc = FloorMod(t.micros - int64_t{t.offset_seconds} * kMicrosPerSecond, kMicrosPerDay);
  TextBuf text = ClockTime(utc, FractionDigits(f.column));
  text.append('Z');
  w.string(text.view());
}

void WriteArray(JsonWriter& w, const FieldRef& f, const Value& v) {
  const Array& a = As<Array>(f, v);
  Column element = ElementColumn(f.column);
  FieldRef ef{f.table, element};
  w.begin_array();
  // Nested arrays are further dimensions of a multi-dimensional array.
  if (a.items) {
    for (const Value& item : *a.items) {
      if (item.is<Array>()) {
        WriteArray(w, f, item);
      } else {
        WriteReadableValue(w, ef, item);
      }
    }
  }
  w.end_array();
}

void WriteGeometryObject(JsonWriter& w, const FieldRef& f, const Value& v) {
  const GeometryParts g = AsGeometry(f, v);
  w.begin_object();
  w.key("wkb");
  w.base64(g.wkb);
  w.key("srid");
  if (g.srid == 0) {
    w.null();
  } else {
    w.int64(g.srid);
  }
  w.end_object();
}

}  // namespace

void WriteReadableValue(JsonWriter& w, const FieldRef& f, const Value& v) {
  if (v.is_null()) return w.null();
  // Temporal values as text: a MySQL zero date with zero_dates: string, as
  // MySQL writes it ("0000-00-00"), the way Maxwell does.
  if (IsDateText(f, v)) return w.string(v.as<std::string>());
  switch (f.column.type) {
    case ColumnType::kBoolean:
      return w.boolean(AsBool(f, v));
    case ColumnType::kInt8:
    case ColumnType::kInt16:
    case ColumnType::kInt32:
    case ColumnType::kInt64:
    case ColumnType::kYear:
      return w.int64(AsInt64(f, v));
    case ColumnType::kUInt64:
      return w.uint64(AsUInt64(f, v));
    case ColumnType::kFloat32:
      return w.float32(static_cast<float>(AsDouble(f, v)));
    case ColumnType::kFloat64:
      return w.float64(AsDouble(f, v));
    case ColumnType::kDecimal:
      return WriteDecimal(w, f, v);
    case ColumnType::kJson:
      return WriteEmbeddedJson(w, f, v);
    case ColumnType::kBytes:
      return w.base64(AsBytes(f, v));
    case ColumnType::kGeometry:
      return WriteGeometryObject(w, f, v);
    case ColumnType::kBits:
      return f.column.length == 1 ? w.boolean(AsBool(f, v)) : WriteBitString(w, f, v);
    case ColumnType::kDate:
      return w.string(IsoDate(As<Date>(f, v).days).view());
    case ColumnType::kTime:
      return w.string(ClockTime(As<Time>(f, v).micros, FractionDigits(f.column)).view());
    case ColumnType::kTimeTz:
      return WriteTimeTz(w, f, v);
    case ColumnType::kTimestamp:
      return WriteTimestamp(w, f, v, false);
    case ColumnType::kTimestampTz:
      return WriteTimestamp(w, f, v, true);
    case ColumnType::kInterval:
      return w.string(IsoInterval(As<Interval>(f, v)).view());
    case ColumnType::kArray:
      return WriteArray(w, f, v);
    case ColumnType::kString:
    case ColumnType::kUuid:
    case ColumnType::kEnum:
    case ColumnType::kSet:
    case ColumnType::kUnknown:
      break;
  }
  w.string(AsText(f, v));
}

}  // namespace cdc::format
