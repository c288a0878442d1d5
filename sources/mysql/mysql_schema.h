// Table schemas from TABLE_MAP events, and QUERY classification.
//
// A TABLE_MAP is the only schema a binlog carries: type codes and metadata
// always, names / signedness / charsets / ENUM-SET values / primary key only
// with binlog_row_metadata=FULL (MySQL 8.0.1+, MariaDB 10.5+). Without them
// columns are named "@1", "@2"... (as mysqlbinlog does), integers are taken
// as signed, and text/blob cannot be told apart (kBytes); the live source
// will fill the gaps from information_schema.
//
// SchemaTracker turns successive TABLE_MAPs into versioned cdc::TableSchemas:
// the version goes up when a table's columns change (or after a DDL QUERY
// for it, see invalidate()), and stays put while the same definition is
// mapped again, which happens before every rows event.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "cdc/table_schema.h"
#include "sources/mysql/table_map_event.h"

namespace cdc::mysql {

// The logical cdc::Column for one TABLE_MAP column (0-based `index`).
Column ColumnFromTableMap(const TableMapColumn& col, size_t index);

class SchemaTracker {
 public:
  // The schema for `t`: the previous one if unchanged, else a new version.
  TableSchemaPtr update(const TableMapEvent& t);
  // The schema last produced for db.table, or null.
  TableSchemaPtr current(const std::string& database, const std::string& table) const;
  // After DDL on db.table: the next TABLE_MAP yields a new version even if
  // its columns look the same (e.g. a renamed column without FULL metadata).
  void invalidate(const std::string& database, const std::string& table);

 private:
  struct Entry {
    TableSchemaPtr schema;
    bool stale = false;
  };
  std::map<std::pair<std::string, std::string>, Entry> tables_;
};

enum class QueryKind { kBegin, kCommit, kRollback, kSavepoint, kXa, kDdl, kOther };

// Classifies a QUERY event's text (leading whitespace and /* comments */
// skipped, case-insensitive). DDL = CREATE, ALTER, DROP, RENAME, TRUNCATE.
QueryKind ClassifyQuery(std::string_view query);

}  // namespace cdc::mysql
