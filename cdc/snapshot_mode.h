// SnapshotMode: the `snapshot:` setting shared by the database sources.
//
//   initial       read the tables on the first run (no committed offset), then stream
//   never         only stream
//   always        read the tables on the first run() of every process, then stream
//   initial_only  read the tables once and stop; no stream
#pragma once

#include <string>

#include "cdc/config_node.h"

namespace cdc {

enum class SnapshotMode { kInitial, kNever, kAlways, kInitialOnly };

// Reads `snapshot` from a source block (default initial); fails at its line
// for any other value.
SnapshotMode ParseSnapshotMode(const ConfigNode& config);

}  // namespace cdc
