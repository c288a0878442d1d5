// TableMapEnricher: fills the gaps of TABLE_MAPs written without
// binlog_row_metadata=FULL from information_schema.
//
// Such TABLE_MAPs carry type codes only: no column names, no signedness (so
// an INT UNSIGNED would decode as negative), no charsets (TEXT and BLOB look
// alike). For captured tables the enricher copies those from the table's
// current definition in information_schema, read once per table and again
// after every DDL on it. A definition whose column count or types no longer
// match the TABLE_MAP (DDL while cdcd was down) is not applied: columns stay
// "@1", "@2"... with a warning, rather than being decoded under wrong names.
// With FULL metadata TABLE_MAPs pass through untouched.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "cdc/table_schema.h"
#include "sources/mysql/control_events.h"
#include "sources/mysql/mysql_catalog.h"
#include "sources/mysql/mysql_options.h"
#include "sources/mysql/table_map_event.h"

namespace cdc::mysql {

class TableMapEnricher {
 public:
  TableMapEnricher(const MySqlSourceOptions& options, bool full_metadata);
  ~TableMapEnricher();

  std::shared_ptr<const TableMapEvent> enrich(std::shared_ptr<const TableMapEvent> t);
  // A QUERY event: after DDL, the definitions it names are read again.
  void on_query(const QueryEvent& q);
  // The table's current schema from information_schema; null when it does
  // not exist (any more).
  TableSchemaPtr lookup(const std::string& database, const std::string& table);

 private:
  const CatalogTable* catalog(const std::string& database, const std::string& table);

  const MySqlSourceOptions& options_;
  bool full_metadata_;
  std::unique_ptr<MySqlConnection> conn_;  // opened on first use
  std::map<std::pair<std::string, std::string>, std::optional<CatalogTable>> cache_;
};

}  // namespace cdc::mysql
