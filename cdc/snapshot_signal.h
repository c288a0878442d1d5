// Signals: rows of the signal table (id, type, data), read from the stream
// in commit order, so a request takes effect exactly where it was committed
// and survives any crash (it is in the database's log).
//
// The layout is Debezium's, so a signal table made for Debezium works:
//   id    varchar   primary key
//   type  varchar   execute-snapshot | stop-snapshot |
//                   snapshot-window-open | snapshot-window-close |
//                   captured-tables
//   data  text      JSON
//
// execute-snapshot data (Debezium's keys, or cdcd's shorter ones):
//   {"data-collections": ["public.orders", ...], "type": "incremental",
//    "additional-conditions": [{"data-collection": "public.orders",
//                               "filter": "status = 'open'"}],
//    "pipeline": "shop"}
//   {"tables": ["public.orders"], "where": "status = 'open'"}
// `pipeline`, when given, addresses one pipeline; without it every pipeline
// capturing the named tables acts on it. A `where` (or a collection's filter)
// is SQL added to each chunk's WHERE: only matching rows are read.
// stop-snapshot data names the tables to drop from the running incremental
// snapshot ({"data-collections": [...]} or {"tables": [...]}); none: all.
//
// Watermarks are cdcd's own rows: id "<pipeline>-watermark", data the chunk
// id; captured-tables (id "<pipeline>-tables") remembers which tables the
// pipeline captured, so that tables added to its config are snapshotted.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cdc/change_event.h"

namespace cdc {

struct SnapshotSignal {
  enum class Kind { kExecute, kStop, kWindowOpen, kWindowClose, kOther };
  Kind kind = Kind::kOther;
  std::string id;
  std::string type;      // as written
  std::string pipeline;  // addressed pipeline; empty: any
  std::vector<std::string> tables;
  std::map<std::string, std::string> filters;  // table -> SQL condition
  std::string snapshot_type;                   // execute: "incremental" (default) or what was asked
  std::string chunk;                           // watermarks: the chunk id
  std::string error;                           // malformed data: why (the signal is then ignored)
};

inline constexpr const char* kExecuteSnapshot = "execute-snapshot";
inline constexpr const char* kStopSnapshot = "stop-snapshot";
inline constexpr const char* kWindowOpen = "snapshot-window-open";
inline constexpr const char* kWindowClose = "snapshot-window-close";
inline constexpr const char* kCapturedTables = "captured-tables";

// The signal a change of the signal table carries; nullopt for a delete or
// a truncate (nothing to act on).
std::optional<SnapshotSignal> ReadSignal(const ChangeEvent& ev);

// The data of an execute-snapshot signal for `tables` (one `where` for all;
// empty: none), addressed to `pipeline`.
std::string ExecuteSnapshotData(const std::vector<std::string>& tables, const std::string& where,
                                const std::string& pipeline);

// A fresh id for a signal: "<prefix>-<random hex>".
std::string NewSignalId(const std::string& prefix);

}  // namespace cdc
