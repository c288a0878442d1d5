#include "cdc/snapshot_mode.h"

#include <optional>

#include "cdc/table_pattern.h"

namespace cdc {

namespace {

SnapshotMode ParseMode(const ConfigNode& config, const std::string& key) {
  const std::string s =
      config.get_choice(key, {"initial", "never", "always", "initial_only"}, "initial");
  if (s == "never") return SnapshotMode::kNever;
  if (s == "always") return SnapshotMode::kAlways;
  if (s == "initial_only") return SnapshotMode::kInitialOnly;
  return SnapshotMode::kInitial;
}

// workers and chunk_size under `workers_key` and `chunk_key` of `node`.
void ParseSizes(const ConfigNode& node, const std::string& workers_key,
                const std::string& chunk_key, SnapshotSettings& s) {
  s.workers = static_cast<int>(node.get_int(workers_key, s.workers));
  if (s.workers < 1 || s.workers > 64) node.child(workers_key).fail("must be between 1 and 64");
  s.chunk_size = node.get_int(chunk_key, s.chunk_size);
  if (s.chunk_size < 1) node.child(chunk_key).fail("must be >= 1");
}

}  // namespace

SnapshotSettings ParseSnapshotSettings(const ConfigNode& config) {
  SnapshotSettings s;
  std::optional<ConfigNode> block = config.optional_child("snapshot");
  if (!block || !block->is_map()) {
    s.mode = ParseMode(config, "snapshot");
    ParseSizes(config, "snapshot_workers", "snapshot_chunk_size", s);
    return s;
  }
  config.mark_used("snapshot");
  for (const char* flat : {"snapshot_workers", "snapshot_chunk_size"}) {
    if (config.has(flat)) {
      config.child(flat).fail(std::string("give it inside the snapshot block (") +
                              (std::string(flat) == "snapshot_workers" ? "workers" : "chunk_size") +
                              "), not beside it");
    }
  }
  s.mode = ParseMode(*block, "mode");
  ParseSizes(*block, "workers", "chunk_size", s);
  if (std::optional<ConfigNode> keys = block->optional_child("key_columns")) {
    block->mark_used("key_columns");
    if (!keys->is_map()) keys->fail("want a mapping of table names to column lists");
    for (const auto& [table, columns] : keys->entries()) {
      std::vector<std::string> names = keys->get_string_list(table);
      if (names.empty()) columns.fail("name at least one column");
      s.key_columns[table] = std::move(names);
    }
  }
  s.reread_keyless =
      block->get_choice("keyless_tables", {"refuse", "reread"}, "refuse") == "reread";
  block->reject_unknown_keys();
  return s;
}

const std::vector<std::string>* KeyColumnsFor(
    const std::map<std::string, std::vector<std::string>>& key_columns, const std::string& table) {
  auto exact = key_columns.find(table);
  if (exact != key_columns.end()) return &exact->second;
  for (const auto& [name, columns] : key_columns) {
    if (TableNameMatches(table, name)) return &columns;
  }
  return nullptr;
}

bool ShouldSnapshot(SnapshotMode mode, bool has_committed_offset, bool resuming,
                    bool taken_by_this_process) {
  if (resuming) return true;
  if (mode == SnapshotMode::kNever) return false;
  return !has_committed_offset || (mode == SnapshotMode::kAlways && !taken_by_this_process);
}

}  // namespace cdc
