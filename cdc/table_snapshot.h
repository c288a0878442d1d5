// Table snapshots, database-agnostic: parallel workers read tables in
// chunks, the calling thread turns the rows into Op::kRead events whose
// offsets resume exactly. A source supplies the consistent point, the tables
// and a TableChunkReader per worker (a connection inside the snapshot's
// transaction); this engine owns the queueing, the event ids, the offsets,
// the snapshot marks and the progress logs.
//
// Reading. A worker takes one table at a time. A table with an order key
// (its primary key) is read in key order in chunks of `chunk_size` rows
// (keyset pagination: each chunk starts after the previous chunk's last key),
// so a table's progress is "every row up to last_key". A table without one
// is read whole through read_whole() in chunks of the same size, and cannot
// be resumed: a restart reads it again from its start, and rows emitted
// before the restart are then delivered twice. So such a table is only read
// when the request allows it (reread_keyless, the user's keyless_tables:
// reread); otherwise the snapshot fails before it emits anything. Chunks go
// through a bounded queue (workers + 1 chunks) to the calling thread, which
// emits each chunk contiguously: any prefix of the emitted events is "each
// table read up to its last_key".
//
// Offsets. Event k (0-based, in emission order) has id "snapshot:<label>:<k>"
// and next = {tx: "snapshot:<label>", index: k+1, state: progress}, where
// progress (cdc/snapshot_progress.h: a frontier in name order plus the few
// tables workers hold, each with its last_key) describes every row emitted
// up to and including event k. Tables are read in name order, whatever the
// request's order, which keeps that state O(workers) for any number of
// tables. The last event's next is `final_offset` (the stream position), or
// with finish_done the progress with phase "done", so a committed snapshot
// resumes as a stream. Marks: the first event is kFirst, a table's first
// kFirstInTable, a table's last kLastInTable, the very last kLast.
//
// Resuming is the source's business (a fresh point, a catch-up of the log
// between the two points, then the unread key ranges): it passes the old
// progress with the new point; tables marked done are skipped, the others
// continue after their last_key. Event indexes restart at 0: every
// (re)started snapshot has a point (label) of its own, so ids stay unique.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "cdc/change_event.h"
#include "cdc/offset.h"
#include "cdc/snapshot_progress.h"
#include "cdc/snapshot_status.h"
#include "cdc/source.h"

namespace cdc {

inline constexpr const char* kSnapshotTxPrefix = "snapshot:";

// True when the offset was made during a snapshot (tx "snapshot:...").
bool IsSnapshotOffset(const Offset& offset);

// One table to read.
struct SnapshotTable {
  std::string name;       // qualified name: progress key and logs ("db.table")
  TableSchemaPtr schema;  // of the events
  // Whether the table is read in key order after last_key (a primary key);
  // false: read whole through read_whole(), no resume.
  bool ordered = true;
  double estimate = -1;  // expected rows for the % in logs; negative: unknown
  // Incremental snapshots: the columns of the order key (indexes into the
  // schema's columns; the primary key or snapshot key_columns), whose
  // values identify a row in stream events too.
  std::vector<size_t> order_key;
};

struct SnapshotRow {
  Row after;                     // aligned with the table's schema
  std::vector<std::string> key;  // ordered tables: text of each order-key column
};

struct SnapshotChunk {
  std::vector<SnapshotRow> rows;
  bool last = false;  // no rows follow in this table
};

// Reads tables inside the snapshot's transaction. One per worker, used only
// on that worker's thread. Errors are exceptions; they end the snapshot.
class TableChunkReader {
 public:
  virtual ~TableChunkReader() = default;
  // An ordered table: its first `limit` rows in key order whose key is
  // greater than `after_key` (from the start when nullopt); `last` when no
  // more rows follow (e.g. by asking for limit + 1 rows).
  virtual SnapshotChunk read(const SnapshotTable& table,
                             const std::optional<std::vector<std::string>>& after_key,
                             int64_t limit) = 0;
  // A table without an order: every row, handed to `push` in chunks of at
  // most `limit` rows, the final one with `last` set. Stops reading when
  // push returns false (the snapshot is stopping).
  virtual void read_whole(const SnapshotTable& table, int64_t limit,
                          const std::function<bool(SnapshotChunk&&)>& push) = 0;
};

// Makes worker w's reader, on worker w's thread.
using ChunkReaderFactory = std::function<std::unique_ptr<TableChunkReader>(size_t worker)>;

struct SnapshotRequest {
  std::string context;                     // prefix of logs and errors
  std::string point_label;                 // in tx and ids: "snapshot:<point_label>:<k>"
  std::string connector;                   // source.connector
  std::string server_name;                 // source.server_name
  std::vector<SourceField> source_fields;  // the same for every event
  std::optional<SourceSequence> sequence;  // the same for every event
  std::vector<SnapshotTable> tables;
  // Tables done or partly read before, with `point` already set.
  SnapshotProgress progress;
  // The next of the last event; or, when finish_done, progress with phase "done".
  Offset final_offset;
  bool finish_done = false;
  int workers = 2;
  int64_t chunk_size = 2048;
  // Unordered tables: read them (again from their start after a restart)
  // when true; otherwise RunTableSnapshot refuses before emitting anything.
  bool reread_keyless = false;
  SnapshotTracker* tracker = nullptr;  // told of progress when set
};

// Reads and emits the snapshot. Returns false when stopped before the end
// (or when the emitter is stopping); rethrows the first reader error.
bool RunTableSnapshot(const SnapshotRequest& request, const ChunkReaderFactory& readers,
                      Emitter& out, std::stop_token stop);

}  // namespace cdc
