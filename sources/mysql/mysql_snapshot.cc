#include "sources/mysql/mysql_snapshot.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "cdc/error.h"
#include "cdc/snapshot_mode.h"
#include "sources/mysql/column_types.h"
#include "sources/mysql/mysql_schema.h"
#include "sources/mysql/mysql_source_fields.h"
#include "sources/mysql/mysql_text_value.h"

namespace cdc::mysql {
namespace {

using TextRow = std::vector<std::optional<std::string>>;

// What a worker needs to read one table.
struct TablePlan {
  std::string name;  // "db.table"
  const TableMapEvent* map = nullptr;
  std::string from;                  // `db`.`table`
  std::string select_list;           // expressions in column order
  std::vector<size_t> key;           // order key: primary key or key_columns
  std::vector<std::string> key_sql;  // quoted key column names, key order
};

std::string Join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

TablePlan Plan(const TableMapEvent& m, const MySqlSourceOptions& options) {
  TablePlan p;
  p.name = m.database + "." + m.table;
  p.map = &m;
  p.from = MySqlConnection::quote_ident(m.database) + "." + MySqlConnection::quote_ident(m.table);
  std::vector<std::string> exprs;
  for (const TableMapColumn& c : m.columns) {
    exprs.push_back(SnapshotSelectExpr(c, MySqlConnection::quote_ident(c.name)));
  }
  p.select_list = Join(exprs, ", ");
  p.key = m.primary_key;
  if (const auto* configured = KeyColumnsFor(options.snapshot.key_columns, p.name)) {
    p.key.clear();
    for (const std::string& name : *configured) {
      auto it = std::find_if(m.columns.begin(), m.columns.end(),
                             [&](const TableMapColumn& c) { return c.name == name; });
      if (it == m.columns.end()) {
        throw Error("snapshot key_columns of " + p.name + " name column " + name +
                    ", which the table does not have");
      }
      p.key.push_back(static_cast<size_t>(it - m.columns.begin()));
    }
  }
  for (size_t k : p.key) p.key_sql.push_back(MySqlConnection::quote_ident(m.columns[k].name));
  return p;
}

// The SQL literal of a key value as text. ENUM and SET sort by their
// number (index, bitmap), not by name, and compare as numbers only with a
// number: their names become that number here.
std::string KeyLiteral(MySqlConnection& conn, const TableMapColumn& col, const std::string& text) {
  if (col.real_type != kTypeEnum && col.real_type != kTypeSet) return conn.quote(text);
  const auto& names = col.enum_values;
  if (col.real_type == kTypeEnum) {
    auto it = std::find(names.begin(), names.end(), text);
    return std::to_string(it == names.end() ? 0 : it - names.begin() + 1);
  }
  uint64_t bits = 0;
  size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    auto it = std::find(names.begin(), names.end(), text.substr(start, comma - start));
    if (it != names.end()) bits |= uint64_t{1} << (it - names.begin());
    start = comma + 1;
  }
  return std::to_string(bits);
}

// (k1, k2, ...) > (v1, v2, ...) spelled out, which every server version
// turns into an index range (row constructors are not always optimized).
std::string KeyAfter(MySqlConnection& conn, const TablePlan& p,
                     const std::vector<std::string>& values) {
  const auto& key = p.key;
  if (values.size() != key.size()) {
    throw Error("snapshot of " + p.name + ": a resume key of " + std::to_string(values.size()) +
                " values for a primary key of " + std::to_string(key.size()) + " columns");
  }
  std::vector<std::string> literals;
  for (size_t i = 0; i < key.size(); ++i) {
    literals.push_back(KeyLiteral(conn, p.map->columns[key[i]], values[i]));
  }
  std::vector<std::string> alternatives;
  for (size_t i = 0; i < key.size(); ++i) {
    std::vector<std::string> terms;
    for (size_t j = 0; j < i; ++j) terms.push_back(p.key_sql[j] + " = " + literals[j]);
    terms.push_back(p.key_sql[i] + " > " + literals[i]);
    alternatives.push_back("(" + Join(terms, " AND ") + ")");
  }
  return Join(alternatives, " OR ");
}

SnapshotRow ToRow(const TablePlan& p, const TextRow& text, const RowDecodeOptions& opts) {
  SnapshotRow row;
  const auto& cols = p.map->columns;
  if (text.size() != cols.size()) {
    throw Error("snapshot of " + p.name + ": " + std::to_string(text.size()) + " values for " +
                std::to_string(cols.size()) + " columns");
  }
  row.after.values.reserve(cols.size());
  for (size_t c = 0; c < cols.size(); ++c) {
    if (!text[c]) {
      row.after.values.emplace_back();
      continue;
    }
    try {
      row.after.values.push_back(TextToValue(*text[c], cols[c], opts));
    } catch (const Error& e) {
      throw Error("snapshot of " + p.name + ", column " + cols[c].name + ": " + e.what());
    }
  }
  for (size_t k : p.key) row.key.push_back(text[k].value_or(""));
  return row;
}

// The schema the binlog stream gives the table of `m` (FULL metadata).
TableSchemaPtr SchemaOf(const TableMapEvent& m) {
  std::vector<Column> cols;
  for (size_t i = 0; i < m.columns.size(); ++i) cols.push_back(ColumnFromTableMap(m.columns[i], i));
  return std::make_shared<const TableSchema>(TableId{m.database, "", m.table}, 1, std::move(cols),
                                             m.primary_key);
}

// At most `limit` rows after `after` in key order that match `filter`.
SnapshotChunk ReadChunk(MySqlConnection& conn, const TablePlan& p,
                        const std::optional<std::vector<std::string>>& after, int64_t limit,
                        const std::string& filter, const RowDecodeOptions& opts) {
  std::vector<std::string> conds;
  if (after) conds.push_back("(" + KeyAfter(conn, p, *after) + ")");
  if (!filter.empty()) conds.push_back("(" + filter + ")");
  const std::string sql = "SELECT " + p.select_list + " FROM " + p.from +
                          (conds.empty() ? "" : " WHERE " + Join(conds, " AND ")) + " ORDER BY " +
                          Join(p.key_sql, ", ") + " LIMIT " + std::to_string(limit + 1);
  MySqlResult r = conn.query(sql, "reading " + p.name + " for the snapshot");
  SnapshotChunk c;
  c.last = static_cast<int64_t>(r.size()) <= limit;
  const size_t take = c.last ? r.size() : static_cast<size_t>(limit);
  for (size_t i = 0; i < take; ++i) c.rows.push_back(ToRow(p, r.rows[i], opts));
  return c;
}

// Thrown through query_each to abandon a streamed table when stopping.
struct StopReading {};

class Reader : public TableChunkReader {
 public:
  Reader(MySqlConnection& conn, const std::map<std::string, TablePlan>& plans,
         const RowDecodeOptions& opts)
      : conn_(conn), plans_(plans), opts_(opts) {}

  SnapshotChunk read(const SnapshotTable& t, const std::optional<std::vector<std::string>>& after,
                     int64_t limit) override {
    return ReadChunk(conn_, plans_.at(t.name), after, limit, "", opts_);
  }

  void read_whole(const SnapshotTable& t, int64_t limit,
                  const std::function<bool(SnapshotChunk&&)>& push) override {
    const TablePlan& p = plans_.at(t.name);
    // The stream waits while the chunk queue is full: keep the server from
    // giving up on a slow reader (net_write_timeout defaults to 60s).
    conn_.query("SET SESSION net_write_timeout = 86400", "raising net_write_timeout");
    SnapshotChunk c;
    TextRow text;
    try {
      conn_.query_each("SELECT " + p.select_list + " FROM " + p.from,
                       "reading " + p.name + " for the snapshot",
                       [&](const std::vector<std::string>&, const MySqlRowView& row) {
                         text.assign(row.values.size(), std::nullopt);
                         for (size_t i = 0; i < row.values.size(); ++i) {
                           if (row.values[i]) text[i] = std::string(*row.values[i]);
                         }
                         c.rows.push_back(ToRow(p, text, opts_));
                         if (static_cast<int64_t>(c.rows.size()) < limit) return;
                         if (!push(std::move(c))) throw StopReading{};
                         c = {};
                       });
    } catch (const StopReading&) {
      return;
    }
    c.last = true;
    push(std::move(c));
  }

 private:
  MySqlConnection& conn_;
  const std::map<std::string, TablePlan>& plans_;
  RowDecodeOptions opts_;
};

// Forwards to a reader owned elsewhere (the engine wants ownership).
class ReaderRef : public TableChunkReader {
 public:
  explicit ReaderRef(TableChunkReader& r) : r_(r) {}
  SnapshotChunk read(const SnapshotTable& t, const std::optional<std::vector<std::string>>& after,
                     int64_t limit) override {
    return r_.read(t, after, limit);
  }
  void read_whole(const SnapshotTable& t, int64_t limit,
                  const std::function<bool(SnapshotChunk&&)>& push) override {
    r_.read_whole(t, limit, push);
  }

 private:
  TableChunkReader& r_;
};

}  // namespace

std::string MariaGtidStateAt(MySqlConnection& conn, const std::string& file, uint64_t pos) {
  return conn
      .query("SELECT BINLOG_GTID_POS(" + conn.quote(file) + ", " + std::to_string(pos) + ")",
             "reading the GTID position of " + file + ":" + std::to_string(pos))
      .get(0, 0);
}

BinlogPoint ReadBinlogPoint(MySqlConnection& conn) {
  MySqlResult r;
  try {
    r = conn.query("SHOW MASTER STATUS", "reading the binlog position");
  } catch (const MySqlServerError&) {
    r = conn.query("SHOW BINARY LOG STATUS", "reading the binlog position");
  }
  if (r.size() == 0) {
    throw Error(conn.context() +
                ": the server has binary logging off (SHOW MASTER STATUS "
                "is empty): enable log_bin with binlog_format=ROW");
  }
  BinlogPoint p;
  p.file = r.get(0, 0);
  p.position = std::stoull(r.get(0, 1));
  if (conn.is_mariadb()) {
    // The GTID state at exactly that position, whatever committed since.
    p.gtid = MariaGtidStateAt(conn, p.file, p.position);
  } else if (r.columns.size() >= 5) {
    // Executed_Gtid_Set, read with the position; one UUID:ranges per line
    // when long.
    p.gtid = r.get(0, 4);
    std::erase(p.gtid, '\n');
  }
  return p;
}

nlohmann::json BinlogPoint::to_json() const {
  return {{"file", file}, {"pos", position}, {"gtid", gtid}};
}

BinlogPoint BinlogPoint::FromJson(const nlohmann::json& j) {
  try {
    BinlogPoint p;
    p.file = j.at("file").get<std::string>();
    p.position = j.at("pos").get<uint64_t>();
    p.gtid = j.at("gtid").get<std::string>();
    if (p.file.empty()) throw Error("empty file");
    return p;
  } catch (const std::exception& e) {
    throw Error("mysql source: " + j.dump() + " is not a binlog point: " + e.what());
  }
}

MySqlSnapshot::MySqlSnapshot(const MySqlSourceOptions& options) : options_(options) {}

MySqlSnapshot::~MySqlSnapshot() = default;

BinlogPoint MySqlSnapshot::open() {
  close();
  const std::string ctx = options_.context();
  const int n = std::max(1, options_.snapshot.workers);
  for (int w = 0; w < n; ++w) {
    auto c = std::make_unique<MySqlConnection>(options_.connect,
                                               ctx + ": snapshot worker " + std::to_string(w));
    c->query("SET SESSION time_zone = '+00:00'", "setting the session time zone");
    c->query("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ",
             "setting the isolation level");
    workers_.push_back(std::move(c));
  }
  MySqlConnection& lock = *workers_[0];
  lock.query("FLUSH TABLES WITH READ LOCK", "locking the tables for the snapshot point");
  const auto locked = std::chrono::steady_clock::now();
  try {
    point_ = ReadBinlogPoint(lock);
    // The lock holder last: START TRANSACTION keeps a global read lock.
    for (int w = n - 1; w >= 0; --w) {
      workers_[static_cast<size_t>(w)]->query("START TRANSACTION WITH CONSISTENT SNAPSHOT",
                                              "starting the snapshot transaction");
    }
  } catch (...) {
    close();  // disconnecting releases the lock
    throw;
  }
  lock.query("UNLOCK TABLES", "unlocking the tables");
  const auto held = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - locked);
  spdlog::info("{}: snapshot point {} (gtid '{}'); the global read lock was held {} ms", ctx,
               point_.label(), point_.gtid, held.count());

  for (const CapturedTable& t : ListCapturedTables(lock, options_)) {
    tables_.push_back(ReadCatalogTable(lock, t.database, t.table));
    maps_.push_back(ToTableMap(tables_.back()));
    schemas_.push_back(SchemaOf(maps_.back()));
    estimates_.push_back(t.estimate);
  }
  return point_;
}

struct MySqlSnapshot::Readers {
  std::map<std::string, TablePlan> plans;
  std::vector<std::unique_ptr<Reader>> readers;
};

void MySqlSnapshot::close() {
  readers_.reset();
  workers_.clear();  // disconnecting ends the transactions (read only: nothing to commit)
  tables_.clear();
  maps_.clear();
  schemas_.clear();
  estimates_.clear();
}

SnapshotRequest MySqlSnapshot::request() {
  if (workers_.empty()) throw Error(options_.context() + ": snapshot request() before open()");
  SnapshotRequest req;
  req.context = options_.context();
  req.point_label = point_.label();
  req.connector = ConnectorName(workers_.front()->is_mariadb());
  req.server_name = options_.pipeline;
  // The GTID of an event's own transaction: a snapshot row has none.
  req.source_fields = MySqlSourceFields({0, "", point_.file, point_.position, 0, 0});
  readers_ = std::make_unique<Readers>();
  for (size_t i = 0; i < maps_.size(); ++i) {
    TablePlan p = Plan(maps_[i], options_);
    req.tables.push_back({p.name, schemas_[i], !p.key.empty(), estimates_[i], p.key});
    readers_->plans.emplace(p.name, std::move(p));
  }
  RowDecodeOptions opts;
  opts.zero_date = options_.zero_dates;
  for (auto& w : workers_) {
    readers_->readers.push_back(std::make_unique<Reader>(*w, readers_->plans, opts));
  }
  req.workers = static_cast<int>(workers_.size());
  req.chunk_size = options_.snapshot.chunk_size;
  req.reread_keyless = options_.snapshot.reread_keyless;
  return req;
}

std::unique_ptr<TableChunkReader> MySqlSnapshot::reader(size_t worker) {
  if (!readers_) throw Error(options_.context() + ": snapshot reader() before request()");
  return std::make_unique<ReaderRef>(*readers_->readers.at(worker));
}

bool MySqlSnapshot::run(SnapshotProgress progress, const Offset& final_offset, bool finish_done,
                        Emitter& out, std::stop_token stop) {
  SnapshotRequest req = request();
  req.progress = std::move(progress);
  req.final_offset = final_offset;
  req.finish_done = finish_done;
  bool finished = false;
  try {
    finished = RunTableSnapshot(
        req, [&](size_t w) { return reader(w); }, out, stop);
  } catch (...) {
    close();
    throw;
  }
  close();
  return finished;
}

namespace {

// Plain reads (autocommit: each statement sees what is committed) and signal
// writes on a connection of its own.
class MySqlIncrementalReader : public IncrementalReader {
 public:
  explicit MySqlIncrementalReader(const MySqlSourceOptions& o)
      : options_(o), conn_(o.connect, o.context() + ": incremental snapshot connection") {
    conn_.query("SET SESSION time_zone = '+00:00'", "setting the session time zone");
    opts_.zero_date = o.zero_dates;
  }

  std::optional<SnapshotTable> describe(const std::string& name) override {
    std::optional<std::pair<std::string, std::string>> t = resolve(name);
    if (!t) return std::nullopt;
    auto entry = std::make_unique<Entry>();
    entry->map = ToTableMap(ReadCatalogTable(conn_, t->first, t->second));
    entry->plan = Plan(entry->map, options_);
    entry->plan.map = &entry->map;
    double estimate = -1;
    MySqlResult rows = conn_.query(
        "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE "
        "TABLE_SCHEMA = " +
            conn_.quote(t->first) + " AND TABLE_NAME = " + conn_.quote(t->second),
        "estimating the rows of " + name);
    if (rows.size() > 0 && rows.rows[0][0]) estimate = std::stod(*rows.rows[0][0]);
    SnapshotTable out{entry->plan.name, SchemaOf(entry->map), !entry->plan.key.empty(), estimate,
                      entry->plan.key};
    entries_[out.name] = std::move(entry);
    return out;
  }

  SnapshotChunk read(const SnapshotTable& t, const std::optional<std::vector<std::string>>& after,
                     int64_t limit, const std::string& filter) override {
    return ReadChunk(conn_, entries_.at(t.name)->plan, after, limit, filter, opts_);
  }

  void write_signals(const std::vector<SignalRow>& rows) override {
    const std::string table = SignalTable();
    conn_.query("START TRANSACTION", "writing signals");
    for (const SignalRow& r : rows) {
      conn_.query("INSERT INTO " + table + " (id, type, data) VALUES (" + conn_.quote(r.id) + ", " +
                      conn_.quote(r.type) + ", " + conn_.quote(r.data) +
                      ") ON DUPLICATE KEY UPDATE type = VALUES(type), data = VALUES(data)",
                  "writing signal " + r.id);
    }
    conn_.query("COMMIT", "writing signals");
  }

  std::optional<std::string> read_signal(const std::string& id) override {
    MySqlResult r =
        conn_.query("SELECT data FROM " + SignalTable() + " WHERE id = " + conn_.quote(id),
                    "reading signal " + id);
    if (r.size() == 0) return std::nullopt;
    return r.rows[0][0].value_or("");
  }

 private:
  struct Entry {
    TableMapEvent map;
    TablePlan plan;
  };

  std::string SignalTable() const {
    const std::string& s = options_.signal_table;
    const auto dot = s.find('.');
    return MySqlConnection::quote_ident(s.substr(0, dot)) + "." +
           MySqlConnection::quote_ident(s.substr(dot + 1));
  }

  // "db.table", or a table name that one captured database holds.
  std::optional<std::pair<std::string, std::string>> resolve(const std::string& name) {
    const auto dot = name.find('.');
    if (dot != std::string::npos) {
      std::pair<std::string, std::string> t{name.substr(0, dot), name.substr(dot + 1)};
      MySqlResult r = conn_.query(
          "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = " + conn_.quote(t.first) +
              " AND TABLE_NAME = " + conn_.quote(t.second),
          "looking up table " + name);
      if (r.size() == 0 || !TableCaptured(options_, t.first, t.second)) return std::nullopt;
      return t;
    }
    MySqlResult r =
        conn_.query("SELECT TABLE_SCHEMA FROM information_schema.TABLES WHERE TABLE_NAME = " +
                        conn_.quote(name),
                    "looking up table " + name);
    std::optional<std::pair<std::string, std::string>> found;
    for (const auto& row : r.rows) {
      if (!TableCaptured(options_, row[0].value_or(""), name)) continue;
      if (found) return std::nullopt;  // ambiguous: name the database
      found = std::pair(row[0].value_or(""), name);
    }
    return found;
  }

  const MySqlSourceOptions& options_;
  MySqlConnection conn_;
  RowDecodeOptions opts_;
  std::map<std::string, std::unique_ptr<Entry>> entries_;
};

}  // namespace

std::unique_ptr<IncrementalReader> MakeIncrementalReader(const MySqlSourceOptions& options) {
  return std::make_unique<MySqlIncrementalReader>(options);
}

}  // namespace cdc::mysql
