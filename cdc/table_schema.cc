#include "cdc/table_schema.h"

#include "cdc/error.h"

namespace cdc {

const char* ColumnTypeName(ColumnType t) {
  switch (t) {
    case ColumnType::kBoolean:
      return "boolean";
    case ColumnType::kInt8:
      return "int8";
    case ColumnType::kInt16:
      return "int16";
    case ColumnType::kInt32:
      return "int32";
    case ColumnType::kInt64:
      return "int64";
    case ColumnType::kUInt64:
      return "uint64";
    case ColumnType::kFloat32:
      return "float32";
    case ColumnType::kFloat64:
      return "float64";
    case ColumnType::kDecimal:
      return "decimal";
    case ColumnType::kString:
      return "string";
    case ColumnType::kBytes:
      return "bytes";
    case ColumnType::kJson:
      return "json";
    case ColumnType::kUuid:
      return "uuid";
    case ColumnType::kDate:
      return "date";
    case ColumnType::kTime:
      return "time";
    case ColumnType::kTimeTz:
      return "timetz";
    case ColumnType::kTimestamp:
      return "timestamp";
    case ColumnType::kTimestampTz:
      return "timestamptz";
    case ColumnType::kInterval:
      return "interval";
    case ColumnType::kEnum:
      return "enum";
    case ColumnType::kSet:
      return "set";
    case ColumnType::kBits:
      return "bits";
    case ColumnType::kYear:
      return "year";
    case ColumnType::kGeometry:
      return "geometry";
    case ColumnType::kArray:
      return "array";
    case ColumnType::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::string TableId::qualified() const {
  std::string out = database;
  if (!schema.empty()) out += (out.empty() ? "" : ".") + schema;
  return out + (out.empty() ? "" : ".") + table;
}

TableSchema::TableSchema(TableId id, uint32_t version, std::vector<Column> columns,
                         std::vector<size_t> key_columns)
    : id_(std::move(id)),
      version_(version),
      columns_(std::move(columns)),
      key_columns_(std::move(key_columns)) {
  for (size_t k : key_columns_) {
    if (k >= columns_.size()) {
      throw Error("table " + id_.qualified() + ": key column index " + std::to_string(k) +
                  " is out of range (" + std::to_string(columns_.size()) + " columns)");
    }
  }
}

std::optional<size_t> TableSchema::find(const std::string& name) const {
  for (size_t i = 0; i < columns_.size(); ++i)
    if (columns_[i].name == name) return i;
  return std::nullopt;
}

}  // namespace cdc
