#include "cdc/format/debezium_schema.h"

#include "cdc/error.h"
#include "cdc/format/debezium_value.h"

namespace cdc::format {
namespace {

using TP = FormatOptions::TimePrecision;
using DH = FormatOptions::DecimalHandling;

// Time and timestamp columns with at most millisecond precision get the
// millisecond types in adaptive mode; unset precision means microseconds.
bool MillisPrecision(const Column& c) {
  return c.precision && *c.precision <= 3;
}

Encoding DecimalEncoding(const Column& c, const FormatOptions& o) {
  switch (o.decimal_handling) {
    case DH::kString:
      return Encoding::kDecimalString;
    case DH::kDouble:
      return Encoding::kDecimalDouble;
    case DH::kPrecise:
      break;
  }
  return c.scale ? Encoding::kDecimalBytes : Encoding::kVariableScaleDecimal;
}

Encoding DateEncoding(const FormatOptions& o) {
  return o.time_precision == TP::kIsoString ? Encoding::kDateIso : Encoding::kDateDays;
}

Encoding TimeEncoding(const Column& c, const FormatOptions& o) {
  switch (o.time_precision) {
    case TP::kConnect:
      return Encoding::kTimeMillis;
    case TP::kIsoString:
      return Encoding::kTimeIso;
    case TP::kAdaptive:
      break;
  }
  return MillisPrecision(c) && !c.elapsed ? Encoding::kTimeMillis : Encoding::kTimeMicros;
}

Encoding TimestampEncoding(const Column& c, const FormatOptions& o) {
  switch (o.time_precision) {
    case TP::kConnect:
      return Encoding::kTimestampMillis;
    case TP::kIsoString:
      return Encoding::kTimestampIso;
    case TP::kAdaptive:
      break;
  }
  return MillisPrecision(c) ? Encoding::kTimestampMillis : Encoding::kTimestampMicros;
}

std::string Join(const std::vector<std::string>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + values[i];
  return out;
}

ConnectSchema DecimalBytesSchema(int32_t scale, std::optional<int32_t> precision) {
  ConnectSchema s = ConnectSchema::Of("bytes");
  s.Named("org.apache.kafka.connect.data.Decimal", 1).Param("scale", std::to_string(scale));
  if (precision) s.Param("connect.decimal.precision", std::to_string(*precision));
  return s;
}

ConnectSchema VariableScaleDecimalSchema() {
  ConnectSchema s = ConnectSchema::Struct("io.debezium.data.VariableScaleDecimal");
  s.version = 1;
  s.doc = "Variable scaled decimal";
  s.Add("scale", ConnectSchema::Of("int32")).Add("value", ConnectSchema::Of("bytes"));
  return s;
}

ConnectSchema GeometrySchema() {
  ConnectSchema s = ConnectSchema::Struct("io.debezium.data.geometry.Geometry");
  s.version = 1;
  s.doc = "Geometry";
  s.Add("wkb", ConnectSchema::Of("bytes")).Add("srid", ConnectSchema::Of("int32", true));
  return s;
}

ConnectSchema PointSchema() {
  ConnectSchema s = ConnectSchema::Struct("io.debezium.data.geometry.Point");
  s.version = 1;
  s.doc = "Geometry (POINT)";
  s.Add("x", ConnectSchema::Of("double"))
      .Add("y", ConnectSchema::Of("double"))
      .Add("wkb", ConnectSchema::Of("bytes", true))
      .Add("srid", ConnectSchema::Of("int32", true));
  return s;
}

ConnectSchema Logical(const char* type, const char* name) {
  ConnectSchema s = ConnectSchema::Of(type);
  s.Named(name, 1);
  return s;
}

// The schema of `e` for column `c`, before optionality is applied.
ConnectSchema SchemaFor(Encoding e, const Column& c, const FormatOptions& o) {
  switch (e) {
    case Encoding::kBoolean:
    case Encoding::kBitAsBoolean:
      return ConnectSchema::Of("boolean");
    case Encoding::kInt8:
      return ConnectSchema::Of("int8");
    case Encoding::kInt16:
      return ConnectSchema::Of("int16");
    case Encoding::kInt32:
      return ConnectSchema::Of("int32");
    case Encoding::kInt64:
    case Encoding::kUnsignedLong:
      return ConnectSchema::Of("int64");
    case Encoding::kFloat32:
      return ConnectSchema::Of("float");
    case Encoding::kFloat64:
    case Encoding::kDecimalDouble:
      return ConnectSchema::Of("double");
    case Encoding::kString:
    case Encoding::kDecimalString:
      break;
    case Encoding::kBytes:
      return ConnectSchema::Of("bytes");
    case Encoding::kDecimalBytes:
      return DecimalBytesSchema(*c.scale, c.precision);
    case Encoding::kVariableScaleDecimal:
      return VariableScaleDecimalSchema();
    case Encoding::kUnsignedDecimal:
      return DecimalBytesSchema(0, 20);
    case Encoding::kDateDays:
      return o.time_precision == TP::kConnect
                 ? Logical("int32", "org.apache.kafka.connect.data.Date")
                 : Logical("int32", "io.debezium.time.Date");
    case Encoding::kDateIso:
      return Logical("string", "io.debezium.time.IsoDate");
    case Encoding::kTimeMillis:
      return o.time_precision == TP::kConnect
                 ? Logical("int32", "org.apache.kafka.connect.data.Time")
                 : Logical("int32", "io.debezium.time.Time");
    case Encoding::kTimeMicros:
      return Logical("int64", "io.debezium.time.MicroTime");
    case Encoding::kTimeIso:
      return Logical("string", "io.debezium.time.IsoTime");
    case Encoding::kZonedTime:
      return Logical("string", "io.debezium.time.ZonedTime");
    case Encoding::kTimestampMillis:
      return o.time_precision == TP::kConnect
                 ? Logical("int64", "org.apache.kafka.connect.data.Timestamp")
                 : Logical("int64", "io.debezium.time.Timestamp");
    case Encoding::kTimestampMicros:
      return Logical("int64", "io.debezium.time.MicroTimestamp");
    case Encoding::kTimestampIso:
      return Logical("string", "io.debezium.time.IsoTimestamp");
    case Encoding::kZonedTimestamp:
      return Logical("string", "io.debezium.time.ZonedTimestamp");
    case Encoding::kMicroDuration:
      return Logical("int64", "io.debezium.time.MicroDuration");
    case Encoding::kBits:
      return Logical("bytes", "io.debezium.data.Bits")
          .Param("length", std::to_string(c.length.value_or(INT32_MAX)));
    case Encoding::kYear:
      return Logical("int32", "io.debezium.time.Year");
    case Encoding::kGeometry:
      return GeometrySchema();
    case Encoding::kPoint:
      return PointSchema();
    case Encoding::kArray:
      return ConnectSchema::Array(ColumnSchema(ElementColumn(c), o), false);
  }
  // Plain and logical strings.
  switch (c.type) {
    case ColumnType::kJson:
      return Logical("string", "io.debezium.data.Json");
    case ColumnType::kUuid:
      return Logical("string", "io.debezium.data.Uuid");
    case ColumnType::kEnum:
      return Logical("string", "io.debezium.data.Enum").Param("allowed", Join(c.enum_values));
    case ColumnType::kSet:
      return Logical("string", "io.debezium.data.EnumSet").Param("allowed", Join(c.enum_values));
    default:
      // PostgreSQL's xml is text to cdcd; Debezium names it.
      if (c.source_type == "xml") return Logical("string", "io.debezium.data.Xml");
      return ConnectSchema::Of("string");
  }
}

}  // namespace

Encoding DebeziumEncoding(const Column& c, const FormatOptions& o) {
  switch (c.type) {
    case ColumnType::kBoolean:
      return Encoding::kBoolean;
    case ColumnType::kInt8:
      return Encoding::kInt8;
    case ColumnType::kInt16:
      return Encoding::kInt16;
    case ColumnType::kInt32:
      return Encoding::kInt32;
    case ColumnType::kInt64:
      return Encoding::kInt64;
    case ColumnType::kUInt64:
      return o.bigint_unsigned == FormatOptions::BigIntUnsigned::kLong ? Encoding::kUnsignedLong
                                                                       : Encoding::kUnsignedDecimal;
    case ColumnType::kFloat32:
      return Encoding::kFloat32;
    case ColumnType::kFloat64:
      return Encoding::kFloat64;
    case ColumnType::kDecimal:
      return DecimalEncoding(c, o);
    case ColumnType::kBytes:
      return Encoding::kBytes;
    case ColumnType::kDate:
      return DateEncoding(o);
    case ColumnType::kTime:
      return TimeEncoding(c, o);
    case ColumnType::kTimeTz:
      return Encoding::kZonedTime;
    case ColumnType::kTimestamp:
      return TimestampEncoding(c, o);
    case ColumnType::kTimestampTz:
      return Encoding::kZonedTimestamp;
    case ColumnType::kInterval:
      return Encoding::kMicroDuration;
    case ColumnType::kBits:
      return c.length == 1 ? Encoding::kBitAsBoolean : Encoding::kBits;
    case ColumnType::kYear:
      return Encoding::kYear;
    case ColumnType::kGeometry:
      return IsPointColumn(c) ? Encoding::kPoint : Encoding::kGeometry;
    case ColumnType::kArray:
      return Encoding::kArray;
    case ColumnType::kString:
    case ColumnType::kJson:
    case ColumnType::kUuid:
    case ColumnType::kEnum:
    case ColumnType::kSet:
    case ColumnType::kUnknown:
      return Encoding::kString;
  }
  return Encoding::kString;
}

Column ElementColumn(const Column& array) {
  Column e = array;
  e.type = array.element_type;
  e.element_type = ColumnType::kUnknown;
  e.nullable = true;
  e.default_value.reset();
  return e;
}

namespace {

// The default as the payload would write it, so decimal_handling and
// time_precision shape it too. A default the encoding cannot represent (a
// NaN numeric) only loses its "default" attribute, as Debezium drops a
// default it cannot convert.
nlohmann::ordered_json DefaultJson(const Column& c, const FormatOptions& o, const TableId& table) {
  if (!c.default_value || c.default_value->is_null()) return nullptr;
  JsonWriter w;
  try {
    WriteDebeziumValue(w, FieldRef{table, c}, *c.default_value, o);
  } catch (const Error&) {
    return nullptr;
  }
  return nlohmann::ordered_json::parse(w.take());
}

}  // namespace

ConnectSchema ColumnSchema(const Column& column, const FormatOptions& options,
                           const TableId& table) {
  ConnectSchema s = SchemaFor(DebeziumEncoding(column, options), column, options);
  s.optional = column.nullable;
  s.default_value = DefaultJson(column, options, table);
  return s;
}

Value AbsentValue(const Column& c) {
  if (c.nullable) return Value();
  if (c.default_value) return *c.default_value;
  switch (c.type) {
    case ColumnType::kBoolean:
      return false;
    case ColumnType::kInt8:
    case ColumnType::kInt16:
    case ColumnType::kInt32:
    case ColumnType::kInt64:
    case ColumnType::kYear:
      return int64_t{0};
    case ColumnType::kUInt64:
      return uint64_t{0};
    case ColumnType::kFloat32:
    case ColumnType::kFloat64:
      return 0.0;
    case ColumnType::kDecimal:
      return Decimal{"0"};  // written at the column's scale
    case ColumnType::kBytes:
      return Bytes{};
    case ColumnType::kBits:  // bit(1) is a boolean, wider bits bytes
      return c.length == 1 ? Value(false) : Value(Bytes{});
    case ColumnType::kDate:
      return Date{};
    case ColumnType::kTime:
      return Time{};
    case ColumnType::kTimeTz:
      return TimeTz{};
    case ColumnType::kTimestamp:
      return Timestamp{};
    case ColumnType::kTimestampTz:
      return TimestampTz{};
    case ColumnType::kInterval:
      return Interval{};
    case ColumnType::kArray:
      return Value::ArrayOf({});
    case ColumnType::kGeometry:
      // No SRID, then the WKB of Debezium's fallback: an empty geometry
      // collection, or POINT(0 0) for a point (which must have x and y).
      return IsPointColumn(c) ? Bytes{std::string(4, '\0') + "\x01\x01" + std::string(19, '\0')}
                              : Bytes{std::string(4, '\0') + "\x01\x07" + std::string(7, '\0')};
    default:
      return std::string();  // strings, json, uuid, enums: ""
  }
}

std::string ConnectorNamespace(const std::string& connector) {
  bool debezium = connector == "postgresql" || connector == "mysql" || connector == "mariadb";
  return (debezium ? "io.debezium.connector." : "io.cdcd.connector.") + connector;
}

bool IsPostgres(const SourceInfo& s) {
  return s.connector == "postgresql";
}
bool IsMySql(const SourceInfo& s) {
  return s.connector == "mysql" || s.connector == "mariadb";
}

std::string RecordSchemaPrefix(const std::string& server_name, const TableId& table) {
  const std::string& ns = table.schema.empty() ? table.database : table.schema;
  return server_name + "." + ns + "." + table.table;
}

namespace {

const char* SourceFieldType(ColumnType t) {
  switch (t) {
    case ColumnType::kBoolean:
      return "boolean";
    case ColumnType::kInt16:
      return "int16";
    case ColumnType::kInt32:
      return "int32";
    case ColumnType::kInt64:
      return "int64";
    case ColumnType::kFloat64:
      return "double";
    default:
      return "string";
  }
}

// Debezium's SnapshotRecord values, lower-cased, in declaration order.
ConnectSchema SnapshotSchema() {
  ConnectSchema s = Logical("string", "io.debezium.data.Enum");
  s.Param("allowed",
          "true,first,first_in_data_collection,last_in_data_collection,last,false,"
          "incremental");
  s.optional = true;
  s.default_value = "false";
  return s;
}

}  // namespace

bool ShowsSourceField(const SourceField& f, const FormatOptions& options) {
  return options.unchanged == FormatOptions::Unchanged::kOmit || f.name != kUnchangedToastField;
}

ConnectSchema SourceSchema(const SourceInfo& source, const FormatOptions& options) {
  ConnectSchema s = ConnectSchema::Struct(ConnectorNamespace(source.connector) + ".Source");
  s.version = 1;
  s.Add("version", ConnectSchema::Of("string"))
      .Add("connector", ConnectSchema::Of("string"))
      .Add("name", ConnectSchema::Of("string"))
      .Add("ts_ms", ConnectSchema::Of("int64"))
      .Add("snapshot", SnapshotSchema())
      .Add("db", ConnectSchema::Of("string"))
      .Add("sequence", ConnectSchema::Of("string", true))
      .Add("ts_us", ConnectSchema::Of("int64", true))
      .Add("ts_ns", ConnectSchema::Of("int64", true));
  if (IsPostgres(source)) {
    s.Add("schema", ConnectSchema::Of("string")).Add("table", ConnectSchema::Of("string"));
  } else if (IsMySql(source)) {
    s.Add("table", ConnectSchema::Of("string", true));
  } else {
    s.Add("schema", ConnectSchema::Of("string", true))
        .Add("table", ConnectSchema::Of("string", true));
  }
  for (const SourceField& f : source.fields) {
    if (ShowsSourceField(f, options))
      s.Add(f.name, ConnectSchema::Of(SourceFieldType(f.type), f.optional));
  }
  return s;
}

ConnectSchema TransactionBlockSchema() {
  ConnectSchema s = ConnectSchema::Struct("event.block");
  s.version = 1;
  s.optional = true;
  s.Add("id", ConnectSchema::Of("string"))
      .Add("total_order", ConnectSchema::Of("int64"))
      .Add("data_collection_order", ConnectSchema::Of("int64"));
  return s;
}

ConnectSchema KeySchema(const TableSchema& table, const std::string& prefix,
                        const FormatOptions& options) {
  ConnectSchema s = ConnectSchema::Struct(prefix + ".Key");
  for (size_t k : table.key_columns()) {
    const Column& c = table.columns()[k];
    s.Add(c.name, ColumnSchema(c, options, table.id()));
  }
  return s;
}

ConnectSchema EnvelopeSchema(const TableSchema& table, const SourceInfo& source,
                             const FormatOptions& options) {
  std::string prefix = RecordSchemaPrefix(source.server_name, table.id());
  ConnectSchema row = ConnectSchema::Struct(prefix + ".Value");
  row.optional = true;
  for (const Column& c : table.columns()) row.Add(c.name, ColumnSchema(c, options, table.id()));

  ConnectSchema s = ConnectSchema::Struct(prefix + ".Envelope");
  s.version = 2;  // the envelope version that carries ts_us and ts_ns
  s.Add("before", row)
      .Add("after", row)
      .Add("source", SourceSchema(source, options))
      .Add("transaction", TransactionBlockSchema())
      .Add("op", ConnectSchema::Of("string"))
      .Add("ts_ms", ConnectSchema::Of("int64", true))
      .Add("ts_us", ConnectSchema::Of("int64", true))
      .Add("ts_ns", ConnectSchema::Of("int64", true));
  return s;
}

}  // namespace cdc::format
