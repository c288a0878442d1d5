// The one list of field differences the conformance test accepts between a
// cdcd record and the Debezium record it matches. Each entry is a row of the
// "Differences" table in docs/debezium-compatibility.md that cannot be made
// equal, or a field that differs between any two captures of the same
// database (two independent snapshots). Anything else fails the test: a new
// difference is either fixed in cdcd or documented there first.
#pragma once

#include <set>
#include <string>

#include "tests/conformance/json_diff.h"

namespace cdc::testing {

// What the list needs to know about the record a difference is in.
struct RecordContext {
  std::string op;         // "r", "c", "u", "d", "t", "tombstone"
  std::string table;      // "all_types"
  std::string connector;  // source.connector: "postgresql", "mariadb"; "" in tombstones
  // "table.column" of every column of type real or real[] (Connect "float").
  const std::set<std::string>* float32_columns = nullptr;
};

// True when `d` is on the list. Paths are those of the value's payload (and
// of the Connect round trip's rendering of it); an allowed value may differ,
// its JSON shape (type; for JSON text, the parsed shape) may not.
bool IsAllowedDifference(const FieldDifference& d, const RecordContext& record);

// True when a cdcd record without a Debezium partner is on the list (a table
// Debezium cannot capture).
bool IsAllowedOnlyInCdcd(const RecordContext& record);

}  // namespace cdc::testing
