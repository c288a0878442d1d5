// MySqlSnapshot: reads the captured tables as of one binlog position and
// emits their rows as Op::kRead events (through the engine of
// cdc/table_snapshot.h, which documents ids, offsets, progress and resume).
//
// Consistency with the stream. open() takes FLUSH TABLES WITH READ LOCK on
// one connection: no transaction commits while it is held, so the binlog
// position read then (SHOW MASTER STATUS, plus the GTID set) splits the log
// exactly. Every worker connection starts START TRANSACTION WITH CONSISTENT
// SNAPSHOT (REPEATABLE READ) under the lock, then the lock is released
// (held only for those few statements; its duration is logged). So each
// worker sees exactly the transactions written before the point, and a
// stream from the point sends exactly the later ones: snapshot + stream has
// no gap and no overlap. The transactions stay open until run() ends, so the
// source may stream (catch up) between open() and run() on its own
// connection.
//
// Reading. Workers read tables in primary-key order, in chunks of
// snapshot_chunk_size rows by keyset pagination on the whole key (composite
// keys compare lexicographically: k1 > v1 OR (k1 = v1 AND k2 > v2) ...);
// tables without a primary key are streamed whole (no resume, a warning).
// Values arrive through the text protocol and are converted by
// mysql_text_value.h into exactly what the binlog decoder yields; schemas
// come from information_schema (mysql_catalog.h), as the binlog with
// binlog_row_metadata=FULL would give them. Worker sessions use
// time_zone '+00:00' (TIMESTAMP text in UTC).
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>
#include <vector>

#include "cdc/source_connector.h"
#include "cdc/table_snapshot.h"
#include "sources/mysql/mysql_catalog.h"
#include "sources/mysql/mysql_connection.h"
#include "sources/mysql/mysql_options.h"

namespace cdc::mysql {

// A binlog position: the snapshot point.
struct BinlogPoint {
  std::string file;
  uint64_t position = 0;
  // MariaDB @@gtid_binlog_pos or MySQL @@gtid_executed at the point; "" when
  // GTIDs are off.
  std::string gtid;

  std::string label() const { return file + ":" + std::to_string(position); }
  nlohmann::json to_json() const;
  // Throws Error when `j` is not a point.
  static BinlogPoint FromJson(const nlohmann::json& j);
  bool operator==(const BinlogPoint&) const = default;
};

// The server's binlog end and the GTID state there (MariaDB:
// BINLOG_GTID_POS of that position; MySQL: the Executed_Gtid_Set read with
// it), exact without any lock held. SHOW MASTER STATUS, or SHOW BINARY LOG
// STATUS on MySQL 8.4+. Throws Error when binary logging is off.
BinlogPoint ReadBinlogPoint(MySqlConnection& conn);

// MariaDB: the GTID state at binlog position file:pos (BINLOG_GTID_POS),
// "" when the server cannot tell (position not in its binlogs).
std::string MariaGtidStateAt(MySqlConnection& conn, const std::string& file, uint64_t pos);

// Reads for incremental snapshots and writes to the signal table on a new
// connection of its own (see IncrementalReader).
std::unique_ptr<IncrementalReader> MakeIncrementalReader(const MySqlSourceOptions& options);

class MySqlSnapshot {
 public:
  explicit MySqlSnapshot(const MySqlSourceOptions& options);
  ~MySqlSnapshot();
  MySqlSnapshot(const MySqlSnapshot&) = delete;
  MySqlSnapshot& operator=(const MySqlSnapshot&) = delete;

  // Opens the worker transactions at a consistent point and reads the
  // captured tables' schemas. Throws (TransientError when the server is
  // unreachable; Error otherwise, e.g. binary logging off, missing RELOAD).
  BinlogPoint open();

  // The captured tables as of open(), by database then name.
  const std::vector<CatalogTable>& tables() const { return tables_; }
  TableSchemaPtr schema(size_t table) const { return schemas_.at(table); }

  // The snapshot to run at the point (context, label, source fields,
  // tables); reader(w) is worker w's connection inside it.
  SnapshotRequest request();
  std::unique_ptr<TableChunkReader> reader(size_t worker);

  // Reads every table not done in `progress` (whose point the caller set)
  // and emits its rows; the last event's next is `final_offset`, or with
  // finish_done the progress with phase "done". Returns false when stopped.
  // Ends the worker transactions (whatever the outcome).
  bool run(SnapshotProgress progress, const Offset& final_offset, bool finish_done, Emitter& out,
           std::stop_token stop);
  // Ends the worker transactions.
  void close();

 private:
  struct Readers;

  MySqlSourceOptions options_;
  BinlogPoint point_;
  std::vector<std::unique_ptr<MySqlConnection>> workers_;
  std::vector<CatalogTable> tables_;
  std::vector<TableSchemaPtr> schemas_;
  std::vector<TableMapEvent> maps_;
  std::vector<double> estimates_;
  std::unique_ptr<Readers> readers_;  // made by request()
};

}  // namespace cdc::mysql
