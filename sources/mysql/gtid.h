// GTID positions: what a binlog dump by GTID starts after.
//
// MariaDB ("domain-server-seq" per replication domain, e.g. "0-1-42,1-2-7"):
// MariaGtidState keeps the last GTID of each domain; as
// @slave_connect_state it makes the server send every transaction after it.
// MySQL ("uuid:1-40:45,uuid2:tag:1-3"): MySqlGtidSet is the set of executed
// transactions; COM_BINLOG_DUMP_GTID sends every transaction not in it.
// Both parse and print the servers' own text forms (the MySQL set printed
// sorted by uuid and tag, intervals merged, as the server prints it).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cdc::mysql {

class MariaGtidState {
 public:
  // Throws cdc::Error naming `text` when it is not "d-s-n[,d-s-n...]".
  static MariaGtidState Parse(std::string_view text);
  // Records a transaction's GTID: its domain now ends there.
  void add(uint32_t domain, uint32_t server, uint64_t seq);
  std::string to_string() const;
  bool empty() const { return domains_.empty(); }

 private:
  std::map<uint32_t, std::pair<uint32_t, uint64_t>> domains_;  // domain -> (server, seq)
};

class MySqlGtidSet {
 public:
  // Throws cdc::Error naming `text` when it is not a GTID set.
  static MySqlGtidSet Parse(std::string_view text);
  void add(const std::string& uuid, const std::string& tag, int64_t gno);
  bool contains(const std::string& uuid, const std::string& tag, int64_t gno) const;
  std::string to_string() const;
  bool empty() const { return sets_.empty(); }
  // The binary form COM_BINLOG_DUMP_GTID carries: the number of UUIDs (8
  // bytes LE), then per UUID its 16 bytes, the number of intervals (8 bytes)
  // and each interval as [start, end) (8 + 8 bytes). Throws cdc::Error for
  // tagged GTIDs (MySQL 8.3+), which need a newer encoding.
  std::string encode() const;

 private:
  void insert(const std::string& uuid, const std::string& tag, int64_t first, int64_t last);
  // (uuid, tag) -> inclusive [start, end] intervals, sorted and disjoint.
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<int64_t, int64_t>>> sets_;
};

}  // namespace cdc::mysql
