#include "sources/postgres/snapshot.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "sources/postgres/pg_connection.h"
#include "sources/postgres/relation.h"

namespace cdc::pg {
namespace {

using Clock = std::chrono::steady_clock;
using TextRow = std::vector<std::optional<std::string>>;

constexpr std::chrono::milliseconds kEmitWait{200};
constexpr std::chrono::seconds kProgressEvery{5};

// What a worker needs to read one table: the SELECT list, the key and how
// to compare it. Built on the calling thread (the catalog is not shared).
struct TablePlan {
  PgTableInfo info;
  RelationPtr relation;
  std::string from;                  // "ONLY schema.table" or "schema.table" (partitioned)
  std::string select_list;           // quoted column names, schema order
  std::vector<size_t> key_columns;   // indices into the select list
  std::vector<std::string> key_sql;  // quoted key column names
  std::vector<std::string> key_types;
  double estimate = -1;  // pg_class.reltuples; -1 when never analyzed
};

struct Chunk {
  size_t table = 0;
  std::vector<TextRow> rows;
  bool last = false;
  Clock::time_point started;  // when the worker began the table (rates)
};

std::string Join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

// The columns pgoutput sends (generated columns are not), as a Relation
// message, so that snapshot rows get the very schema the stream will use.
TablePlan Plan(PgConnection& conn, const PgTableInfo& t, const std::string& database,
               PgCatalog& catalog, PgTypeMap& types) {
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
  p.relation = BuildRelation(msg, database, 1, catalog, types);
  return p;
}

// Reads tables for RunSnapshot: worker threads, a bounded chunk queue, the
// first error. Destruction stops and joins the workers.
class Readers {
 public:
  Readers(const PostgresSourceOptions& o, const SnapshotRequest& req,
          const std::vector<TablePlan>& plans, std::vector<size_t> todo)
      : o_(o), req_(req), plans_(plans), todo_(std::move(todo)) {
    const size_t n = std::min<size_t>(static_cast<size_t>(o.snapshot_workers), todo_.size());
    running_ = n;
    for (size_t w = 0; w < n; ++w) {
      threads_.emplace_back([this, w](std::stop_token st) { work(w, st); });
    }
  }
  ~Readers() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.request_stop();
    threads_.clear();  // joins
  }

  // The next chunk; nullopt when every worker finished. Rethrows a worker's
  // error.
  std::optional<Chunk> next(std::stop_token stop) {
    std::unique_lock lock(mu_);
    while (true) {
      if (error_) std::rethrow_exception(error_);
      if (!queue_.empty()) {
        Chunk c = std::move(queue_.front());
        queue_.pop_front();
        cv_.notify_all();
        return c;
      }
      if (running_ == 0 || stop.stop_requested()) return std::nullopt;
      cv_.wait_for(lock, kEmitWait);
    }
  }

 private:
  void work(size_t w, std::stop_token st) {
    try {
      PgConnection conn(o_.dsn, PgConnection::Mode::kQuery,
                        req_.context + ": snapshot worker " + std::to_string(w));
      conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "starting a snapshot read");
      conn.exec("SET TRANSACTION SNAPSHOT " + conn.quote_literal(req_.snapshot_name),
                "importing exported snapshot " + req_.snapshot_name);
      while (!st.stop_requested()) {
        const size_t k = next_table_++;
        if (k >= todo_.size()) break;
        read_table(conn, todo_[k], st);
      }
    } catch (...) {
      std::lock_guard lock(mu_);
      if (!error_) error_ = std::current_exception();
    }
    std::lock_guard lock(mu_);
    --running_;
    cv_.notify_all();
  }

  // Blocks while the queue is full; false when closing.
  bool push(Chunk&& c, std::stop_token st) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] {
      return closed_ || st.stop_requested() ||
             queue_.size() < static_cast<size_t>(o_.snapshot_workers) + 1;
    });
    if (closed_ || st.stop_requested()) return false;
    queue_.push_back(std::move(c));
    cv_.notify_all();
    return true;
  }

  static TextRow Texts(const PgResult& r, int row) {
    TextRow out(static_cast<size_t>(r.columns()));
    for (int c = 0; c < r.columns(); ++c) out[static_cast<size_t>(c)] = r.get_opt(row, c);
    return out;
  }

  void read_table(PgConnection& conn, size_t t, std::stop_token st) {
    const TablePlan& p = plans_[t];
    const auto started = Clock::now();
    const auto n = o_.snapshot_chunk_size;
    const std::string what = "reading " + p.info.qualified() + " for the snapshot";
    if (p.key_columns.empty()) {
      // No order to resume in: one cursor over the whole table.
      conn.exec(
          "DECLARE cdcd_snap NO SCROLL CURSOR FOR SELECT " + p.select_list + " FROM " + p.from,
          what);
      while (!st.stop_requested()) {
        PgResult r = conn.exec("FETCH FORWARD " + std::to_string(n) + " FROM cdcd_snap", what);
        Chunk c{t, {}, r.rows() < n, started};
        for (int i = 0; i < r.rows(); ++i) c.rows.push_back(Texts(r, i));
        if (!push(std::move(c), st) || r.rows() < n) break;
      }
      conn.exec("CLOSE cdcd_snap", what);
      return;
    }
    const auto& done = req_.progress.tables;
    auto it = done.find(p.info.qualified());
    std::optional<std::vector<std::string>> last;
    if (it != done.end()) last = it->second.last_key;
    const std::string order = Join(p.key_sql, ", ");
    while (!st.stop_requested()) {
      std::string sql = "SELECT " + p.select_list + " FROM " + p.from;
      std::vector<std::string> params;
      if (last) {
        std::vector<std::string> ph;
        for (size_t i = 0; i < p.key_types.size(); ++i) {
          ph.push_back("$" + std::to_string(i + 1) + "::" + p.key_types[i]);
        }
        sql += " WHERE (" + order + ") > (" + Join(ph, ", ") + ")";
        params = *last;
      }
      sql += " ORDER BY " + order + " LIMIT " + std::to_string(n + 1);
      PgResult r = conn.exec_params(sql, params, what);
      const bool more = r.rows() > n;
      const int take = more ? static_cast<int>(n) : r.rows();
      Chunk c{t, {}, !more, started};
      for (int i = 0; i < take; ++i) c.rows.push_back(Texts(r, i));
      if (take > 0) {
        last.emplace();
        for (size_t k : p.key_columns) last->push_back(*c.rows.back()[k]);
      }
      if (!push(std::move(c), st) || !more) break;
    }
  }

  const PostgresSourceOptions& o_;
  const SnapshotRequest& req_;
  const std::vector<TablePlan>& plans_;
  std::vector<size_t> todo_;
  std::atomic<size_t> next_table_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Chunk> queue_;
  size_t running_ = 0;
  bool closed_ = false;
  std::exception_ptr error_;
  std::vector<std::jthread> threads_;
};

// Progress log lines: per table at most every kProgressEvery, and when done.
class ProgressLog {
 public:
  ProgressLog(std::string context, const std::vector<TablePlan>& plans)
      : context_(std::move(context)), plans_(plans), tables_(plans.size()) {}

  // `rows_total` counts rows of earlier runs too; the rate only this run's.
  void add(const Chunk& c, uint64_t rows_total) {
    Entry& e = tables_[c.table];
    const auto now = Clock::now();
    if (!e.started) e.started = true, e.first_rows = rows_total - c.rows.size();
    if (!c.last && now - e.logged < kProgressEvery) return;
    e.logged = now;
    const double secs = std::chrono::duration<double>(now - c.started).count();
    const double rate = secs > 0 ? static_cast<double>(rows_total - e.first_rows) / secs : 0;
    const double rows = static_cast<double>(rows_total);
    // reltuples is an estimate (-1 before the first ANALYZE or VACUUM).
    const double total = plans_[c.table].estimate;
    std::string pct = "?", eta = "?";
    if (c.last) {
      pct = "100", eta = "done";
    } else if (total > 0) {
      pct = std::to_string(static_cast<int>(std::min(99.0, 100.0 * rows / total)));
      if (rate > 0)
        eta = std::to_string(static_cast<int64_t>(std::max(0.0, total - rows) / rate)) + "s";
    }
    spdlog::info("{}: snapshot {}: {} rows ({}%), {:.0f} rows/s, ETA {}", context_,
                 plans_[c.table].info.qualified(), rows_total, pct, rate, eta);
  }

 private:
  struct Entry {
    bool started = false;
    Clock::time_point logged;
    uint64_t first_rows = 0;
  };
  std::string context_;
  const std::vector<TablePlan>& plans_;
  std::vector<Entry> tables_;
};

}  // namespace

nlohmann::json SnapshotProgress::to_json() const {
  nlohmann::json tables = nlohmann::json::object();
  for (const auto& [name, t] : this->tables) {
    tables[name] = {{"last_key", t.last_key ? nlohmann::json(*t.last_key) : nlohmann::json()},
                    {"rows", t.rows},
                    {"done", t.done}};
  }
  return {{"phase", phase}, {"point", FormatLsn(point)}, {"tables", tables}};
}

SnapshotProgress SnapshotProgress::FromJson(const nlohmann::json& state) {
  try {
    SnapshotProgress p;
    p.phase = state.at("phase").get<std::string>();
    auto lsn = ParseLsn(state.at("point").get<std::string>());
    if (!lsn || (p.phase != "snapshot" && p.phase != "done")) throw Error("bad phase or point");
    p.point = *lsn;
    for (const auto& [name, t] : state.at("tables").items()) {
      Table tab;
      if (!t.at("last_key").is_null())
        tab.last_key = t.at("last_key").get<std::vector<std::string>>();
      tab.rows = t.at("rows").get<uint64_t>();
      tab.done = t.at("done").get<bool>();
      p.tables[name] = std::move(tab);
    }
    return p;
  } catch (const std::exception& e) {
    throw Error("postgres source: offset state " + state.dump() +
                " is not a snapshot progress state: " + e.what());
  }
}

bool IsSnapshotOffset(const Offset& offset) {
  return offset.tx.rfind(kSnapshotTxPrefix, 0) == 0;
}

bool RunSnapshot(const PostgresSourceOptions& options, const SnapshotRequest& req,
                 PgCatalog& catalog, PgTypeMap& types, Emitter& out, std::stop_token stop) {
  PgConnection plan_conn(options.dsn, PgConnection::Mode::kQuery,
                         req.context + ": snapshot planning");
  std::vector<TablePlan> plans;
  std::vector<size_t> todo;
  SnapshotProgress progress = req.progress;
  progress.point = req.point;
  for (const PgTableInfo& t : req.tables) {
    plans.push_back(Plan(plan_conn, t, req.database, catalog, types));
    SnapshotProgress::Table& state = progress.tables[t.qualified()];
    if (state.done) continue;
    if (plans.back().key_columns.empty()) {
      spdlog::warn(
          "{}: table {} has no primary key: the snapshot reads it whole, and a restart "
          "before it is done reads it again from its start (rows emitted before the "
          "restart are then delivered twice)",
          req.context, t.qualified());
      state = {};
    }
    todo.push_back(plans.size() - 1);
  }
  spdlog::info("{}: snapshot at {} of {} tables ({} to read) with {} workers", req.context,
               FormatLsn(req.point), plans.size(), todo.size(), options.snapshot_workers);

  const std::string tx = kSnapshotTxPrefix + FormatLsn(req.point);
  const int64_t snapshot_ts = NowMicros();
  uint64_t index = 0;
  bool first_event = true;
  std::vector<bool> table_started(plans.size(), false);
  std::optional<ChangeEvent> pending;  // held back to mark the very last one
  ProgressLog log(req.context, plans);

  auto emit = [&](ChangeEvent& ev) {
    while (true) {
      Emitter::Result r = out.try_emit_for(ev, kEmitWait);
      if (r == Emitter::Result::kEmitted) return true;
      if (r == Emitter::Result::kStopping || stop.stop_requested()) return false;
    }
  };

  Readers readers(options, req, plans, todo);
  while (std::optional<Chunk> chunk = readers.next(stop)) {
    const TablePlan& p = plans[chunk->table];
    SnapshotProgress::Table& state = progress.tables[p.info.qualified()];
    for (size_t i = 0; i < chunk->rows.size(); ++i) {
      TextRow& text = chunk->rows[i];
      Tuple tuple(text.size());
      for (size_t c = 0; c < text.size(); ++c) {
        if (text[c]) tuple[c] = {TupleValue::Kind::kText, std::move(*text[c])};
      }
      std::vector<std::string> unchanged;
      ChangeEvent ev;
      ev.op = Op::kRead;
      ev.id = tx + ":" + std::to_string(index);
      ev.source.connector = "postgresql";
      ev.source.server_name = options.pipeline;
      ev.source.table = p.relation->schema->id();
      ev.source.commit_ts_us = snapshot_ts;
      ev.source.snapshot = first_event                    ? SnapshotMark::kFirst
                           : !table_started[chunk->table] ? SnapshotMark::kFirstInTable
                           : chunk->last && i + 1 == chunk->rows.size() ? SnapshotMark::kLastInTable
                                                                        : SnapshotMark::kTrue;
      first_event = false;
      table_started[chunk->table] = true;
      ev.source.fields = {
          {"txId", ColumnType::kInt64, Value::Null()},
          {"lsn", ColumnType::kInt64, Value(static_cast<int64_t>(req.point))},
          {"xmin", ColumnType::kInt64, Value::Null()},
          {"unchanged_toast", ColumnType::kString, Value::Null()},
      };
      ev.schema = p.relation->schema;
      ev.after = p.relation->DecodeNew(tuple, nullptr, std::nullopt, unchanged);
      ev.capture_ts_us = NowMicros();
      ++state.rows;
      if (!p.key_columns.empty()) {
        state.last_key.emplace();
        for (size_t k : p.key_columns) state.last_key->push_back(tuple[k].data);
      }
      state.done = chunk->last && i + 1 == chunk->rows.size();
      ++index;
      ev.next = Offset{tx, index, progress.to_json()};
      if (pending && !emit(*pending)) return false;
      pending = std::move(ev);
    }
    if (chunk->last) state.done = true;
    log.add(*chunk, state.rows);
  }
  if (stop.stop_requested()) return false;
  if (pending) {
    pending->source.snapshot = SnapshotMark::kLast;
    if (req.finish_done) {
      progress.phase = "done";
      pending->next = Offset{tx, index, progress.to_json()};
    } else {
      pending->next = req.final_offset;
    }
    if (!emit(*pending)) return false;
  }
  spdlog::info("{}: snapshot at {} complete: {} rows", req.context, FormatLsn(req.point), index);
  return true;
}

}  // namespace cdc::pg
