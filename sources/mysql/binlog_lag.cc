#include "sources/mysql/binlog_lag.h"

#include <spdlog/spdlog.h>

#include "sources/mysql/mysql_connection.h"

namespace cdc::mysql {

std::optional<uint64_t> BinlogBytesAfter(
    const BinlogPosition& from, const std::vector<std::pair<std::string, uint64_t>>& logs) {
  std::optional<uint64_t> bytes;
  for (const auto& [name, size] : logs) {
    if (bytes) {
      *bytes += size;
    } else if (name == from.file) {
      bytes = size > from.pos ? size - from.pos : 0;
    }
  }
  return bytes;
}

void BinlogLag::committed(const BinlogPosition& p) {
  std::lock_guard lock(mu_);
  committed_ = p;
}

void BinlogLag::maybe_sample(MySqlConnection& conn) {
  const auto now = std::chrono::steady_clock::now();
  if (last_sample_ != std::chrono::steady_clock::time_point{} && now - last_sample_ < interval_) {
    return;
  }
  last_sample_ = now;
  std::vector<std::pair<std::string, uint64_t>> logs;
  try {
    const MySqlResult r = conn.query("SHOW BINARY LOGS", "reading the binlog files for the lag");
    for (size_t i = 0; i < r.size(); ++i) logs.emplace_back(r.get(i, 0), std::stoull(r.get(i, 1)));
  } catch (const std::exception& e) {
    spdlog::debug("binlog lag unknown: {}", e.what());
    logs.clear();
  }
  std::lock_guard lock(mu_);
  logs_ = std::move(logs);
}

std::optional<uint64_t> BinlogLag::bytes() const {
  std::lock_guard lock(mu_);
  if (!committed_) return std::nullopt;
  return BinlogBytesAfter(*committed_, logs_);
}

}  // namespace cdc::mysql
