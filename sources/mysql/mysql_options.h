// MySqlSourceOptions: the `source:` block of a `type: mysql` pipeline (MySQL
// 5.7/8.x/9.x and MariaDB 10.x).
//
//   host, port          server address (default 127.0.0.1:3306)
//   user, password      an account with REPLICATION SLAVE, REPLICATION CLIENT
//                       (MariaDB: BINLOG MONITOR), SELECT, and RELOAD for snapshots
//   server_id           the replica id cdcd registers with; must differ from
//                       every server and replica of the topology. Default: a
//                       number derived from the pipeline name (1000000000 + hash)
//   ssl_mode            disabled | preferred | required | verify_ca | verify_identity
//   ssl_ca              CA certificate file for verify_ca / verify_identity
//   tables              "database.table" patterns, '*' matches any run of
//                       characters; default: every table outside the system databases
//   exclude_tables      patterns removed from `tables`
//   snapshot            initial | never | always | initial_only (default initial),
//                       or a block {mode, workers, chunk_size, key_columns}
//                       (cdc/snapshot_mode.h)
//   snapshot_workers    parallel table readers (default 2)
//   snapshot_chunk_size rows per primary-key-ordered chunk (default 2048)
//   signal_table        "database.table" of the signal table: incremental
//                       snapshot requests and watermarks (default
//                       cdcd_signal in the database of the first `tables`
//                       pattern when it names one; created when missing)
//   heartbeat_interval  binlog heartbeat period asked of the server: an idle
//                       stream still proves the connection alive (default 5s)
//   zero_dates          null | string: how 0000-00-00 dates are delivered (string:
//                       MySQL's text in the flat envelope; the debezium envelope,
//                       whose schema types them as dates, writes null, as Debezium)
//                       (default null; string gives MySQL's literal text)
//   resume_by           auto | gtid | position: how the binlog dump resumes.
//                       gtid survives a failover to another server of the
//                       topology; position (file:pos) works without GTIDs.
//                       auto: gtid when the committed offset carries a GTID
//                       state and the server has GTIDs, else position.
// Unknown keys are rejected.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cdc/config_node.h"
#include "cdc/snapshot_mode.h"
#include "sources/mysql/mysql_connection.h"
#include "sources/mysql/row_value_decoder.h"

namespace cdc::mysql {

enum class ResumeBy { kAuto, kGtid, kPosition };

struct MySqlSourceOptions {
  std::string pipeline;
  MySqlConnectOptions connect;
  uint32_t server_id = 0;
  std::vector<std::string> tables;
  std::vector<std::string> exclude_tables;
  SnapshotSettings snapshot;      // snapshot, snapshot_workers, snapshot_chunk_size, key_columns
  std::string signal_table;       // "database.table"; empty: none
  bool signal_table_off = false;  // set to "" on purpose (not: no default could be derived)
  std::chrono::milliseconds heartbeat_interval{5000};
  ZeroDatePolicy zero_dates = ZeroDatePolicy::kNull;
  ResumeBy resume_by = ResumeBy::kAuto;

  // "mysql source (pipeline <name>)", the prefix of logs and errors.
  std::string context() const { return "mysql source (pipeline " + pipeline + ")"; }
};

MySqlSourceOptions ParseMySqlSourceOptions(const ConfigNode& config,
                                           const std::string& pipeline_name);

// The server_id of the second, short dump connection that reads a prepared
// XA transaction again when it commits: `server_id` with its top bit
// flipped (never 0), so the server keeps the stream's connection.
uint32_t XaReplayServerId(uint32_t server_id);

// The databases whose tables are never captured (mysql, sys, ...).
bool IsSystemDatabase(const std::string& database);

// True when db.table is captured under `options` (tables minus
// exclude_tables; system databases and the signal table never).
bool TableCaptured(const MySqlSourceOptions& options, const std::string& database,
                   const std::string& table);
bool IsSignalTable(const MySqlSourceOptions& options, const std::string& database,
                   const std::string& table);
// True when `tables` names db.table itself (a pattern without '*'): a table
// the user asked for by name, whose DROP or RENAME stops the pipeline.
bool TableNamed(const MySqlSourceOptions& options, const std::string& database,
                const std::string& table);
// Whether the binlog's events of db.table are decoded: the captured tables
// and the signal table.
bool TableStreamed(const MySqlSourceOptions& options, const std::string& database,
                   const std::string& table);

}  // namespace cdc::mysql
