// SourceCoordinator: the half of a database source that is the same for
// every database (Debezium's ChangeEventSourceCoordinator, without the
// generics). A Source built on it supplies a SourceConnector with the
// database-specific pieces; the coordinator owns the rest:
//
//  - the offsets' snapshot and stream state, in one encoding for every
//    source (stream_state.h; snapshot offsets from table_snapshot.h);
//  - the snapshot modes (snapshot_mode.h): initial, never, always,
//    initial_only;
//  - initial snapshots at a consistent point, read by the shared engine
//    (table_snapshot.h), and the stream from that point on;
//  - resuming an interrupted initial snapshot: a fresh point P2, then the log
//    from the committed offset up to P2 with the progress carried in every
//    offset (the catch-up), then the unread key ranges at P2, then the
//    stream from P2. Per key values only move forward in time: read keys go
//    P -> changes up to P2 -> later changes; unread keys get their [P, P2)
//    changes, then their value at P2. docs/architecture.md §4 says why this
//    rather than watermarks for the initial snapshot;
//  - incremental snapshots while streaming (incremental_snapshot.h), asked
//    for through the signal table, request_snapshot(), or by adding tables
//    to the config: a run that takes no initial snapshot compares the
//    captured tables with those the signal table remembers and snapshots
//    the new ones incrementally;
//  - a first start without a snapshot where the server keeps no position
//    (MySQL): the log's end is committed before anything is streamed, so a
//    restart before the first change resumes there, not at a later end.
//
// run() follows the Source contract (cdc/source.h); acknowledge() forwards
// stream offsets to the connector (snapshot offsets release nothing).
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

#include "cdc/snapshot_mode.h"
#include "cdc/snapshot_status.h"
#include "cdc/source.h"
#include "cdc/source_connector.h"

namespace cdc {

struct CoordinatorOptions {
  std::string context;  // "postgres source (pipeline x)"
  std::string pipeline;
  SnapshotSettings snapshot;
};

class SourceCoordinator {
 public:
  SourceCoordinator(CoordinatorOptions options, SourceConnector& connector);

  void run(const std::optional<Offset>& from, Emitter& out, std::stop_token stop);
  void acknowledge(const Offset& committed);
  // Source::request_snapshot: checks the tables (captured, with a key) and
  // the condition on a connection of its own, then writes an
  // execute-snapshot signal; the stream acts on it where it was committed.
  std::string request_snapshot(const std::vector<std::string>& tables, const std::string& where);
  SnapshotStatus snapshot_status() const { return tracker_.status(); }

 private:
  // The snapshot (and catch-up) before the stream; false when stopped or
  // when the run ends with it (initial_only). Sets `start` to the point.
  bool initial_snapshot(const std::optional<SnapshotProgress>& resume, StreamFrom& start,
                        Emitter& out, std::stop_token stop);

  // Emits `marker` and waits until the sink committed its offset; false
  // when stopped first.
  bool commit_first(ChangeEvent marker, Emitter& out, std::stop_token stop);

  CoordinatorOptions options_;
  SourceConnector& connector_;
  // Remembers the captured tables in the signal table; with
  // `snapshot_added`, tables added since the last run get an
  // execute-snapshot signal in the same transaction.
  void sync_captured_tables(bool snapshot_added);

  bool snapshot_taken_ = false;  // by this process (`always`)
  SnapshotTracker tracker_;
  std::mutex ack_mu_;
  std::condition_variable_any acked_;
  std::optional<Offset> last_ack_;  // under ack_mu_
};

}  // namespace cdc
