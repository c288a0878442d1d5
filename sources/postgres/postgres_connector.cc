#include "sources/postgres/postgres_connector.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "sources/postgres/publication_manager.h"
#include "sources/postgres/relation.h"
#include "sources/postgres/replication_stream.h"
#include "sources/postgres/slot_manager.h"
#include "sources/postgres/snapshot.h"

namespace cdc::pg {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kPollInterval{100};
constexpr milliseconds kEmitWait{200};

// "schema.table", a bare name being in "public".
std::string Qualify(const std::string& name) {
  return name.find('.') == std::string::npos ? "public." + name : name;
}

}  // namespace

PostgresConnector::PostgresConnector(const PostgresSourceOptions& options)
    : options_(options),
      context_("postgres source (pipeline " + options_.pipeline + ")"),
      signal_table_(Qualify(options_.signal_table)) {
  EventAssembler::Options a;
  a.server_name = options_.pipeline;
  a.slot = options_.slot;
  assembler_ = std::make_unique<EventAssembler>(a, [this](const RelationMsg& m, uint32_t version) {
    return BuildRelation(m, database_, version, *catalog_, *types_);
  });
}

PostgresConnector::~PostgresConnector() = default;

bool PostgresConnector::catalog_says(const std::string& sql, const std::string& param) const {
  if (!catalog_conn_) return false;
  try {
    return catalog_conn_->exec_params(sql, {param}, "explaining an error").get(0, 0) == "t";
  } catch (const Error&) {
    return false;  // the original error is the one to report
  }
}

void PostgresConnector::explain(const PgServerError& e) const {
  // Classified by SQLSTATE, and where one SQLSTATE has several causes, by
  // what the catalog says now; never by the message text, which is
  // translated (lc_messages) and reworded between versions.
  const std::string msg = e.what();
  const PostgresSourceOptions& o = options_;
  if (e.sqlstate() == "55006") {  // object_in_use
    throw HeldElsewhereError(
        msg + " -- replication slot " + o.slot +
        " is in use by another process: stop the other cdcd or replication client, or "
        "give this pipeline its own `slot`");
  }
  if (e.sqlstate() == "42704" &&  // undefined_object
      catalog_says("SELECT NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = $1)",
                   o.publication)) {
    throw Error(msg + " -- publication " + o.publication +
                " was dropped while the slot still had changes to decode after it; the slot "
                "cannot decode past that point. Drop slot " +
                o.slot +
                ", remove the sink's committed offset and start again (cdcd recreates both)");
  }
  if (e.sqlstate() == "55000" &&  // object_not_in_prerequisite_state
      catalog_says("SELECT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 "
                   "AND wal_status = 'lost')",
                   o.slot)) {
    throw Error(msg + " -- replication slot " + o.slot +
                " was invalidated (it fell behind max_slot_wal_keep_size); its WAL is gone. Drop "
                "it, remove the sink's committed offset and start again with a snapshot");
  }
  throw Error(msg);
}

std::optional<uint64_t> PostgresConnector::lag_bytes() const {
  const Lsn end = server_wal_end_.load();
  const Lsn acked = acked_.load();
  if (end == 0 || acked == 0) return std::nullopt;  // not streaming, or nothing committed
  return end > acked ? end - acked : 0;
}

void PostgresConnector::acknowledge(const Offset& committed) {
  auto lsn = ParseLsn(committed.tx);
  if (!lsn) return;  // never made by this connector: nothing to release
  Lsn cur = acked_.load();
  while (*lsn > cur && !acked_.compare_exchange_weak(cur, *lsn)) {
  }
}

void PostgresConnector::open(bool has_position, bool will_stream) {
  close();
  auto warn = [this](const std::string& m) { spdlog::warn("{}: {}", context_, m); };
  try {
    catalog_conn_ = std::make_unique<PgConnection>(options_.dsn, PgConnection::Mode::kQuery,
                                                   context_ + ": catalog connection");
    CheckServer(*catalog_conn_);
    database_ = catalog_conn_->exec("SELECT current_database()", "reading database name").get(0, 0);
    signals_ = will_stream && ensure_signal_table();
    std::vector<std::string> published = options_.tables;
    if (signals_ && !published.empty()) published.push_back(signal_table_);
    PublicationSync pub = SyncPublication(*catalog_conn_, options_.publication, published,
                                          options_.exclude_tables, warn);
    std::erase_if(pub.tables, [&](const PgTableInfo& t) { return t.qualified() == signal_table_; });
    if (pub.created || pub.altered) {
      spdlog::info("{}: publication {} {} with {} tables", context_, options_.publication,
                   pub.created ? "created" : "updated", pub.tables.size());
    }
    tables_ = std::move(pub.tables);
    named_tables_.clear();
    for (const PgTableInfo& t : tables_) {
      if (std::any_of(options_.tables.begin(), options_.tables.end(), [&](const std::string& p) {
            return p.find('*') == std::string::npos && TableMatches(p, t.qualified());
          })) {
        named_tables_.push_back(t);
      }
    }
    // initial_only needs no slot of its own: the snapshot's temporary one
    // fixes the point.
    if (will_stream) {
      repl_ = std::make_unique<PgConnection>(options_.dsn, PgConnection::Mode::kReplication,
                                             context_ + ": replication connection");
      repl_used_ = false;
      SlotState slot = PrepareSlot(*catalog_conn_, *repl_, options_.slot, has_position,
                                   options_.slot_busy_timeout);
      if (slot.created) {
        spdlog::info("{}: created replication slot {} at {}", context_, options_.slot,
                     FormatLsn(slot.consistent_point));
      }
    }
    catalog_ = std::make_unique<PgCatalog>(*catalog_conn_);
    types_ = std::make_unique<PgTypeMap>(*catalog_, warn);
  } catch (const PgServerError& e) {
    explain(e);
  }
}

bool PostgresConnector::ensure_signal_table() {
  const auto dot = signal_table_.find('.');
  const std::string name = catalog_conn_->quote_ident(signal_table_.substr(0, dot)) + "." +
                           catalog_conn_->quote_ident(signal_table_.substr(dot + 1));
  if (catalog_conn_->exec_params("SELECT to_regclass($1) IS NOT NULL", {name}, "looking up " + name)
          .get(0, 0) == "t") {
    return true;
  }
  try {
    catalog_conn_->exec("CREATE TABLE IF NOT EXISTS " + name +
                            " (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data text)",
                        "creating the signal table " + name);
    spdlog::info("{}: created signal table {}", context_, signal_table_);
    return true;
  } catch (const PgServerError& e) {
    spdlog::warn(
        "{}: no signal table {} and it cannot be created ({}): incremental snapshots are "
        "unavailable. Create it: CREATE TABLE {} (id varchar(64) PRIMARY KEY, type "
        "varchar(32) NOT NULL, data text), and let the pipeline's user insert into it",
        context_, signal_table_, e.what(), name);
    return false;
  }
}

std::vector<std::string> PostgresConnector::captured_tables() const {
  std::vector<std::string> out;
  for (const PgTableInfo& t : tables_) out.push_back(t.qualified());
  return out;
}

std::unique_ptr<IncrementalReader> PostgresConnector::incremental_reader() {
  try {
    return MakeIncrementalReader(options_, context_, signal_table_);
  } catch (const PgServerError& e) {
    explain(e);
  }
}

void PostgresConnector::close() {
  types_.reset();
  catalog_.reset();
  repl_.reset();
  catalog_conn_.reset();
}

std::unique_ptr<ConsistentPoint> PostgresConnector::open_point() {
  try {
    return std::make_unique<PgSnapshotPoint>(options_, context_, database_, tables_, *types_);
  } catch (const PgServerError& e) {
    explain(e);
  }
}

Offset PostgresConnector::point_offset(const nlohmann::json& point) {
  std::optional<Lsn> lsn;
  if (point.is_string()) lsn = ParseLsn(point.get<std::string>());
  if (!lsn) {
    throw Error(context_ + ": snapshot progress point " + point.dump() +
                " is not an LSN (\"X/X\")");
  }
  return Offset{FormatLsn(*lsn), 0, nullptr};
}

bool PostgresConnector::stream(const StreamFrom& start, const ConsistentPoint* until, Emitter& out,
                               std::stop_token stop) {
  try {
    std::optional<Lsn> until_lsn;
    if (until) {
      until_lsn = static_cast<const PgSnapshotPoint*>(until)->lsn();
      // A message after the point, so the stream sees it is there even when
      // no transaction follows.
      write_heartbeat();
    }
    if (repl_used_) {
      // The last stream left the connection in COPY mode: a fresh one.
      repl_ = std::make_unique<PgConnection>(options_.dsn, PgConnection::Mode::kReplication,
                                             context_ + ": replication connection");
    }
    repl_used_ = true;
    const bool reached = stream_from(start, until_lsn, out, stop);
    if (!until && stop.stop_requested() && options_.drop_slot_on_stop) drop_slot();
    return reached;
  } catch (const PgServerError& e) {
    explain(e);
  }
}

void PostgresConnector::drop_slot() {
  repl_->close();
  spdlog::warn("{}: dropping replication slot {} (drop_slot_on_stop)", context_, options_.slot);
  // The walsender may hold the slot for a moment after the stream closed.
  for (int attempt = 0;; ++attempt) {
    try {
      DropSlot(*catalog_conn_, options_.slot);
      break;
    } catch (const PgServerError& e) {
      if (attempt >= 50) throw;
      std::this_thread::sleep_for(milliseconds(100));
    }
  }
}

void PostgresConnector::check_named_tables() {
  if (named_tables_.empty()) return;
  std::string oids;
  for (const PgTableInfo& t : named_tables_)
    oids += (oids.empty() ? "" : ",") + std::to_string(t.oid);
  PgResult r = catalog_conn_->exec(
      "SELECT c.oid, n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON "
      "n.oid = c.relnamespace WHERE c.oid IN (" +
          oids + ")",
      "checking the captured tables");
  std::map<uint32_t, std::string> now;
  for (int i = 0; i < r.rows(); ++i) now[std::stoul(r.get(i, 0))] = r.get(i, 1);
  for (const PgTableInfo& t : named_tables_) {
    auto it = now.find(t.oid);
    if (it != now.end() && it->second == t.qualified()) continue;
    throw Error(context_ + ": table " + t.qualified() + " (named in `tables`) was " +
                (it == now.end() ? std::string("dropped") : "renamed to " + it->second) +
                " while cdcd streamed it. PostgreSQL logs no DDL, so its capture ends here and "
                "its rows are not deleted in the stream. To go on with the other tables, remove "
                "it from `tables` and reload (SIGHUP); to capture a table of that name again, "
                "add it back afterwards and snapshot it (POST /pipelines/" +
                options_.pipeline + "/snapshots)");
  }
}

void PostgresConnector::write_heartbeat() {
  nlohmann::json content = {{"slot", options_.slot}, {"ts_us", NowMicros()}};
  catalog_conn_->exec_params("SELECT pg_logical_emit_message(false, $1, $2)",
                             {kHeartbeatPrefix, content.dump()}, "writing a heartbeat");
}

bool PostgresConnector::stream_from(const StreamFrom& start, std::optional<Lsn> until, Emitter& out,
                                    std::stop_token stop) {
  std::optional<StreamPosition> from;
  if (start.offset) from = ParseStreamPosition(*start.offset);
  ReplicationStream rs(*repl_, options_.status_interval);
  // Only a committed offset may be confirmed at once; a snapshot's point is
  // confirmed once the sink committed past it.
  if (from && start.committed) acknowledge(*start.offset);
  rs.set_flushed(acked_.load());
  const Lsn begin = from ? from->lsn : 0;
  // The walsender of a stream closed just before may hold the slot a moment.
  for (auto deadline = Clock::now() + options_.slot_busy_timeout;;) {
    try {
      rs.start(options_.slot, begin, options_.publication);
      break;
    } catch (const PgServerError& e) {
      if (e.sqlstate() != "55006" || Clock::now() >= deadline) throw;
      std::this_thread::sleep_for(milliseconds(100));
    }
  }
  spdlog::info("{}: streaming slot {} from {}{}{}", context_, options_.slot,
               begin ? FormatLsn(begin) : "the slot position",
               from && from->skip ? " skipping " + std::to_string(from->skip) + " events" : "",
               until ? " to " + FormatLsn(*until) : "");
  assembler_->reset(from);

  // Without heartbeats the named tables are still checked, every 10 s.
  const auto heartbeat_period =
      options_.heartbeat_interval.count() > 0
          ? std::chrono::duration_cast<Clock::duration>(options_.heartbeat_interval)
          : Clock::duration(std::chrono::seconds(10));
  auto next_heartbeat = Clock::now() + heartbeat_period;
  std::vector<ChangeEvent> events;
  // Everything decoded so far was emitted when the server has sent nothing
  // more: the pipeline may commit at once.
  const std::function<void()> on_idle = [&out] { out.idle(); };
  bool reached = false;
  while (!stop.stop_requested() && !reached) {
    rs.set_flushed(acked_.load());
    rs.maybe_send_status();
    if (Clock::now() >= next_heartbeat) {
      if (options_.heartbeat_interval.count() > 0) {
        try {
          write_heartbeat();
        } catch (const PgServerError& e) {
          spdlog::warn("{}: {} (the slot advances only with captured changes)", context_, e.what());
        }
      }
      check_named_tables();
      next_heartbeat = Clock::now() + heartbeat_period;
    }
    std::optional<std::string_view> payload = rs.next(kPollInterval, on_idle);
    server_wal_end_.store(rs.server_wal_end());
    if (!payload) continue;
    PgOutputMessage message = DecodePgOutput(*payload);
    if (until) {
      // Everything committed before `until` was sent once a transaction or
      // a non-transactional message at or after it arrives (commit order).
      const auto* b = std::get_if<BeginMsg>(&message);
      const auto* m = std::get_if<LogicalMsg>(&message);
      if ((b && b->final_lsn >= *until) || (m && !m->transactional && m->lsn >= *until)) {
        reached = true;
        break;
      }
    }
    events.clear();
    assembler_->feed(std::move(message), rs.last_wal_start(), events);
    for (ChangeEvent& ev : events) {
      while (true) {
        Emitter::Result r = out.try_emit_for(ev, kEmitWait);
        if (r == Emitter::Result::kEmitted) break;
        if (r == Emitter::Result::kStopping || stop.stop_requested()) return false;
        // Held back by a full pipeline: keep the walsender from timing out.
        rs.set_flushed(acked_.load());
        rs.maybe_send_status();
      }
    }
  }
  rs.set_flushed(acked_.load());
  rs.send_status();
  return reached;
}

}  // namespace cdc::pg
