#include "sources/mysql/table_map_enricher.h"

#include <spdlog/spdlog.h>

#include "sources/mysql/ddl_statement.h"
#include "sources/mysql/mysql_schema.h"

namespace cdc::mysql {

TableMapEnricher::TableMapEnricher(const MySqlSourceOptions& options, bool full_metadata)
    : options_(options), full_metadata_(full_metadata) {}

TableMapEnricher::~TableMapEnricher() = default;

const CatalogTable* TableMapEnricher::catalog(const std::string& db, const std::string& table) {
  auto key = std::make_pair(db, table);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    if (!conn_) {
      conn_ = std::make_unique<MySqlConnection>(options_.connect,
                                                options_.context() + ": catalog connection");
    }
    std::optional<CatalogTable> t;
    try {
      t = ReadCatalogTable(*conn_, db, table);
    } catch (const TransientError&) {
      conn_.reset();  // reconnect next time; the pipeline retries this one
      throw;
    } catch (const Error& e) {
      spdlog::warn("{}: {}", options_.context(), e.what());
    }
    it = cache_.emplace(key, std::move(t)).first;
  }
  return it->second ? &*it->second : nullptr;
}

std::shared_ptr<const TableMapEvent> TableMapEnricher::enrich(
    std::shared_ptr<const TableMapEvent> t) {
  if (full_metadata_ && t->has_optional_metadata) return t;
  if (!TableStreamed(options_, t->database, t->table)) return t;
  const CatalogTable* c = catalog(t->database, t->table);
  if (!c) return t;
  const std::string where = t->database + "." + t->table;
  if (c->columns.size() != t->columns.size()) {
    spdlog::warn(
        "{}: {} has {} columns in the binlog but {} in information_schema (DDL since "
        "this event was written): its columns are named @1, @2...",
        options_.context(), where, t->columns.size(), c->columns.size());
    return t;
  }
  auto out = std::make_shared<TableMapEvent>(*t);
  for (size_t i = 0; i < out->columns.size(); ++i) {
    TableMapColumn& col = out->columns[i];
    TableMapColumn from;
    try {
      from = ToTableMapColumn(c->columns[i]);
    } catch (const Error& e) {
      spdlog::warn("{}: {}: {}", options_.context(), where, e.what());
      continue;
    }
    if (from.real_type != col.real_type) {
      spdlog::warn(
          "{}: {} column {} is type {} in the binlog but {} in information_schema (DDL "
          "since this event was written): its columns are named @1, @2...",
          options_.context(), where, i + 1, int{col.real_type}, int{from.real_type});
      return t;
    }
    col.name = from.name;
    col.is_unsigned = from.is_unsigned;
    col.collation = from.collation;
    col.enum_values = from.enum_values;
  }
  out->primary_key = c->primary_key;
  return out;
}

void TableMapEnricher::on_query(const QueryEvent& q) {
  if (cache_.empty() || ClassifyQuery(q.query) != QueryKind::kDdl) return;
  for (const auto& [db, table] : ParseDdl(q.query, q.database).tables) {
    cache_.erase({db, table});
  }
}

TableSchemaPtr TableMapEnricher::lookup(const std::string& db, const std::string& table) {
  const CatalogTable* c = catalog(db, table);
  if (!c) return nullptr;
  try {
    TableMapEvent t = ToTableMap(*c);
    t.database = db;
    t.table = table;
    SchemaTracker fresh;
    return fresh.update(t);
  } catch (const Error& e) {
    spdlog::warn("{}: {}.{}: {}", options_.context(), db, table, e.what());
    return nullptr;
  }
}

}  // namespace cdc::mysql
