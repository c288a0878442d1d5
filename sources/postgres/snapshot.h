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
// Resuming after a crash (PostgresSource::stream). The exported snapshot is
// gone, so the rest is read at a fresh point P2 (a new temporary slot): the
// cdcd slot first streams every transaction committed in [P, P2), unfiltered,
// with offsets that still carry the progress; then the unread key ranges are
// read here at P2, then the stream goes on from P2. Per key, values only move
// forward in time: read keys get their changes after P, unread keys get their
// [P, P2) changes and then their value at P2. No key is read twice (except in
// a table without a primary key, which is re-read whole), nothing is lost,
// and a crash during either step repeats it from the committed offset.
// docs/architecture.md §4 explains why this instead of DBLog watermarks.
#pragma once

#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>
#include <vector>

#include "cdc/source.h"
#include "cdc/table_snapshot.h"
#include "sources/postgres/lsn.h"
#include "sources/postgres/pg_catalog.h"
#include "sources/postgres/pg_type_map.h"
#include "sources/postgres/postgres_options.h"

namespace cdc::pg {

// SnapshotProgress::FromJson for a postgres offset state, which also checks
// that the point is an LSN text. Throws Error otherwise.
SnapshotProgress ParseSnapshotProgress(const nlohmann::json& state);

// The snapshot point of a progress parsed by ParseSnapshotProgress (or made
// by RunSnapshot). Throws Error when it is not an LSN text.
Lsn SnapshotPoint(const SnapshotProgress& progress);

struct PgSnapshotRequest {
  std::string context;        // for logs and errors
  std::string database;       // current_database()
  std::string snapshot_name;  // the exported snapshot
  Lsn point = 0;              // the temporary slot's consistent point
  std::vector<PgTableInfo> tables;
  // Tables already read (from a committed offset); its point is replaced.
  SnapshotProgress progress;
  // The next of the last event: the stream position; or, when finish_done
  // (initial_only), the progress with phase "done".
  Offset final_offset;
  bool finish_done = false;
};

// Reads and emits the snapshot. Returns false when stopped before the end.
// Relations are built with `catalog` and `types` on the calling thread.
bool RunSnapshot(const PostgresSourceOptions& options, const PgSnapshotRequest& request,
                 PgCatalog& catalog, PgTypeMap& types, Emitter& out, std::stop_token stop);

}  // namespace cdc::pg
