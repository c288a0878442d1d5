// SnapshotMode and SnapshotSettings: the snapshot settings shared by the
// database sources.
//
//   snapshot: initial     the mode:
//     initial       read the tables on the first run (no committed offset), then stream
//     never         only stream
//     always        read the tables on the first run() of every process, then stream
//     initial_only  read the tables once and stop; no stream
//   snapshot_workers: 2            parallel table readers (1..64)
//   snapshot_chunk_size: 2048      rows per key-ordered chunk
//
// or, as one block:
//
//   snapshot:
//     mode: initial
//     workers: 2
//     chunk_size: 2048
//     key_columns: {"public.events": [event_id]}
//     keyless_tables: refuse
//
// key_columns names, per table ("schema.table" / "database.table"), columns
// that identify a row when the table has no primary key (or that should
// order its snapshot instead): the snapshot then reads it in chunks of that
// order, resumes it after a crash, and can snapshot it incrementally.
//
// keyless_tables: what a snapshot does with a table that has neither a
// primary key nor key_columns. Such a table has no order to resume in: a
// crash during its snapshot means reading it again from its start, and the
// rows delivered before the crash then come twice. `refuse` (the default)
// stops the snapshot before it emits anything, naming the tables, so the
// operator chooses; `reread` accepts the duplicates after a crash.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cdc/config_node.h"

namespace cdc {

enum class SnapshotMode { kInitial, kNever, kAlways, kInitialOnly };

struct SnapshotSettings {
  SnapshotMode mode = SnapshotMode::kInitial;
  int workers = 2;            // snapshot_workers: parallel table readers
  int64_t chunk_size = 2048;  // snapshot_chunk_size: rows per key-ordered chunk
  std::map<std::string, std::vector<std::string>> key_columns;  // by qualified table
  bool reread_keyless = false;                                  // keyless_tables: reread
};

// Reads the settings above from a source block (either form, not both);
// fails at the offending line.
SnapshotSettings ParseSnapshotSettings(const ConfigNode& config);

// The key_columns configured for `table` (qualified; a key may name it by
// its last parts, "orders" for "public.orders"), or null.
const std::vector<std::string>* KeyColumnsFor(
    const std::map<std::string, std::vector<std::string>>& key_columns, const std::string& table);

// Whether a source's run() reads the tables: when it resumes an interrupted
// snapshot, on a first run (no committed offset) unless `never`, and with
// `always` once per process.
bool ShouldSnapshot(SnapshotMode mode, bool has_committed_offset, bool resuming,
                    bool taken_by_this_process);

}  // namespace cdc
