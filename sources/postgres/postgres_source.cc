#include "sources/postgres/postgres_source.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "sources/postgres/pg_catalog.h"
#include "sources/postgres/pg_connection.h"
#include "sources/postgres/pg_type_map.h"
#include "sources/postgres/publication_manager.h"
#include "sources/postgres/replication_stream.h"
#include "sources/postgres/slot_manager.h"

namespace cdc::pg {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kPollInterval{100};
constexpr milliseconds kEmitWait{200};
// How long a slot still held by another process is waited for: a SIGKILLed
// cdcd's walsender needs a moment to see its socket close.
constexpr milliseconds kSlotBusyWait{15000};

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
  std::optional<StreamPosition> pos;
  if (from) pos = ParseStreamPosition(*from);
  try {
    stream(pos, out, stop);
  } catch (const PgServerError& e) {
    Explain(e, options_);
  }
}

void PostgresSource::stream(const std::optional<StreamPosition>& from, Emitter& out,
                            std::stop_token stop) {
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
  PgConnection repl(options_.dsn, PgConnection::Mode::kReplication,
                    context_ + ": replication connection");
  SlotState slot = PrepareSlot(catalog_conn, repl, options_.slot, from.has_value(), kSlotBusyWait);
  if (slot.created) {
    spdlog::info("{}: created replication slot {} at {}", context_, options_.slot,
                 FormatLsn(slot.consistent_point));
  }

  PgCatalog catalog(catalog_conn);
  PgTypeMap types(catalog, warn);
  catalog_ = &catalog;
  types_ = &types;
  struct Reset {
    PostgresSource* s;
    ~Reset() { s->catalog_ = nullptr, s->types_ = nullptr; }
  } reset{this};

  ReplicationStream rs(repl, options_.status_interval);
  // A committed offset may be confirmed at once; without one, nothing is
  // confirmed until the sink commits something.
  if (from) rs.set_flushed(from->lsn);
  rs.set_flushed(acked_.load());
  const Lsn start = from ? from->lsn : 0;
  rs.start(options_.slot, start, options_.publication);
  spdlog::info("{}: streaming slot {} from {}{}", context_, options_.slot,
               start ? FormatLsn(start) : FormatLsn(slot.confirmed_flush) + " (slot position)",
               from && from->skip ? " skipping " + std::to_string(from->skip) + " events" : "");
  assembler_->reset(from);

  auto next_heartbeat = Clock::now() + options_.heartbeat_interval;
  std::vector<ChangeEvent> events;
  while (!stop.stop_requested()) {
    rs.set_flushed(acked_.load());
    rs.maybe_send_status();
    if (options_.heartbeat_interval.count() > 0 && Clock::now() >= next_heartbeat) {
      nlohmann::json content = {{"slot", options_.slot}, {"ts_us", NowMicros()}};
      try {
        catalog_conn.exec_params("SELECT pg_logical_emit_message(false, $1, $2)",
                                 {kHeartbeatPrefix, content.dump()}, "writing a heartbeat");
      } catch (const PgServerError& e) {
        warn(std::string(e.what()) + " (the slot advances only with captured changes)");
      }
      next_heartbeat = Clock::now() + options_.heartbeat_interval;
    }
    std::optional<std::string_view> payload = rs.next(kPollInterval);
    if (!payload) continue;
    events.clear();
    assembler_->feed(DecodePgOutput(*payload), events);
    for (ChangeEvent& ev : events) {
      while (true) {
        Emitter::Result r = out.try_emit_for(ev, kEmitWait);
        if (r == Emitter::Result::kEmitted) break;
        if (r == Emitter::Result::kStopping || stop.stop_requested()) return;
        // Held back by a full pipeline: keep the walsender from timing out.
        rs.set_flushed(acked_.load());
        rs.maybe_send_status();
      }
    }
  }
  rs.set_flushed(acked_.load());
  rs.send_status();
  if (options_.drop_slot_on_stop) {
    repl.close();
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

void RegisterPostgresSource(Registry& registry) {
  registry.add_source("postgres", [](const ConfigNode& config, const PipelineContext& ctx) {
    return std::make_unique<PostgresSource>(ParsePostgresSourceOptions(config, ctx.pipeline_name));
  });
}

}  // namespace cdc::pg
