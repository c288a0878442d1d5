#include "sources/mysql/mysql_schema.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <iterator>

#include "cdc/error.h"
#include "sources/mysql/charset.h"
#include "sources/mysql/column_types.h"
#include "sources/mysql/mysql_text_value.h"

namespace cdc::mysql {

namespace {

constexpr uint32_t kBinaryCollation = 63;

bool IsText(const TableMapColumn& c) {
  return c.collation && *c.collation != kBinaryCollation;
}

std::string WithArg(const char* name, uint32_t n) {
  return std::string(name) + "(" + std::to_string(n) + ")";
}

// CHAR/VARCHAR lengths travel in bytes; the declared length is in
// characters of the column's charset (VARCHAR(10) in utf8mb4 = 40 bytes).
// Unknown charset (no metadata): the byte length.
uint32_t DeclaredLength(const TableMapColumn& c) {
  if (!IsText(c)) return c.length;
  return c.length / CollationMaxBytesPerChar(*c.collation).value_or(1);
}

const char* MariaDbTypeName(MariaDbType t) {
  return t == MariaDbType::kUuid ? "uuid" : t == MariaDbType::kInet4 ? "inet4" : "inet6";
}

// The spatial type of a GEOMETRY_TYPE code (FULL metadata or the catalog);
// "geometry" when unknown.
const char* GeometryTypeName(std::optional<uint32_t> code) {
  static const char* const kNames[] = {
      "geometry",   "point",           "linestring",   "polygon",
      "multipoint", "multilinestring", "multipolygon", "geometrycollection"};
  return code && *code < std::size(kNames) ? kNames[*code] : "geometry";
}

// BIT's b'101' as the big-endian bytes a snapshot reads for it.
std::string BitLiteralBytes(const std::string& literal, uint32_t bits) {
  uint64_t n = 0;
  for (size_t i = 2; i + 1 < literal.size(); ++i) n = n << 1 | (literal[i] == '1');
  std::string be((bits + 7) / 8, '\0');
  for (size_t i = be.size(); i-- > 0; n >>= 8) be[i] = static_cast<char>(n & 0xff);
  return be;
}

// What a NOT NULL temporal column without a usable default gets: the epoch,
// as Debezium's default value converter does for zero dates and NOW().
std::optional<Value> Epoch(const Column& col) {
  switch (col.type) {
    case ColumnType::kDate:
      return Value(Date{0});
    case ColumnType::kTimestamp:
      return Value(Timestamp{0});
    case ColumnType::kTimestampTz:
      return Value(TimestampTz{0});
    default:
      return std::nullopt;
  }
}

// The column's constant DEFAULT as the value a row holding it carries (the
// snapshot's text parse, so both agree); nullopt when there is none or it
// cannot be read. CURRENT_TIMESTAMP is the epoch for a DATETIME or a NOT NULL
// TIMESTAMP and none for a nullable TIMESTAMP, and a zero date the epoch for a
// NOT NULL column, as Debezium's MySQL/MariaDB connectors write them.
std::optional<Value> DefaultValue(const TableMapColumn& c, const Column& col) {
  if (c.default_now) {
    if (col.type == ColumnType::kTimestampTz && col.nullable) return std::nullopt;
    return Epoch(col);
  }
  if (!c.default_literal) return std::nullopt;
  std::string text = *c.default_literal;
  if (c.real_type == kTypeBit) {
    if (!text.starts_with("b'")) return std::nullopt;
    text = BitLiteralBytes(text, c.length);
  }
  try {
    Value v = TextToValue(text, c, RowDecodeOptions{});
    if (v.is_null()) return col.nullable ? std::nullopt : Epoch(col);  // a zero date
    return v;
  } catch (const Error& e) {
    spdlog::debug("column {}: DEFAULT {} not understood ({}); no default written", col.name,
                  *c.default_literal, e.what());
    return std::nullopt;
  }
}

bool SameColumns(const std::vector<Column>& a, const std::vector<Column>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const Column &x = a[i], &y = b[i];
    if (x.name != y.name || x.type != y.type || x.source_type != y.source_type ||
        x.nullable != y.nullable || x.length != y.length || x.precision != y.precision ||
        x.scale != y.scale || x.enum_values != y.enum_values ||
        x.default_value != y.default_value) {
      return false;
    }
  }
  return true;
}

}  // namespace

Column ColumnFromTableMap(const TableMapColumn& c, size_t index) {
  Column col;
  col.name = c.name.empty() ? "@" + std::to_string(index + 1) : c.name;
  col.nullable = c.nullable;
  if (!c.unknown_type.empty()) {
    col.type = ColumnType::kUnknown;
    col.source_type = c.unknown_type;
    return col;
  }
  bool u = c.is_unsigned.value_or(false);
  const char* uns = u ? " unsigned" : "";
  switch (c.real_type) {
    case kTypeTiny:
      // Signed too: Debezium's MySQL connector resolves TINYINT to SMALLINT
      // (Connect int16), and its consumers' schemas expect that.
      col.type = ColumnType::kInt16;
      col.source_type = std::string("tinyint") + uns;
      break;
    case kTypeShort:
      col.type = u ? ColumnType::kInt32 : ColumnType::kInt16;
      col.source_type = std::string("smallint") + uns;
      break;
    case kTypeInt24:
      col.type = ColumnType::kInt32;
      col.source_type = std::string("mediumint") + uns;
      break;
    case kTypeLong:
      col.type = u ? ColumnType::kInt64 : ColumnType::kInt32;
      col.source_type = std::string("int") + uns;
      break;
    case kTypeLongLong:
      col.type = u ? ColumnType::kUInt64 : ColumnType::kInt64;
      col.source_type = std::string("bigint") + uns;
      break;
    case kTypeFloat:
      // FLOAT(M,D) is a double to Debezium (its values have D digits).
      col.type = c.float_scale ? ColumnType::kFloat64 : ColumnType::kFloat32;
      col.source_type = c.float_scale ? "float(" + std::to_string(c.precision) + "," +
                                            std::to_string(*c.float_scale) + ")"
                                      : "float";
      break;
    case kTypeDouble:
      col.type = ColumnType::kFloat64;
      col.source_type = "double";
      break;
    case kTypeNewDecimal:
      col.type = ColumnType::kDecimal;
      col.precision = c.precision;
      col.scale = c.scale;
      col.source_type =
          "decimal(" + std::to_string(c.precision) + "," + std::to_string(c.scale) + ")";
      break;
    case kTypeYear:
      col.type = ColumnType::kYear;
      col.source_type = "year";
      break;
    case kTypeDate:
    case kTypeNewDate:
      col.type = ColumnType::kDate;
      col.source_type = "date";
      break;
    case kTypeTime:
    case kTypeTime2:
      col.type = ColumnType::kTime;
      col.elapsed = true;
      col.precision = static_cast<int32_t>(c.real_type == kTypeTime2 ? c.length : 0);
      col.source_type = WithArg("time", *col.precision);
      break;
    case kTypeDateTime:
    case kTypeDateTime2:
      col.type = ColumnType::kTimestamp;
      col.precision = static_cast<int32_t>(c.real_type == kTypeDateTime2 ? c.length : 0);
      col.source_type = WithArg("datetime", *col.precision);
      break;
    case kTypeTimestamp:
    case kTypeTimestamp2:
      col.type = ColumnType::kTimestampTz;
      col.precision = static_cast<int32_t>(c.real_type == kTypeTimestamp2 ? c.length : 0);
      col.source_type = WithArg("timestamp", *col.precision);
      break;
    case kTypeString:
      if (c.mariadb_type != MariaDbType::kNone) {
        col.type = c.mariadb_type == MariaDbType::kUuid ? ColumnType::kUuid : ColumnType::kString;
        col.source_type = MariaDbTypeName(c.mariadb_type);
        break;
      }
      col.type = IsText(c) || !c.collation ? ColumnType::kString : ColumnType::kBytes;
      col.length = static_cast<int32_t>(DeclaredLength(c));
      col.source_type = WithArg(col.type == ColumnType::kBytes ? "binary" : "char", *col.length);
      break;
    case kTypeVarchar:
    case kTypeVarString:
      col.type = IsText(c) || !c.collation ? ColumnType::kString : ColumnType::kBytes;
      col.length = static_cast<int32_t>(DeclaredLength(c));
      col.source_type =
          WithArg(col.type == ColumnType::kBytes ? "varbinary" : "varchar", *col.length);
      break;
    case kTypeBlob:
    case kTypeTinyBlob:
    case kTypeMediumBlob:
    case kTypeLongBlob: {
      static const char* const kBlob[] = {"tinyblob", "blob", "mediumblob", "longblob"};
      static const char* const kText[] = {"tinytext", "text", "mediumtext", "longtext"};
      size_t k = c.length >= 1 && c.length <= 4 ? c.length - 1 : 1;
      col.type = IsText(c) ? ColumnType::kString : ColumnType::kBytes;
      col.source_type = IsText(c) ? kText[k] : kBlob[k];
      break;
    }
    case kTypeEnum:
    case kTypeSet:
      col.type = c.real_type == kTypeEnum ? ColumnType::kEnum : ColumnType::kSet;
      col.enum_values = c.enum_values;
      col.source_type = c.real_type == kTypeEnum ? "enum" : "set";
      break;
    case kTypeBit:
      col.type = ColumnType::kBits;
      col.length = static_cast<int32_t>(c.length);
      col.source_type = WithArg("bit", c.length);
      break;
    case kTypeJson:
      col.type = ColumnType::kJson;
      col.source_type = "json";
      break;
    case kTypeGeometry:
      col.type = ColumnType::kGeometry;
      col.source_type = GeometryTypeName(c.geometry_type);
      break;
    case kTypeVector:
      col.type = ColumnType::kBytes;
      col.source_type = c.vector_dimensions ? WithArg("vector", *c.vector_dimensions) : "vector";
      break;
    default:
      col.type = ColumnType::kUnknown;
      col.source_type = "type" + std::to_string(c.real_type);
      break;
  }
  col.default_value = DefaultValue(c, col);
  return col;
}

TableSchemaPtr SchemaTracker::update(const TableMapEvent& t) {
  std::vector<Column> columns;
  for (size_t i = 0; i < t.columns.size(); ++i)
    columns.push_back(ColumnFromTableMap(t.columns[i], i));
  Entry& e = tables_[{t.database, t.table}];
  if (e.schema && !e.stale && SameColumns(e.schema->columns(), columns) &&
      e.schema->key_columns() == t.primary_key) {
    return e.schema;
  }
  uint32_t version = e.schema ? e.schema->version() + 1 : 1;
  e.schema = std::make_shared<const TableSchema>(TableId{t.database, "", t.table}, version,
                                                 std::move(columns), t.primary_key);
  e.stale = false;
  return e.schema;
}

TableSchemaPtr SchemaTracker::current(const std::string& database, const std::string& table) const {
  auto it = tables_.find({database, table});
  return it == tables_.end() ? nullptr : it->second.schema;
}

void SchemaTracker::invalidate(const std::string& database, const std::string& table) {
  auto it = tables_.find({database, table});
  if (it != tables_.end()) it->second.stale = true;
}

QueryKind ClassifyQuery(std::string_view q) {
  size_t i = 0;
  for (;;) {
    while (i < q.size() && std::isspace(static_cast<unsigned char>(q[i]))) ++i;
    if (q.substr(i, 2) == "/*") {
      size_t end = q.find("*/", i + 2);
      if (end == std::string_view::npos) return QueryKind::kOther;
      i = end + 2;
      continue;
    }
    break;
  }
  std::string word;
  while (i < q.size() && std::isalpha(static_cast<unsigned char>(q[i]))) {
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(q[i++])));
  }
  if (word == "BEGIN") return QueryKind::kBegin;
  if (word == "COMMIT") return QueryKind::kCommit;
  if (word == "ROLLBACK") {
    // "ROLLBACK TO [SAVEPOINT] x" only undoes part of the transaction.
    std::string rest(q.substr(i));
    for (char& ch : rest) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return rest.find(" TO ") != std::string::npos ? QueryKind::kSavepoint : QueryKind::kRollback;
  }
  if (word == "SAVEPOINT" || word == "RELEASE") return QueryKind::kSavepoint;
  if (word == "XA") return QueryKind::kXa;
  if (word == "CREATE" || word == "ALTER" || word == "DROP" || word == "RENAME" ||
      word == "TRUNCATE") {
    return QueryKind::kDdl;
  }
  return QueryKind::kOther;
}

}  // namespace cdc::mysql
