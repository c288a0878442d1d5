// SnapshotTracker: how far a source's running snapshot is, for the logs,
// /pipelines and /metrics. The snapshot engines report rows as they emit
// them; the HTTP thread reads status() at any time (thread-safe).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace cdc {

struct SnapshotStatus {
  std::string kind;           // "initial" or "incremental"; empty: no snapshot running
  std::string id;             // an incremental snapshot's request id
  std::string table;          // the table being read (the last one rows came from)
  uint64_t rows = 0;          // rows emitted by this snapshot so far (this process)
  double rows_estimated = 0;  // sum of the tables' estimates; 0: unknown
  size_t tables_done = 0, tables_total = 0;
  double rows_per_second = 0;
  double eta_seconds = -1;           // -1: unknown
  uint64_t snapshots_completed = 0;  // by this source since the process started
};

class SnapshotTracker {
 public:
  struct Table {
    std::string name;
    double estimate = -1;  // rows; negative: unknown
  };
  // A snapshot starts (or resumes) reading `tables`.
  void begin(const std::string& kind, const std::string& id, const std::vector<Table>& tables);
  // More tables join the running snapshot (an incremental request).
  void add_tables(const std::vector<Table>& tables);
  void set_estimate(const std::string& table, double estimate);
  void rows(const std::string& table, uint64_t n);
  void table_done(const std::string& table);
  // The snapshot finished (`completed`) or was abandoned.
  void end(bool completed);
  SnapshotStatus status() const;

 private:
  using Clock = std::chrono::steady_clock;
  mutable std::mutex mu_;
  SnapshotStatus s_;
  std::map<std::string, double> estimates_;
  Clock::time_point started_;
};

}  // namespace cdc
