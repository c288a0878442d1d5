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
// slot, a slot used by another process, a dropped publication, a missing slot
// with a committed offset, wal_level or privilege problems stop the pipeline
// with a message saying what happened and what to do.
//
// Snapshots: not built yet; only `snapshot: never` is accepted (see
// docs/architecture.md). Config: PostgresSourceOptions.
#pragma once

#include <atomic>
#include <memory>

#include "cdc/registry.h"
#include "cdc/source.h"
#include "sources/postgres/event_assembler.h"
#include "sources/postgres/postgres_options.h"

namespace cdc::pg {

class PgCatalog;
class PgTypeMap;

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
  void stream(const std::optional<StreamPosition>& from, Emitter& out, std::stop_token stop);

  PostgresSourceOptions options_;
  std::string context_;  // "postgres source (pipeline X)"
  std::atomic<Lsn> acked_{0};
  std::unique_ptr<EventAssembler> assembler_;
  // Valid during run(): what the assembler's relation builder uses.
  PgCatalog* catalog_ = nullptr;
  PgTypeMap* types_ = nullptr;
  std::string database_;
};

void RegisterPostgresSource(Registry& registry);

}  // namespace cdc::pg

namespace cdc {
using pg::RegisterPostgresSource;
}  // namespace cdc
