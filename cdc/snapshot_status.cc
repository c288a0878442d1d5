#include "cdc/snapshot_status.h"

#include <algorithm>

namespace cdc {

void SnapshotTracker::begin(const std::string& kind, const std::string& id,
                            const std::vector<Table>& tables) {
  std::lock_guard lock(mu_);
  const uint64_t completed = s_.snapshots_completed;
  s_ = SnapshotStatus{};
  s_.snapshots_completed = completed;
  s_.kind = kind;
  s_.id = id;
  estimates_.clear();
  started_ = Clock::now();
  for (const Table& t : tables) {
    if (estimates_.emplace(t.name, t.estimate).second) ++s_.tables_total;
  }
}

void SnapshotTracker::add_tables(const std::vector<Table>& tables) {
  std::lock_guard lock(mu_);
  for (const Table& t : tables) {
    if (estimates_.emplace(t.name, t.estimate).second) ++s_.tables_total;
  }
}

void SnapshotTracker::set_estimate(const std::string& table, double estimate) {
  std::lock_guard lock(mu_);
  auto [it, added] = estimates_.try_emplace(table, estimate);
  if (added) {
    ++s_.tables_total;
  } else if (estimate >= 0) {
    it->second = estimate;
  }
}

void SnapshotTracker::rows(const std::string& table, uint64_t n) {
  std::lock_guard lock(mu_);
  s_.rows += n;
  s_.table = table;
}

void SnapshotTracker::table_done(const std::string& table) {
  std::lock_guard lock(mu_);
  ++s_.tables_done;
  s_.table = table;
}

void SnapshotTracker::end(bool completed) {
  std::lock_guard lock(mu_);
  const uint64_t done = s_.snapshots_completed + (completed ? 1 : 0);
  s_ = SnapshotStatus{};
  s_.snapshots_completed = done;
  estimates_.clear();
}

SnapshotStatus SnapshotTracker::status() const {
  std::lock_guard lock(mu_);
  SnapshotStatus s = s_;
  if (s.kind.empty()) return s;
  double estimated = 0;
  bool known = true;
  for (const auto& [name, e] : estimates_) {
    if (e < 0) known = false;
    estimated += std::max(0.0, e);
  }
  s.rows_estimated = known ? std::max(estimated, static_cast<double>(s.rows)) : 0;
  const double secs = std::chrono::duration<double>(Clock::now() - started_).count();
  s.rows_per_second = secs > 0 ? static_cast<double>(s.rows) / secs : 0;
  if (known && s.rows_per_second > 0) {
    s.eta_seconds = (s.rows_estimated - static_cast<double>(s.rows)) / s.rows_per_second;
  }
  return s;
}

}  // namespace cdc
