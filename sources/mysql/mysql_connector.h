// MySqlConnector: the MySQL/MariaDB pieces of a source
// (cdc/source_connector.h) -- the start-up checks, the snapshot point and the
// binlog stream.
//
// open(): a query connection checks the server (log_bin, binlog_format=ROW,
// binlog_row_image=FULL, privileges; binlog_row_metadata=FULL or a loud
// warning and information_schema for column names, see below), and creates
// the signal table when missing (`signal_table`; without one, or the right
// to create it, incremental snapshots are unavailable, with a warning).
//
// open_point(): MySqlSnapshot fixes a binlog point P under a brief FLUSH
// TABLES WITH READ LOCK and opens the worker transactions at P:
// transactions before P are in the snapshot, the stream from P sends the
// others.
//
// stream(): the binlog client dumps from the start offset: by GTID when
// resume_by allows it (survives a failover), else by file:pos, and the
// assembler skips the events of the first transaction already delivered.
// Without a start it begins at the binlog's end. With `until` (a point) it
// returns once the first transaction at or after the point is reached.
//
// Without binlog_row_metadata=FULL (MySQL < 8.0.1, MariaDB < 10.5, or the
// setting left at MINIMAL) TABLE_MAPs carry no column names, signedness or
// charsets: they are taken from information_schema when a table is first
// mapped and after each DDL on it. DDL applied while cdcd was down is then
// invisible for the events written before it: hence the warning.
//
// Failures: a lost connection is a TransientError; a purged binlog, a wrong
// server setting or a missing privilege stop the pipeline with what to do.
// acknowledge() releases nothing: binlog retention is the server's
// (binlog_expire_logs_seconds); it only feeds the lag (BinlogLag).
#pragma once

#include <atomic>
#include <memory>
#include <optional>

#include "cdc/source_connector.h"
#include "sources/mysql/binlog_client.h"
#include "sources/mysql/binlog_lag.h"
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

class MySqlConnector : public SourceConnector {
 public:
  explicit MySqlConnector(const MySqlSourceOptions& options);
  ~MySqlConnector() override;

  std::string context() const override { return context_; }
  void open(bool has_position, bool will_stream) override;
  void close() override;
  std::unique_ptr<ConsistentPoint> open_point() override;
  Offset point_offset(const nlohmann::json& point) override;
  bool stream(const StreamFrom& from, const ConsistentPoint* until, Emitter& out,
              std::stop_token stop) override;
  // Releases nothing (binlog retention is the server's); notes the position
  // for lag_bytes().
  void acknowledge(const Offset& committed) override;
  std::string signal_table() const override { return options_.signal_table; }
  bool signals_available() const override { return signals_.load(); }
  std::optional<ChangeEvent> log_end_marker() override;
  std::vector<std::string> captured_tables() const override { return captured_; }
  std::unique_ptr<IncrementalReader> incremental_reader() override;
  std::optional<uint64_t> lag_bytes() const override { return lag_.bytes(); }

  const MySqlSourceOptions& options() const { return options_; }

 private:
  bool stream_from(StreamStart start, const std::optional<BinlogPosition>& until, Emitter& out,
                   std::stop_token stop);
  BinlogClientOptions dump_options() const;
  BinlogEventDecoder make_decoder();
  // Feeds one decoded event of the stream to the assembler and emits what
  // is ready (through `events`, the stream's reused buffer, left empty),
  // then reads again the prepared part of an XA transaction that commits
  // here; false when stopping.
  bool feed(DecodedEvent&& d, uint64_t end, std::vector<ChangeEvent>& events, Emitter& out,
            std::stop_token stop);
  // For an XA COMMIT whose prepared part lies before the stream's start
  // point: finds where the part starts (then feed() reads it again), or
  // ends the transaction without it when the binlog no longer has it;
  // false when stopping.
  bool find_prepared(std::vector<ChangeEvent>& events, Emitter& out, std::stop_token stop);
  // Reads the prepared part of a committing XA transaction again from
  // `from` (to its XA_PREPARE event) on a dump connection of its own and
  // emits its rows as the commit's events; false when stopping.
  bool replay_prepared(const BinlogPosition& from, Emitter& out, std::stop_token stop);
  // The server's current binlog end and GTID state.
  StreamStart current_start();
  // Creates the signal table when missing; false (with a warning) when it
  // cannot.
  bool ensure_signal_table();

  const MySqlSourceOptions options_;
  std::string context_;
  ServerInfo server_;
  std::unique_ptr<MySqlConnection> conn_;  // between open() and close()
  std::unique_ptr<EventAssembler> assembler_;
  std::unique_ptr<TableMapEnricher> enricher_;
  std::atomic<bool> signals_{false};
  std::vector<std::string> captured_;  // as open() found them
  BinlogLag lag_{std::chrono::seconds(5)};
};

}  // namespace cdc::mysql
