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
//   incremental_reader()  what incremental snapshots need: plain chunk
//                         reads and writes to the signal table, whose
//                         changes the stream must carry.
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

// One row of the signal table (snapshot_signal.h).
struct SignalRow {
  std::string id, type, data;
};

// Reads outside any snapshot and writes to the signal table, on a
// connection of its own: an incremental snapshot's chunk thread, or the
// thread of a snapshot request. Used by one thread at a time.
class IncrementalReader {
 public:
  virtual ~IncrementalReader() = default;
  // `table` (a user's name: "public.orders", "orders", "shop.orders") as the
  // stream sees it now: its qualified name, schema, order key (the primary
  // key, or the configured key_columns; empty: none) and row estimate.
  // nullopt when the pipeline does not capture such a table.
  virtual std::optional<SnapshotTable> describe(const std::string& table) = 0;
  // At most `limit` rows in order-key order after `after` (from the start
  // when nullopt) that satisfy `filter` (SQL; empty: all), in one statement;
  // `last` when no more follow.
  virtual SnapshotChunk read(const SnapshotTable& table,
                             const std::optional<std::vector<std::string>>& after, int64_t limit,
                             const std::string& filter) = 0;
  // Inserts `rows` into the signal table, replacing rows with the same id,
  // in one committed transaction.
  virtual void write_signals(const std::vector<SignalRow>& rows) = 0;
  // The data of the signal row `id`; nullopt when there is none.
  virtual std::optional<std::string> read_signal(const std::string& id) = 0;
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

  // Incremental snapshots. The signal table's name as stream events name
  // their tables ("schema.table" / "database.table"); fixed at construction.
  virtual std::string signal_table() const = 0;
  // Whether open() found (or made) the signal table and streams its
  // changes; without it incremental snapshots cannot run.
  virtual bool signals_available() const = 0;
  // The tables the pipeline captures, qualified as describe() names them,
  // as open() found them (the signal table excluded).
  virtual std::vector<std::string> captured_tables() const = 0;
  // A reader on a new connection. Thread-safe: callable from any thread,
  // also while the source runs.
  virtual std::unique_ptr<IncrementalReader> incremental_reader() = 0;
  // For a first start without a snapshot, when nothing on the server keeps
  // the stream's start (MySQL; PostgreSQL's slot does): a heartbeat at the
  // log's end now, its `next` where the stream is to start. The coordinator
  // streams only once the sink has committed it, so a restart before the
  // first change resumes there instead of at a later end (losing what came
  // between). Called after open(); nullopt: the server keeps the position.
  virtual std::optional<ChangeEvent> log_end_marker() { return std::nullopt; }
  // Source::lag_bytes(). Thread-safe.
  virtual std::optional<uint64_t> lag_bytes() const { return std::nullopt; }
};

}  // namespace cdc
