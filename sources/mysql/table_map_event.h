// TableMapEvent: the TABLE_MAP event (type 19) that precedes row events and
// describes the table's columns: type codes, per-type metadata, nullability
// and, with binlog_row_metadata=FULL/MINIMAL (MySQL 8, MariaDB 10.5), the
// optional metadata (names, signedness, collations, ENUM/SET values, primary
// key, visibility, vector dimensions).
//
// Row decoding needs each column's REAL type (CHAR/ENUM/SET all travel as
// STRING with the real type in the metadata) and its metadata, so
// ParseTableMap resolves those per column up front.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cdc::mysql {

enum class MariaDbType : uint8_t { kNone, kUuid, kInet4, kInet6 };

struct TableMapColumn {
  uint8_t type = 0;       // type code as written
  uint8_t real_type = 0;  // STRING resolved to ENUM/SET/STRING
  uint16_t metadata = 0;  // raw per-type metadata
  // Decoded metadata, by type: max byte length (CHAR/VARCHAR), length-prefix
  // bytes (BLOB/JSON/GEOMETRY/VECTOR), pack length (ENUM/SET, FLOAT/DOUBLE),
  // fsp (TIME2/DATETIME2/TIMESTAMP2), bits (BIT).
  uint32_t length = 0;
  uint8_t precision = 0;  // NEWDECIMAL
  uint8_t scale = 0;      // NEWDECIMAL
  bool nullable = true;
  // From optional metadata when present:
  std::optional<bool> is_unsigned;
  std::optional<uint32_t> collation;  // character and ENUM/SET columns; 63 = binary
  std::string name;
  std::vector<std::string> enum_values;  // ENUM or SET member names
  std::optional<uint32_t> geometry_type;
  std::optional<uint32_t> vector_dimensions;
  bool visible = true;

  // From information_schema only: a TABLE_MAP never carries these (see
  // TableMapEnricher and ToTableMapColumn in mysql_catalog.h).
  // MariaDB's UUID, INET4 and INET6 travel as BINARY(16), BINARY(4) and
  // BINARY(16); their values are emitted in the server's text form.
  MariaDbType mariadb_type = MariaDbType::kNone;
  // FLOAT(M,D): D (and M in `precision`). Such a column is a double, its
  // values rounded to D digits as the server shows them.
  std::optional<uint8_t> float_scale;
  // COLUMN_TYPE of a type cdcd does not know (snapshot only): its values are
  // captured as the server's text.
  std::string unknown_type;
  // The column's DEFAULT when it is a constant: its literal as the server
  // prints a value of the column (unquoted), or `default_now` for
  // CURRENT_TIMESTAMP / NOW(). Neither for no default, NULL or an expression.
  std::optional<std::string> default_literal;
  bool default_now = false;

  bool operator==(const TableMapColumn&) const = default;
};

struct TableMapEvent {
  uint64_t table_id = 0;
  uint16_t flags = 0;
  std::string database;
  std::string table;
  std::vector<TableMapColumn> columns;
  std::vector<size_t> primary_key;  // column indexes, from optional metadata
  bool has_optional_metadata = false;

  bool operator==(const TableMapEvent&) const = default;
};

// Whose optional metadata layout to expect: MariaDB gives YEAR columns a
// signedness bit, MySQL does not.
enum class TableMapDialect { kMySql, kMariaDb };

// Parses a TABLE_MAP body (checksum already removed). `post_header_length` is
// 6 for early 5.1 servers (4-byte table id) and 8 otherwise. Throws
// cdc::Error on malformed input.
TableMapEvent ParseTableMap(std::string_view body, uint8_t post_header_length,
                            TableMapDialect dialect = TableMapDialect::kMySql);

}  // namespace cdc::mysql
