// BinlogClient: a BinlogEventSource that reads the binlog over a replication
// connection (COM_REGISTER_SLAVE + COM_BINLOG_DUMP / COM_BINLOG_DUMP_GTID via
// MariaDB Connector/C's mariadb_rpl API), yielding the same raw BinlogEvents
// as BinlogFileReader so that one decoder serves both.
//
// Start: by file:pos, or by GTID (MariaDB "domain-server-seq,..." as
// @slave_connect_state; MySQL "uuid:1-5,..." executed set for
// COM_BINLOG_DUMP_GTID). Checksums: the client announces
// @master_binlog_checksum = the server's binlog_checksum, then verifies and
// strips CRC32 per the FORMAT_DESCRIPTION events it receives. It asks for
// MariaDB GTID events (@mariadb_slave_capability=4) and a heartbeat period.
//
// Positions: every yielded event has `file` = the binlog file it is in
// (tracked from ROTATE events, read from the raw bytes) and `position` = the
// offset of its first byte in that file (header.log_pos - event_size);
// events the server makes up (the ROTATE and FORMAT_DESCRIPTION sent at the
// start of a dump, flag LOG_EVENT_ARTIFICIAL_F, and heartbeats) are yielded
// with position 0 so nobody takes them for a resume point. Heartbeat events
// (type 27) are yielded too: they show the stream is alive at
// (current file, header.log_pos).
//
// Errors: a lost connection or a silent server (no event or heartbeat for 3
// heartbeat periods, rounded up to whole seconds) is a cdc::TransientError; a
// start position the server no longer has (binlog purged, unknown GTID:
// server error 1236) is a MySqlServerError (a cdc::Error, code() 1236) that
// says so and how to recover (re-snapshot), thrown by the constructor; every
// other failure is a cdc::Error naming the file:position reached. A
// server_id of 0 is rejected: the server drops an older dump connection with
// the same id, so each replica needs its own.
//
// Limits: Connector/C 3.3 reads the packets and parses every event before
// handing over the raw bytes; it refuses event types it does not know unless
// they carry LOG_EVENT_IGNORABLE_F (e.g. MySQL 8's TRANSACTION_PAYLOAD, 40),
// which ends the stream with a cdc::Error. It has no COM_BINLOG_DUMP_GTID, so
// the MySQL GTID dump is sent here through the handle's db_command (without
// COM_REGISTER_SLAVE, which MySQL does not require); tagged GTIDs (8.3+) are
// refused. Only MariaDB is tested live: the MySQL GTID path is untested
// against a real MySQL server.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "sources/mysql/binlog_event.h"
#include "sources/mysql/format_description.h"
#include "sources/mysql/mysql_connection.h"

namespace cdc::mysql {

// The message for server error 1236 (the server cannot send the binlog from
// `where`, a file:pos or "GTID ..."), from the server's text: a purged or
// unknown start must re-snapshot; a position past the file's end (a failover
// to a server with a shorter binlog) and a replica with the same server_id
// (MySQL drops the older connection) are named as what they are.
std::string FatalReadMessage(const std::string& context, const std::string& where,
                             const std::string& server_text);

struct BinlogStart {
  // Non-empty: dump by GTID (file/position are ignored).
  std::string gtid;
  // Else by position; an empty file means the server's first binlog file.
  std::string file;
  uint64_t position = 4;
};

struct BinlogClientOptions {
  MySqlConnectOptions connect;
  uint32_t server_id = 0;
  std::chrono::milliseconds heartbeat_period{5000};  // 0: no heartbeats
  bool verify_checksums = true;
  std::string context;  // prefix of errors, e.g. "mysql source (pipeline p)"
};

class BinlogClient : public BinlogEventSource {
 public:
  // Connects, registers as a replica and starts the dump. Throws as
  // described above (TransientError when the server is unreachable).
  BinlogClient(const BinlogClientOptions& options, const BinlogStart& start);
  ~BinlogClient() override;

  // Blocks until the next event. Returns nullopt only after interrupt().
  std::optional<BinlogEvent> next() override;

  // Thread-safe: makes a blocked or later next() return nullopt promptly
  // (shuts the socket down). The client is unusable afterwards.
  void interrupt();

  // Whether next() has an event without waiting for the server, as far as
  // can be told without blocking: the socket is read-ready. Bytes already in
  // Connector/C's read-ahead cache are not seen, so it may say false when an
  // event is at hand (a hint, never a promise).
  bool has_data_now() const;

  bool is_mariadb() const;
  // The file the stream is currently in ("" before the first ROTATE).
  const std::string& current_file() const { return file_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string file_;
  std::atomic<bool> interrupted_{false};
};

}  // namespace cdc::mysql
