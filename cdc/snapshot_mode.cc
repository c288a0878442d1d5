#include "cdc/snapshot_mode.h"

namespace cdc {

namespace {

SnapshotMode ParseMode(const ConfigNode& config) {
  const std::string s =
      config.get_choice("snapshot", {"initial", "never", "always", "initial_only"}, "initial");
  if (s == "never") return SnapshotMode::kNever;
  if (s == "always") return SnapshotMode::kAlways;
  if (s == "initial_only") return SnapshotMode::kInitialOnly;
  return SnapshotMode::kInitial;
}

}  // namespace

SnapshotSettings ParseSnapshotSettings(const ConfigNode& config) {
  SnapshotSettings s;
  s.mode = ParseMode(config);
  s.workers = static_cast<int>(config.get_int("snapshot_workers", s.workers));
  if (s.workers < 1 || s.workers > 64) {
    config.child("snapshot_workers").fail("must be between 1 and 64");
  }
  s.chunk_size = config.get_int("snapshot_chunk_size", s.chunk_size);
  if (s.chunk_size < 1) config.child("snapshot_chunk_size").fail("must be >= 1");
  return s;
}

bool ShouldSnapshot(SnapshotMode mode, bool has_committed_offset, bool resuming,
                    bool taken_by_this_process) {
  if (resuming) return true;
  if (mode == SnapshotMode::kNever) return false;
  return !has_committed_offset || (mode == SnapshotMode::kAlways && !taken_by_this_process);
}

}  // namespace cdc
