#include "sources/mysql/table_map_enricher.h"

#include <spdlog/spdlog.h>

#include "sources/mysql/ddl_statement.h"
#include "sources/mysql/mysql_schema.h"

namespace cdc::mysql {

TableMapEnricher::TableMapEnricher(const MySqlSourceOptions& options, bool full_metadata)
    : options_(options), full_metadata_(full_metadata) {}

TableMapEnricher::~TableMapEnricher() = default;

TableMapEnricher::Entry& TableMapEnricher::entry(const std::string& db, const std::string& table) {
  auto key = std::make_pair(db, table);
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second;
  if (!conn_) {
    conn_ = std::make_unique<MySqlConnection>(options_.connect,
                                              options_.context() + ": catalog connection");
  }
  Entry e;
  try {
    e.catalog = ReadCatalogTable(*conn_, db, table);
  } catch (const TransientError&) {
    conn_.reset();  // reconnect next time; the pipeline retries this one
    throw;
  } catch (const Error& ex) {
    spdlog::warn("{}: {}", options_.context(), ex.what());
  }
  return cache_.emplace(key, std::move(e)).first->second;
}

std::shared_ptr<const TableMapEvent> TableMapEnricher::enrich(
    std::shared_ptr<const TableMapEvent> t) {
  if (!TableStreamed(options_, t->database, t->table)) return t;
  Entry& e = entry(t->database, t->table);
  if (!e.catalog) return t;
  if (e.last_in && *e.last_in == *t) return e.last_out;
  e.last_out = merge(t, *e.catalog);
  e.last_in = std::move(t);
  return e.last_out;
}

std::shared_ptr<const TableMapEvent> TableMapEnricher::merge(std::shared_ptr<const TableMapEvent> t,
                                                             const CatalogTable& c) const {
  const bool full = full_metadata_ && t->has_optional_metadata;
  const std::string where = t->database + "." + t->table;
  const char* consequence =
      full ? "UUID, INET4, INET6 and FLOAT(M,D) columns are read as their binlog types"
           : "its columns are named @1, @2...";
  if (c.columns.size() != t->columns.size()) {
    spdlog::warn(
        "{}: {} has {} columns in the binlog but {} in information_schema (DDL since this "
        "event was written): {}",
        options_.context(), where, t->columns.size(), c.columns.size(), consequence);
    return t;
  }
  auto out = std::make_shared<TableMapEvent>(*t);
  for (size_t i = 0; i < out->columns.size(); ++i) {
    TableMapColumn& col = out->columns[i];
    const TableMapColumn from = ToTableMapColumn(c.columns[i]);
    if (!from.unknown_type.empty()) continue;  // decoded as its binlog type says
    if (from.real_type != col.real_type || (full && from.name != col.name)) {
      spdlog::warn(
          "{}: {} column {} is {} {} in the binlog but {} {} in information_schema (DDL "
          "since this event was written): {}",
          options_.context(), where, i + 1, col.name, int{col.real_type}, from.name,
          int{from.real_type}, consequence);
      return t;
    }
    if (!full) {
      col.name = from.name;
      col.is_unsigned = from.is_unsigned;
      col.collation = from.collation;
      col.enum_values = from.enum_values;
      col.geometry_type = from.geometry_type;
    }
    col.mariadb_type = from.mariadb_type;
    col.default_literal = from.default_literal;
    col.default_now = from.default_now;
    col.float_scale = from.float_scale;
    if (from.float_scale) col.precision = from.precision;
  }
  if (!full) out->primary_key = c.primary_key;
  if (*out == *t) return t;
  return out;
}

void TableMapEnricher::on_query(const QueryEvent& q) {
  if (cache_.empty() || ClassifyQuery(q.query) != QueryKind::kDdl) return;
  for (const auto& [db, table] : ParseDdl(q.query, q.database).tables) {
    cache_.erase({db, table});
  }
}

TableSchemaPtr TableMapEnricher::lookup(const std::string& db, const std::string& table) {
  const Entry& e = entry(db, table);
  if (!e.catalog) return nullptr;
  TableMapEvent t = ToTableMap(*e.catalog);
  t.database = db;
  t.table = table;
  SchemaTracker fresh;
  return fresh.update(t);
}

}  // namespace cdc::mysql
