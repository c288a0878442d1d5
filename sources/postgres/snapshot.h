// Snapshot: reads the published tables as of one exported snapshot and emits
// their rows as Op::kRead events whose offsets resume exactly.
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
// A worker takes one table at a time and reads it in primary-key order in
// chunks of `snapshot_chunk_size` rows (keyset pagination:
// WHERE (pk) > (last key) ORDER BY pk LIMIT n+1; the extra row tells whether
// the chunk is the table's last). A table without a primary key is read
// through a cursor in the same chunk sizes, with a warning: it has no order
// to resume in (see below). Chunks go through a bounded queue to the calling
// thread, which turns rows into events and emits each chunk contiguously.
//
// Offsets. Event k (0-based, in emission order) has id "snapshot:<P>:<k>"
// and next = {tx: "snapshot:<P>", index: k+1, state: progress}, where
// progress = {phase: "snapshot", point: "<P>", tables: {"schema.table":
// {last_key: [text of each key column] | null, rows: n, done: bool}}}
// describes every row emitted up to and including event k. Since a table is
// read by one worker in key order and its chunks are emitted in that order,
// any prefix of the emitted events is "each table read up to last_key". The
// last event's next is the stream position {tx: "<P>", index: 0} (or, for
// initial_only, progress with phase "done"), so a committed snapshot resumes
// as a stream from P.
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

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "cdc/source.h"
#include "sources/postgres/lsn.h"
#include "sources/postgres/pg_catalog.h"
#include "sources/postgres/pg_type_map.h"
#include "sources/postgres/postgres_options.h"

namespace cdc::pg {

inline constexpr const char* kSnapshotTxPrefix = "snapshot:";

// How far each table got; the `state` of a snapshot offset.
struct SnapshotProgress {
  struct Table {
    std::optional<std::vector<std::string>> last_key;  // text forms, key order
    uint64_t rows = 0;
    bool done = false;
  };
  std::string phase = "snapshot";  // "snapshot" or "done" (initial_only finished)
  Lsn point = 0;
  std::map<std::string, Table> tables;  // by "schema.table"

  nlohmann::json to_json() const;
  // Throws Error when `state` is not a snapshot state.
  static SnapshotProgress FromJson(const nlohmann::json& state);
};

// True when the offset was made during a snapshot (tx "snapshot:<P>").
bool IsSnapshotOffset(const Offset& offset);

struct SnapshotRequest {
  std::string context;        // for logs and errors
  std::string database;       // current_database()
  std::string snapshot_name;  // the exported snapshot
  Lsn point = 0;              // the temporary slot's consistent point
  std::vector<PgTableInfo> tables;
  // Tables already read (from a committed offset). Event indexes restart at
  // 0: every (re)started snapshot has a point of its own, so ids stay unique.
  SnapshotProgress progress;
  // The next of the last event: the stream position; or, when finish_done
  // (initial_only), the progress with phase "done".
  Offset final_offset;
  bool finish_done = false;
};

// Reads and emits the snapshot. Returns false when stopped before the end.
// Relations are built with `catalog` and `types` on the calling thread.
bool RunSnapshot(const PostgresSourceOptions& options, const SnapshotRequest& request,
                 PgCatalog& catalog, PgTypeMap& types, Emitter& out, std::stop_token stop);

}  // namespace cdc::pg
