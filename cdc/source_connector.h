// SourceConnector: the database-specific half of a database source. The other
// half, the same for every database, is SourceCoordinator: it owns the
// committed offset's snapshot and stream state, the snapshot modes, initial
// snapshots with their catch-up, and incremental snapshots with watermarks.
// A connector supplies only what differs between databases:
//
//   open()/close()        connect, check the server, prepare streaming
//                         (PostgreSQL: publication and slot);
//   open_point()          a consistent point for an initial snapshot, with
//                         readers inside it;
//   stream()              the log from a position, as events whose offsets
//                         resume exactly (the source's own offset format);
//   acknowledge()         release the log up to a committed offset;
//   incremental()         what incremental snapshots need: the signal
//                         table, watermark writes, plain chunk reads.
//
// Offsets. Stream offsets are the connector's: {tx, index, state} with
// `state` its own (null, or an object: MySQL keeps its GTID state there).
// The coordinator adds its own keys to that object while it has something
// to keep ("snapshot", "incremental", see stream_state.h) and hands the
// connector back offsets without them. A connector never builds snapshot
// offsets: the engine in table_snapshot.h does.
//
// Threads: open(), open_point(), stream() and close() run on the source's
// thread, one at a time; acknowledge() on the pipeline's commit thread.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "cdc/offset.h"
#include "cdc/source.h"
#include "cdc/table_snapshot.h"

namespace cdc {

// A consistent point P held open: readers inside it see exactly the
// transactions committed before P, and a stream from stream_offset() sends
// exactly the others. Destroying it releases what holds the point open.
class ConsistentPoint {
 public:
  virtual ~ConsistentPoint() = default;
  // Stored as SnapshotProgress::point; given back to
  // SourceConnector::point_offset() after a restart.
  virtual nlohmann::json point() const = 0;
  // The snapshot to run at P: context, point_label, connector, server_name,
  // source_fields, the captured tables (schemas and estimates as of P),
  // workers and chunk size. The coordinator fills in progress and offsets.
  virtual SnapshotRequest request() = 0;
  // Worker w's reader inside the point's snapshot, made on worker w's thread.
  virtual std::unique_ptr<TableChunkReader> reader(size_t worker) = 0;
};

// Where a stream starts: a committed offset, or a position the coordinator
// made (a snapshot point), which must not be confirmed to the server before
// the sink commits past it.
struct StreamFrom {
  std::optional<Offset> offset;  // nullopt: where the log ends now (or the slot stands)
  bool committed = false;
};

class SourceConnector {
 public:
  virtual ~SourceConnector() = default;
  // "postgres source (pipeline x)": prefix of logs and errors.
  virtual std::string context() const = 0;
  // Connects and checks the server. `has_position`: a committed stream
  // position exists; `will_stream`: the run streams after its snapshot
  // (initial_only does not, and needs no slot).
  virtual void open(bool has_position, bool will_stream) = 0;
  // Ends what open() started; also after a failed run.
  virtual void close() = 0;

  virtual std::unique_ptr<ConsistentPoint> open_point() = 0;
  // The stream offset at a point stored by a snapshot (its stream_offset()
  // then); Error when `point` was not made by this connector.
  virtual Offset point_offset(const nlohmann::json& point) = 0;

  // Streams from `start`; with `until`, returns true once every transaction
  // committed before that point was emitted, leaving the rest. Returns
  // false when stopped (or the emitter is stopping).
  virtual bool stream(const StreamFrom& start, const ConsistentPoint* until, Emitter& out,
                      std::stop_token stop) = 0;
  // Thread-safe; called with committed offsets only.
  virtual void acknowledge(const Offset& committed) = 0;
};

}  // namespace cdc
