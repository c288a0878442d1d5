#include "sources/postgres/snapshot.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "cdc/error.h"
#include "cdc/snapshot_mode.h"
#include "sources/postgres/pg_connection.h"
#include "sources/postgres/relation.h"
#include "sources/postgres/source_fields.h"

namespace cdc::pg {
namespace {

// What a worker needs to read one table: the SELECT list, the key and how
// to compare it. Built on the calling thread (the catalog is not shared);
// read-only once the workers run.
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

using TablePlans = std::map<std::string, TablePlan>;  // by qualified name

// The planner's row count for `from` (it guesses from the table's size when
// the table was never analyzed, where pg_class.reltuples says -1); -1 when
// the plan does not say. Only for progress, so a failure is not fatal.
double PlannerRowEstimate(PgConnection& conn, const std::string& from) {
  try {
    PgResult r = conn.exec("EXPLAIN (FORMAT JSON) SELECT 1 FROM " + from, "estimating " + from);
    const nlohmann::json plan = nlohmann::json::parse(r.get(0, 0));
    return plan.at(0).at("Plan").at("Plan Rows").get<double>();
  } catch (const std::exception& e) {
    spdlog::debug("no row estimate for {}: {}", from, e.what());
    return -1;
  }
}

std::string Join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

// The columns pgoutput sends (generated columns are not), as a Relation
// message, so that snapshot rows get the very schema the stream will use.
// The order key is the primary key, or the configured key_columns.
TablePlan Plan(PgConnection& conn, const PgTableInfo& t, const std::string& database,
               PgCatalog& catalog, PgTypeMap& types, const PostgresSourceOptions& options) {
  TablePlan p;
  p.info = t;
  PgResult cols = conn.exec_params(
      "SELECT a.attname, a.atttypid, a.atttypmod, "
      // int2vector subscripts start at 0: the ordinality is the 1-based key position.
      "coalesce((SELECT k.n FROM unnest(i.indkey) WITH ORDINALITY k(att, n) "
      "WHERE k.att = a.attnum), 0), "
      "format_type(a.atttypid, a.atttypmod), c.relkind, c.reltuples "
      "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
      "LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary "
      "WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' "
      "ORDER BY a.attnum",
      {std::to_string(t.oid)}, "reading the columns of " + t.qualified() + " for the snapshot");
  if (cols.rows() == 0) throw Error("snapshot: table " + t.qualified() + " has no columns");
  RelationMsg msg;
  msg.oid = t.oid;
  msg.nspname = t.schema;
  msg.relname = t.name;
  msg.replica_identity = t.replica_identity;
  std::vector<std::string> names;
  std::map<int, size_t> key_by_position;
  for (int r = 0; r < cols.rows(); ++r) {
    RelationColumn c;
    c.name = cols.get(r, 0);
    c.type_oid = static_cast<uint32_t>(std::stoul(cols.get(r, 1)));
    c.type_modifier = std::stoi(cols.get(r, 2));
    int key_pos = std::stoi(cols.get(r, 3));
    c.key = key_pos > 0;
    if (key_pos > 0) key_by_position[key_pos] = static_cast<size_t>(r);
    names.push_back(conn.quote_ident(c.name));
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
    p.key_types.push_back(cols.get(static_cast<int>(idx), 4));
  }
  const std::string qualified = conn.quote_ident(t.schema) + "." + conn.quote_ident(t.name);
  // ONLY: an inheritance child is published (and read) on its own; a
  // partitioned table has no rows of its own, so its partitions are read.
  p.from = cols.get(0, 5) == "p" ? qualified : "ONLY " + qualified;
  p.select_list = Join(names, ", ");
  p.estimate = std::stod(cols.get(0, 6));
  if (p.estimate < 0) p.estimate = PlannerRowEstimate(conn, p.from);
  p.relation = BuildRelation(msg, database, 1, catalog, types);
  return p;
}

// A chunk's query: rows after $1.. (when `after`) in key order, matching
// `filter`, one more than `limit` (to tell whether more follow).
std::string ChunkSql(const TablePlan& p, bool after, int64_t limit, const std::string& filter) {
  const std::string order = Join(p.key_sql, ", ");
  std::vector<std::string> conds;
  if (after) {
    std::vector<std::string> ph;
    for (size_t i = 0; i < p.key_types.size(); ++i) {
      ph.push_back("$" + std::to_string(i + 1) + "::" + p.key_types[i]);
    }
    conds.push_back("(" + order + ") > (" + Join(ph, ", ") + ")");
  }
  if (!filter.empty()) conds.push_back("(" + filter + ")");
  return "SELECT " + p.select_list + " FROM " + p.from +
         (conds.empty() ? "" : " WHERE " + Join(conds, " AND ")) + " ORDER BY " + order +
         " LIMIT " + std::to_string(limit + 1);
}

SnapshotChunk ChunkOf(const TablePlan& p, const PgResult& r, int64_t limit);

// One result row as the engine's row: decoded with the table's (immutable)
// Relation, plus the text of its key columns. Runs on a worker thread.
SnapshotRow ToRow(const TablePlan& p, const PgResult& r, int row) {
  Tuple tuple(static_cast<size_t>(r.columns()));
  for (int c = 0; c < r.columns(); ++c) {
    if (r.is_null(row, c)) continue;
    tuple[static_cast<size_t>(c)] = {TupleValue::Kind::kText, r.get(row, c)};
  }
  SnapshotRow out;
  for (size_t k : p.key_columns) out.key.push_back(tuple[k].data);
  std::vector<std::string> unchanged;  // a snapshot row has no unchanged TOAST
  out.after = p.relation->DecodeNew(tuple, nullptr, unchanged);
  return out;
}

SnapshotChunk ChunkOf(const TablePlan& p, const PgResult& r, int64_t limit) {
  SnapshotChunk c;
  c.last = r.rows() <= limit;
  const int take = c.last ? r.rows() : static_cast<int>(limit);
  for (int i = 0; i < take; ++i) c.rows.push_back(ToRow(p, r, i));
  return c;
}

// Starts a read-only transaction on `conn` that sees exactly the exported
// snapshot `name`.
void BeginInSnapshot(PgConnection& conn, const std::string& name) {
  conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "starting a snapshot read");
  conn.exec("SET TRANSACTION SNAPSHOT " + conn.quote_literal(name),
            "importing exported snapshot " + name);
}

// A worker's connection inside the exported snapshot. Made on the worker's
// thread and used only there.
class PgChunkReader : public TableChunkReader {
 public:
  PgChunkReader(const PostgresSourceOptions& o, const std::string& context,
                const std::string& snapshot_name, size_t worker, const TablePlans& plans)
      : conn_(o.dsn, PgConnection::Mode::kQuery,
              context + ": snapshot worker " + std::to_string(worker)),
        plans_(plans) {
    BeginInSnapshot(conn_, snapshot_name);
  }

  SnapshotChunk read(const SnapshotTable& t, const std::optional<std::vector<std::string>>& after,
                     int64_t limit) override {
    const TablePlan& p = plans_.at(t.name);
    PgResult r = conn_.exec_params(ChunkSql(p, after.has_value(), limit, ""),
                                   after.value_or(std::vector<std::string>{}), What(p));
    return ChunkOf(p, r, limit);
  }

  // No order to resume in: one cursor over the whole table.
  void read_whole(const SnapshotTable& t, int64_t limit,
                  const std::function<bool(SnapshotChunk&&)>& push) override {
    const TablePlan& p = plans_.at(t.name);
    conn_.exec("DECLARE cdcd_snap NO SCROLL CURSOR FOR SELECT " + p.select_list + " FROM " + p.from,
               What(p));
    while (true) {
      PgResult r =
          conn_.exec("FETCH FORWARD " + std::to_string(limit) + " FROM cdcd_snap", What(p));
      SnapshotChunk c;
      c.last = r.rows() < limit;
      for (int i = 0; i < r.rows(); ++i) c.rows.push_back(ToRow(p, r, i));
      if (!push(std::move(c)) || r.rows() < limit) break;
    }
    conn_.exec("CLOSE cdcd_snap", What(p));
  }

 private:
  static std::string What(const TablePlan& p) {
    return "reading " + p.info.qualified() + " for the snapshot";
  }

  PgConnection conn_;
  const TablePlans& plans_;
};

}  // namespace

SnapshotProgress ParseSnapshotProgress(const nlohmann::json& state) {
  SnapshotProgress p = SnapshotProgress::FromJson(state);
  SnapshotPoint(p);
  return p;
}

Lsn SnapshotPoint(const SnapshotProgress& progress) {
  std::optional<Lsn> lsn;
  if (progress.point.is_string()) lsn = ParseLsn(progress.point.get<std::string>());
  if (!lsn) {
    throw Error("postgres source: snapshot progress point " + progress.point.dump() +
                " is not an LSN (\"X/X\")");
  }
  return *lsn;
}

// The snapshot's transaction id, as Debezium's source.txId of snapshot rows:
// the first transaction id the exported snapshot does not see (its xmax),
// which is the id a transaction begun at the snapshot would have been
// given. Read inside the snapshot; nothing is assigned or written.
int64_t PgSnapshotPoint::SnapshotTxId(PgConnection& conn) const {
  BeginInSnapshot(conn, snapshot_name_);
  PgResult r = conn.exec("SELECT txid_snapshot_xmax(txid_current_snapshot())",
                         "reading the snapshot's xmax");
  conn.exec("COMMIT", "reading the snapshot's xmax");
  return std::stoll(r.get(0, 0));
}

struct PgSnapshotPoint::Plans {
  TablePlans by_name;
};

PgSnapshotPoint::PgSnapshotPoint(const PostgresSourceOptions& options, std::string context,
                                 std::string database, std::vector<PgTableInfo> tables,
                                 PgCatalog& catalog, PgTypeMap& types)
    : options_(options),
      context_(std::move(context)),
      database_(std::move(database)),
      tables_(std::move(tables)),
      catalog_(catalog),
      types_(types) {
  slot_conn_ = std::make_unique<PgConnection>(options.dsn, PgConnection::Mode::kReplication,
                                              context_ + ": snapshot slot connection");
  const std::string name =
      options.slot.substr(0, 40) + "_snap_" + std::to_string(static_cast<long>(getpid()));
  PgResult c = slot_conn_->exec("CREATE_REPLICATION_SLOT " + slot_conn_->quote_ident(name) +
                                    " TEMPORARY LOGICAL pgoutput EXPORT_SNAPSHOT",
                                "creating temporary slot " + name + " for the snapshot");
  point_ = ParseLsn(c.get(0, 1)).value_or(0);
  snapshot_name_ = c.get(0, 2);
}

PgSnapshotPoint::~PgSnapshotPoint() = default;

SnapshotRequest PgSnapshotPoint::request() {
  SnapshotRequest req;
  req.context = context_;
  req.point_label = FormatLsn(point_);
  req.connector = "postgresql";
  req.server_name = options_.pipeline;
  req.workers = options_.snapshot.workers;
  req.chunk_size = options_.snapshot.chunk_size;
  req.reread_keyless = options_.snapshot.reread_keyless;
  plans_ = std::make_unique<Plans>();
  PgConnection plan_conn(options_.dsn, PgConnection::Mode::kQuery,
                         context_ + ": snapshot planning");
  req.source_fields = PgSourceFields(Value(SnapshotTxId(plan_conn)), point_, Value::Null());
  req.sequence = SourceSequence{std::nullopt, point_};
  for (const PgTableInfo& t : tables_) {
    TablePlan p = Plan(plan_conn, t, database_, catalog_, types_, options_);
    req.tables.push_back(
        {t.qualified(), p.relation->schema, !p.key_columns.empty(), p.estimate, p.key_columns});
    plans_->by_name.emplace(t.qualified(), std::move(p));
  }
  return req;
}

std::unique_ptr<TableChunkReader> PgSnapshotPoint::reader(size_t worker) {
  if (!plans_) throw Error(context_ + ": snapshot reader before request()");
  return std::make_unique<PgChunkReader>(options_, context_, snapshot_name_, worker,
                                         plans_->by_name);
}

namespace {

// "schema.table" split; a name without a schema is in "public".
std::pair<std::string, std::string> SplitName(const std::string& name) {
  auto dot = name.find('.');
  if (dot == std::string::npos) return {"public", name};
  return {name.substr(0, dot), name.substr(dot + 1)};
}

// Plain reads (each its own statement, READ COMMITTED) and signal writes on
// a connection of its own, with a catalog of its own for the Relations.
class PgIncrementalReader : public IncrementalReader {
 public:
  PgIncrementalReader(const PostgresSourceOptions& o, const std::string& context,
                      const std::string& signal_table)
      : options_(o),
        conn_(o.dsn, PgConnection::Mode::kQuery, context + ": incremental snapshot connection"),
        catalog_(conn_),
        types_(catalog_, [context](const std::string& m) { spdlog::warn("{}: {}", context, m); }),
        signal_(SplitName(signal_table)) {
    database_ = conn_.exec("SELECT current_database()", "reading database name").get(0, 0);
  }

  std::optional<SnapshotTable> describe(const std::string& name) override {
    const auto [schema, table] = SplitName(name);
    if (std::pair(schema, table) == signal_) return std::nullopt;
    PgResult r = conn_.exec_params(
        "SELECT c.oid, c.relreplident, "
        "EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary), "
        "EXISTS (SELECT 1 FROM pg_publication p WHERE p.pubname = $3 AND (p.puballtables OR "
        "EXISTS (SELECT 1 FROM pg_publication_rel pr WHERE pr.prpubid = p.oid "
        "AND pr.prrelid = c.oid))) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')",
        {schema, table, options_.publication}, "looking up table " + name);
    if (r.rows() == 0 || r.get(0, 3) != "t") return std::nullopt;
    PgTableInfo info;
    info.schema = schema;
    info.name = table;
    info.oid = static_cast<uint32_t>(std::stoul(r.get(0, 0)));
    info.replica_identity = r.get(0, 1).empty() ? 'd' : r.get(0, 1)[0];
    info.has_primary_key = r.get(0, 2) == "t";
    TablePlan p = Plan(conn_, info, database_, catalog_, types_, options_);
    SnapshotTable out{info.qualified(), p.relation->schema, !p.key_columns.empty(), p.estimate,
                      p.key_columns};
    plans_.insert_or_assign(info.qualified(), std::move(p));
    return out;
  }

  SnapshotChunk read(const SnapshotTable& t, const std::optional<std::vector<std::string>>& after,
                     int64_t limit, const std::string& filter) override {
    const TablePlan& p = plans_.at(t.name);
    PgResult r = conn_.exec_params(ChunkSql(p, after.has_value(), limit, filter),
                                   after.value_or(std::vector<std::string>{}),
                                   "reading a chunk of " + t.name + " for an incremental snapshot");
    return ChunkOf(p, r, limit);
  }

  void write_signals(const std::vector<SignalRow>& rows) override {
    const std::string table =
        conn_.quote_ident(signal_.first) + "." + conn_.quote_ident(signal_.second);
    conn_.exec("BEGIN", "writing signals");
    for (const SignalRow& row : rows) {
      conn_.exec_params("INSERT INTO " + table +
                            " (id, type, data) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE "
                            "SET type = EXCLUDED.type, data = EXCLUDED.data",
                        {row.id, row.type, row.data}, "writing signal " + row.id);
    }
    conn_.exec("COMMIT", "writing signals");
  }

  std::optional<std::string> read_signal(const std::string& id) override {
    PgResult r = conn_.exec_params("SELECT data FROM " + conn_.quote_ident(signal_.first) + "." +
                                       conn_.quote_ident(signal_.second) + " WHERE id = $1",
                                   {id}, "reading signal " + id);
    if (r.rows() == 0) return std::nullopt;
    return r.get(0, 0);
  }

 private:
  const PostgresSourceOptions& options_;
  PgConnection conn_;
  PgCatalog catalog_;
  PgTypeMap types_;
  std::pair<std::string, std::string> signal_;
  std::string database_;
  TablePlans plans_;
};

}  // namespace

std::unique_ptr<IncrementalReader> MakeIncrementalReader(const PostgresSourceOptions& options,
                                                         const std::string& context,
                                                         const std::string& signal_table) {
  return std::make_unique<PgIncrementalReader>(options, context, signal_table);
}

}  // namespace cdc::pg
