// Where the prepared part of an XA transaction starts, when the stream met
// its XA COMMIT without having read its XA PREPARE: it was prepared before
// the pipeline's first start point (or before the snapshot's), and committed
// after it, so its rows belong to the stream but lie behind where it began.
//
// The part starts at the GTID event of the transaction that ends in the last
// XA_PREPARE of that XID before the commit (an XID is unique while the
// transaction is pending; a reused one was ended in between, which the scan
// sees as an XA COMMIT/ROLLBACK statement). Every server that binlogs XA
// (MySQL 5.7.7+, MariaDB 10.5+) writes a GTID event for each transaction.
#pragma once

#include <optional>
#include <stop_token>
#include <string>

#include "sources/mysql/binlog_client.h"
#include "sources/mysql/binlog_event_decoder.h"
#include "sources/mysql/binlog_position.h"

namespace cdc::mysql {

class MySqlConnection;

// Reads the events of one binlog file in order and remembers where the last
// prepared part of `xid` starts.
class XaPrepareScan {
 public:
  explicit XaPrepareScan(std::string xid) : xid_(std::move(xid)) {}

  void feed(const DecodedEvent& ev);
  // Where the part starts; nullopt when the events fed hold no XA PREPARE of
  // the XID that was not ended after it.
  const std::optional<BinlogPosition>& found() const { return found_; }
  // An XA COMMIT/ROLLBACK of the XID was fed after its last XA PREPARE (or
  // with none before it): an earlier file holds no pending part of it.
  bool ended() const { return ended_; }

 private:
  std::string xid_;
  std::optional<BinlogPosition> gtid_;  // the current transaction's GTID event
  std::optional<BinlogPosition> found_;
  bool ended_ = false;
};

// Searches the binlog files the server still has (SHOW BINARY LOGS on
// `conn`), from the file of `commit` back to the oldest, each read over a
// dump connection (`dump`: use a server_id of its own) up to `commit`.
// nullopt when none holds the part (purged) or when `stop` was requested.
std::optional<BinlogPosition> FindXaPrepare(MySqlConnection& conn, const BinlogClientOptions& dump,
                                            const std::string& xid, const BinlogPosition& commit,
                                            std::stop_token stop);

}  // namespace cdc::mysql
