// MySqlSource: a Source reading one MySQL or MariaDB server's binlog as a
// replica (see BinlogClient), one decoder for every event
// (BinlogEventDecoder), and EventAssembler for events with exact offsets.
//
// run(from):
//  1. a query connection checks the server (log_bin, binlog_format=ROW,
//     binlog_row_image=FULL, privileges; binlog_row_metadata=FULL or a loud
//     warning and information_schema for column names, see below);
//  2. on a snapshot (SnapshotMode rules as for PostgreSQL) MySqlSnapshot
//     fixes a binlog point P under a brief FLUSH TABLES WITH READ LOCK and
//     reads the tables at P; the stream then starts at P: transactions
//     before P are in the snapshot, those at or after P come from the binlog;
//  3. the binlog client dumps from the committed offset: by GTID when
//     resume_by allows it (survives a failover), else by file:pos, and the
//     assembler skips the events of the first transaction already delivered.
//
// Resuming an interrupted snapshot works as for PostgreSQL (docs/
// architecture.md §4): a fresh point P2, then the binlog from the committed
// offset up to P2 (offsets still carrying the snapshot's progress), then the
// unread key ranges at P2, then the stream from P2.
//
// Without binlog_row_metadata=FULL (MySQL < 8.0.1, MariaDB < 10.5, or the
// setting left at MINIMAL) TABLE_MAPs carry no column names, signedness or
// charsets: they are taken from information_schema when a table is first
// mapped and after each DDL on it. DDL applied while cdcd was down is then
// invisible for the events written before it: hence the warning.
//
// Failures: a lost connection is a TransientError (the pipeline backs off
// and resumes); a purged binlog, a wrong server setting or a missing
// privilege stop the pipeline with what to do. acknowledge() releases
// nothing: binlog retention is the server's (binlog_expire_logs_seconds).
#pragma once

#include <atomic>
#include <memory>
#include <optional>

#include "cdc/registry.h"
#include "cdc/source.h"
#include "cdc/table_snapshot.h"
#include "sources/mysql/binlog_position.h"
#include "sources/mysql/event_assembler.h"
#include "sources/mysql/mysql_options.h"

namespace cdc::mysql {

class MySqlConnection;
class TableMapEnricher;

// What the start-up checks learnt about the server.
struct ServerInfo {
  bool mariadb = false;
  bool gtid_enabled = false;   // MariaDB: always; MySQL: gtid_mode=ON
  bool full_metadata = false;  // binlog_row_metadata=FULL
  std::string version;
};

// Runs the start-up checks; throws Error saying what to change.
ServerInfo CheckServer(MySqlConnection& conn, const std::string& context);

class MySqlSource : public Source {
 public:
  explicit MySqlSource(MySqlSourceOptions options);
  ~MySqlSource() override;

  void run(const std::optional<Offset>& from, Emitter& out, std::stop_token stop) override;
  void acknowledge(const Offset& committed) override;

  const MySqlSourceOptions& options() const { return options_; }

 private:
  void stream(std::optional<StreamStart> from, bool snapshot,
              const std::optional<SnapshotProgress>& resume, Emitter& out, std::stop_token stop);
  // Streams from `start` until stopped or, with `until`, until every
  // transaction before `until` was emitted (returns true then). A non-null
  // `snapshot_state` goes into every offset (an interrupted snapshot's
  // progress, while catching up).
  bool stream_from(MySqlConnection& conn, StreamStart start,
                   const std::optional<BinlogPosition>& until,
                   const nlohmann::json& snapshot_state, Emitter& out, std::stop_token stop);
  // The server's current binlog end and GTID state.
  StreamStart current_start(MySqlConnection& conn);
  // Emits `ev` (waiting while the pipeline is full); false when stopping.
  bool emit(ChangeEvent& ev, Emitter& out, std::stop_token stop);

  MySqlSourceOptions options_;
  std::string context_;
  ServerInfo server_;
  std::unique_ptr<EventAssembler> assembler_;
  std::unique_ptr<TableMapEnricher> enricher_;
  bool snapshot_taken_ = false;  // by this process (`always`)
};

void RegisterMySqlSource(Registry& registry);

}  // namespace cdc::mysql

namespace cdc {
using mysql::RegisterMySqlSource;
}  // namespace cdc
