// TablePlan: what a snapshot reader needs to read one table in key order:
// the SELECT list, the key and its types, the Relation the stream would
// send for the table, and a row estimate for progress.
//
// PlanTables plans many tables with one catalog query per kPlanBatch tables
// (columns, keys, types, defaults: what a Relation needs)
// (and, for tables never analyzed, one EXPLAIN per batch), not one or two
// round trips per table: 5,000 captured tables are planned in well under a
// second. Plans are built on the calling thread (a PgTypeMap is not shared)
// and are read-only once the workers run.
#pragma once

#include <string>
#include <vector>

#include "sources/postgres/pg_catalog.h"
#include "sources/postgres/pg_connection.h"
#include "sources/postgres/pg_type_map.h"
#include "sources/postgres/postgres_options.h"
#include "sources/postgres/relation.h"

namespace cdc::pg {

struct TablePlan {
  PgTableInfo info;
  RelationPtr relation;
  std::string from;                  // "ONLY schema.table" or "schema.table" (partitioned)
  std::string select_list;           // quoted column names, schema order
  std::vector<size_t> key_columns;   // indices into the select list
  std::vector<std::string> key_sql;  // quoted key column names
  std::vector<std::string> key_types;
  double estimate = -1;  // pg_class.reltuples, else the planner's guess; -1: unknown
};

inline constexpr size_t kPlanBatch = 500;

// One plan per table of `tables`, in that order. The columns are those
// pgoutput sends (generated columns are not); the order key is the primary
// key or the configured key_columns. Throws Error naming the table when it
// has no columns or a configured key column it lacks.
std::vector<TablePlan> PlanTables(PgConnection& conn, const std::vector<PgTableInfo>& tables,
                                  const std::string& database, PgTypeMap& types,
                                  const PostgresSourceOptions& options);

}  // namespace cdc::pg
