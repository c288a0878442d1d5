// PostgresSourceOptions: the `source:` block of a `type: postgres` pipeline.
//
//   dsn                 libpq conninfo or URI (required); TLS settings pass through
//   tables              table patterns "schema.table"; '*' matches any run of
//                       characters; no dot means schema "public". Default: all
//                       tables of the database (outside system schemas).
//   exclude_tables      patterns removed from `tables`
//   slot, publication   names; default cdcd_<pipeline> (non-alphanumerics -> '_')
//   snapshot            initial | never | always | initial_only (default initial),
//                       or a block {mode, workers, chunk_size, key_columns}
//                       (cdc/snapshot_mode.h)
//   snapshot_workers    parallel table readers (default 2)
//   snapshot_chunk_size rows per PK-ordered chunk (default 10000)
//   signal_table        "schema.table" of the signal table: incremental
//                       snapshot requests and watermarks (default
//                       public.cdcd_signal; created when missing)
//   heartbeat_interval  pg_logical_emit_message period; 0 disables (default 10s)
//   status_interval     standby status update period (default 10s)
//   slot_busy_timeout   how long a slot held by another process is waited for
//                       before stopping with an error (default 15s): a killed
//                       cdcd's walsender needs a moment to see its socket close
//   drop_slot_on_stop   drop the slot on a clean stop (default false: WAL is kept)
// Unknown keys are rejected.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cdc/config_node.h"
#include "cdc/snapshot_mode.h"

namespace cdc::pg {

using cdc::SnapshotMode;

struct PostgresSourceOptions {
  std::string pipeline;
  std::string dsn;
  std::vector<std::string> tables;
  std::vector<std::string> exclude_tables;
  std::string slot;
  std::string publication;
  SnapshotSettings snapshot;  // snapshot, snapshot_workers, snapshot_chunk_size, key_columns
  std::string signal_table = "public.cdcd_signal";
  std::chrono::milliseconds heartbeat_interval{10000};
  std::chrono::milliseconds status_interval{10000};
  std::chrono::milliseconds slot_busy_timeout{15000};
  bool drop_slot_on_stop = false;
};

PostgresSourceOptions ParsePostgresSourceOptions(const ConfigNode& config,
                                                 const std::string& pipeline_name);

// "cdcd_" + the pipeline name with every character outside [a-z0-9_] replaced
// by '_' (slot names allow only those), cut to PostgreSQL's 63 bytes.
std::string DefaultObjectName(const std::string& pipeline_name);

// What is wrong with `dsn` as libpq reads it (a malformed string or URI, a
// port or timeout that is not a number, an unknown sslmode), without echoing
// anything that could be part of the password; nullopt when it is usable
// (also a bare database name, which libpq takes as one).
// Found when the config is loaded, so `cdcd validate` reports it and a run
// does not retry it forever as if the server were away.
std::optional<std::string> DsnProblem(const std::string& dsn);

// True when `qualified` ("schema.table") matches `pattern` (see `tables`).
bool TableMatches(const std::string& pattern, const std::string& qualified);

}  // namespace cdc::pg
