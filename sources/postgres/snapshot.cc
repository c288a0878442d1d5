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
#include "sources/postgres/snapshot_plan.h"
#include "sources/postgres/source_fields.h"

namespace cdc::pg {
namespace {

using TablePlans = std::map<std::string, TablePlan>;  // by qualified name

std::string Join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
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
                                 PgTypeMap& types)
    : options_(options),
      context_(std::move(context)),
      database_(std::move(database)),
      tables_(std::move(tables)),
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
  for (TablePlan& p : PlanTables(plan_conn, tables_, database_, types_, options_)) {
    req.tables.push_back({p.info.qualified(), p.relation->schema, !p.key_columns.empty(),
                          p.estimate, p.key_columns});
    plans_->by_name.emplace(p.info.qualified(), std::move(p));
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
    TablePlan p = std::move(PlanTables(conn_, {info}, database_, types_, options_)[0]);
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
