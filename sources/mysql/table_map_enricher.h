// TableMapEnricher: adds to TABLE_MAPs what only information_schema knows.
//
// TABLE_MAPs written without binlog_row_metadata=FULL carry type codes only:
// no column names, no signedness (so an INT UNSIGNED would decode as
// negative), no charsets (TEXT and BLOB look alike). Even FULL ones do not
// tell MariaDB's UUID / INET4 / INET6 from BINARY(16) / BINARY(4), nor a
// FLOAT(M,D) from a FLOAT. For captured tables the enricher copies those
// from the table's current definition in information_schema, read once per
// table and again after every DDL on it. A definition whose column count,
// types (or, with FULL metadata, names) no longer match the TABLE_MAP (DDL
// while cdcd was down) is not applied, with a warning: without FULL metadata
// the columns stay "@1", "@2"... rather than being decoded under wrong names.
// A TABLE_MAP equal to the table's previous one gets the previous result
// (no copy per rows event).
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
  struct Entry {
    std::optional<CatalogTable> catalog;  // none: unreadable or dropped
    std::shared_ptr<const TableMapEvent> last_in, last_out;
  };
  Entry& entry(const std::string& database, const std::string& table);
  std::shared_ptr<const TableMapEvent> merge(std::shared_ptr<const TableMapEvent> t,
                                             const CatalogTable& c) const;

  const MySqlSourceOptions& options_;
  bool full_metadata_;
  std::unique_ptr<MySqlConnection> conn_;  // opened on first use
  std::map<std::pair<std::string, std::string>, Entry> cache_;
};

}  // namespace cdc::mysql
