// The `source` block of Debezium records (data and schema change events).
//
// Field order is what Debezium's SourceInfoStructMaker puts on the wire:
// version, connector, name, ts_ms, snapshot, db, sequence, ts_us, ts_ns;
// then schema and table for PostgreSQL, table for MySQL, schema and table for
// other connectors; then the connector's own fields in the order the source
// listed them. Times are the commit (event) time. `sequence` is the
// SourceSequence as Debezium's JSON text, or null when the source has none.
#pragma once

#include "cdc/change_event.h"
#include "cdc/format.h"
#include "cdc/format/json_writer.h"

namespace cdc::format {

inline constexpr const char* kCdcdVersion = "cdcd-0.1.0";

// What a source block of one table repeats on every event, rendered once
// (the format caches it per table version): the identity fields, the
// database, the table fields and the keys of the connector's fields.
struct SourceParts {
  TableId table;                        // the table these parts name
  std::string identity;                 // "version":...,"connector":...,"name":...
  std::string db;                       // the database as a JSON string
  std::string table_members;            // "schema":...,"table":... (per connector)
  std::vector<std::string> field_keys;  // `"name":` per source field; empty: not shown
};
SourceParts PrepareSource(const SourceInfo& source, const FormatOptions& options);

void WriteSource(JsonWriter& w, const SourceInfo& source, const FormatOptions& options);
// The same with parts prepared from a source with the same connector, server
// name, fields (names and types) and table.
void WriteSource(JsonWriter& w, const SourceInfo& source, const SourceParts& parts);

// A value without column context (source fields, control details): null,
// booleans, numbers and text as themselves, anything else as its debug text.
void WritePlainValue(JsonWriter& w, const Value& v);

}  // namespace cdc::format
