#include "cdc/snapshot_mode.h"

namespace cdc {

SnapshotMode ParseSnapshotMode(const ConfigNode& config) {
  const std::string s =
      config.get_choice("snapshot", {"initial", "never", "always", "initial_only"}, "initial");
  if (s == "never") return SnapshotMode::kNever;
  if (s == "always") return SnapshotMode::kAlways;
  if (s == "initial_only") return SnapshotMode::kInitialOnly;
  return SnapshotMode::kInitial;
}

}  // namespace cdc
