// SnapshotMode: the `snapshot:` setting shared by the database sources.
//
//   initial       read the tables on the first run (no committed offset), then stream
//   never         only stream
//   always        read the tables on the first run() of every process, then stream
//   initial_only  read the tables once and stop; no stream
#pragma once

#include <cstdint>
#include <string>

#include "cdc/config_node.h"

namespace cdc {

enum class SnapshotMode { kInitial, kNever, kAlways, kInitialOnly };

struct SnapshotSettings {
  SnapshotMode mode = SnapshotMode::kInitial;
  int workers = 2;             // snapshot_workers: parallel table readers
  int64_t chunk_size = 10000;  // snapshot_chunk_size: rows per key-ordered chunk
};

// Reads `snapshot` (default initial), `snapshot_workers` (1..64) and
// `snapshot_chunk_size` (>= 1) from a source block; fails at the offending
// line.
SnapshotSettings ParseSnapshotSettings(const ConfigNode& config);

// Whether a source's run() reads the tables: when it resumes an interrupted
// snapshot, on a first run (no committed offset) unless `never`, and with
// `always` once per process.
bool ShouldSnapshot(SnapshotMode mode, bool has_committed_offset, bool resuming,
                    bool taken_by_this_process);

}  // namespace cdc
