// IncrementalSnapshot: snapshots of tables while the stream runs, with
// DBLog's watermarks (Debezium's "incremental snapshot"). No lock is taken
// and the stream never waits for a read.
//
// It is the Emitter the connector streams into during a run. Every event
// passes through it:
//  - changes of the signal table never reach the pipeline: they are signals
//    (snapshot_signal.h) acted on where they were committed;
//  - an execute-snapshot signal queues its tables; the ChunkWorker reads them
//    one chunk at a time in order-key order: low watermark, read, high
//    watermark;
//  - between a chunk's low and high watermark, every streamed change of its
//    table marks its key (before and after images) as touched; a truncate or
//    a schema change of the table spoils the whole chunk, which is read again;
//  - at the high watermark the chunk's rows whose key was not touched are
//    emitted as op `r` (snapshot mark "incremental", the high watermark's
//    commit time and source fields) right there in the stream. A touched key's
//    streamed change is newer than (or equal to) the row read, and every
//    change after the high watermark follows the rows, so per key the values
//    only move forward: the final state derived from the events equals the
//    table.
//
// Offsets. While a snapshot runs, every offset carries its progress under
// "incremental" (IncrementalProgress: the queued tables, the current one's
// last key). A chunk row's offset is the position just before the high
// watermark with that row as the last key read; resuming there re-reads the
// high watermark (whose chunk id no longer matches: ignored) and reads a
// fresh chunk after the last row delivered. So after a crash the snapshot
// continues at the last committed row, and no chunk row committed before the
// crash is emitted again. Chunk ids are new in every process: watermarks of a
// crashed run are ignored.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "cdc/chunk_worker.h"
#include "cdc/snapshot_signal.h"
#include "cdc/snapshot_status.h"
#include "cdc/source.h"
#include "cdc/source_connector.h"

namespace cdc {

struct IncrementalProgress {
  struct Table {
    std::string name;                                  // qualified, as captured_tables() names it
    std::string filter;                                // SQL condition; empty: every row
    std::optional<std::vector<std::string>> last_key;  // text of the last row's order key
    uint64_t rows = 0;                                 // rows emitted
  };
  std::string id;             // the request (signal id) that started it
  std::vector<Table> tables;  // still to read; the first is being read

  nlohmann::json to_json() const;
  // Error when `j` is not an incremental snapshot's progress.
  static IncrementalProgress FromJson(const nlohmann::json& j);
};

// True when `ev` is a change (or schema change) of `signal_table`
// ("schema.table" / "database.table"; empty: none).
bool IsSignalEvent(const ChangeEvent& ev, const std::string& signal_table);

struct IncrementalOptions {
  std::string context;
  std::string pipeline;
  int64_t chunk_size = 2048;
};

class IncrementalState;  // an offset's deferred "incremental" state

class IncrementalSnapshot : public Emitter {
 public:
  // `start` is the stream's start (the position before its first event);
  // `resumed` the progress of a committed offset, continued at once.
  IncrementalSnapshot(IncrementalOptions options, SourceConnector& connector,
                      SnapshotTracker& tracker, Emitter& out, std::optional<Offset> start,
                      std::optional<IncrementalProgress> resumed);
  ~IncrementalSnapshot() override;

  bool emit(ChangeEvent&& ev) override;
  Result try_emit_for(ChangeEvent& ev, std::chrono::milliseconds timeout) override;
  void idle() override { out_.idle(); }

 private:
  struct Chunk;

  bool is_signal(const ChangeEvent& ev) const;
  void on_signal(const ChangeEvent& ev);
  void on_execute(const SnapshotSignal& s);
  void on_stop(const SnapshotSignal& s);
  void on_window_close(const ChangeEvent& hw);
  // Marks the keys `ev` touches while the current chunk's window is open.
  void observe(const ChangeEvent& ev);
  // Emits the prepared chunk rows; false (with `result`) when held back.
  bool drain(std::chrono::milliseconds timeout, Result& result);
  void request_chunk();
  void log_progress(const std::string& table, bool table_done);
  void next_table_or_finish();
  void set_progress();

  IncrementalOptions options_;
  SourceConnector& connector_;
  SnapshotTracker& tracker_;
  Emitter& out_;
  const std::string signal_table_;
  std::vector<std::string> captured_;
  std::optional<Offset> before_;  // the source's offset just before the next event
  IncrementalProgress progress_;
  // The "incremental" state of streamed events' offsets, shared by them
  // until the progress changes; null when no snapshot runs. A chunk's rows
  // share its progress too (one copy of the queue per chunk).
  std::shared_ptr<const IncrementalState> stream_state_;
  std::unique_ptr<ChunkWorker> worker_;
  std::unique_ptr<Chunk> chunk_;      // the chunk in flight
  std::vector<ChangeEvent> pending_;  // chunk rows to emit at the high watermark
  size_t pending_next_ = 0;
  uint64_t seq_ = 0;
  std::string nonce_;
  std::chrono::steady_clock::time_point last_log_;
  uint64_t table_chunks_ = 0;  // chunks of the current table read before this one
};

}  // namespace cdc
