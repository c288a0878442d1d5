// TableSchema: the immutable, versioned shape of one captured table.
//
// Sources build a new TableSchema (with version + 1) whenever the database
// reports a change to a table; events hold a shared pointer to the version
// that was current when their row was written, so an event never changes
// meaning after it is built. Column types are logical types: they say how a
// value is to be presented (Debezium schema names, JSON forms), while the
// original database type name is kept in `source_type` for humans.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cdc/value.h"

namespace cdc {

enum class ColumnType {
  kBoolean,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kUInt64,  // full-range unsigned 64-bit (MySQL BIGINT UNSIGNED)
  kFloat32,
  kFloat64,
  kDecimal,  // precision/scale when known; variable scale when scale is unset
  kString,
  kBytes,
  kJson,
  kUuid,
  kDate,
  kTime,         // precision = fractional digits (0..6)
  kTimeTz,       // precision = fractional digits
  kTimestamp,    // no time zone; precision = fractional digits
  kTimestampTz,  // an instant; precision = fractional digits
  kInterval,
  kEnum,  // string value, allowed values in enum_values
  kSet,   // comma-separated string value, allowed values in enum_values
  kBits,  // bit string; length = number of bits; value as Bytes (little-endian)
  kYear,
  kGeometry,  // value as Bytes: the SRID (uint32 little-endian, 0 = none), then WKB
  kArray,     // element type in element_type
  kUnknown,   // anything else: carried as a string, with source_type naming it
};

const char* ColumnTypeName(ColumnType t);

struct Column {
  std::string name;
  ColumnType type = ColumnType::kString;
  ColumnType element_type = ColumnType::kUnknown;  // only for kArray
  std::string source_type;                         // as the database names it, e.g. "numeric(10,2)"
  bool nullable = true;
  std::optional<int32_t> length;     // chars, bytes or bits
  std::optional<int32_t> precision;  // decimal digits, or fractional second digits
  std::optional<int32_t> scale;      // decimal scale; unset means variable scale
  std::vector<std::string> enum_values;
  // kTime only: an elapsed time that may pass 24 h (MySQL's TIME spans
  // -838:59:59..838:59:59) rather than a time of day. Debezium's MySQL
  // connector writes it as MicroTime (int64 µs) whatever its precision.
  bool elapsed = false;
  // The column's DEFAULT when it is a constant cdcd could parse, as a row
  // holding that literal would carry it; nullopt otherwise (no default, or an
  // expression such as nextval() or now()). Debezium writes it in the field
  // schema and in place of a NOT NULL value the database did not log.
  std::optional<Value> default_value;
};

struct TableId {
  std::string database;  // PostgreSQL database, MySQL schema (database)
  std::string schema;    // PostgreSQL schema; empty for MySQL
  std::string table;

  // "db.schema.table" or "db.table" when there is no schema.
  std::string qualified() const;
  bool operator==(const TableId&) const = default;
};

class TableSchema {
 public:
  TableSchema(TableId id, uint32_t version, std::vector<Column> columns,
              std::vector<size_t> key_columns);

  const TableId& id() const { return id_; }
  uint32_t version() const { return version_; }
  const std::vector<Column>& columns() const { return columns_; }
  // Indices into columns(), in key order. Empty: the table has no key and its
  // events carry a null key.
  const std::vector<size_t>& key_columns() const { return key_columns_; }
  // Index of the column named `name`, or nullopt.
  std::optional<size_t> find(const std::string& name) const;

 private:
  TableId id_;
  uint32_t version_;
  std::vector<Column> columns_;
  std::vector<size_t> key_columns_;
};

using TableSchemaPtr = std::shared_ptr<const TableSchema>;

}  // namespace cdc
