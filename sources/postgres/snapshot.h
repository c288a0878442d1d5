// Snapshot: reads the published tables as of one exported snapshot and emits
// their rows as Op::kRead events whose offsets resume exactly. The reading,
// queueing, event ids, offsets, marks and progress logs are the shared
// engine's (cdc/table_snapshot.h); this file supplies what is PostgreSQL's:
// the point, the tables and a chunk reader per worker.
//
// Consistency with the stream. The snapshot point is a temporary logical
// slot created with EXPORT_SNAPSHOT (its replication connection stays open
// and idle while the tables are read: the exported snapshot lives only as
// long as that session's transaction). Its consistent point P splits the WAL
// exactly: a transaction whose commit record starts before P is visible in
// the exported snapshot, one that commits at or after P is not — and the
// cdcd slot, started at P, sends exactly those (the same rule the stream
// offsets rely on, see event_assembler.h). So snapshot + stream from P has no
// gap and no overlap. The cdcd slot is created (or already existed) before
// the temporary one, so it can decode from P.
//
// Reading. `snapshot_workers` normal connections each run
// BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT.
// A table with a primary key is read in key order in chunks of
// `snapshot_chunk_size` rows (WHERE (pk) > (last key) ORDER BY pk LIMIT n+1;
// the extra row tells whether the chunk is the table's last); one without is
// read through a cursor in the same chunk sizes. Every table's Relation (its
// schema and codecs) is built on the calling thread before the workers start,
// so the catalog connection is never shared; the workers decode rows with
// those immutable Relations only.
//
// Offsets (the engine's, with point label P = the LSN text "16/B374D848").
// Event k has id "snapshot:<P>:<k>" and next = {tx: "snapshot:<P>", index:
// k+1, state: progress}, progress = {phase: "snapshot", point: "<P>", tables:
// {"schema.table": {last_key, rows, done}}}: `point` stays the LSN text, as
// offsets committed before the engine have it. The last event's next is the
// stream position {tx: "<P>", index: 0} (or, for initial_only, the progress
// with phase "done"), so a committed snapshot resumes as a stream from P.
//
// Resuming after a crash is the coordinator's (cdc/source_coordinator.h): a
// fresh point P2, the stream from the committed offset up to P2, the unread
// key ranges at P2, then the stream from P2.
#pragma once

#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>
#include <vector>

#include "cdc/source.h"
#include "cdc/source_connector.h"
#include "cdc/table_snapshot.h"
#include "sources/postgres/lsn.h"
#include "sources/postgres/pg_catalog.h"
#include "sources/postgres/pg_connection.h"
#include "sources/postgres/pg_type_map.h"
#include "sources/postgres/postgres_options.h"

namespace cdc::pg {

// SnapshotProgress::FromJson for a postgres offset state, which also checks
// that the point is an LSN text. Throws Error otherwise.
SnapshotProgress ParseSnapshotProgress(const nlohmann::json& state);

// The snapshot point of a progress parsed by ParseSnapshotProgress (or made
// by a PgSnapshotPoint). Throws Error when it is not an LSN text.
Lsn SnapshotPoint(const SnapshotProgress& progress);

// The point of a PostgreSQL snapshot: a temporary logical slot created with
// EXPORT_SNAPSHOT on a replication connection of its own, kept open (and
// idle) for as long as this object lives, so that the exported snapshot
// does. Its consistent point P splits the WAL exactly as the stream offsets
// do (see the top of this file).
class PgSnapshotPoint : public ConsistentPoint {
 public:
  // Creates the temporary slot. `tables` are the published tables, whose
  // Relations are built with `types` (on the calling thread, in request()).
  PgSnapshotPoint(const PostgresSourceOptions& options, std::string context, std::string database,
                  std::vector<PgTableInfo> tables, PgTypeMap& types);
  ~PgSnapshotPoint() override;

  Lsn lsn() const { return point_; }
  // The LSN text, as offsets committed before the shared engine have it.
  nlohmann::json point() const override { return FormatLsn(point_); }
  SnapshotRequest request() override;
  std::unique_ptr<TableChunkReader> reader(size_t worker) override;

 private:
  struct Plans;
  int64_t SnapshotTxId(PgConnection& conn) const;

  const PostgresSourceOptions& options_;
  std::string context_;
  std::string database_;
  std::vector<PgTableInfo> tables_;
  PgTypeMap& types_;
  std::unique_ptr<PgConnection> slot_conn_;
  Lsn point_ = 0;
  std::string snapshot_name_;
  std::unique_ptr<Plans> plans_;
};

// Reads for incremental snapshots and writes to `signal_table` ("schema.table")
// on a new connection of its own (see IncrementalReader).
std::unique_ptr<IncrementalReader> MakeIncrementalReader(const PostgresSourceOptions& options,
                                                         const std::string& context,
                                                         const std::string& signal_table);

}  // namespace cdc::pg
