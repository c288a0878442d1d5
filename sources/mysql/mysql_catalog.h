// Table definitions from information_schema, mapped onto the TABLE_MAP form.
//
// The snapshot needs each captured table's columns before any binlog event
// names them, and a server without binlog_row_metadata=FULL never sends
// names, signedness or charsets. ReadCatalogTable reads what the server
// declares; ToTableMapColumn maps one column onto the type code and metadata
// a TABLE_MAP with FULL metadata carries for it, so that ColumnFromTableMap
// (mysql_schema.h) yields exactly the schema the binlog stream yields for
// the same table. Temporal columns map to the MySQL 5.6 formats (TIME2,
// DATETIME2, TIMESTAMP2: the default since MySQL 5.6 / MariaDB 10.1).
// What information_schema knows and a TABLE_MAP does not (MariaDB's UUID,
// INET4 and INET6 behind their BINARY form, FLOAT(M,D)'s scale) is in the
// TableMapColumn fields marked so. A type cdcd does not know maps to a text
// column holding the server's text, never to an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sources/mysql/mysql_connection.h"
#include "sources/mysql/mysql_options.h"
#include "sources/mysql/table_map_event.h"

namespace cdc::mysql {

struct CatalogColumn {
  std::string name;
  std::string data_type;    // DATA_TYPE, lower case: "int", "varchar", "enum"...
  std::string column_type;  // COLUMN_TYPE: "int(10) unsigned", "enum('a','b')"...
  bool nullable = true;
  bool is_unsigned = false;
  std::optional<uint32_t> collation;     // collation id; 63 (binary) for binary strings
  std::vector<std::string> enum_values;  // ENUM/SET members, from column_type
  std::optional<int> datetime_precision;
  std::optional<int> numeric_precision;  // DECIMAL digits; BIT: bits
  std::optional<int> numeric_scale;
  std::optional<int64_t> char_max_bytes;  // CHARACTER_OCTET_LENGTH
  // COLUMN_DEFAULT read for both flavours (MariaDB quotes string literals and
  // writes NULL as the word; MySQL 8 marks expressions DEFAULT_GENERATED):
  // the unquoted constant, or default_now for CURRENT_TIMESTAMP / NOW().
  std::optional<std::string> default_literal;
  bool default_now = false;
};

struct CatalogTable {
  std::string database;
  std::string table;
  std::vector<CatalogColumn> columns;  // ordinal order
  std::vector<size_t> primary_key;     // column indexes, key order
};

// Throws cdc::Error when the table does not exist (or has no columns).
CatalogTable ReadCatalogTable(MySqlConnection& conn, const std::string& database,
                              const std::string& table);

// The TABLE_MAP column (with FULL optional metadata) for `col`.
TableMapColumn ToTableMapColumn(const CatalogColumn& col);

// The whole TABLE_MAP for `t` (table_id 0); warns about each column of a
// type cdcd does not know.
TableMapEvent ToTableMap(const CatalogTable& t);

// ENUM/SET member names of a COLUMN_TYPE such as "enum('a','it''s')".
std::vector<std::string> ParseEnumValues(const std::string& column_type);

struct CapturedTable {
  std::string database;
  std::string table;
  double estimate = -1;  // information_schema.TABLES.TABLE_ROWS; -1 unknown
};

// Base tables captured under `options`, by database then table name.
std::vector<CapturedTable> ListCapturedTables(MySqlConnection& conn,
                                              const MySqlSourceOptions& options);

}  // namespace cdc::mysql
