// SchemaCache: per-table data a format derives once and reuses for every
// event of that table version (rendered schema JSON, escaped column names).
//
// TableSchemas are immutable and shared, so the pointer identifies a version.
// Each entry holds the TableSchemaPtr itself, which keeps the address from
// being reused by a later schema while the entry exists. Entry::Matches(ev)
// lets an entry also depend on the event (Debezium's value schema embeds the
// source block, whose shape comes from the connector): a mismatch rebuilds.
// The cache is bounded: when it reaches kMaxEntries it is emptied, which is
// cheap (entries rebuild on demand) and only happens with thousands of tables
// or schema versions. Thread-safe; entries are built outside the lock.
#pragma once

#include <memory>
#include <mutex>
#include <unordered_map>

#include "cdc/change_event.h"

namespace cdc::format {

template <typename Entry>
class SchemaCache {
 public:
  static constexpr size_t kMaxEntries = 4096;

  // The entry for ev.schema (which must be set); `build` makes one when none
  // matches: Entry build(const ChangeEvent&).
  template <typename Build>
  std::shared_ptr<const Entry> get(const ChangeEvent& ev, Build&& build) const {
    const TableSchema* key = ev.schema.get();
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = entries_.find(key);
      if (it != entries_.end() && it->second->Matches(ev)) return it->second;
    }
    auto entry = std::make_shared<const Entry>(build(ev));
    std::lock_guard<std::mutex> lock(mu_);
    if (entries_.size() >= kMaxEntries) entries_.clear();
    entries_[key] = entry;
    return entry;
  }

  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_.size();
  }

 private:
  mutable std::mutex mu_;
  mutable std::unordered_map<const TableSchema*, std::shared_ptr<const Entry>> entries_;
};

}  // namespace cdc::format
