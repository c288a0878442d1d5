#include "sources/mysql/mysql_catalog.h"

#include <spdlog/spdlog.h>

#include <map>
#include <regex>
#include <set>

#include "cdc/error.h"
#include "cdc/table_pattern.h"
#include "sources/mysql/column_types.h"

namespace cdc::mysql {
namespace {

constexpr uint32_t kBinaryCollation = 63;
constexpr uint32_t kUtf8mb4Collation = 45;  // utf8mb4_general_ci: the connection's charset

std::optional<int64_t> OptInt(const std::optional<std::string>& s) {
  if (!s || s->empty()) return std::nullopt;
  return std::stoll(*s);
}

std::optional<int> OptSmall(const std::optional<std::string>& s) {
  auto v = OptInt(s);
  return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

// MariaDB 10.10+ names a column's collation "utf8mb4_uca1400_ai_ci" while
// COLLATIONS only lists "uca1400_ai_ci" (ID NULL); the full name and its id
// are in COLLATION_CHARACTER_SET_APPLICABILITY.FULL_COLLATION_NAME.
std::optional<uint32_t> FullCollationId(MySqlConnection& conn, const std::string& name) {
  MySqlResult r = conn.query(
      "SELECT ID FROM information_schema.COLLATION_CHARACTER_SET_APPLICABILITY "
      "WHERE FULL_COLLATION_NAME = " +
          conn.quote(name),
      "reading the id of collation " + name);
  if (r.size() == 0 || !r.rows[0][0]) return std::nullopt;
  return static_cast<uint32_t>(std::stoul(*r.rows[0][0]));
}

std::vector<size_t> PrimaryKey(MySqlConnection& conn, const CatalogTable& t) {
  MySqlResult r =
      conn.query("SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = " +
                     conn.quote(t.database) + " AND TABLE_NAME = " + conn.quote(t.table) +
                     " AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX",
                 "reading the primary key of " + t.database + "." + t.table);
  std::vector<size_t> key;
  for (const auto& row : r.rows) {
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (t.columns[i].name == row.at(0).value_or("")) key.push_back(i);
    }
  }
  return key;
}

size_t BlobPrefixBytes(const std::string& data_type) {
  if (data_type.starts_with("tiny")) return 1;
  if (data_type.starts_with("medium")) return 3;
  if (data_type.starts_with("long")) return 4;
  return 2;
}

// The GEOMETRY_TYPE code a FULL TABLE_MAP gives the column (MySQL's
// Field::geometry_type order); nullopt when `t` is no spatial type.
std::optional<uint32_t> GeometryType(const std::string& t) {
  static const char* const kGeometry[] = {
      "geometry",   "point",           "linestring",   "polygon",
      "multipoint", "multilinestring", "multipolygon", "geometrycollection"};
  if (t == "geomcollection") return 7;  // MySQL 8's name for GEOMETRYCOLLECTION
  for (uint32_t i = 0; i < std::size(kGeometry); ++i) {
    if (t == kGeometry[i]) return i;
  }
  return std::nullopt;
}

// STRING/ENUM/SET metadata: real type and length, with CHAR > 255 bytes
// hiding two length bits in the type byte (see table_map_event.cc).
void StringMetadata(TableMapColumn& c, uint8_t real_type, uint32_t length) {
  c.type = kTypeString;
  c.real_type = real_type;
  c.length = length;
  const auto b0 = static_cast<uint8_t>(real_type ^ (((length >> 8) & 3) << 4));
  c.metadata = static_cast<uint16_t>(b0 << 8 | (length & 0xff));
}

void Simple(TableMapColumn& c, uint8_t type, uint32_t length = 0) {
  c.type = c.real_type = type;
  c.length = length;
  c.metadata = static_cast<uint16_t>(length);
}

// Character and binary string types; false when `t` is none of them.
bool MapStringType(const CatalogColumn& col, TableMapColumn& c) {
  const std::string& t = col.data_type;
  const auto bytes = static_cast<uint32_t>(col.char_max_bytes.value_or(0));
  if (t == "char" || t == "binary") {
    StringMetadata(c, kTypeString, bytes);
  } else if (t == "varchar" || t == "varbinary") {
    Simple(c, kTypeVarchar, bytes);
  } else if (t.ends_with("text") || t.ends_with("blob")) {
    Simple(c, kTypeBlob, static_cast<uint32_t>(BlobPrefixBytes(t)));
  } else if (t == "enum") {
    StringMetadata(c, kTypeEnum, col.enum_values.size() > 255 ? 2 : 1);
  } else if (t == "set") {
    const auto n = static_cast<uint32_t>((col.enum_values.size() + 7) / 8);
    StringMetadata(c, kTypeSet, n > 4 ? 8 : n);
  } else {
    return false;
  }
  c.collation = col.collation.value_or(kBinaryCollation);
  return true;
}

bool MapNumericType(const CatalogColumn& col, TableMapColumn& c) {
  static const std::map<std::string, uint8_t> kInts = {
      {"tinyint", kTypeTiny}, {"smallint", kTypeShort},  {"mediumint", kTypeInt24},
      {"int", kTypeLong},     {"bigint", kTypeLongLong}, {"integer", kTypeLong}};
  const std::string& t = col.data_type;
  if (auto it = kInts.find(t); it != kInts.end()) {
    Simple(c, it->second);
  } else if (t == "float") {
    Simple(c, kTypeFloat, 4);
    if (col.numeric_scale) {  // FLOAT(M,D); a plain FLOAT has no scale
      c.float_scale = static_cast<uint8_t>(*col.numeric_scale);
      c.precision = static_cast<uint8_t>(col.numeric_precision.value_or(0));
    }
  } else if (t == "double" || t == "real") {
    Simple(c, kTypeDouble, 8);
  } else if (t == "decimal" || t == "numeric") {
    Simple(c, kTypeNewDecimal);
    c.precision = static_cast<uint8_t>(col.numeric_precision.value_or(10));
    c.scale = static_cast<uint8_t>(col.numeric_scale.value_or(0));
    c.metadata = static_cast<uint16_t>(c.precision << 8 | c.scale);
  } else {
    return false;
  }
  c.is_unsigned = col.is_unsigned;
  return true;
}

// MariaDB's own fixed-size types: binary strings in the binlog.
bool MapMariaDbType(const CatalogColumn& col, TableMapColumn& c) {
  static const std::map<std::string, std::pair<MariaDbType, uint32_t>> kTypes = {
      {"uuid", {MariaDbType::kUuid, 16}},
      {"inet4", {MariaDbType::kInet4, 4}},
      {"inet6", {MariaDbType::kInet6, 16}}};
  auto it = kTypes.find(col.data_type);
  if (it == kTypes.end()) return false;
  StringMetadata(c, kTypeString, it->second.second);
  c.collation = kBinaryCollation;
  c.mariadb_type = it->second.first;
  return true;
}

bool IsNumberLiteral(const std::string& s) {
  static const std::regex kNumber(R"(-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?)");
  return std::regex_match(s, kNumber);
}

// MariaDB's quoted literal: 'it''s' -> it's, 'a\\b' -> a\b.
std::string UnquoteMariaDb(const std::string& q) {
  std::string out;
  for (size_t i = 1; i + 1 < q.size(); ++i) {
    if ((q[i] == '\'' || q[i] == '\\') && i + 2 < q.size()) ++i;
    out += q[i];
  }
  return out;
}

// COLUMN_DEFAULT (and EXTRA) onto the column.
void ReadDefault(const std::optional<std::string>& text, const std::string& extra, bool mariadb,
                 CatalogColumn& c) {
  if (!text) return;  // no default (MySQL), or NULL
  static const std::regex kNow(R"((current_timestamp|now)(\([0-6]?\))?)", std::regex::icase);
  if (std::regex_match(*text, kNow)) {
    c.default_now = true;
  } else if (!mariadb) {
    if (extra.find("DEFAULT_GENERATED") == std::string::npos) c.default_literal = *text;
  } else if (text->size() >= 2 && text->front() == '\'' && text->back() == '\'') {
    c.default_literal = UnquoteMariaDb(*text);
  } else if (IsNumberLiteral(*text) || text->starts_with("b'")) {
    c.default_literal = *text;
  }
  // Anything else: MariaDB's NULL or an expression, which has no constant.
}

}  // namespace

std::vector<std::string> ParseEnumValues(const std::string& column_type) {
  std::vector<std::string> out;
  size_t i = column_type.find('(');
  if (i == std::string::npos) return out;
  while (++i < column_type.size() && column_type[i] == '\'') {
    std::string v;
    for (++i; i < column_type.size(); ++i) {
      if (column_type[i] == '\'' && i + 1 < column_type.size() && column_type[i + 1] == '\'') {
        v += '\'', ++i;
      } else if (column_type[i] == '\\' && i + 1 < column_type.size()) {
        v += column_type[++i];
      } else if (column_type[i] == '\'') {
        break;
      } else {
        v += column_type[i];
      }
    }
    out.push_back(std::move(v));
    ++i;  // past the closing quote: at ',' or ')'
    if (i >= column_type.size() || column_type[i] != ',') break;
  }
  return out;
}

CatalogTable ReadCatalogTable(MySqlConnection& conn, const std::string& database,
                              const std::string& table) {
  CatalogTable t{database, table, {}, {}};
  const std::string what = "reading the columns of " + database + "." + table;
  MySqlResult r = conn.query(
      "SELECT c.COLUMN_NAME, LOWER(c.DATA_TYPE), c.COLUMN_TYPE, c.IS_NULLABLE, "
      "c.CHARACTER_OCTET_LENGTH, c.NUMERIC_PRECISION, c.NUMERIC_SCALE, c.DATETIME_PRECISION, "
      "c.COLLATION_NAME, co.ID, c.COLUMN_DEFAULT, c.EXTRA FROM information_schema.COLUMNS c "
      "LEFT JOIN information_schema.COLLATIONS co ON co.COLLATION_NAME = c.COLLATION_NAME "
      "WHERE c.TABLE_SCHEMA = " +
          conn.quote(database) + " AND c.TABLE_NAME = " + conn.quote(table) +
          " ORDER BY c.ORDINAL_POSITION",
      what);
  if (r.size() == 0) throw Error(conn.context() + ": " + what + ": no such table");
  for (const auto& row : r.rows) {
    CatalogColumn c;
    c.name = row[0].value_or("");
    c.data_type = row[1].value_or("");
    c.column_type = row[2].value_or("");
    c.nullable = row[3].value_or("") == "YES";
    c.is_unsigned = c.column_type.find("unsigned") != std::string::npos;
    c.char_max_bytes = OptInt(row[4]);
    c.numeric_precision = OptSmall(row[5]);
    c.numeric_scale = OptSmall(row[6]);
    c.datetime_precision = OptSmall(row[7]);
    if (row[9]) {
      c.collation = static_cast<uint32_t>(std::stoul(*row[9]));
    } else if (row[8]) {
      c.collation = FullCollationId(conn, *row[8]);
    }
    if (c.data_type == "enum" || c.data_type == "set")
      c.enum_values = ParseEnumValues(c.column_type);
    ReadDefault(row[10], row[11].value_or(""), conn.is_mariadb(), c);
    t.columns.push_back(std::move(c));
  }
  t.primary_key = PrimaryKey(conn, t);
  return t;
}

TableMapColumn ToTableMapColumn(const CatalogColumn& col) {
  TableMapColumn c;
  c.name = col.name;
  c.nullable = col.nullable;
  const std::string& t = col.data_type;
  const auto fsp = static_cast<uint32_t>(col.datetime_precision.value_or(0));
  if (MapNumericType(col, c) || MapStringType(col, c)) {
    // mapped
  } else if (t == "year") {
    Simple(c, kTypeYear);
  } else if (t == "date") {
    Simple(c, kTypeDate);
  } else if (t == "time") {
    Simple(c, kTypeTime2, fsp);
  } else if (t == "datetime") {
    Simple(c, kTypeDateTime2, fsp);
  } else if (t == "timestamp") {
    Simple(c, kTypeTimestamp2, fsp);
  } else if (t == "bit") {
    const auto bits = static_cast<uint32_t>(col.numeric_precision.value_or(1));
    Simple(c, kTypeBit, bits);
    c.metadata = static_cast<uint16_t>((bits % 8) << 8 | bits / 8);
  } else if (t == "json") {
    Simple(c, kTypeJson, 4);
  } else if (auto geometry = GeometryType(t)) {
    Simple(c, kTypeGeometry, 4);
    c.geometry_type = geometry;
  } else if (t == "vector") {
    Simple(c, kTypeVector, 4);
    const size_t open = col.column_type.find('(');
    if (open != std::string::npos) {
      c.vector_dimensions = static_cast<uint32_t>(std::stoul(col.column_type.substr(open + 1)));
    }
  } else if (!MapMariaDbType(col, c)) {
    // A type this version does not know (a newer server's, a plugin's): the
    // snapshot reads its text, as a string column.
    Simple(c, kTypeVarchar, static_cast<uint32_t>(col.char_max_bytes.value_or(0)));
    c.collation = kUtf8mb4Collation;
    c.unknown_type = col.column_type.empty() ? t : col.column_type;
  }
  if (c.real_type == kTypeEnum || c.real_type == kTypeSet) c.enum_values = col.enum_values;
  c.default_literal = col.default_literal;
  c.default_now = col.default_now;
  return c;
}

TableMapEvent ToTableMap(const CatalogTable& t) {
  TableMapEvent m;
  m.database = t.database;
  m.table = t.table;
  for (const CatalogColumn& c : t.columns) {
    m.columns.push_back(ToTableMapColumn(c));
    if (!m.columns.back().unknown_type.empty()) {
      spdlog::warn(
          "table {}.{} column {} has type {}, which cdcd does not know: its values are "
          "captured as the server's text (a string)",
          t.database, t.table, c.name, c.column_type);
    }
  }
  m.primary_key = t.primary_key;
  m.has_optional_metadata = true;
  return m;
}

std::vector<CapturedTable> ListCapturedTables(MySqlConnection& conn,
                                              const MySqlSourceOptions& options) {
  MySqlResult r = conn.query(
      "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES "
      "WHERE TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_SCHEMA, TABLE_NAME",
      "listing the tables to capture");
  std::vector<CapturedTable> out;
  std::set<std::string> named;  // `tables` entries without '*' that matched
  for (const auto& row : r.rows) {
    CapturedTable t{row[0].value_or(""), row[1].value_or(""), -1};
    for (const std::string& p : options.tables) {
      if (p.find('*') == std::string::npos && GlobMatch(p, t.database + "." + t.table)) {
        named.insert(p);
      }
    }
    if (!TableCaptured(options, t.database, t.table)) continue;
    if (row[2]) t.estimate = std::stod(*row[2]);
    out.push_back(std::move(t));
  }
  // A name without '*' that matches nothing is most likely a typo, or a
  // table dropped (or hidden by a missing grant) since the config was
  // written: capturing nothing from it silently would look like a quiet table.
  for (const std::string& p : options.tables) {
    if (p.find('*') == std::string::npos && !named.count(p)) {
      throw Error(conn.context() + ": table " + p +
                  " (from `tables`) not found: no such base table on the server, or the user " +
                  options.connect.user + " cannot see it (it needs SELECT on it)");
    }
  }
  return out;
}

}  // namespace cdc::mysql
