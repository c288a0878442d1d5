// BinlogLag: how many bytes of the server's binlog lie past the position the
// sink committed -- the MySQL/MariaDB half of Source::lag_bytes().
//
// The committed position comes from acknowledge() (any thread); the server's
// end from SHOW BINARY LOGS (the file list with sizes; the last size is the
// end), read on the stream thread at most once per interval. Files between
// the two count whole. Unknown (nullopt) until both are known, and when the
// committed file is no longer listed (purged).
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sources/mysql/binlog_position.h"

namespace cdc::mysql {

class MySqlConnection;

// Bytes from `from` to the end of the last of `logs` ((name, size) in binlog
// order, as SHOW BINARY LOGS lists them); nullopt when `from.file` is not
// among them.
std::optional<uint64_t> BinlogBytesAfter(const BinlogPosition& from,
                                         const std::vector<std::pair<std::string, uint64_t>>& logs);

class BinlogLag {
 public:
  explicit BinlogLag(std::chrono::milliseconds interval) : interval_(interval) {}
  // The sink committed up to `p`. Thread-safe.
  void committed(const BinlogPosition& p);
  // Reads the server's binlog list when the last read is `interval` old (or
  // none was made); a failed read (e.g. no BINLOG MONITOR) makes the lag unknown.
  void maybe_sample(MySqlConnection& conn);
  // Thread-safe.
  std::optional<uint64_t> bytes() const;

 private:
  const std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point last_sample_{};
  mutable std::mutex mu_;
  std::optional<BinlogPosition> committed_;
  std::vector<std::pair<std::string, uint64_t>> logs_;
};

}  // namespace cdc::mysql
