// StreamState: the `state` of a stream offset, shared by the source's
// connector and its coordinator -- one encoding for every source.
//
//   {<the connector's own keys>...,
//    "snapshot":    <SnapshotProgress>   an initial snapshot was interrupted:
//                                        the tables are not all read yet,
//    "incremental": <IncrementalProgress> an incremental snapshot is running}
//
// A state without the coordinator's keys is the connector's alone (null
// when it keeps none). Snapshot offsets (tx "snapshot:<label>") are not
// stream offsets: their state is the SnapshotProgress itself.
//
// Offsets written before this encoding still read: PostgreSQL kept an
// interrupted snapshot's progress as the whole state ({"phase", "point",
// "tables"}), MySQL already under "snapshot".
#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "cdc/offset.h"
#include "cdc/table_snapshot.h"

namespace cdc {

struct StreamState {
  nlohmann::json source;  // the connector's part: null or an object
  std::optional<SnapshotProgress> snapshot;
  nlohmann::json incremental;  // null: no incremental snapshot running

  // Splits a stream offset's state; Error when a part is malformed.
  static StreamState Split(const nlohmann::json& state);
  // The connector's offset: `offset` with only the connector's state.
  static Offset SourceOffset(const Offset& offset);
};

// Puts the coordinator's parts into `o.state` (the connector's state stays);
// nothing when both are null.
void AddCoordinatorState(Offset& o, const nlohmann::json& snapshot,
                         const nlohmann::json& incremental);

}  // namespace cdc
