// Offset: where a source resumes, at event granularity.
//
// An Offset names the *next* event to deliver: the transaction it belongs to
// (`tx`, an opaque source-defined position such as a PostgreSQL LSN or a MySQL
// GTID) and how many events of that transaction were already delivered
// (`index`). A batch may therefore end in the middle of a huge transaction
// and still resume exactly: the source re-reads the transaction and skips the
// first `index` events. `state` is extra source-defined progress that must be
// committed together with the position (e.g. how far a snapshot got).
//
// Only the source that made an Offset interprets it; the pipeline and sinks
// treat it as an opaque value that they store and give back verbatim.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace cdc {

struct Offset {
  std::string tx;
  uint64_t index = 0;
  nlohmann::json state;  // null when the source keeps no extra state

  bool operator==(const Offset&) const = default;

  nlohmann::json to_json() const;
  // Throws Error naming `where` when `j` is not an offset.
  static Offset from_json(const nlohmann::json& j, const std::string& where);
  std::string debug_string() const;
};

}  // namespace cdc
