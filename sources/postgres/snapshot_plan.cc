#include "sources/postgres/snapshot_plan.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "cdc/error.h"
#include "cdc/snapshot_mode.h"

namespace cdc::pg {
namespace {

// Result columns of ColumnsSql.
enum Col {
  kRelid,
  kName,
  kTypeOid,
  kTypmod,
  kKeyPos,
  kTypeText,
  kRelkind,
  kReltuples,
  kNotNull,
  kDefault
};

constexpr const char* kColumnsSql =
    "SELECT a.attrelid, a.attname, a.atttypid, a.atttypmod, "
    // int2vector subscripts start at 0: the ordinality is the 1-based key position.
    "coalesce((SELECT k.n FROM unnest(i.indkey) WITH ORDINALITY k(att, n) "
    "WHERE k.att = a.attnum), 0), "
    "format_type(a.atttypid, a.atttypmod), c.relkind, c.reltuples, a.attnotnull, "
    "pg_get_expr(d.adbin, d.adrelid) "
    "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
    "LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary "
    "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
    "WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped "
    "AND a.attgenerated = '' "
    "ORDER BY a.attrelid, a.attnum";

// The plan of `t` from its rows [first, end) of the columns query.
TablePlan PlanOne(PgConnection& conn, const PgTableInfo& t, const PgResult& cols, int first,
                  int end, const std::string& database, PgTypeMap& types,
                  const PostgresSourceOptions& options) {
  if (first == end) throw Error("snapshot: table " + t.qualified() + " has no columns");
  TablePlan p;
  p.info = t;
  RelationMsg msg;
  msg.oid = t.oid;
  msg.nspname = t.schema;
  msg.relname = t.name;
  msg.replica_identity = t.replica_identity;
  std::vector<std::string> names;
  std::map<int, size_t> key_by_position;
  std::vector<PgColumnDetail> details;
  for (int r = first; r < end; ++r) {
    details.push_back({cols.get(r, kTypeText), cols.get(r, kNotNull) == "t",
                       std::stoi(cols.get(r, kKeyPos)), cols.get_opt(r, kDefault)});
    RelationColumn c;
    c.name = cols.get(r, kName);
    c.type_oid = static_cast<uint32_t>(std::stoul(cols.get(r, kTypeOid)));
    c.type_modifier = std::stoi(cols.get(r, kTypmod));
    const int key_pos = std::stoi(cols.get(r, kKeyPos));
    c.key = key_pos > 0;
    if (key_pos > 0) key_by_position[key_pos] = static_cast<size_t>(r - first);
    names.push_back(conn.quote_ident(c.name));
    p.select_list += (r > first ? ", " : "") + names.back();
    msg.columns.push_back(std::move(c));
  }
  if (const auto* configured = KeyColumnsFor(options.snapshot.key_columns, t.qualified())) {
    key_by_position.clear();
    for (const std::string& name : *configured) {
      auto it = std::find_if(msg.columns.begin(), msg.columns.end(),
                             [&](const RelationColumn& c) { return c.name == name; });
      if (it == msg.columns.end()) {
        throw Error("snapshot key_columns of " + t.qualified() + " name column " + name +
                    ", which the table does not have");
      }
      key_by_position[static_cast<int>(key_by_position.size()) + 1] =
          static_cast<size_t>(it - msg.columns.begin());
    }
  }
  for (const auto& [pos, idx] : key_by_position) {
    p.key_columns.push_back(idx);
    p.key_sql.push_back(names[idx]);
    p.key_types.push_back(cols.get(first + static_cast<int>(idx), kTypeText));
  }
  const std::string qualified = conn.quote_ident(t.schema) + "." + conn.quote_ident(t.name);
  // ONLY: an inheritance child is published (and read) on its own; a
  // partitioned table has no rows of its own, so its partitions are read.
  p.from = cols.get(first, kRelkind) == "p" ? qualified : "ONLY " + qualified;
  p.estimate = std::stod(cols.get(first, kReltuples));
  p.relation = BuildRelation(msg, database, 1, details, types);
  return p;
}

// The planner's row counts (it guesses from a table's size when the table
// was never analyzed, where pg_class.reltuples says -1) for `plans`, from
// one EXPLAIN of all of them UNION ALL'ed: its Append node has one scan per
// table, named by schema and relation (a partitioned table's scans are its
// partitions': such a table is estimated alone). Only for progress, so a
// failure or a table missing from the plan leaves its estimate unknown (-1).
void EstimateRows(PgConnection& conn, const std::vector<TablePlan*>& plans) {
  if (plans.empty()) return;
  std::string sql = "EXPLAIN (FORMAT JSON, VERBOSE) ";
  for (size_t i = 0; i < plans.size(); ++i) {
    sql += (i ? " UNION ALL SELECT 1 FROM " : "SELECT 1 FROM ") + plans[i]->from;
  }
  try {
    PgResult r = conn.exec(
        sql, "estimating the rows of " + std::to_string(plans.size()) + " tables never analyzed");
    const nlohmann::json top = nlohmann::json::parse(r.get(0, 0)).at(0).at("Plan");
    if (plans.size() == 1) {  // no Append of ours (a partitioned table's is its partitions')
      plans[0]->estimate = top.at("Plan Rows").get<double>();
      return;
    }
    std::map<std::pair<std::string, std::string>, double> rows;
    for (const nlohmann::json& scan : top.value("Plans", nlohmann::json::array())) {
      if (scan.contains("Schema") && scan.contains("Relation Name")) {
        rows[{scan["Schema"].get<std::string>(), scan["Relation Name"].get<std::string>()}] =
            scan.at("Plan Rows").get<double>();
      }
    }
    for (TablePlan* p : plans) {
      auto it = rows.find({p->info.schema, p->info.name});
      if (it != rows.end()) p->estimate = it->second;
    }
  } catch (const std::exception& e) {
    spdlog::debug("no row estimates for {} tables: {}", plans.size(), e.what());
  }
}

}  // namespace

std::vector<TablePlan> PlanTables(PgConnection& conn, const std::vector<PgTableInfo>& tables,
                                  const std::string& database, PgTypeMap& types,
                                  const PostgresSourceOptions& options) {
  std::vector<TablePlan> plans;
  plans.reserve(tables.size());
  for (size_t from = 0; from < tables.size(); from += kPlanBatch) {
    const size_t to = std::min(tables.size(), from + kPlanBatch);
    std::vector<std::string> oids;
    for (size_t i = from; i < to; ++i) oids.push_back(std::to_string(tables[i].oid));
    PgResult cols = conn.exec_params(
        kColumnsSql, {TextArrayLiteral(oids)},
        "reading the columns of " + std::to_string(to - from) + " tables for the snapshot");
    // Rows come by table oid: find each table's run.
    std::map<uint32_t, std::pair<int, int>> runs;
    for (int r = 0; r < cols.rows();) {
      const uint32_t oid = static_cast<uint32_t>(std::stoul(cols.get(r, kRelid)));
      int end = r + 1;
      while (end < cols.rows() && cols.get(end, kRelid) == cols.get(r, kRelid)) ++end;
      runs[oid] = {r, end};
      r = end;
    }
    std::vector<TablePlan*> unknown, partitioned;
    for (size_t i = from; i < to; ++i) {
      auto run = runs.find(tables[i].oid);
      const auto [first, end] = run == runs.end() ? std::pair(0, 0) : run->second;
      plans.push_back(PlanOne(conn, tables[i], cols, first, end, database, types, options));
      TablePlan& p = plans.back();
      if (p.estimate < 0) (p.from.starts_with("ONLY ") ? unknown : partitioned).push_back(&p);
    }
    EstimateRows(conn, unknown);
    for (TablePlan* p : partitioned) EstimateRows(conn, {p});
  }
  return plans;
}

}  // namespace cdc::pg
