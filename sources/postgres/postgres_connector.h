// PostgresConnector: the PostgreSQL pieces of a source (cdc/source_connector.h)
// -- the checks, publication and slot, the exported-snapshot point, and the
// pgoutput stream.
//
// open(): a normal connection checks the server (wal_level, REPLICATION),
// creates the signal table when missing (`signal_table`; without the right
// to, a warning: incremental snapshots are then unavailable), keeps the
// publication equal to `tables` minus `exclude_tables` plus the signal
// table, and, when the run streams, prepares the slot on a replication
// connection (created on first run, checked otherwise; see SlotManager).
//
// stream(): the replication connection streams from the start offset (or
// the slot's position) and EventAssembler turns messages into events whose
// offsets resume exactly (event_assembler.h has the proof). Every
// `heartbeat_interval` the normal connection writes a non-transactional
// logical message that comes back through the slot as a heartbeat event, so
// that an idle or fully filtered database still lets the slot advance once
// the sink commits it. Standby status updates report flush = the LSN of the
// last acknowledged (sink-committed) offset, never more; they keep flowing
// while the pipeline is full (else wal_sender_timeout would end a long
// transaction's stream). With `until` (a snapshot point P) it stops at the
// first transaction or message at or after P, having written a heartbeat
// after P first so that one exists.
//
// Failures: a lost connection or a restarting server is a TransientError;
// the rest (invalidated slot, slot held by another process past
// `slot_busy_timeout`, dropped publication, missing slot with a committed
// offset, wal_level, privileges, a table named in `tables` dropped or renamed)
// is an Error saying what to do.
#pragma once

#include <atomic>
#include <memory>
#include <optional>

#include "cdc/source_connector.h"
#include "sources/postgres/event_assembler.h"
#include "sources/postgres/pg_catalog.h"
#include "sources/postgres/pg_connection.h"
#include "sources/postgres/pg_type_map.h"
#include "sources/postgres/postgres_options.h"

namespace cdc::pg {

class PostgresConnector : public SourceConnector {
 public:
  explicit PostgresConnector(const PostgresSourceOptions& options);
  ~PostgresConnector() override;

  std::string context() const override { return context_; }
  void open(bool has_position, bool will_stream) override;
  void close() override;
  std::unique_ptr<ConsistentPoint> open_point() override;
  Offset point_offset(const nlohmann::json& point) override;
  bool stream(const StreamFrom& start, const ConsistentPoint* until, Emitter& out,
              std::stop_token stop) override;
  void acknowledge(const Offset& committed) override;
  std::string signal_table() const override { return signal_table_; }
  bool signals_available() const override { return signals_.load(); }
  std::vector<std::string> captured_tables() const override;
  std::unique_ptr<IncrementalReader> incremental_reader() override;

  const PostgresSourceOptions& options() const { return options_; }
  // The LSN last acknowledged (what status updates report as flushed).
  Lsn acknowledged_lsn() const { return acked_.load(); }
  // The server's WAL end (as of its last message or keepalive) minus the
  // acknowledged LSN: WAL the slot still holds for this pipeline.
  std::optional<uint64_t> lag_bytes() const override;

 private:
  bool stream_from(const StreamFrom& start, std::optional<Lsn> until, Emitter& out,
                   std::stop_token stop);
  void write_heartbeat();
  // Stops the stream with an Error when a table named in `tables` (not
  // matched by a '*' pattern) was dropped or renamed: PostgreSQL logs no DDL,
  // so its capture would otherwise end without a trace. Runs with the
  // heartbeat, on the catalog connection.
  void check_named_tables();
  // Creates the signal table when missing; false (with a warning) when it
  // cannot.
  bool ensure_signal_table();
  void drop_slot();
  // Runs `sql` with $1 = `param` on the catalog connection: true when it
  // answers 't'; false when it answers otherwise or fails.
  bool catalog_says(const std::string& sql, const std::string& param) const;
  // Turns a server error during streaming into the message a user can act on.
  [[noreturn]] void explain(const PgServerError& e) const;

  const PostgresSourceOptions options_;
  std::string context_;
  const std::string signal_table_;  // "schema.table"
  std::atomic<bool> signals_{false};
  std::atomic<Lsn> acked_{0};
  std::atomic<Lsn> server_wal_end_{0};  // 0: not streaming yet
  std::unique_ptr<EventAssembler> assembler_;
  // Valid between open() and close().
  std::unique_ptr<PgConnection> catalog_conn_;
  std::unique_ptr<PgConnection> repl_;  // reconnected once a stream used it
  bool repl_used_ = false;
  std::unique_ptr<PgCatalog> catalog_;
  std::unique_ptr<PgTypeMap> types_;
  std::vector<PgTableInfo> tables_;  // published
  // Those of tables_ that `tables` names without a '*' (check_named_tables).
  std::vector<PgTableInfo> named_tables_;
  std::string database_;
};

}  // namespace cdc::pg
