// SnapshotBar: the daemon's live progress of running snapshots, drawn as the
// status line under the log (StatusLineShown(): stderr is a terminal). A
// thread polls the pipelines a few times a second and redraws one line:
//
//   orders: snapshot public.orders 25% [######..................] 250,000 of
//   ~1,000,000 rows, 48,210 rows/s, ETA 0:15, table 1 of 3
//
// (one line on screen; several snapshotting pipelines are joined by " | ").
// Without a terminal nothing runs: the snapshot engines log a progress line
// every few seconds instead.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cdc/snapshot_status.h"

namespace cdc {

class SnapshotBar {
 public:
  // (pipeline name, its snapshot status) for every running pipeline.
  using Poll = std::function<std::vector<std::pair<std::string, SnapshotStatus>>()>;

  // Starts polling when the status line is shown; otherwise does nothing.
  explicit SnapshotBar(Poll poll);
  ~SnapshotBar();  // stops polling and erases the line
  SnapshotBar(const SnapshotBar&) = delete;
  SnapshotBar& operator=(const SnapshotBar&) = delete;

  // The status text for the snapshots in `statuses` (those with an empty
  // kind are not running and are left out), cut to `width` columns; empty
  // when none runs.
  static std::string Render(const std::vector<std::pair<std::string, SnapshotStatus>>& statuses,
                            size_t width);
  // One pipeline's part of it.
  static std::string RenderOne(const std::string& pipeline, const SnapshotStatus& s);

 private:
  void loop();

  Poll poll_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace cdc
