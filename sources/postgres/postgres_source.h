// PostgresSource: a Source reading one PostgreSQL database through a logical
// replication slot with the built-in pgoutput plugin (protocol version 1).
//
// run(from):
//  1. a normal connection checks the server (wal_level, REPLICATION), keeps
//     the publication equal to `tables` minus `exclude_tables`, and prepares
//     the slot (created on first run, checked otherwise; see SlotManager);
//  2. a replication connection streams from `from` (or, on first run, from
//     the slot's position) and EventAssembler turns messages into events
//     whose offsets resume exactly (see event_assembler.h for the proof);
//  3. every `heartbeat_interval` the normal connection writes a
//     non-transactional logical message that comes back through the slot as
//     a heartbeat event, so that an idle or fully filtered database still
//     lets the slot advance once the sink commits it;
//  4. standby status updates report flush = the LSN of the last
//     acknowledged (sink-committed) offset, never more.
// Backpressure uses Emitter::try_emit_for so status updates keep flowing
// while the pipeline is full (else wal_sender_timeout would end a long
// transaction's stream).
//
// Failures: a lost connection or a restarting server is a TransientError (the
// pipeline backs off and resumes from the committed offset). An invalidated
// slot, a slot still used by another process after `slot_busy_timeout`, a
// dropped publication, a missing slot with a committed offset, wal_level or
// privilege problems stop the pipeline with a message saying what happened
// and what to do.
//
// Snapshots (snapshot.h): `initial` on a first run (no committed offset),
// `always` on the first run() of every process, `initial_only` reads the
// tables and returns. A snapshot is taken at a temporary slot's consistent
// point P and the stream then starts at P. Config: PostgresSourceOptions.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "cdc/registry.h"
#include "cdc/source.h"
#include "sources/postgres/event_assembler.h"
#include "sources/postgres/pg_connection.h"
#include "sources/postgres/postgres_options.h"
#include "sources/postgres/snapshot.h"

namespace cdc::pg {

class PgCatalog;
class PgTypeMap;
struct PgTableInfo;

class PostgresSource : public Source {
 public:
  explicit PostgresSource(PostgresSourceOptions options);
  ~PostgresSource() override;

  void run(const std::optional<Offset>& from, Emitter& out, std::stop_token stop) override;
  void acknowledge(const Offset& committed) override;

  const PostgresSourceOptions& options() const { return options_; }
  // The LSN last acknowledged (what status updates report as flushed).
  Lsn acknowledged_lsn() const { return acked_.load(); }

 private:
  // Snapshot (when `snapshot`; `resume` continues an interrupted one) then
  // stream from the committed position.
  void stream(std::optional<StreamPosition> from, bool snapshot,
              const std::optional<SnapshotProgress>& resume, Emitter& out, std::stop_token stop);
  // Streams from `from` until stopped or, with `until`, until every
  // transaction committed before `until` was emitted (returns true then).
  // A non-null `state` goes into every event's offset.
  bool stream_from(PgConnection& repl, PgConnection& catalog_conn,
                   const std::optional<StreamPosition>& from, bool confirm_from,
                   std::optional<Lsn> until, const nlohmann::json& state, Emitter& out,
                   std::stop_token stop);
  void write_heartbeat(PgConnection& catalog_conn);

  PostgresSourceOptions options_;
  std::string context_;  // "postgres source (pipeline X)"
  std::atomic<Lsn> acked_{0};
  std::unique_ptr<EventAssembler> assembler_;
  // Valid during run(): what the assembler's relation builder uses.
  PgCatalog* catalog_ = nullptr;
  PgTypeMap* types_ = nullptr;
  std::string database_;
  bool snapshot_taken_ = false;  // by this process (`always`)
};

void RegisterPostgresSource(Registry& registry);

}  // namespace cdc::pg

namespace cdc {
using pg::RegisterPostgresSource;
}  // namespace cdc
