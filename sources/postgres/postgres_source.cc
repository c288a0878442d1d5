#include "sources/postgres/postgres_source.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "sources/postgres/pg_catalog.h"
#include "sources/postgres/pg_connection.h"
#include "sources/postgres/pg_type_map.h"
#include "sources/postgres/publication_manager.h"
#include "sources/postgres/replication_stream.h"
#include "sources/postgres/slot_manager.h"
#include "sources/postgres/snapshot.h"

namespace cdc::pg {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kPollInterval{100};
constexpr milliseconds kEmitWait{200};

bool Contains(const std::string& s, const char* needle) {
  return s.find(needle) != std::string::npos;
}

// Turns a server error during streaming into the message a user can act on.
[[noreturn]] void Explain(const PgServerError& e, const PostgresSourceOptions& o) {
  const std::string msg = e.what();
  if (e.sqlstate() == "55006" || Contains(msg, "is active for PID")) {
    throw Error(msg + " -- replication slot " + o.slot +
                " is in use by another process: stop the other cdcd or replication client, or "
                "give this pipeline its own `slot`");
  }
  if (Contains(msg, "publication") && Contains(msg, "does not exist")) {
    throw Error(msg + " -- publication " + o.publication +
                " was dropped while the slot still had changes to decode after it; the slot "
                "cannot decode past that point. Drop slot " +
                o.slot +
                ", remove the sink's committed offset and start again (cdcd recreates both)");
  }
  if (Contains(msg, "invalidated") || Contains(msg, "can no longer get changes")) {
    throw Error(msg + " -- replication slot " + o.slot +
                " was invalidated (it fell behind max_slot_wal_keep_size); its WAL is gone. Drop "
                "it, remove the sink's committed offset and start again with a snapshot");
  }
  throw Error(msg);
}

}  // namespace

PostgresSource::PostgresSource(PostgresSourceOptions options)
    : options_(std::move(options)),
      context_("postgres source (pipeline " + options_.pipeline + ")") {
  EventAssembler::Options a;
  a.server_name = options_.pipeline;
  a.slot = options_.slot;
  a.toast_placeholder = options_.toast_placeholder;
  assembler_ = std::make_unique<EventAssembler>(a, [this](const RelationMsg& m, uint32_t version) {
    return BuildRelation(m, database_, version, *catalog_, *types_);
  });
}

PostgresSource::~PostgresSource() = default;

void PostgresSource::acknowledge(const Offset& committed) {
  auto lsn = ParseLsn(committed.tx);
  if (!lsn) return;  // never made by this source: nothing to release
  Lsn cur = acked_.load();
  while (*lsn > cur && !acked_.compare_exchange_weak(cur, *lsn)) {
  }
}

void PostgresSource::run(const std::optional<Offset>& from, Emitter& out, std::stop_token stop) {
  const SnapshotMode mode = options_.snapshot;
  std::optional<StreamPosition> pos;
  std::optional<SnapshotProgress> resume;
  if (from && IsSnapshotOffset(*from)) {
    // Committed while reading the tables: continue from where the stream
    // would have started (the snapshot's point), see resume_snapshot().
    SnapshotProgress progress = ParseSnapshotProgress(from->state);
    if (progress.phase == "done") {
      if (mode == SnapshotMode::kInitialOnly) {
        spdlog::info("{}: the initial_only snapshot at {} was completed before: nothing to do",
                     context_, FormatLsn(SnapshotPoint(progress)));
        return;
      }
      throw Error(context_ + ": the committed offset " + from->debug_string() +
                  " is the end of an initial_only snapshot, which keeps no replication slot, so "
                  "there is no stream to continue from: remove the sink's committed offset (and "
                  "its data) to start over with this `snapshot` mode");
    }
    pos = StreamPosition{SnapshotPoint(progress), 0};
    resume = std::move(progress);
  } else if (from) {
    pos = ParseStreamPosition(*from);
    // Stream offsets written while catching up an interrupted snapshot carry
    // its progress: the tables are not all read yet.
    if (!from->state.is_null()) resume = ParseSnapshotProgress(from->state);
    if (!resume && mode == SnapshotMode::kInitialOnly) {
      spdlog::info("{}: snapshot: initial_only and a committed stream offset: nothing to do",
                   context_);
      return;
    }
  }
  const bool snapshot =
      ShouldSnapshot(mode, from.has_value(), resume.has_value(), snapshot_taken_);
  try {
    stream(pos, snapshot, resume, out, stop);
  } catch (const PgServerError& e) {
    Explain(e, options_);
  }
}

void PostgresSource::stream(std::optional<StreamPosition> from, bool snapshot,
                            const std::optional<SnapshotProgress>& resume, Emitter& out,
                            std::stop_token stop) {
  const bool only_snapshot = options_.snapshot == SnapshotMode::kInitialOnly;
  auto warn = [this](const std::string& m) { spdlog::warn("{}: {}", context_, m); };
  PgConnection catalog_conn(options_.dsn, PgConnection::Mode::kQuery,
                            context_ + ": catalog connection");
  CheckServer(catalog_conn);
  database_ = catalog_conn.exec("SELECT current_database()", "reading database name").get(0, 0);
  PublicationSync pub = SyncPublication(catalog_conn, options_.publication, options_.tables,
                                        options_.exclude_tables, warn);
  if (pub.created || pub.altered) {
    spdlog::info("{}: publication {} {} with {} tables", context_, options_.publication,
                 pub.created ? "created" : "updated", pub.tables.size());
  }
  // initial_only needs no slot of its own: the temporary one fixes the point.
  std::optional<PgConnection> repl;
  if (!only_snapshot) {
    repl.emplace(options_.dsn, PgConnection::Mode::kReplication,
                 context_ + ": replication connection");
    SlotState slot = PrepareSlot(catalog_conn, *repl, options_.slot, from.has_value(),
                                 options_.slot_busy_timeout);
    if (slot.created) {
      spdlog::info("{}: created replication slot {} at {}", context_, options_.slot,
                   FormatLsn(slot.consistent_point));
    }
  }

  PgCatalog catalog(catalog_conn);
  PgTypeMap types(catalog, warn);
  catalog_ = &catalog;
  types_ = &types;
  struct Reset {
    PostgresSource* s;
    ~Reset() { s->catalog_ = nullptr, s->types_ = nullptr; }
  } reset{this};

  // Only a committed offset may be confirmed at once; a snapshot's point is
  // confirmed once the sink committed the snapshot's end.
  bool committed_from = from.has_value();
  if (snapshot) {
    // The exported snapshot lives as long as this session stays idle in it;
    // the temporary slot goes away with the session.
    PgConnection snap_repl(options_.dsn, PgConnection::Mode::kReplication,
                           context_ + ": snapshot slot connection");
    const std::string name =
        options_.slot.substr(0, 40) + "_snap_" + std::to_string(static_cast<long>(getpid()));
    PgResult c = snap_repl.exec("CREATE_REPLICATION_SLOT " + snap_repl.quote_ident(name) +
                                    " TEMPORARY LOGICAL pgoutput EXPORT_SNAPSHOT",
                                "creating temporary slot " + name + " for the snapshot");
    PgSnapshotRequest req;
    req.context = context_;
    req.database = database_;
    req.point = ParseLsn(c.get(0, 1)).value_or(0);
    req.snapshot_name = c.get(0, 2);
    req.tables = pub.tables;
    req.final_offset = Offset{FormatLsn(req.point), 0, nullptr};
    req.finish_done = only_snapshot;
    if (resume) {
      req.progress = *resume;
      // initial_only has no slot to catch up with: its rows are each read
      // once, the unfinished tables at the new point.
      if (!only_snapshot) {
        spdlog::info(
            "{}: resuming an interrupted snapshot: streaming {} to the new point {}, "
            "then reading the rest of the tables there",
            context_, FormatLsn(from->lsn), FormatLsn(req.point));
        // A message after the point, so the catch-up sees it is there even
        // when no transaction follows.
        write_heartbeat(catalog_conn);
        SnapshotProgress state = *resume;
        state.phase = "snapshot";
        if (!stream_from(*repl, catalog_conn, *from, true, req.point, state.to_json(), out, stop)) {
          return;
        }
        repl.reset();  // a fresh stream starts at the point below
        repl.emplace(options_.dsn, PgConnection::Mode::kReplication,
                     context_ + ": replication connection");
      }
    }
    if (!RunSnapshot(options_, req, catalog, types, out, stop)) return;
    snapshot_taken_ = true;
    if (only_snapshot) return;
    from = StreamPosition{req.point, 0};
    committed_from = false;
  }

  stream_from(*repl, catalog_conn, from, committed_from, std::nullopt, nullptr, out, stop);
  if (stop.stop_requested() && options_.drop_slot_on_stop) {
    repl->close();
    spdlog::warn("{}: dropping replication slot {} (drop_slot_on_stop)", context_, options_.slot);
    // The walsender may hold the slot for a moment after the stream closed.
    for (int attempt = 0;; ++attempt) {
      try {
        DropSlot(catalog_conn, options_.slot);
        break;
      } catch (const PgServerError& e) {
        if (attempt >= 50) throw;
        std::this_thread::sleep_for(milliseconds(100));
      }
    }
  }
}

void PostgresSource::write_heartbeat(PgConnection& catalog_conn) {
  nlohmann::json content = {{"slot", options_.slot}, {"ts_us", NowMicros()}};
  catalog_conn.exec_params("SELECT pg_logical_emit_message(false, $1, $2)",
                           {kHeartbeatPrefix, content.dump()}, "writing a heartbeat");
}

bool PostgresSource::stream_from(PgConnection& repl, PgConnection& catalog_conn,
                                 const std::optional<StreamPosition>& from, bool confirm_from,
                                 std::optional<Lsn> until, const nlohmann::json& state,
                                 Emitter& out, std::stop_token stop) {
  ReplicationStream rs(repl, options_.status_interval);
  if (from && confirm_from) rs.set_flushed(from->lsn);
  rs.set_flushed(acked_.load());
  const Lsn start = from ? from->lsn : 0;
  // The walsender of a stream closed just before may hold the slot a moment.
  for (auto deadline = Clock::now() + options_.slot_busy_timeout;;) {
    try {
      rs.start(options_.slot, start, options_.publication);
      break;
    } catch (const PgServerError& e) {
      if (e.sqlstate() != "55006" || Clock::now() >= deadline) throw;
      std::this_thread::sleep_for(milliseconds(100));
    }
  }
  spdlog::info("{}: streaming slot {} from {}{}{}", context_, options_.slot,
               start ? FormatLsn(start) : "the slot position",
               from && from->skip ? " skipping " + std::to_string(from->skip) + " events" : "",
               until ? " to " + FormatLsn(*until) : "");
  assembler_->reset(from);

  auto next_heartbeat = Clock::now() + options_.heartbeat_interval;
  std::vector<ChangeEvent> events;
  bool reached = false;
  while (!stop.stop_requested() && !reached) {
    rs.set_flushed(acked_.load());
    rs.maybe_send_status();
    if (options_.heartbeat_interval.count() > 0 && Clock::now() >= next_heartbeat) {
      try {
        write_heartbeat(catalog_conn);
      } catch (const PgServerError& e) {
        spdlog::warn("{}: {} (the slot advances only with captured changes)", context_, e.what());
      }
      next_heartbeat = Clock::now() + options_.heartbeat_interval;
    }
    std::optional<std::string_view> payload = rs.next(kPollInterval);
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
    assembler_->feed(std::move(message), events);
    for (ChangeEvent& ev : events) {
      if (!state.is_null()) ev.next.state = state;
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

void RegisterPostgresSource(Registry& registry) {
  registry.add_source("postgres", [](const ConfigNode& config, const PipelineContext& ctx) {
    return std::make_unique<PostgresSource>(ParsePostgresSourceOptions(config, ctx.pipeline_name));
  });
}

}  // namespace cdc::pg
