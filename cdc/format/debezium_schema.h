// The Kafka Connect schemas Debezium gives its records, and the value
// encoding each column type gets (the two must agree, so both are decided
// here, by DebeziumEncoding).
//
// Column mapping (Debezium's defaults; `optional` = column nullable):
//   boolean, int8/16/32/64, float32/64      the same Connect type
//   uint64 (BIGINT UNSIGNED)                Decimal(20, 0) bytes, like
//                                           bigint.unsigned.handling.mode=precise
//   decimal, precise                        org.apache.kafka.connect.data.Decimal
//                                           bytes; io.debezium.data.VariableScaleDecimal
//                                           {scale, value} when the scale is unset
//   decimal, string / double                string / float64
//   string, unknown                         string
//   bytes                                   bytes (base64 in JSON)
//   json / uuid                             io.debezium.data.Json / Uuid strings
//   date                                    io.debezium.time.Date int32 days (adaptive),
//                                           o.a.k.connect.data.Date (connect),
//                                           io.debezium.time.IsoDate string (isostring)
//   time                                    Time int32 ms (precision <= 3) or MicroTime
//                                           int64 µs (adaptive); o.a.k.connect.data.Time
//                                           int32 ms (connect); IsoTime string (isostring)
//   timestamp                               Timestamp int64 ms (precision <= 3) or
//                                           MicroTimestamp int64 µs (adaptive);
//                                           o.a.k.connect.data.Timestamp int64 ms
//                                           (connect); IsoTimestamp string (isostring)
//   timetz / timestamptz                    io.debezium.time.ZonedTime / ZonedTimestamp
//                                           strings in UTC, in every mode
//   interval                                io.debezium.time.MicroDuration int64
//   enum / set                              io.debezium.data.Enum / EnumSet strings,
//                                           parameter `allowed`
//   bits                                    boolean for bit(1), else io.debezium.data.Bits
//                                           bytes with parameter `length`
//   year                                    io.debezium.time.Year int32
//   geometry                                io.debezium.data.geometry.Geometry
//                                           {wkb bytes, srid optional int32} (version 1);
//                                           a MySQL POINT io.debezium.data.geometry.Point
//                                           {x, y float64, wkb optional bytes, srid
//                                           optional int32} (version 1); srid 0 is null
//   array                                   array of the element type's schema (optional
//                                           elements, as the PostgreSQL connector does)
#pragma once

#include <string>

#include "cdc/change_event.h"
#include "cdc/format.h"
#include "cdc/format/connect_schema.h"

namespace cdc::format {

enum class Encoding {
  kBoolean,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kFloat32,
  kFloat64,
  kString,
  kBytes,
  kDecimalBytes,          // Decimal with the column's scale
  kVariableScaleDecimal,  // {scale, value}
  kDecimalString,
  kDecimalDouble,
  kUnsignedDecimal,  // uint64 as Decimal scale 0
  kUnsignedLong,     // uint64 as int64, its bits kept (Debezium's `long`)
  kDateDays,
  kDateIso,
  kTimeMillis,
  kTimeMicros,
  kTimeIso,
  kZonedTime,
  kTimestampMillis,
  kTimestampMicros,
  kTimestampIso,
  kZonedTimestamp,
  kMicroDuration,
  kBitAsBoolean,
  kBits,
  kYear,
  kGeometry,
  kPoint,
  kArray,
};

Encoding DebeziumEncoding(const Column& column, const FormatOptions& options);

// The element of an array column as a column of its own (same precision,
// scale, length and enum values; always nullable; no default).
Column ElementColumn(const Column& array);

// Connect schema of one column (without its field name), with the column's
// default_value as "default" in the payload's encoding, as Debezium's
// TableSchemaBuilder does. `table` names the column in errors.
ConnectSchema ColumnSchema(const Column& column, const FormatOptions& options,
                           const TableId& table = TableId{});

// What Debezium writes for a NOT NULL column that has no value (a column a
// before image did not log): its default, else the type's zero ("", 0,
// false, epoch, empty bytes or array), as JdbcValueConverters' fallbacks.
// Null for a nullable column.
Value AbsentValue(const Column& column);

// "io.debezium.connector.postgresql" for the connectors Debezium has, and
// "io.cdcd.connector.<connector>" for the others.
std::string ConnectorNamespace(const std::string& connector);
bool IsPostgres(const SourceInfo& s);
bool IsMySql(const SourceInfo& s);

// "<server>.<schema, or database when there is none>.<table>": the prefix of
// the Key, Value and Envelope schema names.
std::string RecordSchemaPrefix(const std::string& server_name, const TableId& table);

// Whether the source block shows connector field `f`: all but
// unchanged_toast when the format writes placeholders for unchanged values.
bool ShowsSourceField(const SourceField& f, const FormatOptions& options);
ConnectSchema SourceSchema(const SourceInfo& source, const FormatOptions& options);
ConnectSchema TransactionBlockSchema();
ConnectSchema KeySchema(const TableSchema& table, const std::string& prefix,
                        const FormatOptions& options);
ConnectSchema EnvelopeSchema(const TableSchema& table, const SourceInfo& source,
                             const FormatOptions& options);

}  // namespace cdc::format
